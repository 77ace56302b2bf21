/* Case studies in the browser: the list a person may see, a case's page
 * with its evidence and history, the form that writes a case study's
 * front matter for its technician, and the review form. Every write goes
 * through core/app, which commits as the case's technician or reviewer:
 * the signed-in person, since the rights allow no one else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/case.h"
#include "base/date.h"
#include "base/error.h"
#include "base/text.h"
#include "format/frontmatter.h"
#include "format/html.h"
#include "repo/case.h"
#include "serve/pages.h"
#include "store/case.h"
#include "store/coverage.h"
#include "store/person.h"
#include "store/session.h"
#include "view/page.h"

#define MAX_CLAIM_ROWS 6

int cb_serve_case_object(cb_serve_request *rq, const cb_case_index *c, cb_rights_object *obj)
{
	return cb_rights_case_object(rq->ws, c->slug, c->technician,
				     (const char *const *)c->sessions, c->n_sessions, obj);
}

/* Whether rq's person may read case c: any case with CASE_READ_ANY (their
 * own, one they may review, or all), a published one with
 * CASE_READ_PUBLISHED. */
int cb_serve_may_read_case(cb_serve_request *rq, const cb_case_index *c, const cb_rights_object *obj)
{
	if (cb_rights_may(&rq->actor, CB_ACT_CASE_READ_ANY, obj) ||
	    cb_rights_may(&rq->actor, CB_ACT_CASE_WRITE_OWN, obj) ||
	    cb_rights_may(&rq->actor, CB_ACT_CASE_REVIEW, obj))
		return 1;
	return strcmp(c->status, "published") == 0 &&
	       cb_rights_may(&rq->actor, CB_ACT_CASE_READ_PUBLISHED, obj);
}

typedef struct list_ctx {
	cb_serve_request *rq;
	size_t n;
} list_ctx;

static int case_row(const cb_case_index *c, void *ctx)
{
	list_ctx *l = ctx;
	cb_rights_object obj;
	char href[300];
	cb_view_cell cells[5];
	int rc;

	if ((rc = cb_serve_case_object(l->rq, c, &obj)) < 0)
		return rc;
	if (!cb_serve_may_read_case(l->rq, c, &obj))
		return 0;
	snprintf(href, sizeof(href), "/cases/%s", c->slug);
	cells[0] = (cb_view_cell){c->title, href, 0};
	cells[1] = (cb_view_cell){c->technician, NULL, 0};
	cells[2] = (cb_view_cell){c->account, NULL, 0};
	cells[3] = (cb_view_cell){c->status, NULL, 0};
	cells[4] = (cb_view_cell){c->updated_at ? c->updated_at : "", NULL, 0};
	l->n++;
	return cb_view_table_row(&l->rq->body, cells, 5);
}

int cb_serve_page_cases(cb_serve_request *rq, const char *const *arg)
{
	static const char *const head[] = {"Case study", "Technician", "Account", "Status",
					   "Updated"};
	list_ctx l = {rq, 0};
	int rc;

	cb_serve_page_open(rq, "Case studies", "/cases", NULL, 0);
	if (rq->actor.roles & CB_ROLE_TECHNICIAN)
		cb_buf_puts(&rq->body, "<p><a href=\"/cases/new\">Write a case study</a></p>\n");
	cb_view_table_open(&rq->body, "Case studies", head, 5);
	rc = cb_store_case_each(rq->ws->store, NULL, case_row, &l);
	cb_view_table_close(&rq->body);
	if (rc < 0)
		return rc;
	if (!l.n)
		cb_buf_puts(&rq->body, "<p class=\"muted\">None yet.</p>\n");
	return cb_serve_page_close(rq);
}

/* --- one case --------------------------------------------------------------- */

static void section(cb_buf *b, const char *heading, const char *text)
{
	if (!text)
		return;
	cb_buf_puts(b, "<h2>");
	cb_html_text(b, heading);
	cb_buf_puts(b, "</h2>\n<div class=\"prose\">");
	cb_html_text(b, text);
	cb_buf_puts(b, "</div>\n");
}

/* The evidence under a heading of `level` (2 on the case page, 3 in the
 * form's preview, under its own h2): headings never skip a level. */
