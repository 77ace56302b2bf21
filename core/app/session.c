/*
 * Recording, editing and cancelling sessions and their attendance. Pure
 * checks come first; lookups of keys (with their "did you mean" messages)
 * and writes then run in one transaction that a failure rolls back whole.
 */
#include "app/session.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/error.h"
#include "base/text.h"
#include "store/account.h"
#include "store/program.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Generated keys are PROGRAM-YYYY-MM-DD[-N]; the program part is cut so that
 * "-YYYY-MM-DD-999" still fits in CB_KEY_MAX. */
#define KEY_SUFFIX_MAX 1000
#define KEY_PROGRAM_MAX (CB_KEY_MAX - 15)

static const char *const formats[] = {"in-person", "blended", "virtual"};
static const char *const session_statuses[] = {"scheduled", "cancelled"};
static const char *const attendance_statuses[] = {"attended", "absent", "partial"};

/* Checks that `value` is one of `choices`; the message lists them all and
 * suggests the closest. */
static int check_choice(const char *what, const char *value,
			const char *const *choices, size_t n)
{
	char hint[CB_NAME_MAX + 32] = "", list[160] = "";
	const char *close;
	int rc;

	for (size_t i = 0; value && i < n; i++)
		if (strcmp(value, choices[i]) == 0)
			return 0;
	/* Makes the value safe to echo: valid UTF-8, short, one line. */
	if ((rc = cb_text_check(what, value, CB_NAME_MAX, 1, 0)) < 0)
		return rc;
	close = cb_text_suggest(value, choices, n);
	if (close)
		snprintf(hint, sizeof(hint), " (did you mean '%s'?)", close);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(list);

		snprintf(list + len, sizeof(list) - len, "%s%s",
			 i == 0 ? "" : i + 1 == n ? " or " : ", ", choices[i]);
	}
	return cb_error_set(CB_EINVALID, "unknown %s '%s'%s; use %s", what, value,
			    hint, list);
}

static int check_date(const char *what, const char *text, int32_t *days)
{
	if (!text)
		return cb_error_set(CB_EINVALID, "%s is missing", what);
	if (cb_date_parse(text, days) < 0)
		return cb_error_prefix("%s", what);
	return 0;
}

static int check_currency(const char *currency)
{
	int rc;

	if ((rc = cb_text_check("currency", currency, 16, 1, 0)) < 0)
		return rc;
	for (size_t i = 0; i < 3; i++)
		if (currency[i] < 'A' || currency[i] > 'Z')
			goto bad;
	if (currency[3] == '\0')
		return 0;
bad:
	return cb_error_set(CB_EINVALID,
			    "currency '%s' is not three capital letters (such as EUR or USD)",
			    currency);
}

static int check_cost(const cb_session *x)
{
	if (!x->has_cost) {
		if (x->currency)
			return cb_error_set(CB_EINVALID,
					    "currency '%.16s' given without a cost",
					    x->currency);
		return 0;
	}
	if (!isfinite(x->cost))
		return cb_error_set(CB_EINVALID, "cost is not a finite number");
	if (x->cost < 0)
		return cb_error_set(CB_EINVALID, "cost %g is negative; a cost is 0 or more",
				    x->cost);
	if (!x->currency)
		return cb_error_set(CB_EINVALID,
				    "a cost needs a currency: three capital letters such as EUR");
	return check_currency(x->currency);
}

int cb_app_session_validate(const cb_session *x)
{
	int32_t start, end;
	int rc;

	if ((rc = cb_text_check("title", x->title, CB_NAME_MAX, 1, 0)) < 0 ||
	    (rc = check_choice("format", x->format, formats, COUNT(formats))) < 0 ||
	    (rc = check_date("start date", x->starts_on, &start)) < 0 ||
	    (rc = check_date("end date", x->ends_on, &end)) < 0)
		return rc;
	if (end < start)
		return cb_error_set(CB_EINVALID, "end date %s is before start date %s",
				    x->ends_on, x->starts_on);
	if ((rc = cb_text_check("location", x->location, CB_NAME_MAX, 0, 0)) < 0 ||
	    (rc = check_cost(x)) < 0 ||
	    (rc = cb_text_check("notes", x->notes, CB_NOTE_MAX, 0, 1)) < 0 ||
	    (rc = cb_text_check("cancel reason", x->cancel_reason, CB_NOTE_MAX, 0, 1)) < 0)
		return rc;
	if (x->status && (rc = check_choice("session status", x->status, session_statuses,
					    COUNT(session_statuses))) < 0)
		return rc;
	return 0;
}

