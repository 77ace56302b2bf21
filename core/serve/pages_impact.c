/* The live report of a program's, a session's or an account's impact,
 * the impact of a trainer, their downloads (HTML, Markdown, JSON, CSV),
 * and the JSON API under /api/v1/. The report is the document `casebook
 * report` writes, from the same renderer (core/view); the JSON is what
 * `impact --json` and `session list --json` print (core/view too). */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/impact.h"
#include "app/report.h"
#include "base/date.h"
#include "base/error.h"
#include "format/html.h"
#include "format/output.h"
#include "serve/cache.h"
#include "serve/pages.h"
#include "store/case.h"
#include "store/person.h"
#include "store/program.h"
#include "store/session.h"
#include "view/impact.h"
#include "view/page.h"
#include "view/records.h"
#include "view/report.h"

/* The report embeds its own style sheet and draws its charts as inline
 * SVG: this page alone may have inline style, never script. */
static const char report_csp[] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
				 "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/* JSON and CSV as the command line writes them (format/output.c: the
 * same 15 significant digits, so a level of 0.95 is 0.95, not
 * 0.94999999999999996): a download or an API answer is byte for byte
 * `impact --json` or `--csv`. Takes v. */
static int emit(cb_serve_request *rq, json_t *v, cb_output_mode mode)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (!v)
		return cb_error_set(CB_ENOMEM, "out of memory");
	if (!(f = open_memstream(&text, &len))) {
		json_decref(v);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	rc = cb_output_render(f, v, mode);
	fclose(f);
	json_decref(v);
	if (rc == 0) {
		rq->content_type = mode == CB_OUTPUT_CSV ? "text/csv; charset=utf-8" : "application/json";
		rc = cb_buf_append(&rq->body, text, len);
	}
	free(text);
	return rc;
}

static int emit_json(cb_serve_request *rq, json_t *v)
{
	return emit(rq, v, CB_OUTPUT_JSON);
}

static int emit_csv(cb_serve_request *rq, json_t *rows)
{
	return emit(rq, rows, CB_OUTPUT_CSV);
}

/* The question in the query: ?program=P, ?session=S, ?account=A or
 * ?trainer=T (impact only: no report is made for a trainer). */
typedef struct question {
	cb_report_request report;
	cb_impact_request impact;
	int reportable;
	const char *what, *key;
} question;

static int ask(cb_serve_request *rq, question *q)
{
	static const struct {
		const char *arg;
		int report_kind, impact_kind;
	} kinds[] = {{"program", CB_REPORT_PROGRAM, CB_EXPOSURE_PROGRAM},
		     {"session", CB_REPORT_SESSION, CB_EXPOSURE_SESSION},
		     {"account", CB_REPORT_ACCOUNT, -1},
		     {"trainer", -1, CB_EXPOSURE_TRAINER}};
	cb_analysis_options defaults = CB_ANALYSIS_OPTIONS_INIT;

	memset(q, 0, sizeof(*q));
	q->impact.lag_days = -1;
	q->impact.analysis = defaults;
	q->impact.control = CB_CONTROL_AUTO;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *v = cb_serve_arg(rq, kinds[i].arg);

		if (!v || !*v)
			continue;
		if (strlen(v) > CB_KEY_MAX)
			return cb_error_set(CB_EINVALID, "%s: a key is at most %d characters",
					    kinds[i].arg, CB_KEY_MAX);
		q->what = kinds[i].arg;
		q->key = v;
		q->reportable = kinds[i].report_kind >= 0;
		q->report.kind = (cb_report_kind)(kinds[i].report_kind >= 0 ? kinds[i].report_kind : 0);
		q->report.key = v;
		q->report.impact = q->impact;
		q->impact.kind = (cb_exposure_kind)(kinds[i].impact_kind >= 0 ? kinds[i].impact_kind : 0);
		q->impact.key = v;
		if (kinds[i].impact_kind < 0 && !q->reportable)
			return 0;
		return 1;
	}
	return 0;
}

static int links(cb_buf *b, const char *what, const char *key, int reportable)
{
	static const struct {
		const char *label, *download;
		int report;
	} kinds[] = {{"report", NULL, 1},	 {"HTML", "html", 1}, {"Markdown", "md", 1},
		     {"JSON", "json", 0}, {"CSV", "csv", 0}};
	int first = 1;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char href[300];

		if (kinds[i].report && !reportable)
			continue;
		if (!reportable && !strcmp(what, "account"))
			continue;
		snprintf(href, sizeof(href), "/impact?%s=%s%s%s", what, key,
			 kinds[i].download ? "&download=" : "", kinds[i].download ? kinds[i].download : "");
		cb_buf_puts(b, first ? "" : " · ");
		cb_buf_puts(b, "<a href=\"");
		cb_html_attr(b, href);
		cb_buf_puts(b, "\">");
		cb_html_text(b, kinds[i].label);
		cb_buf_puts(b, "</a>");
		first = 0;
	}
	return 0;
}