static void evidence(cb_serve_request *rq, const cb_case_doc *doc, int level)
{
	static const char *const head[] = {"KPI", "Claimed", "Measured", "Verdict"};
	cb_case_evidence *ev = NULL;
	cb_buf *b = &rq->body;

	if (!doc->n_claims)
		return;
	cb_buf_printf(b, "<h%d>The evidence</h%d>\n", level, level);
	if (cb_app_case_evidence(rq->ws, doc, &ev) < 0) {
		cb_buf_puts(b, "<p class=\"error\">The evidence could not be checked: ");
		cb_html_text(b, cb_error_last());
		cb_buf_puts(b, "</p>\n");
		return;
	}
	cb_view_table_open(b, "Each claim against the data", head, 4);
	for (size_t i = 0; i < doc->n_claims; i++) {
		char claimed[96], measured[96];
		const cb_case_evidence *e = &ev[i];
		cb_view_cell cells[4];

		snprintf(claimed, sizeof(claimed), "%g to %g", doc->claims[i].before,
			 doc->claims[i].after);
		if (e->measured_before == e->measured_before && e->measured_after == e->measured_after)
			snprintf(measured, sizeof(measured), "%.2f to %.2f", e->measured_before,
				 e->measured_after);
		else
			snprintf(measured, sizeof(measured), "no data: %.80s", e->reason);
		cells[0] = (cb_view_cell){doc->claims[i].kpi, NULL, 0};
		cells[1] = (cb_view_cell){claimed, NULL, 1};
		cells[2] = (cb_view_cell){measured, NULL, 1};
		cells[3] = (cb_view_cell){cb_case_verdict_name(e->verdict), NULL, 0};
		cb_view_table_row(b, cells, 4);
	}
	cb_view_table_close(b);
	free(ev);
}

static int review_form(cb_serve_request *rq, const cb_case_view *v)
{
	static const cb_view_option decisions[] = {{"approve", "Approve"},
						   {"changes", "Ask for changes"},
						   {"reject", "Reject"}};
	char action[200];
	/* A refused review shows again what the reviewer sent (the page of
	 * a refused POST; a GET has none of these fields). */
	const char *decision = cb_serve_field_get(rq, "decision");
	const char *comment = cb_serve_field_get(rq, "comment");
	const char *despite = cb_serve_field_get(rq, "despite");

	snprintf(action, sizeof(action), "/cases/%s/review", v->index.slug);
	cb_buf_puts(&rq->body, "<h2>Review</h2>\n");
	cb_view_form_open(&rq->body, action, CB_VIEW_POST, rq->auth.csrf);
	cb_view_select(&rq->body,
		       &(cb_view_field){.label = "Decision",
					.name = "decision",
					.value = decision,
					.required = 1},
		       decisions, 3);
	cb_view_textarea(&rq->body,
			 &(cb_view_field){.label = "Comment",
					  .name = "comment",
					  .value = comment,
					  .hint = "Needed to ask for changes or to reject"});
	cb_view_input(&rq->body,
		      &(cb_view_field){.label = "Approve despite the evidence, because",
				       .name = "despite",
				       .value = despite,
				       .hint = "Only when a claim disagrees with the data"});
	cb_view_button(&rq->body, "Record the decision", NULL, NULL);
	return cb_view_form_close(&rq->body);
}