/* Checks a list of keys given for one session: each a well-formed key,
 * none twice. `what` names an item ("attendee"). */
static int check_keys(const char *what, const char *const *keys, size_t n)
{
	char label[64];

	snprintf(label, sizeof(label), "%s key", what);
	for (size_t i = 0; i < n; i++) {
		int rc;

		if ((rc = cb_key_check(label, keys[i])) < 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(keys[i], keys[j]) == 0)
				return cb_error_set(CB_EINVALID, "%s '%s' is listed twice",
						    what, keys[i]);
	}
	return 0;
}

/* Refuses a key that is both added and removed in one edit. */
static int check_disjoint(const char *what, const char *const *add, size_t nadd,
			  const char *const *remove, size_t nremove)
{
	for (size_t i = 0; i < nadd; i++)
		for (size_t j = 0; j < nremove; j++)
			if (strcmp(add[i], remove[j]) == 0)
				return cb_error_set(CB_EINVALID,
						    "%s '%s' is both added and removed",
						    what, add[i]);
	return 0;
}

static int account_id(cb_store *s, const char *key, int64_t *id)
{
	cb_account a;
	int rc;

	if ((rc = cb_store_account_get(s, key, &a)) < 0)
		return rc;
	*id = a.id;
	cb_account_clear(&a);
	return 0;
}

/* Makes a free key PROGRAM-YYYY-MM-DD, then -2, -3, ... Caller frees. */
static int make_key(cb_store *s, const char *program, const char *starts_on,
		    char **out)
{
	char key[CB_KEY_MAX + 1];

	for (int n = 1; n < KEY_SUFFIX_MAX; n++) {
		int exists, rc;

		if (n == 1)
			snprintf(key, sizeof(key), "%.*s-%s", KEY_PROGRAM_MAX, program,
				 starts_on);
		else
			snprintf(key, sizeof(key), "%.*s-%s-%d", KEY_PROGRAM_MAX,
				 program, starts_on, n);
		if ((rc = cb_store_session_exists(s, key, &exists)) < 0)
			return rc;
		if (!exists) {
			*out = strdup(key);
			return *out ? 0 : cb_error_set(CB_ENOMEM, "out of memory");
		}
	}
	return cb_error_set(CB_EEXISTS,
			    "%d sessions of program '%s' start on %s; give this one a key",
			    KEY_SUFFIX_MAX - 1, program, starts_on);
}

static int add_attendee(cb_store *s, int64_t session_id, const char *session,
			const char *person)
{
	cb_attendance a = {0}, old;
	int found, rc;

	if ((rc = cb_store_session_person_id(s, person, "person", NULL, &a.person_id)) < 0 ||
	    (rc = cb_store_attendance_get(s, session_id, a.person_id, &old, &found)) < 0)
		return rc;
	cb_attendance_clear(&old);
	if (found)
		return cb_error_set(CB_EEXISTS, "person '%s' already attends session '%s'",
				    person, session);
	a.status = "attended";
	return cb_store_attendance_put(s, session_id, &a);
}

static int add_account(cb_store *s, int64_t session_id, const char *session,
		       const char *account)
{
	int64_t id;
	int rc;

	if ((rc = account_id(s, account, &id)) < 0)
		return rc;
	rc = cb_store_session_account_add(s, session_id, id);
	if (rc == CB_EEXISTS)
		rc = cb_error_set(CB_EEXISTS, "session '%s' already serves account '%s'",
				  session, account);
	return rc;
}

static json_t *key_list(const char *const *keys, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(keys[i]));
	return a;
}

/* Runs the plugins' session.record hooks on the session as recorded. */
static int run_record_hooks(cb_workspace *ws, const cb_session_spec *spec, const char *key)
{
	cb_plugin_host *host;
	json_t *rec;
	int rc;

	if ((rc = cb_workspace_plugins(ws, &host)) < 0)
		return rc;
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			"key", key, "program", spec->program, "title", spec->title, "format",
			spec->format, "start", spec->starts_on, "end", spec->ends_on, "trainer",
			spec->trainer ? json_string(spec->trainer) : json_null(), "location",
			spec->location ? json_string(spec->location) : json_null(), "cost",
			spec->has_cost ? json_real(spec->cost) : json_null(), "currency",
			spec->currency ? json_string(spec->currency) : json_null(), "notes",
			spec->notes ? json_string(spec->notes) : json_null(), "attendees",
			key_list(spec->attendees, spec->attendee_count), "accounts",
			key_list(spec->accounts, spec->account_count));
	if (!rec)
		return cb_error_set(CB_ENOMEM, "out of memory");
	rc = cb_plugin_hook_run(host, "session.record", rec);
	json_decref(rec);
	return rc;
}

