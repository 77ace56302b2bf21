/*
 * Building xAPI statements from the store's attendance rows and case-study
 * events, their name-based ids, and writing the export to a file all at
 * once (a temporary file renamed over the target).
 */
#include "app/xapi.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <nettle/sha1.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"

/* The verbs, by the short name used for them in the code and the docs. */
static const struct verb {
	const char *name;
	const char *iri;
} verbs[] = {
	{"attended", "http://adlnet.gov/expapi/verbs/attended"},
	{"completed", "http://adlnet.gov/expapi/verbs/completed"},
	{"rated", "http://id.tincanapi.com/verb/rated"},
	{"scored", "http://adlnet.gov/expapi/verbs/scored"},
	{"submitted", "http://activitystrea.ms/schema/1.0/submit"},
	{"approved", "http://activitystrea.ms/schema/1.0/approve"},
};

#define TYPE_PROGRAM "http://adlnet.gov/expapi/activities/course"
#define TYPE_SESSION "http://adlnet.gov/expapi/activities/meeting"
#define TYPE_TEST "http://adlnet.gov/expapi/activities/assessment"
#define TYPE_CASE "http://id.tincanapi.com/activitytype/document"

#define EXT_FORMAT CB_XAPI_BASE "extensions/format"
#define EXT_ATTENDANCE CB_XAPI_BASE "extensions/attendance-status"
#define EXT_PHASE CB_XAPI_BASE "extensions/test-phase"

/* Language of text Casebook writes, and of text users typed (unknown). */
#define LANG_OURS "en-US"
#define LANG_USERS "und"