static int is_hex40(const char *s)
{
	size_t n = 0;

	for (; s && s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 40;
}

static void history(cb_serve_request *rq, const char *slug)
{
	static const char *const head[] = {"When", "Who", "What", "Change"};
	cb_repo_commit *log = NULL;
	cb_buf *b = &rq->body;
	size_t n = 0;

	if (cb_app_case_log(rq->ws, slug, &log, &n) < 0) {
		cb_buf_puts(b, "<p class=\"error\">The history could not be read: ");
		cb_html_text(b, cb_error_last());
		cb_buf_puts(b, "</p>\n");
		return;
	}
	cb_buf_puts(b, "<h2>History</h2>\n");
	cb_view_table_open(b, "Every commit of this case study, newest first", head, 4);
	for (size_t i = 0; i < n; i++) {
		char when[32], href[300], subject[200];
		time_t t = (time_t)log[i].time;
		struct tm tm;
		size_t len = strcspn(log[i].message ? log[i].message : "", "\n");

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
		snprintf(subject, sizeof(subject), "%.*s", (int)(len < 190 ? len : 190),
			 log[i].message ? log[i].message : "");
		snprintf(href, sizeof(href), "/cases/%s/diff?to=%s", slug, log[i].id);
		cb_view_table_row(b,
				  (cb_view_cell[]){{when, NULL, 0},
						   {log[i].author_name, NULL, 0},
						   {subject, NULL, 0},
						   {"what changed", href, 0}},
				  4);
	}
	cb_view_table_close(b);
	cb_repo_commits_free(log, n);
}

/* The buttons of what rq's person may do next with the case. */
static void next_steps(cb_serve_request *rq, const cb_case_view *v, const cb_rights_object *obj)
{
	const char *status = v->index.status;
	cb_buf *b = &rq->body;
	char action[300];
	int author = cb_rights_may(&rq->actor, CB_ACT_CASE_WRITE_OWN, obj) &&
		     strcmp(rq->actor.key, v->index.technician) == 0;
	int open = !strcmp(status, "submitted") || !strcmp(status, "changes-requested");

	if (author && open) {
		snprintf(action, sizeof(action), "/cases/%s/edit", v->index.slug);
		cb_buf_puts(b, "<h2>Your case study</h2>\n<p><a href=\"");
		cb_html_attr(b, action);
		cb_buf_puts(b, "\">Revise it</a></p>\n");
		snprintf(action, sizeof(action), "/cases/%s/withdraw", v->index.slug);
		cb_view_form_open(b, action, CB_VIEW_POST, rq->auth.csrf);
		cb_view_input(b, &(cb_view_field){.label = "Why you withdraw it (optional)",
						  .name = "reason"});
		cb_view_button(b, "Withdraw it", NULL, NULL);
		cb_view_form_close(b);
	}
	if (!cb_rights_may(&rq->actor, CB_ACT_CASE_REVIEW, obj))
		return;
	if (!strcmp(status, "submitted"))
		review_form(rq, v);
	else if (!strcmp(status, "approved")) {
		snprintf(action, sizeof(action), "/cases/%s/publish", v->index.slug);
		cb_buf_puts(b, "<h2>Publish</h2>\n<p>Approved: publishing makes it final and "
			       "shows it to every technician.</p>\n");
		cb_view_form_open(b, action, CB_VIEW_POST, rq->auth.csrf);
		cb_view_button(b, "Publish it", NULL, NULL);
		cb_view_form_close(b);
	}
}

static int case_page(cb_serve_request *rq, const char *slug, const char *flash, int error)
{
	cb_case_view v = {0};
	cb_rights_object obj;
	cb_buf *b = &rq->body;
	int rc;

	if ((rc = cb_app_case_show(rq->ws, slug, NULL, &v)) < 0)
		return rc;
	if (!v.indexed) {
		cb_case_view_clear(&v);
		return cb_error_set(CB_ENOTFOUND, "no case study '%s'", slug);
	}
	if ((rc = cb_serve_case_object(rq, &v.index, &obj)) < 0)
		goto done;
	if (!cb_serve_may_read_case(rq, &v.index, &obj)) {
		rc = cb_serve_error_page(rq, 403, "you may not read this case study: it is not "
						  "published, not yours and not yours to review");
		goto done;
	}
	cb_serve_page_open(rq, v.doc.title, "/cases", flash, error);
	cb_buf_puts(b, "<dl class=\"facts\"><dt>Technician</dt><dd>");
	cb_html_text(b, v.doc.technician);
	cb_buf_puts(b, "</dd><dt>Account</dt><dd>");
	cb_html_text(b, v.doc.account);
	cb_buf_puts(b, "</dd><dt>Status</dt><dd>");
	cb_html_text(b, v.index.status);
	cb_buf_puts(b, "</dd><dt>Sessions</dt><dd>");
	for (size_t i = 0; i < v.doc.n_sessions; i++) {
		if (i)
			cb_buf_puts(b, ", ");
		cb_html_text(b, v.doc.sessions[i]);
	}
	cb_buf_puts(b, "</dd></dl>\n");
	section(b, "Situation", v.doc.situation);
	section(b, "Actions", v.doc.actions);
	section(b, "Outcome", v.doc.outcome);
	evidence(rq, &v.doc, 2);
	if (v.n_reviews) {
		static const char *const head[] = {"Reviewer", "Decision", "Comment"};

		cb_view_table_open(b, "Reviews", head, 3);
		for (size_t i = 0; i < v.n_reviews; i++)
			cb_view_table_row(b,
					  (cb_view_cell[]){{v.reviews[i].name, NULL, 0},
							   {v.reviews[i].decision, NULL, 0},
							   {v.reviews[i].comment ? v.reviews[i].comment
										 : "",
							    NULL, 0}},
					  3);
		cb_view_table_close(b);
	}
	next_steps(rq, &v, &obj);
	history(rq, slug);
	rc = cb_serve_page_close(rq);
done:
	cb_case_view_clear(&v);
	return rc;
}

int cb_serve_page_case(cb_serve_request *rq, const char *const *arg)
{
	const char *saved = cb_serve_arg(rq, "saved");

	return case_page(rq, arg[0], saved ? "Saved and committed in your name." : NULL, 0);
}

int cb_serve_page_case_diff(cb_serve_request *rq, const char *const *arg)
{
	const char *to = cb_serve_arg(rq, "to");
	cb_case_index c = {0};
	cb_rights_object obj;
	char *diff = NULL, title[300];
	int found, rc;

	if (to && !is_hex40(to))
		return cb_serve_error_page(rq, 400, "'to' must be a commit: 40 hexadecimal digits");
	if ((rc = cb_store_case_get(rq->ws->store, arg[0], &c, &found)) < 0)
		return rc;
	if (!found)
		return cb_error_set(CB_ENOTFOUND, "no case study '%s'", arg[0]);
	if ((rc = cb_serve_case_object(rq, &c, &obj)) < 0)
		goto done;
	if (!cb_serve_may_read_case(rq, &c, &obj)) {
		rc = cb_serve_error_page(rq, 403, "you may not read this case study");
		goto done;
	}
	if ((rc = cb_app_case_diff(rq->ws, arg[0], NULL, to, &diff)) < 0)
		goto done;
	snprintf(title, sizeof(title), "What changed in %s", c.title);
	cb_serve_page_open(rq, title, "/cases", NULL, 0);
	cb_buf_puts(&rq->body, "<p><a href=\"/cases/");
	cb_html_attr(&rq->body, arg[0]);
	cb_buf_puts(&rq->body, "\">Back to the case study</a></p>\n<pre class=\"diff\" tabindex=\"0\" "
			       "role=\"region\" aria-label=\"The changes\">");
	cb_html_text(&rq->body, *diff ? diff : "(no change to case.md in this commit)");
	cb_buf_puts(&rq->body, "</pre>\n");
	rc = cb_serve_page_close(rq);
done:
	free(diff);
	cb_case_index_clear(&c);
	return rc;
}

/* A case by slug with the rights object for rq's person, or an answer. */
static int case_for_action(cb_serve_request *rq, const char *slug, int action, cb_case_index *c,
			   cb_rights_object *obj)
{
	int found, rc;

	if ((rc = cb_store_case_get(rq->ws->store, slug, c, &found)) < 0)
		return rc;
	if (!found)
		return cb_error_set(CB_ENOTFOUND, "no case study '%s'", slug);
	if ((rc = cb_serve_case_object(rq, c, obj)) < 0)
		return rc;
	return cb_serve_allowed(rq, action, obj) ? 1 : 0;
}

int cb_serve_post_review(cb_serve_request *rq, const char *const *arg)
{
	cb_case_index c = {0};
	cb_rights_object obj;
	cb_case_decision d = {0};
	cb_case_written w;
	char to[300];
	int rc;

	if ((rc = case_for_action(rq, arg[0], CB_ACT_CASE_REVIEW, &c, &obj)) != 0)
		goto done;
	d.reviewer = rq->actor.key;
	d.decision = cb_serve_field_get(rq, "decision");
	d.comment = cb_serve_field_get(rq, "comment");
	d.despite_evidence = cb_serve_field_get(rq, "despite");
	if (d.comment && !*d.comment)
		d.comment = NULL;
	if (d.despite_evidence && !*d.despite_evidence)
		d.despite_evidence = NULL;
	if (!d.decision)
		rc = cb_error_set(CB_EINVALID, "choose a decision");
	else
		rc = cb_app_case_review(rq->ws, arg[0], &d, &w);
	if (rc == CB_EINVALID) {
		rq->status = 400;
		cb_buf_clear(&rq->body);
		rc = case_page(rq, arg[0], cb_error_last(), 1);
		goto done;
	}
	if (rc < 0)
		goto done;
	snprintf(to, sizeof(to), "/cases/%s?saved=1", w.slug);
	rc = cb_serve_redirect(rq, to);
done:
	cb_case_index_clear(&c);
	return rc < 0 ? rc : 0;
}

int cb_serve_post_publish(cb_serve_request *rq, const char *const *arg)
{
	cb_case_index c = {0};
	cb_rights_object obj;
	cb_case_written w;
	char to[300];
	int rc;

	if ((rc = case_for_action(rq, arg[0], CB_ACT_CASE_REVIEW, &c, &obj)) != 0)
		goto done;
	rc = cb_app_case_publish(rq->ws, arg[0], rq->actor.key, &w);
	if (rc == CB_EINVALID) {
		rq->status = 400;
		cb_buf_clear(&rq->body);
		rc = case_page(rq, arg[0], cb_error_last(), 1);
		goto done;
	}
	if (rc == 0) {
		snprintf(to, sizeof(to), "/cases/%s?saved=1", w.slug);
		rc = cb_serve_redirect(rq, to);
	}
done:
	cb_case_index_clear(&c);
	return rc < 0 ? rc : 0;
}

int cb_serve_post_withdraw(cb_serve_request *rq, const char *const *arg)
{
	const char *reason = cb_serve_field_get(rq, "reason");
	cb_case_index c = {0};
	cb_rights_object obj;
	cb_case_written w;
	char to[300];
	int rc;

	if ((rc = case_for_action(rq, arg[0], CB_ACT_CASE_WRITE_OWN, &c, &obj)) != 0)
		goto done;
	rc = cb_app_case_withdraw(rq->ws, arg[0], rq->actor.key, reason && *reason ? reason : NULL,
				  &w);
	if (rc == CB_EINVALID) {
		rq->status = 400;
		cb_buf_clear(&rq->body);
		rc = case_page(rq, arg[0], cb_error_last(), 1);
		goto done;
	}
	if (rc == 0) {
		snprintf(to, sizeof(to), "/cases/%s?saved=1", w.slug);
		rc = cb_serve_redirect(rq, to);
	}
done:
	cb_case_index_clear(&c);
	return rc < 0 ? rc : 0;
}

/* --- the form that writes a case study ------------------------------------ */

typedef struct options_ctx {
	cb_view_option *o;
	char **keys;
	size_t n, cap;
} options_ctx;

static int add_option(options_ctx *c, const char *key, const char *label)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		cb_view_option *o = realloc(c->o, cap * sizeof(*o));
		char **k;

		if (!o)
			return cb_error_set(CB_ENOMEM, "out of memory");
		c->o = o;
		if (!(k = realloc(c->keys, 2 * cap * sizeof(*k))))
			return cb_error_set(CB_ENOMEM, "out of memory");
		c->keys = k;
		c->cap = cap;
	}
	c->keys[2 * c->n] = strdup(key);
	c->keys[2 * c->n + 1] = strdup(label);
	if (!c->keys[2 * c->n] || !c->keys[2 * c->n + 1]) {
		free(c->keys[2 * c->n]), free(c->keys[2 * c->n + 1]);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	c->o[c->n] = (cb_view_option){c->keys[2 * c->n], c->keys[2 * c->n + 1]};
	c->n++;
	return 0;
}