/* Whether the actor may record the session: as its trainer, and with
 * its attendees when it has some. */
static int may_record(cb_workspace *ws, const cb_session_spec *spec)
{
	cb_rights_object obj;
	int rc;

	if ((rc = cb_rights_session_object(ws, spec->key, spec->trainer, 0, &obj)) < 0 ||
	    (rc = cb_rights_require(ws, CB_ACT_SESSION_RECORD, &obj)) < 0 ||
	    (spec->attendee_count && (rc = cb_rights_require(ws, CB_ACT_ATTENDANCE_EDIT, &obj)) < 0))
		return rc;
	return 0;
}

/* Whether the actor may change session x as `action` asks. */
static int may_change(cb_workspace *ws, const cb_session *x, int action)
{
	cb_rights_object obj;
	int rc;

	if ((rc = cb_rights_session_object(ws, x->key, x->trainer, x->id, &obj)) < 0)
		return rc;
	return cb_rights_require(ws, action, &obj);
}

int cb_app_session_record(cb_workspace *ws, const cb_session_spec *spec,
			  char **key)
{
	cb_store *s = ws->store;
	cb_session x = {0};
	char *made = NULL;
	int64_t id;
	int rc;

	*key = NULL;
	/* x borrows the spec's strings for checking and inserting; it is
	 * never cleared. */
	x.title = (char *)spec->title;
	x.format = (char *)spec->format;
	x.starts_on = (char *)spec->starts_on;
	x.ends_on = (char *)spec->ends_on;
	x.location = (char *)spec->location;
	x.has_cost = spec->has_cost;
	x.cost = spec->cost;
	x.currency = (char *)spec->currency;
	x.notes = (char *)spec->notes;
	if (!spec->program)
		return cb_error_set(CB_EINVALID, "a session needs a program");
	if (spec->key && (rc = cb_key_check("session key", spec->key)) < 0)
		return rc;
	if ((rc = cb_app_session_validate(&x)) < 0 ||
	    (rc = check_keys("attendee", spec->attendees, spec->attendee_count)) < 0 ||
	    (rc = check_keys("account", spec->accounts, spec->account_count)) < 0 ||
	    (rc = may_record(ws, spec)) < 0)
		return rc;

	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = cb_store_program_id(s, spec->program, &x.program_id)) < 0)
		goto done;
	if (spec->trainer &&
	    (rc = cb_store_session_person_id(s, spec->trainer, "trainer", "trainer",
					     &x.trainer_id)) < 0)
		goto done;
	if (spec->key) {
		if (!(made = strdup(spec->key))) {
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			goto done;
		}
	} else if ((rc = make_key(s, spec->program, spec->starts_on, &made)) < 0) {
		goto done;
	}
	x.key = made;
	if ((rc = cb_store_session_insert(s, &x, &id)) < 0)
		goto done;
	for (size_t i = 0; i < spec->attendee_count; i++)
		if ((rc = add_attendee(s, id, made, spec->attendees[i])) < 0)
			goto done;
	for (size_t i = 0; i < spec->account_count; i++)
		if ((rc = add_account(s, id, made, spec->accounts[i])) < 0)
			goto done;
	/* Plugins see the session last, when everything else about it is
	 * known to be right; a rejection rolls all of it back. */
	rc = run_record_hooks(ws, spec, made);
done:
	if (rc < 0) {
		cb_store_rollback(s);
		free(made);
		return rc;
	}
	if ((rc = cb_store_commit(s)) < 0) {
		free(made);
		return rc;
	}
	*key = made;
	return 0;
}

/* Replaces *field with a copy of `value` when value is non-NULL; "" clears
 * an optional field. */