static const struct verb *verb_named(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

void cb_app_xapi_uuid(const char *name, char out[CB_XAPI_UUID_LEN])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t ns[16], digest[SHA1_DIGEST_SIZE];
	const char *p = CB_XAPI_NAMESPACE;
	struct sha1_ctx ctx;
	size_t o = 0;

	for (size_t i = 0; i < 16; p++) {
		if (*p == '-')
			continue;
		ns[i] = (uint8_t)((strchr(hex, p[0]) - hex) << 4 | (strchr(hex, p[1]) - hex));
		p++;
		i++;
	}
	sha1_init(&ctx);
	sha1_update(&ctx, sizeof(ns), ns);
	sha1_update(&ctx, strlen(name), (const uint8_t *)name);
	sha1_digest(&ctx, sizeof(digest), digest);
	digest[6] = (uint8_t)((digest[6] & 0x0f) | 0x50); /* version 5 */
	digest[8] = (uint8_t)((digest[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[digest[i] >> 4];
		out[o++] = hex[digest[i] & 15];
	}
	out[o] = '\0';
}

/* Appends `text` to an IRI, percent-encoding everything but RFC 3986's
 * unreserved characters (keys and slugs never need it; hand-edited rows
 * might). */
static int iri_append(cb_buf *b, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p && rc == 0; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			rc = cb_buf_putc(b, (char)*p);
		else
			rc = cb_buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
	return rc;
}

/* base + kind + "/" + key (+ suffix), in a new string. */
static char *iri_new(const char *base, const char *kind, const char *key, const char *suffix)
{
	cb_buf b = CB_BUF_INIT;

	if (cb_buf_printf(&b, "%s%s/", base, kind) < 0 || iri_append(&b, key) < 0 ||
	    (suffix && cb_buf_puts(&b, suffix) < 0)) {
		cb_buf_free(&b);
		return NULL;
	}
	return cb_buf_detach(&b);
}

/* Whether `email` is an address that an xAPI mbox takes as it is (the
 * shape validators check: ASCII name, '@', a domain ending in a dot and
 * letters). Others are identified by their account instead. */
static int mbox_ok(const char *email)
{
	const char *at, *dot, *p;

	if (!email || !(at = strchr(email, '@')) || at == email)
		return 0;
	for (p = email; p < at; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(".`'_%+-", *p)))
			return 0;
	dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || !dot[1] || strlen(dot + 1) > 63)
		return 0;
	for (p = at + 1; *p; p++) {
		int letter = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');

		if (p > dot ? !letter : !(letter || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			return 0;
	}
	return 1;
}

/* {"LANG": text} */
static json_t *lang_map(const char *lang, const char *text)
{
	return json_pack("{s:s}", lang, text);
}

/* An Agent: mbox from the email when it has a usable one, else an account
 * on `home` named by the person's key. */
static json_t *agent_new(const char *home, const char *key, const char *name, const char *email)
{
	json_t *agent;
	char *mbox;

	if (!mbox_ok(email))
		return json_pack("{s:s, s:s, s:{s:s, s:s}}", "objectType", "Agent", "name",
				 name, "account", "homePage", home, "name", key);
	if (!(mbox = malloc(strlen(email) + 8)))
		return NULL;
	strcpy(mbox, "mailto:");
	strcat(mbox, email);
	agent = json_pack("{s:s, s:s, s:s}", "objectType", "Agent", "name", name, "mbox", mbox);
	free(mbox);
	return agent;
}

/* An Activity with its definition; description may be NULL. */
static json_t *activity_new(const char *id, const char *type, const char *name_lang,
			    const char *name, const char *description_lang,
			    const char *description)
{
	json_t *def = json_pack("{s:o}", "name", lang_map(name_lang, name));

	if (def && description &&
	    json_object_set_new(def, "description", lang_map(description_lang, description)) < 0) {
		json_decref(def);
		return NULL;
	}
	if (def && json_object_set_new(def, "type", json_string(type)) < 0) {
		json_decref(def);
		return NULL;
	}
	return def ? json_pack("{s:s, s:s, s:o}", "objectType", "Activity", "id", id,
			       "definition", def)
		   : NULL;
}

/* A score as a number: whole numbers as integers, others as reals. */
static json_t *number_new(double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* {"score": {raw, min, max, scaled}} with scaled = (raw - min) / (max - min). */
static json_t *score_result(double raw, int min, int max)
{
	return json_pack("{s:{s:o, s:i, s:i, s:o}}", "score", "raw", number_new(raw), "min",
			 min, "max", max, "scaled", json_real((raw - min) / (max - min)));
}

/* One statement waiting to be sorted into the export. */
typedef struct pending {
	int64_t at;
	size_t seq;
	json_t *statement;
} pending;

typedef struct builder {
	const char *base; /* of activity ids, ending in '/' */
	const char *home; /* homePage of accounts */
	const int64_t *since;
	pending *list;
	size_t n, cap;
} builder;

/*
 * Adds one statement. Steals actor, object, result and context (each but
 * actor and object may be NULL). Its id is the UUID of the verb's IRI, the
 * object's id and the actor's key, one per line (and the time, for events
 * that can repeat), so that it depends on what the statement is about and
 * not on its values.
 */
static int add(builder *b, const char *verb_name, const char *actor_key,
	       int with_time, json_t *actor, json_t *object, json_t *result,
	       json_t *context, int64_t at)
{
	const struct verb *v = verb_named(verb_name);
	char id[CB_XAPI_UUID_LEN], stamp[CB_DATETIME_LEN];
	cb_buf name = CB_BUF_INIT;
	json_t *st = NULL;
	int rc = 0;

	if (!actor || !object || !v) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	if (b->since && at < *b->since)
		goto done;
	if (cb_buf_printf(&name, "%s\n%s\n%s", v->iri,
			  json_string_value(json_object_get(object, "id")), actor_key) < 0 ||
	    (with_time && cb_buf_printf(&name, "\n%lld", (long long)at) < 0)) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	cb_app_xapi_uuid(cb_buf_cstr(&name), id);
	cb_datetime_format(at, stamp);
	st = json_pack("{s:s, s:O, s:{s:s, s:{s:s}}, s:O}", "id", id, "actor", actor, "verb",
		       "id", v->iri, "display", LANG_OURS, v->name, "object", object);
	if (!st || (result && json_object_set(st, "result", result) < 0) ||
	    (context && json_object_set(st, "context", context) < 0) ||
	    json_object_set_new(st, "timestamp", json_string(stamp)) < 0 ||
	    json_object_set_new(st, "version", json_string("1.0.3")) < 0) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = cb_array_reserve(&b->list, &b->cap, b->n, sizeof(*b->list), 64)) < 0)
		goto done;
	b->list[b->n] = (pending){at, b->n, st};
	b->n++;
	st = NULL;
done:
	cb_buf_free(&name);
	json_decref(st);
	json_decref(actor);
	json_decref(object);
	json_decref(result);
	json_decref(context);
	return rc;
}

/* Midnight UTC of a stored YYYY-MM-DD date, in Unix seconds. */
static int day_start(const char *session, const char *date, int64_t *at)
{
	int32_t days;

	if (cb_date_parse(date, &days) < 0)
		return cb_error_prefix("session %s", session);
	*at = (int64_t)days * 86400;
	return 0;
}

/* The session as an Activity (type meeting). */
static json_t *session_activity(const cb_xapi_attendance *a, const char *iri)
{
	cb_buf d = CB_BUF_INIT;
	json_t *act;

	if (cb_buf_printf(&d, "%s: %s session from %s to %s", a->program_name, a->format,
			  a->starts_on, a->ends_on) < 0 ||
	    (a->location && cb_buf_printf(&d, " in %s", a->location) < 0)) {
		cb_buf_free(&d);
		return NULL;
	}
	act = activity_new(iri, TYPE_SESSION, LANG_USERS, a->title, LANG_OURS, cb_buf_cstr(&d));
	cb_buf_free(&d);
	return act;
}

/* The program as an Activity (type course). */
static json_t *program_activity(const cb_xapi_attendance *a, const char *iri)
{
	return activity_new(iri, TYPE_PROGRAM, LANG_USERS, a->program_name, LANG_USERS,
			    a->program_description);
}

/*
 * The context of a statement about session `a`: the trainer as
 * instructor, the session's format as an extension (and the test phase,
 * when given), and as context activities either the program as parent
 * (statements about the session) or the session as parent and the program
 * as grouping (statements about its tests).
 */
static json_t *session_context(const char *home, const cb_xapi_attendance *a,
			       const char *session_iri, const char *program_iri, const char *phase)
{
	json_t *ctx = json_object(), *acts, *ext;

	if (!ctx)
		return NULL;
	if (a->trainer &&
	    json_object_set_new(ctx, "instructor",
				agent_new(home, a->trainer, a->trainer_name ? a->trainer_name : a->trainer,
					  a->trainer_email)) < 0)
		goto fail;
	if (phase)
		acts = json_pack("{s:[o], s:[o]}", "parent", session_activity(a, session_iri),
				 "grouping", program_activity(a, program_iri));
	else
		acts = json_pack("{s:[o]}", "parent", program_activity(a, program_iri));
	if (json_object_set_new(ctx, "contextActivities", acts) < 0 ||
	    json_object_set_new(ctx, "platform", json_string("Casebook")) < 0)
		goto fail;
	ext = json_pack("{s:s}", EXT_FORMAT, a->format);
	if (ext && phase && json_object_set_new(ext, EXT_PHASE, json_string(phase)) < 0) {
		json_decref(ext);
		goto fail;
	}
	if (json_object_set_new(ctx, "extensions", ext) < 0)
		goto fail;
	return ctx;
fail:
	json_decref(ctx);
	return NULL;
}

/* The statements of one attendance row. */
static int add_attendance(const cb_xapi_attendance *a, void *ctx)
{
	builder *b = ctx;
	char *session_iri = iri_new(b->base, "sessions", a->session, NULL);
	char *program_iri = iri_new(b->base, "programs", a->program, NULL);
	char *test_iri = NULL;
	cb_buf test_name = CB_BUF_INIT;
	int64_t first = 0, last = 0;
	int rc = 0, attended = strcmp(a->status, "attended") == 0,
	    partial = strcmp(a->status, "partial") == 0;

#define ACTOR() agent_new(b->home, a->person, a->name, a->email)
#define SESSION() session_activity(a, session_iri)
#define CONTEXT(phase) session_context(b->home, a, session_iri, program_iri, phase)
	if (!session_iri || !program_iri) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = day_start(a->session, a->starts_on, &first)) < 0 ||
	    (rc = day_start(a->session, a->ends_on, &last)) < 0)
		goto done;
	if (attended || partial) {
		rc = add(b, "attended", a->person, 0, ACTOR(), SESSION(),
			 json_pack("{s:b, s:{s:s}}", "completion", attended, "extensions",
				   EXT_ATTENDANCE, a->status),
			 CONTEXT(NULL), last);
		if (rc < 0)
			goto done;
	}
	if (attended &&
	    (rc = add(b, "completed", a->person, 0, ACTOR(), SESSION(),
		      json_pack("{s:b}", "completion", 1), CONTEXT(NULL), last)) < 0)
		goto done;
	if (a->has_reaction &&
	    (rc = add(b, "rated", a->person, 0, ACTOR(), SESSION(),
		      score_result(a->reaction, 1, 5), CONTEXT(NULL), last)) < 0)
		goto done;
	for (int post = 0; post < 2; post++) {
		const char *phase = post ? "post" : "pre";
		json_t *test;

		if (!(post ? a->has_post : a->has_pre))
			continue;
		free(test_iri);
		test_iri = iri_new(b->base, "sessions", a->session, post ? "/tests/post" : "/tests/pre");
		if (!test_iri) {
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			goto done;
		}
		test = NULL;
		if (cb_buf_printf(&test_name, "%s: %s-test", a->title, phase) == 0)
			test = activity_new(test_iri, TYPE_TEST, LANG_USERS,
					    cb_buf_cstr(&test_name), LANG_OURS,
					    post ? "Knowledge test after the session (Kirkpatrick level 2)"
						 : "Knowledge test before the session (Kirkpatrick level 2)");
		cb_buf_clear(&test_name);
		rc = add(b, "scored", a->person, 0, ACTOR(), test,
			 score_result(post ? a->post_score : a->pre_score, 0, 100),
			 CONTEXT(phase), post ? last : first);
		if (rc < 0)
			goto done;
	}