typedef struct index_ctx {
	cb_serve_request *rq;
	const char *what;
} index_ctx;

static int index_row(index_ctx *c, const char *name, const char *key, const char *extra)
{
	char href[300];

	snprintf(href, sizeof(href), "/impact?%s=%s", c->what, key);
	/* The downloads column holds links: written here, escaped. */
	cb_buf_puts(&c->rq->body, "<tr><td><a href=\"");
	cb_html_attr(&c->rq->body, href);
	cb_buf_puts(&c->rq->body, "\">");
	cb_html_text(&c->rq->body, name);
	cb_buf_puts(&c->rq->body, "</a></td><td>");
	cb_html_text(&c->rq->body, extra);
	cb_buf_puts(&c->rq->body, "</td><td>");
	links(&c->rq->body, c->what, key, strcmp(c->what, "trainer") != 0);
	return cb_buf_puts(&c->rq->body, "</td></tr>\n");
}

static int program_row(const cb_program *p, void *ctx)
{
	char count[40];

	snprintf(count, sizeof(count), "%lld session%s", (long long)p->session_count,
		 p->session_count == 1 ? "" : "s");
	return index_row(ctx, p->name, p->key, count);
}

static int trainer_row(const cb_person *p, void *ctx)
{
	return index_row(ctx, p->name, p->key, p->key);
}

static int open_table(cb_buf *b, const char *caption, const char *what)
{
	cb_buf_puts(b, "<div class=\"table\" tabindex=\"0\" role=\"region\" aria-label=\"");
	cb_html_attr(b, caption);
	cb_buf_puts(b, "\"><table><caption>");
	cb_html_text(b, caption);
	cb_buf_puts(b, "</caption>\n<thead><tr><th scope=\"col\">");
	cb_html_text(b, what);
	return cb_buf_puts(b, "</th><th scope=\"col\">About</th><th scope=\"col\">Read or "
			      "download</th></tr></thead>\n<tbody>\n");
}

static int impact_index(cb_serve_request *rq)
{
	index_ctx c = {rq, "program"};
	cb_buf *b = &rq->body;
	int rc;

	cb_serve_page_open(rq, "Impact", "/impact", NULL, 0);
	cb_buf_puts(b, "<p>Did the training move the customers' numbers? For each program, "
		       "its sessions' effect on every KPI against comparable untrained "
		       "accounts measured over the same weeks, how sure we can be, and the "
		       "return on the training's cost.</p>\n");
	open_table(b, "Programs", "Program");
	rc = cb_store_program_each(rq->ws->store, program_row, &c);
	cb_buf_puts(b, "</tbody></table></div>\n");
	if (rc < 0)
		return rc;
	c.what = "trainer";
	open_table(b, "Trainers", "Trainer");
	rc = cb_store_person_each(rq->ws->store, CB_ROLE_TRAINER, trainer_row, &c);
	cb_buf_puts(b, "</tbody></table></div>\n");
	if (rc < 0)
		return rc;
	cb_buf_puts(b, "<p>A session's or an account's report: from its page, or as "
		       "<code>/impact?session=KEY</code> and <code>/impact?account=KEY</code>.</p>\n");
	return cb_serve_page_close(rq);
}

static void attachment(cb_serve_request *rq, const char *what, const char *key, const char *ext)
{
	char value[200], safe[CB_KEY_MAX + 1];
	size_t n = 0;

	/* A key is letters, digits, '.', '_' and '-' already; keep it so. */
	for (const char *p = key; *p && n < CB_KEY_MAX; p++)
		safe[n++] = (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
				    *p) && *p)
				    ? *p
				    : '_';
	safe[n] = '\0';
	snprintf(value, sizeof(value), "attachment; filename=\"%s-%s.%s\"", what, safe, ext);
	cb_serve_add_header(rq, "Content-Disposition", value);
}

static int page_impact(cb_serve_request *rq, question *q);

/* Through the cache (serve/cache.h): the same question on the same data
 * is answered once. */