static int apply(char **field, const char *value, int optional)
{
	char *copy;

	if (!value)
		return 0;
	if (optional && !*value) {
		free(*field);
		*field = NULL;
		return 0;
	}
	copy = strdup(value);
	if (!copy)
		return cb_error_set(CB_ENOMEM, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

static int check_changes(const cb_session_changes *c)
{
	int rc;

	if ((rc = check_keys("attendee", c->add_attendees, c->add_attendee_count)) < 0 ||
	    (rc = check_keys("attendee", c->remove_attendees, c->remove_attendee_count)) < 0 ||
	    (rc = check_keys("account", c->add_accounts, c->add_account_count)) < 0 ||
	    (rc = check_keys("account", c->remove_accounts, c->remove_account_count)) < 0 ||
	    (rc = check_disjoint("attendee", c->add_attendees, c->add_attendee_count,
				 c->remove_attendees, c->remove_attendee_count)) < 0 ||
	    (rc = check_disjoint("account", c->add_accounts, c->add_account_count,
				 c->remove_accounts, c->remove_account_count)) < 0)
		return rc;
	return 0;
}

/* Applies the attendee and account changes of an edit to session x. */
static int edit_lists(cb_store *s, const cb_session *x, const cb_session_changes *c)
{
	int64_t id;
	int found, rc;

	for (size_t i = 0; i < c->remove_attendee_count; i++) {
		const char *person = c->remove_attendees[i];

		if ((rc = cb_store_session_person_id(s, person, "person", NULL, &id)) < 0 ||
		    (rc = cb_store_attendance_delete(s, x->id, id, &found)) < 0)
			return rc;
		if (!found)
			return cb_error_set(CB_ENOTFOUND,
					    "person '%s' is not an attendee of session '%s'",
					    person, x->key);
	}
	for (size_t i = 0; i < c->add_attendee_count; i++)
		if ((rc = add_attendee(s, x->id, x->key, c->add_attendees[i])) < 0)
			return rc;
	for (size_t i = 0; i < c->remove_account_count; i++) {
		const char *account = c->remove_accounts[i];

		if ((rc = account_id(s, account, &id)) < 0 ||
		    (rc = cb_store_session_account_remove(s, x->id, id, &found)) < 0)
			return rc;
		if (!found)
			return cb_error_set(CB_ENOTFOUND,
					    "session '%s' does not serve account '%s'",
					    x->key, account);
	}
	for (size_t i = 0; i < c->add_account_count; i++)
		if ((rc = add_account(s, x->id, x->key, c->add_accounts[i])) < 0)
			return rc;
	return 0;
}

int cb_app_session_edit(cb_workspace *ws, const char *key,
			const cb_session_changes *c)
{
	cb_store *s = ws->store;
	cb_session x = {0};
	int rc;

	if ((rc = check_changes(c)) < 0)
		return rc;
	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = cb_store_session_get(s, key, &x)) < 0 ||
	    (rc = may_change(ws, &x, CB_ACT_SESSION_EDIT)) < 0)
		goto done;
	if ((c->add_attendee_count || c->remove_attendee_count) &&
	    (rc = may_change(ws, &x, CB_ACT_ATTENDANCE_EDIT)) < 0)
		goto done;
	if (c->trainer) {
		/* the new trainer too: a trainer does not hand a session on */
		cb_rights_object obj;

		if ((rc = cb_rights_session_object(ws, x.key, c->trainer, x.id, &obj)) < 0 ||
		    (rc = cb_rights_require(ws, CB_ACT_SESSION_EDIT, &obj)) < 0)
			goto done;
	}
	if ((rc = apply(&x.title, c->title, 0)) < 0 ||
	    (rc = apply(&x.format, c->format, 0)) < 0 ||
	    (rc = apply(&x.starts_on, c->starts_on, 0)) < 0 ||
	    (rc = apply(&x.ends_on, c->ends_on, 0)) < 0 ||
	    (rc = apply(&x.location, c->location, 1)) < 0 ||
	    (rc = apply(&x.notes, c->notes, 1)) < 0)
		goto done;
	if (c->cost_change < 0) {
		x.has_cost = 0;
		free(x.currency);
		x.currency = NULL;
	} else if (c->cost_change > 0) {
		x.has_cost = 1;
		x.cost = c->cost;
	}
	if ((rc = apply(&x.currency, c->currency, 1)) < 0)
		goto done;
	if ((rc = cb_app_session_validate(&x)) < 0)
		goto done;
	if (c->trainer &&
	    (rc = cb_store_session_person_id(s, c->trainer, "trainer", "trainer",
					     &x.trainer_id)) < 0)
		goto done;
	if ((rc = cb_store_session_update(s, &x)) < 0)
		goto done;
	rc = edit_lists(s, &x, c);
done:
	cb_session_clear(&x);
	if (rc < 0) {
		cb_store_rollback(s);
		return rc;
	}
	return cb_store_commit(s);
}

int cb_app_session_cancel(cb_workspace *ws, const char *key, const char *reason)
{
	cb_store *s = ws->store;
	cb_session x = {0};
	int rc;

	if ((rc = cb_text_check("cancel reason", reason, CB_NOTE_MAX, 0, 1)) < 0)
		return rc;
	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = cb_store_session_get(s, key, &x)) < 0 ||
	    (rc = may_change(ws, &x, CB_ACT_SESSION_EDIT)) < 0)
		goto done;
	if (strcmp(x.status, "cancelled") == 0) {
		rc = cb_error_set(CB_EINVALID, "session '%s' is already cancelled", x.key);
		goto done;
	}
	if ((rc = apply(&x.status, "cancelled", 0)) < 0 ||
	    (rc = apply(&x.cancel_reason, reason ? reason : "", 1)) < 0)
		goto done;
	rc = cb_store_session_update(s, &x);
