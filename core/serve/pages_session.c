/* Sessions in the browser: the list a person may see, the form that
 * records one, a session's page, and the one form in which its trainer
 * records the whole class's attendance, reactions and test scores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/session.h"
#include "base/error.h"
#include "base/text.h"
#include "format/html.h"
#include "serve/pages.h"
#include "store/account.h"
#include "store/person.h"
#include "store/program.h"
#include "store/session.h"
#include "view/page.h"

/* What the rights need to know of session `x` for rq's person. */
static int session_object(cb_serve_request *rq, const cb_session *x, cb_rights_object *obj)
{
	return cb_rights_session_object(rq->ws, x->key, x->trainer, x->id, obj);
}

/* A session the person would record: theirs to train. */
static const cb_rights_object *own_session(cb_serve_request *rq)
{
	static _Thread_local cb_rights_object obj;

	obj = (cb_rights_object){0};
	snprintf(obj.trainer, sizeof(obj.trainer), "%s", rq->actor.key);
	snprintf(obj.what, sizeof(obj.what), "a new session");
	return &obj;
}

typedef struct list_ctx {
	cb_serve_request *rq;
	int mine;
	size_t n;
} list_ctx;

static int session_row(const cb_session *x, void *ctx)
{
	list_ctx *l = ctx;
	cb_rights_object obj;
	char href[120], count[24];
	int rc;

	if (l->mine && (!x->trainer || strcmp(x->trainer, l->rq->actor.key) != 0))
		return 0;
	if ((rc = session_object(l->rq, x, &obj)) < 0)
		return rc;
	if (!cb_rights_may(&l->rq->actor, CB_ACT_SESSION_READ, &obj))
		return 0; /* not theirs to see */
	snprintf(href, sizeof(href), "/sessions/%s", x->key);
	snprintf(count, sizeof(count), "%lld", (long long)x->attendee_count);
	l->n++;
	return cb_view_table_row(&l->rq->body,
				 (cb_view_cell[]){{x->title, href, 0},
						  {x->program, NULL, 0},
						  {x->format, NULL, 0},
						  {x->starts_on, NULL, 0},
						  {x->trainer ? x->trainer : "", NULL, 0},
						  {count, NULL, 1},
						  {x->status, NULL, 0}},
				 7);
}

int cb_serve_page_sessions(cb_serve_request *rq, const char *const *arg)
{
	static const char *const head[] = {"Session", "Program", "Format", "Starts",
					   "Trainer", "Attendees", "Status"};
	list_ctx l = {rq, cb_serve_arg(rq, "mine") != NULL, 0};
	int rc;

	cb_serve_page_open(rq, l.mine ? "The sessions I train" : "Training sessions", "/sessions",
			   cb_serve_arg(rq, "recorded") ? "The session is recorded." : NULL, 0);
	if (cb_rights_may(&rq->actor, CB_ACT_SESSION_RECORD, own_session(rq)))
		cb_buf_puts(&rq->body, "<p><a href=\"/sessions/new\">Record a session</a></p>\n");
	cb_view_table_open(&rq->body, "Sessions", head, 7);
	rc = cb_store_session_each(rq->ws->store, NULL, session_row, &l);
	cb_view_table_close(&rq->body);
	if (rc < 0)
		return rc;
	if (!l.n)
		cb_buf_puts(&rq->body, "<p class=\"muted\">None you may see.</p>\n");
	return cb_serve_page_close(rq);
}

/* --- recording a session ----------------------------------------------------- */

typedef struct choices {
	cb_view_option *o;
	char **text;
	size_t n, cap;
} choices;

static int choice_add(choices *c, const char *value, const char *label)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		cb_view_option *o = realloc(c->o, cap * sizeof(*o));
		char **t;

		if (!o)
			return cb_error_set(CB_ENOMEM, "out of memory");
		c->o = o;
		if (!(t = realloc(c->text, 2 * cap * sizeof(*t))))
			return cb_error_set(CB_ENOMEM, "out of memory");
		c->text = t;
		c->cap = cap;
	}
	c->text[2 * c->n] = strdup(value);
	c->text[2 * c->n + 1] = strdup(label);
	if (!c->text[2 * c->n] || !c->text[2 * c->n + 1]) {
		free(c->text[2 * c->n]), free(c->text[2 * c->n + 1]);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	c->o[c->n] = (cb_view_option){c->text[2 * c->n], c->text[2 * c->n + 1]};
	c->n++;
	return 0;
}

static void choices_free(choices *c)
{
	for (size_t i = 0; i < 2 * c->n; i++)
		free(c->text[i]);
	free(c->text);
	free(c->o);
}

