/* `casebook export xapi` end to end: the shape of each kind of statement,
 * stable ids, --since, --out written whole or not at all, case-study
 * events when their tables exist, and bad input refused with the
 * workspace left as it was (the export never writes to it). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testlib.h"

#define MAX_ARGS 24

static char *ws;

/* Runs casebook with the NULL-terminated arguments into *r. */
static void run(cbt_run *r, const char *first, va_list ap)
{
	const char *a[MAX_ARGS + 1] = {first};
	size_t n = 1;

	while (n < MAX_ARGS && (a[n] = va_arg(ap, const char *)))
		n++;
	a[n] = NULL;
	cbt_casebook(r, ws, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
		     a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19],
		     a[20], a[21], a[22], a[23], NULL);
}

/* Asserts success; returns stdout (caller frees). */
static char *ok(const char *first, ...)
{
	va_list ap;
	cbt_run r;
	char *out;

	va_start(ap, first);
	run(&r, first, ap);
	va_end(ap);
	ck_assert_msg(r.status == 0, "%s %s: exit %d: %s", first, r.err, r.status, r.err);
	out = r.out;
	free(r.err);
	return out;
}

/* Asserts the exit code, a piece of the message, no output, and that the
 * database is exactly as before. */
static void refused(int code, const char *message, const char *first, ...)
{
	char *before = cbt_db_dump(ws), *after;
	va_list ap;
	cbt_run r;

	va_start(ap, first);
	run(&r, first, ap);
	va_end(ap);
	ck_assert_msg(r.status == code, "exit %d, want %d: %s", r.status, code, r.err);
	ck_assert_msg(cbt_has(r.err, message), "want '%s' in: %s", message, r.err);
	ck_assert_msg(strncmp(r.err, "casebook: error: ", 17) == 0, "%s", r.err);
	ck_assert_msg(r.out[0] == '\0', "unexpected output: %s", r.out);
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

static json_t *parse(char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	ck_assert_msg(v != NULL, "not JSON (%s): %s", jerr.text, text);
	free(text);
	return v;
}

/* The value at a path of object keys ("a", "b", NULL); NULL when absent. */
static json_t *at(json_t *v, ...)
{
	va_list ap;
	const char *key;

	va_start(ap, v);
	while (v && (key = va_arg(ap, const char *)))
		v = json_object_get(v, key);
	va_end(ap);
	return v;
}

static const char *s_at(json_t *v, const char *k1, const char *k2, const char *k3)
{
	json_t *x = at(v, k1, k2, k3, NULL);

	ck_assert_msg(json_is_string(x), "%s.%s.%s is not a string", k1, k2 ? k2 : "",
		      k3 ? k3 : "");
	return json_string_value(x);
}

/* The actor's person key (account) or address (mbox, without mailto:). */
static const char *actor_of(json_t *st)
{
	json_t *mbox = at(st, "actor", "mbox", NULL);

	if (mbox)
		return json_string_value(mbox) + strlen("mailto:");
	return json_string_value(at(st, "actor", "account", "name", NULL));
}

/* The statements with the verb's display name, object id ending in
 * `object`, and actor `who`; how many in *n, the first returned. */
static json_t *find(json_t *list, const char *verb, const char *object, const char *who,
		    size_t *n)
{
	json_t *first = NULL, *st;
	size_t i, count = 0;

	json_array_foreach(list, i, st) {
		const char *id = json_string_value(at(st, "object", "id", NULL));
		size_t len = strlen(id), olen = strlen(object);

		if (strcmp(json_string_value(at(st, "verb", "display", "en-US", NULL)), verb) ||
		    len < olen || strcmp(id + len - olen, object) || strcmp(actor_of(st), who))
			continue;
		if (!count++)
			first = st;
	}
	*n = count;
	return first;
}

static json_t *one(json_t *list, const char *verb, const char *object, const char *who)
{
	size_t n;
	json_t *st = find(list, verb, object, who, &n);

	ck_assert_msg(n == 1, "%zu statements '%s %s %s', want 1", n, who, verb, object);
	return st;
}

static void none(json_t *list, const char *verb, const char *object, const char *who)
{
	size_t n;

	find(list, verb, object, who, &n);
	ck_assert_msg(n == 0, "%zu statements '%s %s %s', want none", n, who, verb, object);
}

static double num(json_t *v)
{
	ck_assert_msg(json_is_number(v), "not a number");
	return json_number_value(v);
}

static void setup(void)
{
	ws = cbt_workspace();
	free(ok("person", "add", "alice", "--name", "Alice Trainer", "--role", "trainer",
		"--email", "alice@example.com", NULL));
	free(ok("person", "add", "bob", "--name", "Bob Tech", "--role", "technician", "--email",
		"bob@example.com", NULL));
	free(ok("person", "add", "carol", "--name", "Carol Tech", "--role", "technician",
		NULL));
	free(ok("person", "add", "dave", "--name", "Dave Tech", "--role", "technician",
		"--email", "dave@intranet", NULL));
	free(ok("program", "add", "tco", "--name", "Total Customer Orientation",
		"--description", "Three days on the customer's side", NULL));
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

/* One blended session: bob attended with every score, carol was there in
 * part, dave was absent but took the pre-test. */
static void record_session(void)
{
	free(ok("session", "record", "--key", "s1", "--program", "tco", "--title", "TCO Munich",
		"--format", "blended", "--start", "2025-03-03", "--end", "2025-03-05",
		"--trainer", "alice", "--location", "Munich", "--attendee", "bob,carol,dave",
		NULL));
	free(ok("session", "attend", "s1", "bob", "--reaction", "4", "--pre", "55", "--post",
		"80.5", NULL));
	free(ok("session", "attend", "s1", "carol", "--status", "partial", NULL));
	free(ok("session", "attend", "s1", "dave", "--status", "absent", "--pre", "30", NULL));
}

/* What every statement has: a version 5 UUID, xAPI 1.0.3, a UTC timestamp,
 * an Agent, a verb with its display, an Activity with a definition. */
static void check_common(json_t *st)
{
	const char *id = s_at(st, "id", NULL, NULL), *ts = s_at(st, "timestamp", NULL, NULL);

	ck_assert_msg(strlen(id) == 36 && id[8] == '-' && id[14] == '5' &&
			      strchr("89ab", id[19]) && strspn(id, "0123456789abcdef-") == 36,
		      "not a version 5 UUID: %s", id);
	ck_assert_str_eq(s_at(st, "version", NULL, NULL), "1.0.3");
	ck_assert_msg(strlen(ts) == 20 && ts[10] == 'T' && ts[19] == 'Z', "timestamp %s", ts);
	ck_assert_str_eq(s_at(st, "actor", "objectType", NULL), "Agent");
	ck_assert_msg(at(st, "actor", "mbox", NULL) || at(st, "actor", "account", NULL),
		      "actor without identifier");
	ck_assert_msg(!(at(st, "actor", "mbox", NULL) && at(st, "actor", "account", NULL)),
		      "actor with two identifiers");
	ck_assert_ptr_nonnull(at(st, "verb", "display", "en-US", NULL));
	ck_assert_str_eq(s_at(st, "object", "objectType", NULL), "Activity");
	ck_assert_ptr_nonnull(at(st, "object", "definition", "name", NULL));
	ck_assert_ptr_nonnull(at(st, "object", "definition", "type", NULL));
}

#define BASE "https://casebook.invalid/xapi/"

START_TEST(statement_shapes)
{
	json_t *list, *st, *ctx;
	size_t i;

	record_session();
	list = parse(ok("export", "xapi", NULL));
	ck_assert_int_eq(json_array_size(list), 7);
	json_array_foreach(list, i, st)
		check_common(st);

	/* attended: bob in full, carol in part (no completion), dave not. */
	st = one(list, "attended", "/sessions/s1", "bob@example.com");
	ck_assert_str_eq(s_at(st, "verb", "id", NULL), "http://adlnet.gov/expapi/verbs/attended");
	ck_assert_str_eq(s_at(st, "actor", "name", NULL), "Bob Tech");
	ck_assert_str_eq(s_at(st, "object", "id", NULL), BASE "sessions/s1");
	ck_assert_str_eq(s_at(st, "object", "definition", "type"),
			 "http://adlnet.gov/expapi/activities/meeting");
	ck_assert_str_eq(json_string_value(at(st, "object", "definition", "name", "und", NULL)),
			 "TCO Munich");
	ck_assert(cbt_has(json_string_value(at(st, "object", "definition", "description",
					       "en-US", NULL)),
			  "blended session from 2025-03-03 to 2025-03-05 in Munich"));
	ck_assert(json_is_true(at(st, "result", "completion", NULL)));
	ck_assert_str_eq(json_string_value(at(st, "result", "extensions",
					      BASE "extensions/attendance-status", NULL)),
			 "attended");
	ck_assert_str_eq(s_at(st, "timestamp", NULL, NULL), "2025-03-05T00:00:00Z");
	ctx = at(st, "context", NULL);
	ck_assert_str_eq(json_string_value(at(ctx, "instructor", "mbox", NULL)),
			 "mailto:alice@example.com");
	ck_assert_str_eq(json_string_value(at(ctx, "instructor", "name", NULL)), "Alice Trainer");
	ck_assert_int_eq(json_array_size(at(ctx, "contextActivities", "parent", NULL)), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(at(ctx, "contextActivities", "parent", NULL), 0),
				 "id")),
			 BASE "programs/tco");
	ck_assert_ptr_null(at(ctx, "contextActivities", "grouping", NULL));
	ck_assert_str_eq(json_string_value(at(ctx, "extensions", BASE "extensions/format", NULL)),
			 "blended");
	ck_assert_str_eq(json_string_value(at(ctx, "platform", NULL)), "Casebook");

	st = one(list, "attended", "/sessions/s1", "carol");
	ck_assert_str_eq(s_at(st, "actor", "account", "homePage"), "https://casebook.invalid/");
	ck_assert(json_is_false(at(st, "result", "completion", NULL)));
	ck_assert_str_eq(json_string_value(at(st, "result", "extensions",
					      BASE "extensions/attendance-status", NULL)),
			 "partial");
	none(list, "attended", "/sessions/s1", "dave");

	/* completed: attended only. */
	st = one(list, "completed", "/sessions/s1", "bob@example.com");
	ck_assert_str_eq(s_at(st, "verb", "id", NULL), "http://adlnet.gov/expapi/verbs/completed");
	ck_assert(json_is_true(at(st, "result", "completion", NULL)));
	none(list, "completed", "/sessions/s1", "carol");
	none(list, "completed", "/sessions/s1", "dave");

	/* rated: the reaction on 1..5, scaled to 0..1. */
	st = one(list, "rated", "/sessions/s1", "bob@example.com");
	ck_assert_str_eq(s_at(st, "verb", "id", NULL), "http://id.tincanapi.com/verb/rated");
	ck_assert(json_is_integer(at(st, "result", "score", "raw", NULL)));
	ck_assert_int_eq(json_integer_value(at(st, "result", "score", "raw", NULL)), 4);
	ck_assert_int_eq(json_integer_value(at(st, "result", "score", "min", NULL)), 1);
	ck_assert_int_eq(json_integer_value(at(st, "result", "score", "max", NULL)), 5);
	ck_assert_double_eq_tol(num(at(st, "result", "score", "scaled", NULL)), 0.75, 1e-12);

	/* scored: pre on the first day, post on the last, each its own test. */
	st = one(list, "scored", "/sessions/s1/tests/pre", "bob@example.com");
	ck_assert_str_eq(s_at(st, "verb", "id", NULL), "http://adlnet.gov/expapi/verbs/scored");
	ck_assert_str_eq(s_at(st, "object", "definition", "type"),
			 "http://adlnet.gov/expapi/activities/assessment");
	ck_assert_int_eq(json_integer_value(at(st, "result", "score", "raw", NULL)), 55);
	ck_assert_int_eq(json_integer_value(at(st, "result", "score", "min", NULL)), 0);
	ck_assert_int_eq(json_integer_value(at(st, "result", "score", "max", NULL)), 100);
	ck_assert_double_eq_tol(num(at(st, "result", "score", "scaled", NULL)), 0.55, 1e-12);
	ck_assert_str_eq(s_at(st, "timestamp", NULL, NULL), "2025-03-03T00:00:00Z");
	ctx = at(st, "context", NULL);
	ck_assert_str_eq(json_string_value(at(ctx, "extensions", BASE "extensions/test-phase", NULL)),
			 "pre");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(at(ctx, "contextActivities", "parent", NULL), 0),
				 "id")),
			 BASE "sessions/s1");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(at(ctx, "contextActivities", "grouping", NULL), 0),
				 "id")),
			 BASE "programs/tco");
	st = one(list, "scored", "/sessions/s1/tests/post", "bob@example.com");
	ck_assert_double_eq_tol(num(at(st, "result", "score", "raw", NULL)), 80.5, 1e-12);
	ck_assert_double_eq_tol(num(at(st, "result", "score", "scaled", NULL)), 0.805, 1e-12);
	ck_assert_str_eq(s_at(st, "timestamp", NULL, NULL), "2025-03-05T00:00:00Z");
	ck_assert_str_eq(json_string_value(at(st, "context", "extensions",
					      BASE "extensions/test-phase", NULL)),
			 "post");
	/* Scores are exported whatever the status: dave took the pre-test.
	 * His address is one an mbox cannot take (no dot in the domain), so
	 * he is an account. */
	st = one(list, "scored", "/sessions/s1/tests/pre", "dave");
	ck_assert_str_eq(s_at(st, "actor", "account", "name"), "dave");
	ck_assert_str_eq(s_at(st, "actor", "name", NULL), "Dave Tech");

	/* By timestamp: the pre-tests of the first day come first. */
	ck_assert_str_eq(s_at(json_array_get(list, 0), "timestamp", NULL, NULL),
			 "2025-03-03T00:00:00Z");
	json_decref(list);
}
END_TEST