done:
	cb_session_clear(&x);
	if (rc < 0) {
		cb_store_rollback(s);
		return rc;
	}
	return cb_store_commit(s);
}

static int check_score(const char *what, double v)
{
	if (!isfinite(v) || v < 0 || v > 100)
		return cb_error_set(CB_EINVALID, "%s %g is out of range 0..100", what, v);
	return 0;
}

static int check_attendance(const cb_attendance *c)
{
	int rc;

	if (c->status && (rc = check_choice("attendance status", c->status,
					    attendance_statuses,
					    COUNT(attendance_statuses))) < 0)
		return rc;
	if (c->has_reaction && (c->reaction < 1 || c->reaction > 5))
		return cb_error_set(CB_EINVALID, "reaction %d is out of range 1..5",
				    c->reaction);
	if ((c->has_pre && (rc = check_score("pre-test score", c->pre_score)) < 0) ||
	    (c->has_post && (rc = check_score("post-test score", c->post_score)) < 0))
		return rc;
	return 0;
}

int cb_app_session_attend(cb_workspace *ws, const char *session,
			  const char *person, const cb_attendance *c, int *added)
{
	cb_store *s = ws->store;
	cb_session x = {0};
	cb_attendance old = {0}, row;
	int64_t person_id;
	int found = 0, rc;

	if ((rc = check_attendance(c)) < 0)
		return rc;
	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = cb_store_session_get(s, session, &x)) < 0 ||
	    (rc = may_change(ws, &x, CB_ACT_ATTENDANCE_EDIT)) < 0 ||
	    ((c->has_reaction || c->has_pre || c->has_post) &&
	     (rc = may_change(ws, &x, CB_ACT_SCORES_EDIT)) < 0))
		goto done;
	if (strcmp(x.status, "cancelled") == 0) {
		rc = cb_error_set(CB_EINVALID,
				  "session '%s' is cancelled; it has no attendance to record",
				  x.key);
		goto done;
	}
	if ((rc = cb_store_session_person_id(s, person, "person", NULL, &person_id)) < 0 ||
	    (rc = cb_store_attendance_get(s, x.id, person_id, &old, &found)) < 0)
		goto done;
	/* row borrows from `old` and `c`. */
	row = old;
	row.person_id = person_id;
	if (c->status)
		row.status = (char *)c->status;
	else if (!found)
		row.status = "attended";
	if (c->has_reaction)
		row.has_reaction = 1, row.reaction = c->reaction;
	if (c->has_pre)
		row.has_pre = 1, row.pre_score = c->pre_score;
	if (c->has_post)
		row.has_post = 1, row.post_score = c->post_score;
	rc = cb_store_attendance_put(s, x.id, &row);
done:
	cb_attendance_clear(&old);
	cb_session_clear(&x);
	if (rc < 0) {
		cb_store_rollback(s);
		return rc;
	}
	if ((rc = cb_store_commit(s)) < 0)
		return rc;
	if (added)
		*added = !found;
	return 0;
}

int cb_app_session_filter(cb_workspace *ws, const char *program,
			  const char *trainer, const char *format,
			  const char *from, const char *to, const char *status,
			  cb_session_filter *out)
{
	int32_t from_day = 0, to_day = 0;
	int rc;

	*out = (cb_session_filter){0};
	if ((format && (rc = check_choice("format", format, formats, COUNT(formats))) < 0) ||
	    (status && (rc = check_choice("session status", status, session_statuses,
					  COUNT(session_statuses))) < 0) ||
	    (from && (rc = check_date("from date", from, &from_day)) < 0) ||
	    (to && (rc = check_date("to date", to, &to_day)) < 0))
		return rc;
	if (from && to && to_day < from_day)
		return cb_error_set(CB_EINVALID, "to date %s is before from date %s", to, from);
	if (program && (rc = cb_store_program_id(ws->store, program, &out->program_id)) < 0)
		return rc;
	if (trainer && (rc = cb_store_session_person_id(ws->store, trainer, "trainer", NULL,
							&out->trainer_id)) < 0)
		return rc;
	out->format = format;
	out->from = from;
	out->to = to;
	out->status = status;
	return 0;
}
