/* `casebook program` and `casebook session` end to end: what a trainer
 * types, what they see, and that bad input changes nothing. People are set
 * up with the sqlite3 CLI so that this suite stands on its own. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define MAX_ARGS 40

static char *ws;

static void add_person(const char *key, const char *name, const char *role)
{
	int status;
	char *out = cbt_sh(&status,
			   "sqlite3 '%s/casebook.db' \"INSERT INTO person(key, name) "
			   "VALUES('%s', '%s'); INSERT INTO person_role "
			   "VALUES(last_insert_rowid(), '%s');\"",
			   ws, key, name, role);

	ck_assert_msg(status == 0, "could not add person %s", key);
	free(out);
}

/* Runs casebook with up to MAX_ARGS arguments (NULL-terminated) and
 * asserts success; returns stdout (caller frees). */
static char *ok(const char *first, ...)
{
	const char *a[MAX_ARGS + 1] = {first};
	size_t n = 1;
	va_list ap;
	cbt_run r;
	char *out;

	va_start(ap, first);
	while (n < MAX_ARGS && (a[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	a[n] = NULL;
	cbt_casebook(&r, ws, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
		     a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18],
		     a[19], a[20], a[21], a[22], a[23], a[24], a[25], a[26], a[27], a[28],
		     a[29], a[30], a[31], a[32], a[33], a[34], a[35], a[36], a[37], a[38],
		     a[39], NULL);
	ck_assert_msg(r.status == 0, "%s %s: exit %d: %s", a[0], a[1] ? a[1] : "",
		      r.status, r.err);
	out = r.out;
	free(r.err);
	return out;
}

/* Runs one bad command (NULL-terminated arguments); asserts the exit code,
 * a piece of the message, and that the database is exactly as before. */
static void refused(int code, const char *message, const char *first, ...)
{
	const char *a[MAX_ARGS + 1] = {first};
	size_t n = 1;
	char *before = cbt_db_dump(ws), *after;
	va_list ap;
	cbt_run r;

	va_start(ap, first);
	while (n < MAX_ARGS && (a[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	a[n] = NULL;
	cbt_casebook(&r, ws, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
		     a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18],
		     a[19], a[20], a[21], a[22], a[23], a[24], a[25], a[26], a[27], a[28],
		     a[29], a[30], a[31], a[32], a[33], a[34], a[35], a[36], a[37], a[38],
		     a[39], NULL);
	ck_assert_msg(r.status == code, "%s %s: exit %d, want %d: %s", a[0],
		      a[1] ? a[1] : "", r.status, code, r.err);
	ck_assert_msg(cbt_has(r.err, message), "want '%s' in: %s", message, r.err);
	ck_assert_msg(strncmp(r.err, "casebook: error: ", 17) == 0, "%s", r.err);
	ck_assert_msg(r.out[0] == '\0', "unexpected output: %s", r.out);
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(before), free(after);
}

static json_t *parse(char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	ck_assert_msg(v != NULL, "not JSON (%s): %s", jerr.text, text);
	free(text);
	return v;
}

static const char *str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

/* The record command most tests start from, with room for more options. */
#define RECORD "session", "record", "--program", "tco", "--title", "TCO Munich", \
	"--format", "in-person", "--start", "2025-03-04", "--end", "2025-03-06", \
	"--trainer", "alice"

static void setup(void)
{
	ws = cbt_workspace();
	add_person("alice", "Alice Trainer", "trainer");
	add_person("bob", "Bob Tech", "technician");
	add_person("carol", "Carol Tech", "technician");
	add_person("dave", "Dave Tech", "technician");
	free(ok("account", "add", "acme", "--name", "ACME GmbH", NULL));
	free(ok("account", "add", "globex", "--name", "Globex", NULL));
	free(ok("program", "add", "tco", "--name", "Total Customer Orientation",
		"--description", "Three days on the customer's side", NULL));
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

START_TEST(programs_add_list_show)
{
	json_t *v, *row;
	char *out;

	out = ok("program", "add", "lean", "--name", "Lean Service", "--json", NULL);
	v = parse(out);
	ck_assert_str_eq(str(v, "key"), "lean");
	ck_assert(json_is_null(json_object_get(v, "description")));
	ck_assert_int_eq(json_integer_value(json_object_get(v, "sessions")), 0);
	json_decref(v);

	free(ok(RECORD, NULL));
	v = parse(ok("program", "list", "--json", NULL));
	ck_assert_uint_eq(json_array_size(v), 2);
	row = json_array_get(v, 0); /* key order */
	ck_assert_str_eq(str(row, "key"), "lean");
	row = json_array_get(v, 1);
	ck_assert_str_eq(str(row, "name"), "Total Customer Orientation");
	ck_assert_int_eq(json_integer_value(json_object_get(row, "sessions")), 1);
	json_decref(v);

	out = ok("program", "list", "--csv", NULL);
	ck_assert_msg(strncmp(out, "key,name,description,sessions,created_at\r\n",
			      strlen("key,name,description,sessions,created_at\r\n")) == 0,
		      "%s", out);
	ck_assert(cbt_has(out, "tco,Total Customer Orientation,Three days on the customer's side,1,"));
	free(out);

	v = parse(ok("program", "show", "tco", "--json", NULL));
	ck_assert_str_eq(str(v, "description"), "Three days on the customer's side");
	row = json_object_get(v, "sessions");
	ck_assert_uint_eq(json_array_size(row), 1);
	row = json_array_get(row, 0);
	ck_assert_str_eq(str(row, "key"), "tco-2025-03-04");
	ck_assert_str_eq(str(row, "title"), "TCO Munich");
	ck_assert_str_eq(str(row, "format"), "in-person");
	ck_assert_str_eq(str(row, "starts_on"), "2025-03-04");
	ck_assert_str_eq(str(row, "ends_on"), "2025-03-06");
	ck_assert_str_eq(str(row, "trainer"), "alice");
	ck_assert_str_eq(str(row, "status"), "scheduled");
	json_decref(v);

	out = ok("program", "show", "tco", NULL);
	ck_assert(cbt_has(out, "sessions:") && cbt_has(out, "tco-2025-03-04"));
	free(out);
}
END_TEST

START_TEST(program_bad_input)
{
	char *longname = malloc(10001);

	memset(longname, 'n', 10000);
	longname[10000] = '\0';
	refused(1, "program 'tco' already exists", "program", "add", "tco", "--name", "X", NULL);
	refused(2, "program add needs --name", "program", "add", "x", NULL);
	refused(1, "program key 'a b' may hold only", "program", "add", "a b", "--name", "X", NULL);
	refused(1, "program name is 10000 bytes long; the limit is 200", "program", "add", "x",
		"--name", longname, NULL);
	refused(1, "unknown program 'tcp' (did you mean 'tco'?)", "program", "show", "tcp", NULL);
	refused(2, "program show has no --csv", "program", "show", "tco", "--csv", NULL);
	free(longname);
}
END_TEST

START_TEST(record_generates_keys_and_writes_everything)
{
	json_t *v, *list, *row;
	char *out;

	out = ok(RECORD, "--location", "Munich", "--cost", "1200.50", "--currency", "EUR",
		 "--attendee", "bob,carol", "--attendee", "dave", "--account", "acme",
		 "--account", "globex", "--notes", "Room 4\nbring laptops", NULL);
	ck_assert_str_eq(out, "recorded session tco-2025-03-04\n");
	free(out);
	out = ok(RECORD, NULL);
	ck_assert_str_eq(out, "recorded session tco-2025-03-04-2\n");
	free(out);
	v = parse(ok(RECORD, "--json", NULL));
	ck_assert_str_eq(str(v, "key"), "tco-2025-03-04-3");
	json_decref(v);
	out = ok(RECORD, "--key", "tco-munich-spring", NULL);
	ck_assert_str_eq(out, "recorded session tco-munich-spring\n");
	free(out);

	/* A made key fits CB_KEY_MAX (64) even from the longest program key:
	 * the program part is cut to 49 bytes, leaving room for "-N". */
	{
		char program[65], want[128];

		memset(program, 'p', 64);
		program[64] = '\0';
		free(ok("program", "add", program, "--name", "Long", NULL));
		snprintf(want, sizeof(want), "recorded session %.49s-2025-03-04\n", program);
		out = ok("session", "record", "--program", program, "--title", "T", "--format",
			 "virtual", "--start", "2025-03-04", "--end", "2025-03-04", "--trainer",
			 "alice", NULL);
		ck_assert_str_eq(out, want);
		free(out);
		snprintf(want, sizeof(want), "recorded session %.49s-2025-03-04-2\n", program);
		out = ok("session", "record", "--program", program, "--title", "T", "--format",
			 "virtual", "--start", "2025-03-04", "--end", "2025-03-04", "--trainer",
			 "alice", NULL);
		ck_assert_str_eq(out, want);
		free(out);
	}

	v = parse(ok("session", "show", "tco-2025-03-04", "--json", NULL));
	ck_assert_str_eq(str(v, "program"), "tco");
	ck_assert_str_eq(str(v, "program_name"), "Total Customer Orientation");
	ck_assert_str_eq(str(v, "title"), "TCO Munich");
	ck_assert_str_eq(str(v, "format"), "in-person");
	ck_assert_str_eq(str(v, "starts_on"), "2025-03-04");
	ck_assert_str_eq(str(v, "ends_on"), "2025-03-06");
	ck_assert_str_eq(str(v, "trainer"), "alice");
	ck_assert_str_eq(str(v, "trainer_name"), "Alice Trainer");
	ck_assert_str_eq(str(v, "location"), "Munich");
	ck_assert(json_real_value(json_object_get(v, "cost")) == 1200.5);
	ck_assert_str_eq(str(v, "currency"), "EUR");
	ck_assert_str_eq(str(v, "notes"), "Room 4\nbring laptops");
	ck_assert_str_eq(str(v, "status"), "scheduled");
	ck_assert(json_is_null(json_object_get(v, "cancel_reason")));
	list = json_object_get(v, "attendees");
	ck_assert_uint_eq(json_array_size(list), 3);
	row = json_array_get(list, 0);
	ck_assert_str_eq(str(row, "person"), "bob");
	ck_assert_str_eq(str(row, "name"), "Bob Tech");
	ck_assert_str_eq(str(row, "status"), "attended");
	ck_assert(json_is_null(json_object_get(row, "reaction")));
	ck_assert(json_is_null(json_object_get(row, "pre_score")));
	ck_assert(json_is_null(json_object_get(row, "post_score")));
	ck_assert_str_eq(str(json_array_get(list, 2), "person"), "dave");
	list = json_object_get(v, "accounts");
	ck_assert_uint_eq(json_array_size(list), 2);
	ck_assert_str_eq(str(json_array_get(list, 0), "key"), "acme");
	ck_assert_str_eq(str(json_array_get(list, 0), "name"), "ACME GmbH");
	ck_assert_str_eq(str(json_array_get(list, 1), "key"), "globex");
	json_decref(v);

	out = ok("session", "show", "tco-2025-03-04", NULL);
	ck_assert(cbt_has(out, "attendees:") && cbt_has(out, "Carol Tech"));
	ck_assert(cbt_has(out, "accounts:") && cbt_has(out, "ACME GmbH"));
	free(out);
}
END_TEST

START_TEST(list_json_csv_and_filters)
{
	json_t *v, *row;
	char *out;

	free(ok(RECORD, "--attendee", "bob,carol", "--account", "acme", "--cost", "900",
		"--currency", "USD", NULL));
	free(ok("session", "record", "--program", "tco", "--title", "TCO online", "--format",
		"virtual", "--start", "2025-06-01", "--end", "2025-06-01", "--trainer", "alice",
		NULL));
	free(ok("program", "add", "lean", "--name", "Lean", NULL));
	free(ok("session", "record", "--program", "lean", "--title", "Lean 1", "--format",
		"blended", "--start", "2025-01-15", "--end", "2025-02-15", "--trainer", "alice",
		NULL));

	v = parse(ok("session", "list", "--json", NULL));
	ck_assert_uint_eq(json_array_size(v), 3);
	ck_assert_str_eq(str(json_array_get(v, 0), "key"), "lean-2025-01-15");
	row = json_array_get(v, 1);
	ck_assert_str_eq(str(row, "key"), "tco-2025-03-04");
	ck_assert_str_eq(str(row, "program"), "tco");
	ck_assert_str_eq(str(row, "title"), "TCO Munich");
	ck_assert_str_eq(str(row, "trainer"), "alice");
	ck_assert(json_is_null(json_object_get(row, "location")));
	ck_assert(json_real_value(json_object_get(row, "cost")) == 900);
	ck_assert_str_eq(str(row, "currency"), "USD");
	ck_assert_int_eq(json_integer_value(json_object_get(row, "attendees")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "accounts")), 1);
	ck_assert_str_eq(str(row, "status"), "scheduled");
	ck_assert_uint_eq(json_object_size(row), 13);
	json_decref(v);

	out = ok("session", "list", "--csv", NULL);
	{
		static const char header[] =
			"key,program,title,format,starts_on,ends_on,trainer,location,"
			"cost,currency,attendees,accounts,status\r\n";

		ck_assert_msg(strncmp(out, header, strlen(header)) == 0, "%s", out);
	}
	ck_assert(cbt_has(out, "tco-2025-03-04,tco,TCO Munich,in-person,2025-03-04,2025-03-06,"
			       "alice,,900,USD,2,1,scheduled\r\n"));
	free(out);

	v = parse(ok("session", "list", "--program", "tco", "--json", NULL));
	ck_assert_uint_eq(json_array_size(v), 2);
	json_decref(v);
	v = parse(ok("session", "list", "--format", "virtual", "--json", NULL));
	ck_assert_uint_eq(json_array_size(v), 1);
	ck_assert_str_eq(str(json_array_get(v, 0), "key"), "tco-2025-06-01");
	json_decref(v);
	/* --from/--to keep sessions running on any day between them. */
	v = parse(ok("session", "list", "--from", "2025-02-01", "--to", "2025-03-04", "--json",
		     NULL));
	ck_assert_uint_eq(json_array_size(v), 2);
	json_decref(v);
	v = parse(ok("session", "list", "--trainer", "alice", "--status", "cancelled", "--json",
		     NULL));
	ck_assert_uint_eq(json_array_size(v), 0);
	json_decref(v);

	out = ok("session", "list", NULL);
	ck_assert(cbt_has(out, "key ") && cbt_has(out, "TCO online"));
	free(out);
}
END_TEST

START_TEST(edit_changes_fields_and_lists)
{
	json_t *v, *list;
	char *out;

	free(ok(RECORD, "--attendee", "bob,carol", "--account", "acme", "--cost", "900",
		"--currency", "USD", "--location", "Munich", NULL));
	add_person("erin", "Erin Trainer", "trainer");
	out = ok("session", "edit", "tco-2025-03-04", "--title", "TCO Munich (spring)",
		 "--format", "blended", "--start", "2025-03-05", "--end", "2025-03-07",
		 "--trainer", "erin", "--location", "", "--cost", "1000.25", "--currency", "EUR",
		 "--notes", "moved", "--remove-attendee", "carol", "--add-attendee", "dave",
		 "--add-account", "globex", "--remove-account", "acme", NULL);
	ck_assert_str_eq(out, "updated session tco-2025-03-04\n");
	free(out);
	v = parse(ok("session", "show", "tco-2025-03-04", "--json", NULL));
	ck_assert_str_eq(str(v, "title"), "TCO Munich (spring)");
	ck_assert_str_eq(str(v, "format"), "blended");
	ck_assert_str_eq(str(v, "starts_on"), "2025-03-05");
	ck_assert_str_eq(str(v, "ends_on"), "2025-03-07");
	ck_assert_str_eq(str(v, "trainer"), "erin");
	ck_assert(json_is_null(json_object_get(v, "location")));
	ck_assert(json_real_value(json_object_get(v, "cost")) == 1000.25);
	ck_assert_str_eq(str(v, "currency"), "EUR");
	ck_assert_str_eq(str(v, "notes"), "moved");
	list = json_object_get(v, "attendees");
	ck_assert_uint_eq(json_array_size(list), 2);
	ck_assert_str_eq(str(json_array_get(list, 0), "person"), "bob");
	ck_assert_str_eq(str(json_array_get(list, 1), "person"), "dave");
	list = json_object_get(v, "accounts");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(str(json_array_get(list, 0), "key"), "globex");
	json_decref(v);

	/* An empty --cost clears the cost and its currency. */
	v = parse(ok("session", "edit", "tco-2025-03-04", "--cost", "", "--json", NULL));
	ck_assert(json_is_null(json_object_get(v, "cost")));
	ck_assert(json_is_null(json_object_get(v, "currency")));
	json_decref(v);
}
END_TEST

START_TEST(cancel_and_attend)
{
	json_t *v, *row;
	char *out;

	free(ok(RECORD, "--attendee", "bob", NULL));
	v = parse(ok("session", "attend", "tco-2025-03-04", "bob", "--reaction", "4", "--pre",
		     "55", "--post", "80.5", "--json", NULL));
	ck_assert_str_eq(str(v, "session"), "tco-2025-03-04");
	ck_assert_str_eq(str(v, "person"), "bob");
	ck_assert_str_eq(str(v, "name"), "Bob Tech");
	ck_assert_str_eq(str(v, "status"), "attended");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "reaction")), 4);
	ck_assert(json_number_value(json_object_get(v, "pre_score")) == 55);
	ck_assert(json_number_value(json_object_get(v, "post_score")) == 80.5);
	json_decref(v);

	/* Upsert: only what is given changes. */
	out = ok("session", "attend", "tco-2025-03-04", "bob", "--status", "partial", NULL);
	ck_assert_str_eq(out, "updated attendance of bob at session tco-2025-03-04\n");
	free(out);
	out = ok("session", "attend", "tco-2025-03-04", "carol", "--status", "absent", NULL);
	ck_assert_str_eq(out, "recorded attendance of carol at session tco-2025-03-04\n");
	free(out);
	v = parse(ok("session", "show", "tco-2025-03-04", "--json", NULL));
	row = json_array_get(json_object_get(v, "attendees"), 0);
	ck_assert_str_eq(str(row, "person"), "bob");
	ck_assert_str_eq(str(row, "status"), "partial");
	ck_assert_int_eq(json_integer_value(json_object_get(row, "reaction")), 4);
	ck_assert(json_number_value(json_object_get(row, "post_score")) == 80.5);
	row = json_array_get(json_object_get(v, "attendees"), 1);
	ck_assert_str_eq(str(row, "person"), "carol");
	ck_assert_str_eq(str(row, "status"), "absent");
	json_decref(v);

	out = ok("session", "cancel", "tco-2025-03-04", "--reason", "trainer ill", NULL);
	ck_assert_str_eq(out, "cancelled session tco-2025-03-04\n");
	free(out);
	v = parse(ok("session", "show", "tco-2025-03-04", "--json", NULL));
	ck_assert_str_eq(str(v, "status"), "cancelled");
	ck_assert_str_eq(str(v, "cancel_reason"), "trainer ill");
	json_decref(v);
	v = parse(ok("session", "list", "--status", "cancelled", "--json", NULL));
	ck_assert_uint_eq(json_array_size(v), 1);
	json_decref(v);

	refused(1, "session 'tco-2025-03-04' is already cancelled", "session", "cancel",
		"tco-2025-03-04", NULL);
	refused(1, "session 'tco-2025-03-04' is cancelled", "session", "attend",
		"tco-2025-03-04", "bob", "--post", "90", NULL);
}
END_TEST

START_TEST(sql_looking_and_unicode_title_is_stored_literally)
{
	const char *evil = "Robert'); DROP TABLE session;-- \"x\" Zoë 株式会社";
	json_t *v;
	char *out;

	free(ok(RECORD, "--key", "bobby", NULL));
	free(ok("session", "edit", "bobby", "--title", evil, "--location", evil, NULL));
	v = parse(ok("session", "show", "bobby", "--json", NULL));
	ck_assert_str_eq(str(v, "title"), evil);
	ck_assert_str_eq(str(v, "location"), evil);
	json_decref(v);
	out = ok("session", "list", "--csv", NULL);
	ck_assert(cbt_has(out, "\"Robert'); DROP TABLE session;-- \"\"x\"\" Zoë 株式会社\""));
	free(out);
}
END_TEST

START_TEST(help_starts_with_usage)
{
	static const char *const verbs[] = {"record", "list", "show", "edit", "cancel", "attend"};
	char *out;

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		char want[64];

		out = ok("session", verbs[i], "--help", NULL);
		snprintf(want, sizeof(want), "usage: casebook session %s", verbs[i]);
		ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s", out);
		free(out);
	}
	out = ok("program", "add", "--help", NULL);
	ck_assert(strncmp(out, "usage: casebook program add", 27) == 0);
	free(out);
	out = ok("session", "--help", NULL);
	ck_assert(cbt_has(out, "attend"));
	free(out);
}
END_TEST