START_TEST(ids_are_stable_and_nothing_is_written)
{
	char *before, *after, *first, *second, *third;
	json_t *a, *b;
	cbt_run r;

	record_session();
	free(ok("session", "record", "--key", "s2", "--program", "tco", "--title", "TCO online",
		"--format", "virtual", "--start", "2025-04-01", "--end", "2025-04-01",
		"--trainer", "alice", "--attendee", "bob", NULL));
	free(ok("session", "record", "--key", "gone", "--program", "tco", "--title", "Gone",
		"--format", "in-person", "--start", "2025-05-01", "--end", "2025-05-01",
		"--trainer", "alice", "--attendee", "bob", NULL));
	free(ok("session", "cancel", "gone", NULL));
	before = cbt_db_dump(ws);
	first = ok("export", "xapi", NULL);
	second = ok("export", "xapi", "--json", NULL);
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	ck_assert_str_eq(first, second);
	/* A cancelled session has no statements; the virtual one has two. */
	ck_assert(!cbt_has(first, "/sessions/gone"));
	free(second);
	a = parse(first);
	ck_assert_int_eq(json_array_size(a), 9);
	ck_assert_str_eq(json_string_value(at(one(a, "attended", "/sessions/s2", "bob@example.com"),
					      "context", "extensions", BASE "extensions/format",
					      NULL)),
			 "virtual");

	/* A changed score keeps the statement's id (the id says what the
	 * statement is about, not its value). */
	free(ok("session", "attend", "s1", "bob", "--post", "90", NULL));
	b = parse(ok("export", "xapi", NULL));
	ck_assert_str_eq(s_at(one(a, "scored", "/tests/post", "bob@example.com"), "id", NULL, NULL),
			 s_at(one(b, "scored", "/tests/post", "bob@example.com"), "id", NULL, NULL));
	ck_assert_int_eq(json_integer_value(at(one(b, "scored", "/tests/post", "bob@example.com"),
					       "result", "score", "raw", NULL)),
			 90);
	json_decref(a);
	json_decref(b);

	/* A read-only workspace exports the same way. */
	third = cbt_sh(NULL, "chmod a-w '%s/casebook.db'", ws);
	free(third);
	cbt_casebook(&r, ws, NULL, "export", "xapi", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "/sessions/s2"));
	cbt_run_free(&r);
	free(cbt_sh(NULL, "chmod u+w '%s/casebook.db'", ws));
	free(before);
	free(after);
}
END_TEST