static int cached(cb_serve_request *rq, question *q, int (*answer)(cb_serve_request *, question *))
{
	cb_buf key = CB_BUF_INIT;
	int rc;

	if ((rc = cb_serve_cache_key(rq, &key)) < 0) {
		cb_buf_free(&key);
		return rc;
	}
	if (cb_serve_cache_get(rq, cb_buf_cstr(&key))) {
		cb_buf_free(&key);
		return 0;
	}
	if ((rc = answer(rq, q)) == 0)
		cb_serve_cache_put(rq, cb_buf_cstr(&key));
	cb_serve_cache_done(cb_buf_cstr(&key));
	cb_buf_free(&key);
	return rc;
}

int cb_serve_page_impact(cb_serve_request *rq, const char *const *arg)
{
	question q;
	int asked;

	if (cb_serve_allowed(rq, CB_ACT_IMPACT_READ, NULL) ||
	    cb_serve_allowed(rq, CB_ACT_REPORT_READ, NULL))
		return 0;
	if ((asked = ask(rq, &q)) < 0)
		return asked;
	if (!asked)
		return impact_index(rq);
	return cached(rq, &q, page_impact);
}

static int page_impact(cb_serve_request *rq, question *qp)
{
	const char *download = cb_serve_arg(rq, "download");
	cb_view_report_options view = {0};
	question q = *qp;
	cb_report *rep = NULL;
	cb_impact_report *r = NULL;
	size_t charts = 0;
	int rc, md;

	if (download && strcmp(download, "json") && strcmp(download, "csv") &&
	    strcmp(download, "md") && strcmp(download, "html"))
		return cb_serve_error_page(rq, 400, "download is html, md, json or csv");
	if (!q.reportable || (download && (!strcmp(download, "json") || !strcmp(download, "csv")))) {
		if (!strcmp(q.what, "account"))
			return cb_serve_error_page(rq, 400, "an account's impact is in its report: "
							    "download html or md");
		if ((rc = cb_app_impact(rq->ws, &q.impact, &r)) < 0)
			return rc;
		if (download && !strcmp(download, "csv")) {
			rc = emit_csv(rq, cb_view_impact_rows(r, NULL, 0, 1));
			attachment(rq, q.what, q.key, "csv");
		} else {
			rc = emit_json(rq, cb_view_impact_json(r));
			if (download)
				attachment(rq, q.what, q.key, "json");
		}
		cb_impact_report_free(r);
		return rc;
	}
	if ((rc = cb_app_report(rq->ws, &q.report, &rep)) < 0)
		return rc;
	md = download && strcmp(download, "md") == 0;
	view.markdown = md;
	view.generated_on = cb_date_today();
	rc = cb_view_report_render(&rq->body, rep, &view, &charts);
	cb_report_free(rep);
	if (rc < 0)
		return rc;
	if (md) {
		rq->content_type = "text/markdown; charset=utf-8";
		attachment(rq, q.what, q.key, "md");
	} else if (download) {
		attachment(rq, q.what, q.key, "html");
	}
	rq->csp = report_csp;
	return 0;
}

/* --- /api/v1 ------------------------------------------------------------------ */

typedef struct api_ctx {
	cb_serve_request *rq;
	json_t *rows;
} api_ctx;

static int api_session(const cb_session *x, void *ctx)
{
	api_ctx *a = ctx;
	cb_rights_object obj;
	int rc = cb_rights_session_object(a->rq->ws, x->key, x->trainer, x->id, &obj);

	if (rc < 0)
		return rc;
	if (!cb_rights_may(&a->rq->actor, CB_ACT_SESSION_READ, &obj))
		return 0;
	return json_array_append_new(a->rows, cb_view_session_json(x)) < 0
		       ? cb_error_set(CB_ENOMEM, "out of memory")
		       : 0;
}

int cb_serve_api_sessions(cb_serve_request *rq, const char *const *arg)
{
	api_ctx a = {rq, json_array()};
	int rc;

	if (!a.rows)
		return cb_error_set(CB_ENOMEM, "out of memory");
	if ((rc = cb_store_session_each(rq->ws->store, NULL, api_session, &a)) < 0) {
		json_decref(a.rows);
		return rc;
	}
	return emit_json(rq, a.rows);
}

static int api_case(const cb_case_index *c, void *ctx)
{
	api_ctx *a = ctx;
	cb_rights_object obj;
	int rc;

	if ((rc = cb_serve_case_object(a->rq, c, &obj)) < 0)
		return rc;
	if (!cb_serve_may_read_case(a->rq, c, &obj))
		return 0;
	return json_array_append_new(a->rows, cb_view_case_json(c)) < 0
		       ? cb_error_set(CB_ENOMEM, "out of memory")
		       : 0;
}