static void options_free(options_ctx *c)
{
	for (size_t i = 0; i < 2 * c->n; i++)
		free(c->keys[i]);
	free(c->keys);
	free(c->o);
}

static int attended_option(const cb_person_session *ps, void *ctx)
{
	char label[300];

	if (strcmp(ps->as, "attendee") != 0 || (ps->status && !strcmp(ps->status, "absent")))
		return 0;
	snprintf(label, sizeof(label), "%s (%s, %s)", ps->title, ps->session, ps->starts_on);
	return add_option(ctx, ps->session, label);
}

static int account_option(const cb_coverage *c, void *ctx)
{
	options_ctx *o = ctx;
	char label[300];

	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->o[i].value, c->account) == 0)
			return 0; /* served over several periods: once */
	snprintf(label, sizeof(label), "%s (%s)", c->account_name, c->account);
	return add_option(o, c->account, label);
}

/* What the form shows: the fields sent back (a preview, a refused
 * submission) or, for a revision, the document as it stands. */
typedef struct form_values {
	cb_serve_request *rq;
	const cb_case_doc *doc; /* NULL: the request's fields */
	char num[MAX_CLAIM_ROWS][4][32];
} form_values;

static const char *claim_value(form_values *fv, int i, int part, const char *name)
{
	const cb_case_claim *c;

	if (!fv->doc)
		return cb_serve_field_get(fv->rq, name);
	if ((size_t)i >= fv->doc->n_claims)
		return NULL;
	c = &fv->doc->claims[i];
	switch (part) {
	case 0:
		return c->kpi;
	case 1:
		cb_frontmatter_number_format(c->before, fv->num[i][0]);
		return fv->num[i][0];
	case 2:
		cb_frontmatter_number_format(c->after, fv->num[i][1]);
		return fv->num[i][1];
	case 3:
		cb_date_format(c->from, fv->num[i][2]);
		return fv->num[i][2];
	default:
		cb_date_format(c->to, fv->num[i][3]);
		return fv->num[i][3];
	}
}