/* --base: the activity ids and the homePage go under the workspace's own
 * IRI, so another workspace's statements about the same keys get other
 * ids; the extension keys stay Casebook's. */
START_TEST(base_gives_a_workspace_its_own_ids)
{
	json_t *a, *b, *st, *sa;
	size_t i;

	record_session();
	a = parse(ok("export", "xapi", NULL));
	b = parse(ok("export", "xapi", "--base", "https://training.example.com/acme/xapi", NULL));
	ck_assert_int_eq(json_array_size(a), json_array_size(b));
	json_array_foreach(b, i, st)
		check_common(st);
	st = one(b, "attended", "/sessions/s1", "carol");
	ck_assert_str_eq(s_at(st, "object", "id", NULL), "https://training.example.com/acme/xapi/sessions/s1");
	ck_assert_str_eq(s_at(st, "actor", "account", "homePage"), "https://training.example.com/acme/xapi/");
	ck_assert_str_eq(json_string_value(at(st, "result", "extensions",
					      BASE "extensions/attendance-status", NULL)),
			 "partial");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(at(st, "context", "contextActivities", "parent", NULL), 0),
				 "id")),
			 "https://training.example.com/acme/xapi/programs/tco");
	/* no statement id of one export is in the other */
	json_array_foreach(a, i, sa) {
		json_t *sb;
		size_t k;

		json_array_foreach(b, k, sb)
			ck_assert_str_ne(s_at(sa, "id", NULL, NULL), s_at(sb, "id", NULL, NULL));
	}
	/* the same base gives the same ids again */
	{
		json_t *c = parse(ok("export", "xapi", "--base", "https://training.example.com/acme/xapi/", NULL));

		ck_assert_str_eq(s_at(json_array_get(c, 0), "id", NULL, NULL),
				 s_at(json_array_get(b, 0), "id", NULL, NULL));
		json_decref(c);
	}
	json_decref(a);
	json_decref(b);
	refused(2, "--base ftp://x/ must start with https:// or http://", "export", "xapi", "--base",
		"ftp://x/", NULL);
	refused(2, "--base https:// has no host", "export", "xapi", "--base", "https://", NULL);
	refused(2, "--base holds the byte 0x20 at offset 15", "export", "xapi", "--base",
		"https://a.com/b c", NULL);
	refused(2, "--base is empty", "export", "xapi", "--base", "", NULL);
}
END_TEST