#undef ACTOR
#undef SESSION
#undef CONTEXT
done:
	free(session_iri);
	free(program_iri);
	free(test_iri);
	cb_buf_free(&test_name);
	return rc;
}

/* The statement of one case-study event. */
static int add_case_event(const cb_xapi_case_event *e, void *ctx)
{
	builder *b = ctx;
	char *iri = iri_new(b->base, "cases", e->slug, NULL);
	cb_buf d = CB_BUF_INIT;
	json_t *object = NULL;
	int rc;

	if (iri && cb_buf_printf(&d, "Case study %s", e->slug) == 0)
		object = activity_new(iri, TYPE_CASE, LANG_USERS, e->title ? e->title : e->slug,
				      LANG_OURS, cb_buf_cstr(&d));
	/* A case may be approved again after a revision: the time tells the
	 * events apart. */
	rc = add(b, e->verb, e->person, 1, agent_new(b->home, e->person, e->name, e->email), object,
		 NULL, json_pack("{s:s}", "platform", "Casebook"), e->at);
	free(iri);
	cb_buf_free(&d);
	return rc;
}

/* By timestamp, then in the order the statements were made. */
static int pending_cmp(const void *x, const void *y)
{
	const pending *a = x, *b = y;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int cb_app_xapi_base_check(const char *base, char out[CB_XAPI_BASE_MAX])
{
	size_t len = base ? strlen(base) : 0, scheme;

	if (!base || !*base)
		return cb_error_set(CB_EINVALID, "--base is empty; give an IRI such as https://training.example.com/xapi/");
	scheme = strncmp(base, "https://", 8) == 0 ? 8 : strncmp(base, "http://", 7) == 0 ? 7 : 0;
	if (!scheme)
		return cb_error_set(CB_EINVALID, "--base %.60s must start with https:// or http://", base);
	if (len > CB_XAPI_BASE_MAX - 2)
		return cb_error_set(CB_EINVALID, "--base is %zu bytes long; the limit is %d", len,
				    CB_XAPI_BASE_MAX - 2);
	if (!base[scheme] || base[scheme] == '/')
		return cb_error_set(CB_EINVALID, "--base %s has no host", base);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)base[i];

		if (c <= ' ' || c >= 0x7f || strchr("\"<>\\^`{|}#?", c))
			return cb_error_set(CB_EINVALID,
					    "--base holds the byte 0x%02X at offset %zu; an IRI here takes printable ASCII without blanks, quotes, '#' or '?'",
					    c, i);
	}
	snprintf(out, CB_XAPI_BASE_MAX, "%s%s", base, base[len - 1] == '/' ? "" : "/");
	return 0;
}