START_TEST(record_bad_input_is_refused_and_changes_nothing)
{
	char *longtitle = malloc(10001);

	memset(longtitle, 't', 10000);
	longtitle[10000] = '\0';
	free(ok(RECORD, "--attendee", "bob", NULL)); /* tco-2025-03-04 */

	refused(1, "start date: 2025-02-30: February 2025 has 28 days", "session", "record",
		"--program", "tco", "--title", "T", "--format", "virtual", "--start",
		"2025-02-30", "--end", "2025-03-01", "--trainer", "alice", NULL);
	refused(1, "end date: 2025-13-01: there is no month 13", "session", "record",
		"--program", "tco", "--title", "T", "--format", "virtual", "--start",
		"2025-02-28", "--end", "2025-13-01", "--trainer", "alice", NULL);
	refused(1, "'March 3' is not a date", "session", "record", "--program", "tco", "--title",
		"T", "--format", "virtual", "--start", "March 3", "--end", "2025-03-01",
		"--trainer", "alice", NULL);
	refused(1, "end date 2025-03-01 is before start date 2025-03-04", "session", "record",
		"--program", "tco", "--title", "T", "--format", "virtual", "--start",
		"2025-03-04", "--end", "2025-03-01", "--trainer", "alice", NULL);
	refused(1, "unknown program 'tcx' (did you mean 'tco'?)", "session", "record",
		"--program", "tcx", "--title", "T", "--format", "virtual", "--start",
		"2025-03-04", "--end", "2025-03-04", "--trainer", "alice", NULL);
	refused(1, "unknown trainer 'alicia' (did you mean 'alice'?)", "session", "record",
		"--program", "tco", "--title", "T", "--format", "virtual", "--start",
		"2025-03-04", "--end", "2025-03-04", "--trainer", "alicia", NULL);
	refused(1, "trainer 'bob' does not hold the trainer role (roles: technician)", "session",
		"record", "--program", "tco", "--title", "T", "--format", "virtual", "--start",
		"2025-03-04", "--end", "2025-03-04", "--trainer", "bob", NULL);
	/* The session row is written before the attendees and accounts are
	 * looked up: an unknown one must roll all of it back. */
	refused(1, "unknown person 'bobb' (did you mean 'bob'?)", RECORD, "--attendee",
		"carol,bobb", NULL);
	refused(1, "unknown account 'acne' (did you mean 'acme'?)", RECORD, "--attendee",
		"carol", "--account", "globex", "--account", "acne", NULL);
	refused(1, "unknown format 'hybrid'; use in-person, blended or virtual", "session",
		"record", "--program", "tco", "--title", "T", "--format", "hybrid", "--start",
		"2025-03-04", "--end", "2025-03-04", "--trainer", "alice", NULL);
	refused(1, "unknown format 'virtul' (did you mean 'virtual'?)", "session", "record",
		"--program", "tco", "--title", "T", "--format", "virtul", "--start",
		"2025-03-04", "--end", "2025-03-04", "--trainer", "alice", NULL);
	refused(1, "--cost: 'twelve' is not a number", RECORD, "--cost", "twelve", "--currency",
		"EUR", NULL);
	refused(1, "--cost: '12abc' is not a number", RECORD, "--cost", "12abc", "--currency",
		"EUR", NULL);
	refused(1, "--cost: 'nan' is not a number", RECORD, "--cost", "nan", "--currency", "EUR",
		NULL);
	refused(1, "--cost: 'inf' is not a number", RECORD, "--cost", "inf", "--currency", "EUR",
		NULL);
	refused(1, "--cost: -5 is negative", RECORD, "--cost", "-5", "--currency", "EUR", NULL);
	refused(1, "a cost needs a currency", RECORD, "--cost", "1200", NULL);
	refused(1, "currency 'eur' is not three capital letters", RECORD, "--cost", "1200",
		"--currency", "eur", NULL);
	refused(1, "currency 'EURO' is not three capital letters", RECORD, "--cost", "1200",
		"--currency", "EURO", NULL);
	refused(1, "currency 'EUR' given without a cost", RECORD, "--currency", "EUR", NULL);
	refused(1, "session 'tco-2025-03-04' already exists", RECORD, "--key", "tco-2025-03-04",
		NULL);
	refused(1, "session key '-x' may hold only", RECORD, "--key", "-x", NULL);
	refused(1, "title is 10000 bytes long; the limit is 200", "session", "record",
		"--program", "tco", "--title", longtitle, "--format", "virtual", "--start",
		"2025-03-04", "--end", "2025-03-04", "--trainer", "alice", NULL);
	refused(1, "title is not valid UTF-8 (byte 0xE9 at offset 3)", "session", "record",
		"--program", "tco", "--title", "Caf\xE9", "--format", "virtual", "--start",
		"2025-03-04", "--end", "2025-03-04", "--trainer", "alice", NULL);
	refused(1, "title is empty", "session", "record", "--program", "tco", "--title", " ",
		"--format", "virtual", "--start", "2025-03-04", "--end", "2025-03-04",
		"--trainer", "alice", NULL);
	refused(1, "location is 10000 bytes long", RECORD, "--location", longtitle, NULL);
	refused(1, "notes contains control character 0x1B", RECORD, "--notes", "a\x1b[31m", NULL);
	refused(1, "attendee 'bob' is listed twice", RECORD, "--attendee", "bob,carol",
		"--attendee", "bob", NULL);
	refused(1, "account 'acme' is listed twice", RECORD, "--account", "acme,acme", NULL);
	refused(1, "attendee key 'bob smith' may hold only", RECORD, "--attendee", "bob smith",
		NULL);
	refused(2, "--attendee 'bob,,carol' has an empty item", RECORD, "--attendee",
		"bob,,carol", NULL);
	refused(2, "session record needs --trainer", "session", "record", "--program", "tco",
		"--title", "T", "--format", "virtual", "--start", "2025-03-04", "--end",
		"2025-03-04", NULL);
	refused(2, "session record needs --program", "session", "record", NULL);
	refused(2, "unknown option or missing value '--colour'", RECORD, "--colour", "red", NULL);
	refused(2, "session record takes no arguments", RECORD, "extra", NULL);
	free(longtitle);
}
END_TEST