START_TEST(empty_workspace_exports_an_empty_array)
{
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "export", "xapi", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "[]\n");
	ck_assert_str_eq(r.err, "");
	cbt_run_free(&r);
}
END_TEST

START_TEST(since_keeps_later_statements)
{
	json_t *list;

	record_session();
	/* 2025-03-04: everything dated on the last day (5), not the pre-tests. */
	list = parse(ok("export", "xapi", "--since", "2025-03-04", NULL));
	ck_assert_int_eq(json_array_size(list), 5);
	none(list, "scored", "/tests/pre", "bob@example.com");
	one(list, "scored", "/tests/post", "bob@example.com");
	json_decref(list);
	list = parse(ok("export", "xapi", "--since", "2025-03-03", NULL));
	ck_assert_int_eq(json_array_size(list), 7);
	json_decref(list);
	/* A date-time with an offset: 2025-03-05T01:00+02:00 is 03-04T23:00Z. */
	list = parse(ok("export", "xapi", "--since", "2025-03-05T01:00:00+02:00", NULL));
	ck_assert_int_eq(json_array_size(list), 5);
	json_decref(list);
	list = parse(ok("export", "xapi", "--since", "2025-03-05T00:00:01Z", NULL));
	ck_assert_int_eq(json_array_size(list), 0);
	json_decref(list);
}
END_TEST