int cb_app_xapi_statements(cb_workspace *ws, const char *base, const int64_t *since,
			   json_t **out)
{
	builder b = {base ? base : CB_XAPI_BASE, base ? base : CB_XAPI_HOMEPAGE, since, NULL, 0, 0};
	char since_on[CB_DATE_LEN] = "";
	json_t *list = NULL;
	int rc;

	*out = NULL;
	if (since) {
		/* Statements are dated no later than their session's last
		 * day, so sessions that ended before that day have none. */
		int64_t days = *since / 86400 - (*since % 86400 < 0);

		if (days < INT32_MIN / 2 || days > INT32_MAX / 2)
			days = days < 0 ? INT32_MIN / 2 : INT32_MAX / 2;
		cb_date_format((int32_t)days, since_on);
	}
	if ((rc = cb_store_xapi_attendance_each(ws->store, since ? since_on : NULL,
						add_attendance, &b)) < 0)
		goto done;
	if ((rc = cb_store_xapi_case_each(ws->store, since ? *since : INT64_MIN, add_case_event,
					  &b)) < 0)
		goto done;
	if (b.n)
		qsort(b.list, b.n, sizeof(*b.list), pending_cmp);
	if (!(list = json_array())) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < b.n; i++) {
		if (json_array_append_new(list, b.list[i].statement) < 0) {
			b.list[i].statement = NULL;
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			goto done;
		}
		b.list[i].statement = NULL;
	}
	*out = list;
	list = NULL;