START_TEST(edit_attend_list_bad_input_is_refused_and_changes_nothing)
{
	free(ok(RECORD, "--attendee", "bob", "--account", "acme", "--cost", "10", "--currency",
		"EUR", NULL));

	refused(1, "unknown session 'tco-2025-03-05' (did you mean 'tco-2025-03-04'?)",
		"session", "edit", "tco-2025-03-05", "--title", "X", NULL);
	refused(2, "nothing to change", "session", "edit", "tco-2025-03-04", NULL);
	refused(1, "end date 2025-03-01 is before start date 2025-03-04", "session", "edit",
		"tco-2025-03-04", "--end", "2025-03-01", NULL);
	refused(1, "start date: 2025-02-30: February 2025 has 28 days", "session", "edit",
		"tco-2025-03-04", "--start", "2025-02-30", NULL);
	refused(1, "unknown format 'online'", "session", "edit", "tco-2025-03-04", "--format",
		"online", NULL);
	refused(1, "trainer 'carol' does not hold the trainer role", "session", "edit",
		"tco-2025-03-04", "--trainer", "carol", NULL);
	refused(1, "title is empty", "session", "edit", "tco-2025-03-04", "--title", "", NULL);
	refused(1, "currency 'EUR' given without a cost", "session", "edit", "tco-2025-03-04",
		"--cost", "", "--currency", "EUR", NULL);
	refused(1, "--cost: 'lots' is not a number", "session", "edit", "tco-2025-03-04",
		"--cost", "lots", NULL);
	refused(1, "person 'bob' already attends session 'tco-2025-03-04'", "session", "edit",
		"tco-2025-03-04", "--title", "changed", "--add-attendee", "carol,bob", NULL);
	refused(1, "person 'carol' is not an attendee of session 'tco-2025-03-04'", "session",
		"edit", "tco-2025-03-04", "--title", "changed", "--remove-attendee", "carol",
		NULL);
	refused(1, "unknown person 'dav' (did you mean 'dave'?)", "session", "edit",
		"tco-2025-03-04", "--add-attendee", "dav", NULL);
	refused(1, "session 'tco-2025-03-04' already serves account 'acme'", "session", "edit",
		"tco-2025-03-04", "--add-account", "acme", NULL);
	refused(1, "session 'tco-2025-03-04' does not serve account 'globex'", "session", "edit",
		"tco-2025-03-04", "--remove-account", "globex", NULL);
	refused(1, "attendee 'carol' is both added and removed", "session", "edit",
		"tco-2025-03-04", "--add-attendee", "carol", "--remove-attendee", "carol", NULL);

	refused(1, "--reaction: 0 is out of range 1..5", "session", "attend", "tco-2025-03-04",
		"bob", "--reaction", "0", NULL);
	refused(1, "--reaction: 6 is out of range 1..5", "session", "attend", "tco-2025-03-04",
		"bob", "--reaction", "6", NULL);
	refused(1, "--reaction: '4.5' is not a whole number", "session", "attend",
		"tco-2025-03-04", "bob", "--reaction", "4.5", NULL);
	refused(1, "--pre: 101 is out of range (0 to 100)", "session", "attend", "tco-2025-03-04",
		"bob", "--pre", "101", NULL);
	refused(1, "--post: -1 is out of range (0 to 100)", "session", "attend", "tco-2025-03-04",
		"bob", "--post", "-1", NULL);
	refused(1, "--post: 'nan' is not a number", "session", "attend", "tco-2025-03-04", "bob",
		"--post", "nan", NULL);
	refused(1, "unknown attendance status 'present'; use attended, absent or partial",
		"session", "attend", "tco-2025-03-04", "bob", "--status", "present", NULL);
	refused(1, "unknown person 'bobby' (did you mean 'bob'?)", "session", "attend",
		"tco-2025-03-04", "bobby", NULL);
	refused(1, "unknown session 'tco'", "session", "attend", "tco", "bob", NULL);
	refused(2, "session attend takes SESSION and PERSON", "session", "attend",
		"tco-2025-03-04", NULL);

	refused(1, "unknown program 'tcp' (did you mean 'tco'?)", "session", "list",
		"--program", "tcp", NULL);
	refused(1, "unknown trainer 'alic' (did you mean 'alice'?)", "session", "list",
		"--trainer", "alic", NULL);
	refused(1, "from date: 2025-02-29: February 2025 has 28 days", "session", "list",
		"--from", "2025-02-29", NULL);
	refused(1, "to date 2025-01-01 is before from date 2025-02-01", "session", "list",
		"--from", "2025-02-01", "--to", "2025-01-01", NULL);
	refused(1, "unknown session status 'done'", "session", "list", "--status", "done", NULL);
	refused(2, "session show has no --csv", "session", "show", "tco-2025-03-04", "--csv",
		NULL);
	refused(1, "cancel reason contains control character 0x07", "session", "cancel",
		"tco-2025-03-04", "--reason", "bell\a", NULL);
	refused(2, "unknown verb 'session attent' (did you mean 'session attend'?)", "session",
		"attent", NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/session_cli");
	TCase *tc = tcase_create("session");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, programs_add_list_show);
	tcase_add_test(tc, program_bad_input);
	tcase_add_test(tc, record_generates_keys_and_writes_everything);
	tcase_add_test(tc, list_json_csv_and_filters);
	tcase_add_test(tc, edit_changes_fields_and_lists);
	tcase_add_test(tc, cancel_and_attend);
	tcase_add_test(tc, sql_looking_and_unicode_title_is_stored_literally);
	tcase_add_test(tc, help_starts_with_usage);
	tcase_add_test(tc, record_bad_input_is_refused_and_changes_nothing);
	tcase_add_test(tc, edit_attend_list_bad_input_is_refused_and_changes_nothing);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