START_TEST(out_writes_the_whole_file)
{
	char *dir = cbt_tempdir(), *path, *stdout_text, *file, *listing;
	json_t *v;
	cbt_run r;

	record_session();
	path = cbt_write(dir, "statements.json", "old contents\n");
	stdout_text = ok("export", "xapi", NULL);
	cbt_casebook(&r, ws, NULL, "export", "xapi", "--out", path, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "wrote 7 xAPI statements to "));
	cbt_run_free(&r);
	file = cbt_sh(NULL, "cat '%s'", path);
	ck_assert_str_eq(file, stdout_text);
	free(file);
	/* Nothing but the file is left in its folder. */
	listing = cbt_sh(NULL, "ls -A '%s'", dir);
	ck_assert_str_eq(listing, "statements.json\n");
	free(listing);
	/* The file gets the usual mode, not mkstemp's private one. */
	{
		struct stat st;

		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_msg(st.st_mode & 0044, "mode %o", (unsigned)st.st_mode);
	}
	v = parse(ok("export", "xapi", "--out", path, "--since", "2025-03-04", "--json", NULL));
	ck_assert_str_eq(json_string_value(json_object_get(v, "file")), path);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "statements")), 5);
	json_decref(v);
	free(stdout_text);
	free(path);
	cbt_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(bad_input_is_refused_and_changes_nothing)
{
	char *dir = cbt_tempdir(), *missing, *listing;
	cbt_run r;

	record_session();
	refused(2, "February 2025 has 28 days", "export", "xapi", "--since", "2025-02-30", NULL);
	refused(2, "--since", "export", "xapi", "--since", "last week", NULL);
	refused(2, "--since", "export", "xapi", "--since", "2025-03-01T10:00:00", NULL);
	refused(2, "unknown option", "export", "xapi", "--until", "2025-01-01", NULL);
	refused(2, "missing value", "export", "xapi", "--out", NULL);
	refused(2, "--out needs a file name", "export", "xapi", "--out", "", NULL);
	refused(2, "no --csv", "export", "xapi", "--csv", NULL);
	refused(2, "takes no arguments", "export", "xapi", "extra", NULL);
	refused(2, "did you mean 'export xapi'", "export", "xpai", NULL);
	{
		char db[4096];

		snprintf(db, sizeof(db), "%s/casebook.db", ws);
		refused(2, "is the workspace's database", "export", "xapi", "--out", db, NULL);
	}

	/* --out into a folder that does not exist: said so, nothing made. */
	missing = malloc(strlen(dir) + 32);
	ck_assert_ptr_nonnull(missing);
	sprintf(missing, "%s/nope/out.json", dir);
	refused(1, "the folder", "export", "xapi", "--out", missing, NULL);
	cbt_casebook(&r, ws, NULL, "export", "xapi", "--out", missing, NULL);
	ck_assert(cbt_has(r.err, "does not exist"));
	ck_assert(cbt_has(r.err, "/nope"));
	cbt_run_free(&r);
	/* --out naming a folder: refused, no temporary file left behind. */
	refused(1, "it is a folder", "export", "xapi", "--out", dir, NULL);
	listing = cbt_sh(NULL, "ls -A '%s' | wc -l; ls -A \"$(dirname '%s')\" | grep -c '\\.tmp-' || true",
			 dir, dir);
	ck_assert_str_eq(listing, "0\n0\n");
	free(listing);
	free(missing);
	cbt_rmrf(dir);
	free(dir);
}
END_TEST