static const char *form_value(form_values *fv, const char *name)
{
	const cb_case_doc *d = fv->doc;

	if (!d)
		return cb_serve_field_get(fv->rq, name);
	if (!strcmp(name, "title"))
		return d->title;
	if (!strcmp(name, "account"))
		return d->account;
	if (!strcmp(name, "situation"))
		return d->situation;
	if (!strcmp(name, "actions"))
		return d->actions;
	if (!strcmp(name, "outcome"))
		return d->outcome;
	return NULL;
}

/* The form, for a new case (slug NULL) or a revision of `slug`. */
static int case_form(cb_serve_request *rq, const char *slug, const cb_case_doc *doc,
		     const char *flash)
{
	options_ctx sessions = {0}, accounts = {0};
	const char *chosen[CB_FM_SESSIONS_MAX];
	size_t nchosen;
	form_values fv = {rq, doc, {{{0}}}};
	char action[300];
	cb_buf *b = &rq->body;
	int rc;

	if (doc) {
		nchosen = doc->n_sessions < CB_FM_SESSIONS_MAX ? doc->n_sessions : CB_FM_SESSIONS_MAX;
		for (size_t i = 0; i < nchosen; i++)
			chosen[i] = doc->sessions[i];
	} else {
		nchosen = cb_serve_field_all(rq, "sessions", chosen, CB_FM_SESSIONS_MAX);
	}
	if ((rc = cb_store_person_sessions(rq->ws->store, rq->actor.person_id, attended_option,
					   &sessions)) < 0 ||
	    (rc = cb_store_coverage_each(rq->ws->store, rq->actor.person_id, 0, account_option,
					 &accounts)) < 0)
		goto done;
	if (slug)
		snprintf(action, sizeof(action), "/cases/%s/edit", slug);
	else
		snprintf(action, sizeof(action), "/cases/new");
	cb_serve_page_open(rq, slug ? "Revise the case study" : "Write a case study", "/cases", flash,
			   flash != NULL);
	cb_buf_puts(b, "<p>How you applied the training to help a customer reach a business "
		       "outcome. Casebook writes the file and commits it in your name.</p>\n");
	cb_view_form_open(b, action, CB_VIEW_POST, rq->auth.csrf);
	cb_view_input(b, &(cb_view_field){.label = "Title",
					  .name = "title",
					  .value = form_value(&fv, "title"),
					  .required = 1});
	cb_view_select(b,
		       &(cb_view_field){.label = "The customer account",
					.name = "account",
					.value = form_value(&fv, "account"),
					.required = 1,
					.hint = "The accounts you serve"},
		       accounts.o, accounts.n);
	cb_view_checkboxes(b,
			   &(cb_view_field){.label = "The training sessions it draws on",
					    .name = "sessions",
					    .hint = "The sessions you attended; one or more"},
			   sessions.o, sessions.n, chosen, nchosen);
	cb_view_textarea(b, &(cb_view_field){.label = "Situation",
					     .name = "situation",
					     .value = form_value(&fv, "situation"),
					     .required = 1,
					     .hint = "The customer's problem before"});
	cb_view_textarea(b, &(cb_view_field){.label = "Actions",
					     .name = "actions",
					     .value = form_value(&fv, "actions"),
					     .required = 1,
					     .hint = "What you did, and what of the training it used"});
	cb_view_textarea(b, &(cb_view_field){.label = "Outcome",
					     .name = "outcome",
					     .value = form_value(&fv, "outcome"),
					     .required = 1,
					     .hint = "What changed for the customer"});
	cb_buf_puts(b, "<h2>The KPIs you claim moved</h2>\n<p class=\"hint\">One row per KPI; "
		       "leave the rows you do not need empty. The period is when the "
		       "change showed.</p>\n");
	for (int i = 0; i < MAX_CLAIM_ROWS; i++) {
		static const char *const parts[][2] = {{"kpi", "KPI (its key, as mttr)"},
						       {"before", "Before"},
						       {"after", "After"},
						       {"from", "From (YYYY-MM-DD)"},
						       {"to", "To (YYYY-MM-DD)"}};
		char legend[40];

		snprintf(legend, sizeof(legend), "Claim %d", i + 1);
		cb_buf_puts(b, "<fieldset class=\"claim\"><legend>");
		cb_html_text(b, legend);
		cb_buf_puts(b, "</legend>\n");
		for (int k = 0; k < 5; k++) {
			char name[40];

			snprintf(name, sizeof(name), "claim%d.%s", i + 1, parts[k][0]);
			cb_view_input(b, &(cb_view_field){.label = parts[k][1],
							  .name = name,
							  .value = claim_value(&fv, i, k, name)});
		}
		cb_buf_puts(b, "</fieldset>\n");
	}
	cb_view_button(b, "Preview with the evidence", "step", "preview");
	cb_view_button(b, slug ? "Submit the revision" : "Submit", "step", "submit");
	cb_view_form_close(b);
	rc = 0;
done:
	options_free(&sessions);
	options_free(&accounts);
	return rc;
}