static int program_choice(const cb_program *p, void *ctx)
{
	return choice_add(ctx, p->key, p->name);
}

static int person_choice(const cb_person *p, void *ctx)
{
	char label[300];

	snprintf(label, sizeof(label), "%s (%s)", p->name, p->key);
	return choice_add(ctx, p->key, label);
}

static int account_choice(const cb_account *a, void *ctx)
{
	char label[300];

	snprintf(label, sizeof(label), "%s (%s)", a->name, a->key);
	return choice_add(ctx, a->key, label);
}

static int record_form(cb_serve_request *rq, const char *flash)
{
	static const cb_view_option formats[] = {
		{"in-person", "In person"}, {"blended", "Blended"}, {"virtual", "Virtual"}};
	choices programs = {0}, people = {0}, accounts = {0};
	const char *att[512], *acc[512];
	size_t natt = cb_serve_field_all(rq, "attendees", att, 512);
	size_t nacc = cb_serve_field_all(rq, "accounts", acc, 512);
	cb_buf *b = &rq->body;
	int rc;

	if ((rc = cb_store_program_each(rq->ws->store, program_choice, &programs)) < 0 ||
	    (rc = cb_store_person_each(rq->ws->store, CB_ROLE_TECHNICIAN, person_choice, &people)) <
		    0 ||
	    (rc = cb_store_account_each(rq->ws->store, account_choice, &accounts)) < 0)
		goto done;
	cb_serve_page_open(rq, "Record a session", "/sessions", flash, flash != NULL);
	cb_view_form_open(b, "/sessions/new", CB_VIEW_POST, rq->auth.csrf);
	cb_view_select(b,
		       &(cb_view_field){.label = "Program",
					.name = "program",
					.value = cb_serve_field_get(rq, "program"),
					.required = 1},
		       programs.o, programs.n);
	cb_view_input(b, &(cb_view_field){.label = "Title",
					  .name = "title",
					  .value = cb_serve_field_get(rq, "title"),
					  .required = 1});
	cb_view_select(b,
		       &(cb_view_field){.label = "Format",
					.name = "format",
					.value = cb_serve_field_get(rq, "format"),
					.required = 1},
		       formats, 3);
	cb_view_input(b, &(cb_view_field){.label = "First day (YYYY-MM-DD)",
					  .name = "starts_on",
					  .value = cb_serve_field_get(rq, "starts_on"),
					  .required = 1});
	cb_view_input(b, &(cb_view_field){.label = "Last day (YYYY-MM-DD)",
					  .name = "ends_on",
					  .value = cb_serve_field_get(rq, "ends_on"),
					  .hint = "Empty for a one-day session"});
	cb_view_input(b, &(cb_view_field){.label = "Location",
					  .name = "location",
					  .value = cb_serve_field_get(rq, "location")});
	cb_view_input(b, &(cb_view_field){.label = "Cost",
					  .name = "cost",
					  .value = cb_serve_field_get(rq, "cost"),
					  .hint = "The fully loaded cost, a decimal number; empty when unknown"});
	cb_view_input(b, &(cb_view_field){.label = "Currency",
					  .name = "currency",
					  .value = cb_serve_field_get(rq, "currency"),
					  .hint = "Three capital letters, as EUR; needed with a cost"});
	cb_view_checkboxes(b, &(cb_view_field){.label = "Attendees", .name = "attendees"},
			   people.o, people.n, att, natt);
	cb_view_checkboxes(b,
			   &(cb_view_field){.label = "The customer accounts they serve",
					    .name = "accounts"},
			   accounts.o, accounts.n, acc, nacc);
	cb_view_button(b, "Record the session", NULL, NULL);
	cb_view_form_close(b);
	rc = cb_serve_page_close(rq);
done:
	choices_free(&programs);
	choices_free(&people);
	choices_free(&accounts);
	return rc;
}