/* A case study by `technician` at acme citing session s1 (caller frees
 * the path). */
static char *case_file(const char *name, const char *title, const char *technician)
{
	char text[1024], *path;

	snprintf(text, sizeof(text),
		 "---\ntitle: %s\ntechnician: %s\naccount: acme\nsessions:\n  - s1\n---\n"
		 "\n## Situation\n\nTwo stoppages a month.\n\n## Actions\n\nAsked about uptime.\n"
		 "\n## Outcome\n\nNone since May.\n",
		 title, technician);
	path = cbt_write(ws, name, text);
	return path;
}

START_TEST(case_study_submissions_and_approvals)
{
	json_t *list, *st;
	size_t before;
	char *path, *out;
	cbt_run r;

	record_session();
	list = parse(ok("export", "xapi", NULL));
	before = json_array_size(list);
	json_decref(list);
	free(ok("account", "add", "acme", "--name", "ACME Bottling", NULL));
	free(ok("cover", "bob", "acme", "--from", "2024-01-01", NULL));
	free(ok("cover", "carol", "acme", "--from", "2024-01-01", NULL));

	/* bob's case is submitted only; then carol (no email) submits, alice
	 * asks for changes, carol revises, alice approves. */
	path = case_file("oee.md", "OEE at ACME", "bob");
	free(ok("case", "submit", path, "--slug", "oee", NULL));
	free(path);
	path = case_file("uptime.md", "Uptime at ACME", "carol");
	free(ok("case", "submit", path, "--slug", "uptime", NULL));
	free(ok("case", "review", "uptime", "--reviewer", "alice", "--decision", "changes",
		"--comment", "Which period?", NULL));
	free(path);
	path = case_file("uptime.md", "Uptime at ACME since May", "carol");
	free(ok("case", "revise", "uptime", path, NULL));
	free(ok("case", "review", "uptime", "--reviewer", "alice", "--decision", "approve", NULL));
	free(path);

	list = parse(ok("export", "xapi", NULL));
	/* two submissions and one approval; a request for changes and a
	 * revision are no events */
	ck_assert_int_eq(json_array_size(list), before + 3);
	st = one(list, "submitted", "/cases/uptime", "carol");
	check_common(st);
	ck_assert_str_eq(s_at(st, "verb", "id", NULL), "http://activitystrea.ms/schema/1.0/submit");
	ck_assert_str_eq(s_at(st, "object", "id", NULL), BASE "cases/uptime");
	ck_assert_str_eq(json_string_value(at(st, "object", "definition", "name", "und", NULL)),
			 "Uptime at ACME since May");
	/* the time of the first commit of the case, as git has it */
	out = cbt_sh(NULL, "TZ=UTC git -C '%s/cases' log --reverse --date=format-local:%%Y-%%m-%%dT%%H:%%M:%%SZ "
			   "--format=%%ad main -- %s/case.md | head -1 | tr -d '\\n'", ws,
		     cbt_case_dir("uptime"));
	ck_assert_str_eq(s_at(st, "timestamp", NULL, NULL), out);
	free(out);
	st = one(list, "approved", "/cases/uptime", "alice@example.com");
	check_common(st);
	ck_assert_str_eq(s_at(st, "verb", "id", NULL), "http://activitystrea.ms/schema/1.0/approve");
	/* the approval is the newest event (or, in the same second as bob's
	 * submission, comes after it by slug), so it is last */
	ck_assert_ptr_eq(json_array_get(list, json_array_size(list) - 1), st);
	one(list, "submitted", "/cases/oee", "bob@example.com");
	none(list, "approved", "/cases/oee", "alice@example.com");
	json_decref(list);
	/* the sessions are of 2025; the cases were written now */
	list = parse(ok("export", "xapi", "--since", "2026-01-01", NULL));
	ck_assert_int_eq(json_array_size(list), 3);
	json_decref(list);
	cbt_casebook(&r, ws, NULL, "export", "xapi", NULL);
	ck_assert_str_eq(r.err, "");
	cbt_run_free(&r);
}
END_TEST