done:
	for (size_t i = 0; i < b.n; i++)
		json_decref(b.list[i].statement);
	free(b.list);
	json_decref(list);
	return rc;
}

int cb_app_xapi_dump(const json_t *statements, char **text)
{
	cb_buf b = CB_BUF_INIT;
	char *json;

	*text = NULL;
	json = json_dumps(statements, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	if (!json || cb_buf_puts(&b, json) < 0 || cb_buf_putc(&b, '\n') < 0) {
		free(json);
		cb_buf_free(&b);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	free(json);
	*text = cb_buf_detach(&b);
	return *text ? 0 : cb_error_set(CB_ENOMEM, "out of memory");
}

/* The folder part of `path` ("." when it has none), in a new string. */
static char *folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int cb_app_xapi_write_file(const char *path, const char *text)
{
	size_t len = strlen(text), done = 0, plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".tmp-XXXXXX"));
	char *folder = NULL;
	struct stat st;
	mode_t mask;
	int fd = -1, rc = 0;

	if (!tmp)
		return cb_error_set(CB_ENOMEM, "out of memory");
	if (!*path) {
		rc = cb_error_set(CB_EINVALID, "the output file name is empty");
		goto done;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	if ((fd = mkstemp(tmp)) < 0) {
		int err = errno;

		folder = folder_of(path);
		if (err == ENOENT && folder && stat(folder, &st) != 0)
			rc = cb_error_set(CB_EIO, "cannot write %s: the folder %s does not exist",
					  path, folder);
		else if (err == ENOTDIR)
			rc = cb_error_set(CB_EIO, "cannot write %s: %s is not a folder", path,
					  folder ? folder : "its folder");
		else
			rc = cb_error_set(CB_EIO, "cannot write %s: %s", path, strerror(err));
		free(tmp);
		tmp = NULL;
		goto done;
	}
	/* mkstemp makes the file private; give it the usual mode. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		rc = cb_error_set(CB_EIO, "cannot write %s: %s", path, strerror(errno));
		goto done;
	}
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = cb_error_set(CB_EIO, "cannot write %s: %s", path, strerror(errno));
			goto done;
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0) {
		rc = cb_error_set(CB_EIO, "cannot write %s: %s", path, strerror(errno));
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = cb_error_set(CB_EIO, "cannot write %s: %s", path, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		rc = errno == EISDIR
			     ? cb_error_set(CB_EIO, "cannot write %s: it is a folder; name a file",
					    path)
			     : cb_error_set(CB_EIO, "cannot write %s: %s", path, strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	if (tmp && rc < 0)
		unlink(tmp);
	free(tmp);
	free(folder);
	return rc;
}