int cb_serve_page_session_new(cb_serve_request *rq, const char *const *arg)
{
	if (cb_serve_allowed(rq, CB_ACT_SESSION_RECORD, own_session(rq)))
		return 0;
	return record_form(rq, NULL);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int cb_serve_post_session_new(cb_serve_request *rq, const char *const *arg)
{
	const char *att[512], *acc[512], *cost = nonempty(cb_serve_field_get(rq, "cost"));
	cb_session_spec spec = {0};
	char *key = NULL, to[200];
	int rc;

	if (cb_serve_allowed(rq, CB_ACT_SESSION_RECORD, own_session(rq)))
		return 0;
	spec.program = nonempty(cb_serve_field_get(rq, "program"));
	spec.title = nonempty(cb_serve_field_get(rq, "title"));
	spec.format = nonempty(cb_serve_field_get(rq, "format"));
	spec.starts_on = nonempty(cb_serve_field_get(rq, "starts_on"));
	spec.ends_on = nonempty(cb_serve_field_get(rq, "ends_on"));
	if (!spec.ends_on)
		spec.ends_on = spec.starts_on;
	spec.location = nonempty(cb_serve_field_get(rq, "location"));
	spec.currency = nonempty(cb_serve_field_get(rq, "currency"));
	/* A trainer records their own sessions; an administrator's page
	 * could name another, this one does not. */
	spec.trainer = (rq->actor.roles & CB_ROLE_TRAINER) ? rq->actor.key : NULL;
	spec.attendee_count = cb_serve_field_all(rq, "attendees", att, 512);
	spec.attendees = att;
	spec.account_count = cb_serve_field_all(rq, "accounts", acc, 512);
	spec.accounts = acc;
	rc = 0;
	if (!spec.program || !spec.title || !spec.format || !spec.starts_on)
		rc = cb_error_set(CB_EINVALID, "give the program, title, format and first day");
	else if (cost) {
		spec.has_cost = 1;
		rc = cb_decimal_field("the cost", cost, 0, CB_NUMBER_MAX, &spec.cost);
	}
	if (rc == 0)
		rc = cb_app_session_record(rq->ws, &spec, &key);
	if (rc == CB_EINVALID || rc == CB_ENOTFOUND || rc == CB_EEXISTS) {
		rq->status = 400;
		cb_buf_clear(&rq->body);
		return record_form(rq, cb_error_last());
	}
	if (rc < 0)
		return rc;
	snprintf(to, sizeof(to), "/sessions/%s?recorded=1", key);
	free(key);
	return cb_serve_redirect(rq, to);
}

/* --- one session ------------------------------------------------------------ */

typedef struct class_ctx {
	cb_serve_request *rq;
	int editable;
	int sent; /* a refused form: show what was sent, not what is saved */
	size_t n;
} class_ctx;

/* Field `what`.`person` as the refused form sent it, else `saved`. */
static const char *shown(class_ctx *c, const char *what, const char *person, const char *saved)
{
	char name[200];
	const char *v;

	if (!c->sent)
		return saved;
	snprintf(name, sizeof(name), "%s.%s", what, person);
	v = cb_serve_field_get(c->rq, name);
	return v ? v : saved;
}

static const cb_view_option statuses[] = {
	{"attended", "attended"}, {"partial", "partly"}, {"absent", "absent"}};

static int class_row(const cb_attendance *a, void *ctx)
{
	class_ctx *c = ctx;
	cb_buf *b = &c->rq->body;
	char name[200], id[200], reaction[16] = "", pre[32] = "", post[32] = "";
	const char *now = a->status ? a->status : "attended";

	c->n++;
	if (a->has_reaction)
		snprintf(reaction, sizeof(reaction), "%d", a->reaction);
	if (a->has_pre)
		snprintf(pre, sizeof(pre), "%g", a->pre_score);
	if (a->has_post)
		snprintf(post, sizeof(post), "%g", a->post_score);
	if (!c->editable)
		return cb_view_table_row(b,
					 (cb_view_cell[]){{a->name, NULL, 0},
							  {now, NULL, 0},
							  {reaction, NULL, 1},
							  {pre, NULL, 1},
							  {post, NULL, 1}},
					 5);
	cb_buf_puts(b, "<fieldset class=\"attendee\"><legend>");
	cb_html_text(b, a->name);
	cb_buf_puts(b, " (");
	cb_html_text(b, a->person);
	cb_buf_puts(b, ")</legend>\n");
	/* Field names carry the person's key; ids a row number, since a
	 * key may hold characters an id should not. */
	snprintf(name, sizeof(name), "status.%s", a->person);
	snprintf(id, sizeof(id), "status-%zu", c->n);
	cb_view_select(b, &(cb_view_field){.label = "Attendance", .name = name, .id = id, .value = shown(c, "status", a->person, now)},
		       statuses, 3);
	snprintf(name, sizeof(name), "reaction.%s", a->person);
	snprintf(id, sizeof(id), "reaction-%zu", c->n);
	cb_view_input(b, &(cb_view_field){.label = "Reaction (1 to 5)",
					  .name = name,
					  .id = id,
					  .value = shown(c, "reaction", a->person, reaction)});
	snprintf(name, sizeof(name), "pre.%s", a->person);
	snprintf(id, sizeof(id), "pre-%zu", c->n);
	cb_view_input(b, &(cb_view_field){.label = "Test before (0 to 100)",
					  .name = name,
					  .id = id,
					  .value = shown(c, "pre", a->person, pre)});
	snprintf(name, sizeof(name), "post.%s", a->person);
	snprintf(id, sizeof(id), "post-%zu", c->n);
	cb_view_input(b, &(cb_view_field){.label = "Test after (0 to 100)",
					  .name = name,
					  .id = id,
					  .value = shown(c, "post", a->person, post)});
	return cb_buf_puts(b, "</fieldset>\n");
}

/* Session `key`'s page; after a refused class form (`error`), the form
 * shows what was sent, so that the trainer corrects one value instead of
 * typing the whole class again. */
static int session_page(cb_serve_request *rq, const char *key, const char *flash, int error)
{
	static const char *const head[] = {"Attendee", "Attendance", "Reaction", "Test before",
					   "Test after"};
	cb_session x = {0};
	cb_rights_object obj;
	class_ctx c = {rq, 0, error && rq->post, 0};
	char action[120], cost[64] = "not recorded";
	int rc;

	if ((rc = cb_store_session_get(rq->ws->store, key, &x)) < 0)
		return rc;
	if ((rc = session_object(rq, &x, &obj)) < 0 ||
	    cb_serve_allowed(rq, CB_ACT_SESSION_READ, &obj)) {
		cb_session_clear(&x);
		return rc;
	}
	c.editable = cb_rights_may(&rq->actor, CB_ACT_ATTENDANCE_EDIT, &obj) &&
		     cb_rights_may(&rq->actor, CB_ACT_SCORES_EDIT, &obj);
	if (x.has_cost)
		snprintf(cost, sizeof(cost), "%.2f %s", x.cost, x.currency ? x.currency : "");
	cb_serve_page_open(rq, x.title, "/sessions", flash, error);
	cb_buf_puts(&rq->body, "<dl class=\"facts\"><dt>Program</dt><dd>");
	cb_html_text(&rq->body, x.program_name ? x.program_name : x.program);
	cb_buf_puts(&rq->body, "</dd><dt>Format</dt><dd>");
	cb_html_text(&rq->body, x.format);
	cb_buf_puts(&rq->body, "</dd><dt>Dates</dt><dd>");
	cb_html_text(&rq->body, x.starts_on);
	cb_buf_puts(&rq->body, " to ");
	cb_html_text(&rq->body, x.ends_on);
	cb_buf_puts(&rq->body, "</dd><dt>Trainer</dt><dd>");
	cb_html_text(&rq->body, x.trainer_name ? x.trainer_name : "none");
	cb_buf_puts(&rq->body, "</dd><dt>Cost</dt><dd>");
	cb_html_text(&rq->body, cost);
	cb_buf_puts(&rq->body, "</dd><dt>Status</dt><dd>");
	cb_html_text(&rq->body, x.status);
	cb_buf_puts(&rq->body, "</dd></dl>\n<h2>The class</h2>\n");
	if (c.editable) {
		snprintf(action, sizeof(action), "/sessions/%s/attendance", x.key);
		cb_buf_puts(&rq->body, "<p class=\"hint\">Attendance, reactions and test scores of "
				       "the whole class, saved together.</p>\n");
		cb_view_form_open(&rq->body, action, CB_VIEW_POST, rq->auth.csrf);
	} else {
		cb_view_table_open(&rq->body, "The class", head, 5);
	}
	rc = cb_store_attendance_each(rq->ws->store, x.id, class_row, &c);
	if (c.editable) {
		if (c.n)
			cb_view_button(&rq->body, "Save the class", NULL, NULL);
		cb_view_form_close(&rq->body);
	} else {
		cb_view_table_close(&rq->body);
	}
	if (rc == 0 && !c.n)
		cb_buf_puts(&rq->body, "<p class=\"muted\">No attendee recorded.</p>\n");
	cb_session_clear(&x);
	if (rc < 0)
		return rc;
	return cb_serve_page_close(rq);
}

int cb_serve_page_session(cb_serve_request *rq, const char *const *arg)
{
	const char *flash = cb_serve_arg(rq, "saved")	 ? "The class is saved."
			    : cb_serve_arg(rq, "recorded") ? "The session is recorded."
							   : NULL;

	return session_page(rq, arg[0], flash, 0);
}

/* --- the class in one form ----------------------------------------------- */

typedef struct change {
	char *person;
	cb_attendance a;
} change;

typedef struct collect_ctx {
	cb_serve_request *rq;
	change *items;
	size_t n, cap;
	cb_buf errors;
} collect_ctx;

/* An optional number field between lo and hi; *has says if given. */
static void number_field(collect_ctx *c, const char *what, const char *person, const char *text,
			 double lo, double hi, int whole, int *has, double *v)
{
	*has = 0;
	if (!text || !*text)
		return;
	if (cb_decimal_field(what, text, lo, hi, v) < 0 || (whole && *v != (double)(long)*v)) {
		cb_buf_printf(&c->errors, "%s%s: %s must be a%s number from %g to %g",
			      c->errors.len ? "; " : "", person, what, whole ? " whole" : "", lo,
			      hi);
		return;
	}
	*has = 1;
}

static int collect(const cb_attendance *a, void *ctx)
{
	collect_ctx *c = ctx;
	char name[200];
	const char *status;
	change ch = {0};
	double v = 0;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		change *more = realloc(c->items, cap * sizeof(change));

		if (!more)
			return cb_error_set(CB_ENOMEM, "out of memory");
		c->items = more, c->cap = cap;
	}
	snprintf(name, sizeof(name), "status.%s", a->person);
	status = cb_serve_field_get(c->rq, name);
	if (status && strcmp(status, "attended") && strcmp(status, "partial") &&
	    strcmp(status, "absent")) {
		cb_buf_printf(&c->errors, "%s%s: no attendance '", c->errors.len ? "; " : "",
			      a->person);
		cb_text_escape_controls(&c->errors, status, strnlen(status, 20));
		cb_buf_puts(&c->errors, "'");
		status = NULL;
	}
	ch.a.status = status ? strdup(status) : NULL;
	snprintf(name, sizeof(name), "reaction.%s", a->person);
	number_field(c, "the reaction", a->person, cb_serve_field_get(c->rq, name), 1, 5, 1,
		     &ch.a.has_reaction, &v);
	ch.a.reaction = ch.a.has_reaction ? (int)v : 0;
	snprintf(name, sizeof(name), "pre.%s", a->person);
	number_field(c, "the test before", a->person, cb_serve_field_get(c->rq, name), 0, 100, 0,
		     &ch.a.has_pre, &ch.a.pre_score);
	snprintf(name, sizeof(name), "post.%s", a->person);
	number_field(c, "the test after", a->person, cb_serve_field_get(c->rq, name), 0, 100, 0,
		     &ch.a.has_post, &ch.a.post_score);
	ch.person = strdup(a->person);
	if (!ch.person || (status && !ch.a.status)) {
		free(ch.person), free(ch.a.status);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	c->items[c->n++] = ch;
	return 0;
}

int cb_serve_post_attendance(cb_serve_request *rq, const char *const *arg)
{
	cb_session x = {0};
	cb_rights_object obj;
	collect_ctx c = {rq, NULL, 0, 0, CB_BUF_INIT};
	char to[200];
	int rc;

	if ((rc = cb_store_session_get(rq->ws->store, arg[0], &x)) < 0)
		return rc;
	if ((rc = session_object(rq, &x, &obj)) < 0 ||
	    cb_serve_allowed(rq, CB_ACT_ATTENDANCE_EDIT, &obj) ||
	    cb_serve_allowed(rq, CB_ACT_SCORES_EDIT, &obj))
		goto done;
	/* Every row is checked before any is written; all are written in
	 * one transaction, so the class is saved whole or not at all. */
	if ((rc = cb_store_attendance_each(rq->ws->store, x.id, collect, &c)) < 0)
		goto done;
	if (c.errors.len) {
		rq->status = 400;
		cb_buf_clear(&rq->body);
		rc = session_page(rq, x.key, cb_buf_cstr(&c.errors), 1);
		goto done;
	}
	if ((rc = cb_store_begin(rq->ws->store)) < 0)
		goto done;
	for (size_t i = 0; i < c.n && rc == 0; i++)
		rc = cb_app_session_attend(rq->ws, x.key, c.items[i].person, &c.items[i].a, NULL);
	if (rc < 0) {
		cb_store_rollback(rq->ws->store);
		goto done;
	}
	if ((rc = cb_store_commit(rq->ws->store)) < 0)
		goto done;
	snprintf(to, sizeof(to), "/sessions/%s?saved=1", x.key);
	rc = cb_serve_redirect(rq, to);
done:
	for (size_t i = 0; i < c.n; i++) {
		free(c.items[i].person);
		free(c.items[i].a.status);
	}
	free(c.items);
	cb_buf_free(&c.errors);
	cb_session_clear(&x);
	return rc < 0 ? rc : 0;
}