START_TEST(help_documents_the_vocabulary)
{
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "export", "xapi", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strncmp(r.out, "usage: casebook export xapi ", 28) == 0, "%s", r.out);
	ck_assert(cbt_has(r.out, "http://adlnet.gov/expapi/verbs/attended"));
	ck_assert(cbt_has(r.out, "http://id.tincanapi.com/verb/rated"));
	ck_assert(cbt_has(r.out, "attendance-status"));
	ck_assert(cbt_has(r.out, "test-phase"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "help", "export", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "usage: casebook export VERB"));
	ck_assert(cbt_has(r.out, "xapi"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "--help", NULL);
	ck_assert(cbt_has(r.out, "export"));
	cbt_run_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/xapi_cli");
	TCase *tc = tcase_create("xapi");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, statement_shapes);
	tcase_add_test(tc, ids_are_stable_and_nothing_is_written);
	tcase_add_test(tc, base_gives_a_workspace_its_own_ids);
	tcase_add_test(tc, empty_workspace_exports_an_empty_array);
	tcase_add_test(tc, since_keeps_later_statements);
	tcase_add_test(tc, out_writes_the_whole_file);
	tcase_add_test(tc, bad_input_is_refused_and_changes_nothing);
	tcase_add_test(tc, case_study_submissions_and_approvals);
	tcase_add_test(tc, help_documents_the_vocabulary);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