int cb_serve_api_cases(cb_serve_request *rq, const char *const *arg)
{
	api_ctx a = {rq, json_array()};
	int rc;

	if (!a.rows)
		return cb_error_set(CB_ENOMEM, "out of memory");
	if ((rc = cb_store_case_each(rq->ws->store, NULL, api_case, &a)) < 0) {
		json_decref(a.rows);
		return rc;
	}
	return emit_json(rq, a.rows);
}

static int api_impact(cb_serve_request *rq, question *q)
{
	cb_impact_report *r = NULL;
	int rc;

	if ((rc = cb_app_impact(rq->ws, &q->impact, &r)) < 0)
		return rc;
	rc = emit_json(rq, cb_view_impact_json(r));
	cb_impact_report_free(r);
	return rc;
}

int cb_serve_api_impact(cb_serve_request *rq, const char *const *arg)
{
	question q;
	int rc;

	if (cb_serve_allowed(rq, CB_ACT_IMPACT_READ, NULL))
		return 0;
	if ((rc = ask(rq, &q)) < 0)
		return rc;
	if (!rc || !strcmp(q.what, "account"))
		return cb_serve_error_page(rq, 400,
					   "give ?program=KEY, ?session=KEY or ?trainer=KEY");
	return cached(rq, &q, api_impact);
}

/* --- the program dashboard (the manager's home) ------------------------------ */

typedef struct dash_ctx {
	cb_serve_request *rq;
	size_t n;
} dash_ctx;

/* The verdict in words of program p's impact, through the cache. */
static int program_words(cb_serve_request *rq, const cb_program *p, cb_buf *words)
{
	cb_analysis_options defaults = CB_ANALYSIS_OPTIONS_INIT;
	cb_impact_request q = {0};
	cb_impact_report *r = NULL;
	cb_buf key = CB_BUF_INIT, asked = CB_BUF_INIT;
	int rc;

	cb_buf_printf(&asked, "dashboard %s", p->key);
	if ((rc = cb_serve_cache_key_for(rq, cb_buf_cstr(&asked), &key)) < 0)
		goto done;
	if (cb_serve_cache_fetch(cb_buf_cstr(&key), words))
		goto done;
	q.kind = CB_EXPOSURE_PROGRAM;
	q.key = p->key;
	q.lag_days = -1;
	q.analysis = defaults;
	q.control = CB_CONTROL_AUTO;
	rc = cb_app_impact(rq->ws, &q, &r);
	if (rc == 0)
		rc = cb_view_impact_words(r, words);
	else if (rc == CB_EINVALID || rc == CB_ENOTFOUND)
		rc = cb_buf_printf(words, "No answer yet: %s", cb_error_last()) < 0 ? CB_ENOMEM : 0;
	if (rc == 0)
		cb_serve_cache_store(cb_buf_cstr(&key), words->ptr, words->len);
	cb_impact_report_free(r);
done:
	cb_buf_free(&key);
	cb_buf_free(&asked);
	return rc;
}

static int dashboard_program(const cb_program *p, void *ctx)
{
	dash_ctx *d = ctx;
	cb_buf *b = &d->rq->body, words = CB_BUF_INIT;
	int rc = program_words(d->rq, p, &words);

	if (rc < 0) {
		cb_buf_free(&words);
		return rc;
	}
	d->n++;
	cb_buf_puts(b, "<section class=\"verdict\"><h3>");
	cb_html_text(b, p->name);
	cb_buf_puts(b, "</h3>\n<p>");
	cb_html_text(b, cb_buf_cstr(&words));
	cb_buf_puts(b, "</p>\n<p>Read the ");
	links(b, "program", p->key, 1);
	cb_buf_puts(b, "</p></section>\n");
	cb_buf_free(&words);
	return 0;
}

int cb_serve_dashboard(cb_serve_request *rq)
{
	dash_ctx d = {rq, 0};
	int rc;

	cb_buf_puts(&rq->body, "<h2>The program dashboard</h2>\n<p>Did the training move the "
			       "customers' numbers? Each program's answer, against comparable "
			       "untrained accounts over the same weeks.</p>\n");
	if ((rc = cb_store_program_each(rq->ws->store, dashboard_program, &d)) < 0)
		return rc;
	if (!d.n)
		cb_buf_puts(&rq->body, "<p class=\"muted\">No program recorded yet.</p>\n");
	return cb_buf_puts(&rq->body, "<p><a href=\"/impact\">Every program and trainer</a></p>\n");
}