static int may_write_own(cb_serve_request *rq)
{
	cb_rights_object obj = {0};

	snprintf(obj.author, sizeof(obj.author), "%s", rq->actor.key);
	snprintf(obj.what, sizeof(obj.what), "a new case study");
	return cb_serve_allowed(rq, CB_ACT_CASE_WRITE_OWN, &obj) == 0;
}

int cb_serve_page_case_new(cb_serve_request *rq, const char *const *arg)
{
	int rc;

	if (!may_write_own(rq))
		return 0;
	if ((rc = case_form(rq, NULL, NULL, NULL)) < 0)
		return rc;
	return cb_serve_page_close(rq);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/* The document the form describes, built in memory: the technician is the
 * signed-in person, whatever the form says. */
static int doc_from_form(cb_serve_request *rq, cb_case_doc *d)
{
	const char *chosen[CB_FM_SESSIONS_MAX];
	size_t n = cb_serve_field_all(rq, "sessions", chosen, CB_FM_SESSIONS_MAX);

	*d = (cb_case_doc){0};
	d->title = dup_or_null(cb_serve_field_get(rq, "title"));
	d->technician = strdup(rq->actor.key);
	d->account = dup_or_null(cb_serve_field_get(rq, "account"));
	d->situation = dup_or_null(cb_serve_field_get(rq, "situation"));
	d->actions = dup_or_null(cb_serve_field_get(rq, "actions"));
	d->outcome = dup_or_null(cb_serve_field_get(rq, "outcome"));
	if (n) {
		d->sessions = calloc(n, sizeof(char *));
		if (!d->sessions)
			return cb_error_set(CB_ENOMEM, "out of memory");
		for (size_t i = 0; i < n; i++)
			if (!(d->sessions[d->n_sessions++] = strdup(chosen[i])))
				return cb_error_set(CB_ENOMEM, "out of memory");
	}
	d->claims = calloc(MAX_CLAIM_ROWS, sizeof(cb_case_claim));
	if (!d->claims || !d->technician)
		return cb_error_set(CB_ENOMEM, "out of memory");
	for (int i = 0; i < MAX_CLAIM_ROWS; i++) {
		static const char *const parts[] = {"kpi", "before", "after", "from", "to"};
		char name[5][40];
		const char *v[5];
		cb_case_claim *c = &d->claims[d->n_claims];
		int given = 0;

		for (int k = 0; k < 5; k++) {
			snprintf(name[k], sizeof(name[k]), "claim%d.%s", i + 1, parts[k]);
			v[k] = cb_serve_field_get(rq, name[k]);
			given |= v[k] && *v[k];
		}
		if (!given)
			continue;
		if (!v[0] || !*v[0])
			return cb_error_set(CB_EINVALID, "claim %d: give the KPI", i + 1);
		if (cb_decimal_field("before", v[1] ? v[1] : "", -CB_NUMBER_MAX, CB_NUMBER_MAX,
				     &c->before) < 0 ||
		    cb_decimal_field("after", v[2] ? v[2] : "", -CB_NUMBER_MAX, CB_NUMBER_MAX,
				     &c->after) < 0)
			return cb_error_prefix("claim %d", i + 1);
		if (cb_date_parse(v[3] ? v[3] : "", &c->from) < 0 ||
		    cb_date_parse(v[4] ? v[4] : "", &c->to) < 0)
			return cb_error_set(CB_EINVALID,
					    "claim %d: give the period as two dates YYYY-MM-DD",
					    i + 1);
		if (!(c->kpi = strdup(v[0])))
			return cb_error_set(CB_ENOMEM, "out of memory");
		d->n_claims++;
	}
	return cb_frontmatter_validate(d);
}

/* New (slug NULL) or revised: preview, or submit through the app. */
static int post_case(cb_serve_request *rq, const char *slug)
{
	const char *step = cb_serve_field_get(rq, "step");
	cb_case_doc d;
	cb_buf text = CB_BUF_INIT;
	cb_case_written w;
	char to[300];
	int rc;

	if ((rc = doc_from_form(rq, &d)) < 0 || (rc = cb_frontmatter_render(&d, &text)) < 0) {
		if (rc != CB_EINVALID)
			goto done;
		rq->status = 400;
		if ((rc = case_form(rq, slug, NULL, cb_error_last())) == 0)
			rc = cb_serve_page_close(rq);
		goto done;
	}
	if (!step || strcmp(step, "submit") != 0) {
		/* The preview: the evidence check on the claims, the form again. */
		if ((rc = case_form(rq, slug, NULL, NULL)) < 0)
			goto done;
		cb_buf_puts(&rq->body, "<h2>Preview: the claims against the data</h2>\n");
		if (!d.n_claims)
			cb_buf_puts(&rq->body, "<p>No claim to check.</p>\n");
		evidence(rq, &d, 3);
		rc = cb_serve_page_close(rq);
		goto done;
	}
	if (slug)
		rc = cb_app_case_revise(rq->ws, slug, "case.md", cb_buf_cstr(&text), text.len, NULL,
					0, &w);
	else
		rc = cb_app_case_submit(rq->ws, "case.md", cb_buf_cstr(&text), text.len, NULL, NULL,
					0, &w);
	if (rc == CB_EINVALID || rc == CB_EEXISTS || rc == CB_ENOTFOUND) {
		rq->status = 400;
		cb_buf_clear(&rq->body);
		if ((rc = case_form(rq, slug, NULL, cb_error_last())) == 0)
			rc = cb_serve_page_close(rq);
		goto done;
	}
	if (rc < 0)
		goto done;
	snprintf(to, sizeof(to), "/cases/%s?saved=1", w.slug);
	rc = cb_serve_redirect(rq, to);
done:
	cb_frontmatter_clear(&d);
	cb_buf_free(&text);
	return rc;
}

int cb_serve_post_case_new(cb_serve_request *rq, const char *const *arg)
{
	if (!may_write_own(rq))
		return 0;
	return post_case(rq, NULL);
}

/* The revision form and its post: the case's author only, while open. */
static int may_revise(cb_serve_request *rq, const char *slug, cb_case_index *c)
{
	cb_rights_object obj;
	int rc = case_for_action(rq, slug, CB_ACT_CASE_WRITE_OWN, c, &obj);

	if (rc != 0)
		return rc;
	if (strcmp(c->technician, rq->actor.key) != 0) {
		cb_serve_error_page(rq, 403, "only its technician may revise a case study");
		return 1;
	}
	if (strcmp(c->status, "submitted") && strcmp(c->status, "changes-requested")) {
		cb_serve_error_page(rq, 400, "this case study is no longer open to revision");
		return 1;
	}
	return 0;
}

int cb_serve_page_case_edit(cb_serve_request *rq, const char *const *arg)
{
	cb_case_index c = {0};
	cb_case_view v = {0};
	int rc;

	if ((rc = may_revise(rq, arg[0], &c)) != 0)
		goto done;
	if ((rc = cb_app_case_show(rq->ws, arg[0], NULL, &v)) < 0)
		goto done;
	if ((rc = case_form(rq, arg[0], &v.doc, NULL)) == 0)
		rc = cb_serve_page_close(rq);
done:
	cb_case_view_clear(&v);
	cb_case_index_clear(&c);
	return rc < 0 ? rc : 0;
}

int cb_serve_post_case_edit(cb_serve_request *rq, const char *const *arg)
{
	cb_case_index c = {0};
	int rc;

	if ((rc = may_revise(rq, arg[0], &c)) == 0)
		rc = post_case(rq, arg[0]);
	cb_case_index_clear(&c);
	return rc < 0 ? rc : 0;
}
