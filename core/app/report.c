/*
 * Gathering a report. The impact comes from cb_app_impact, run with the
 * exposed accounts' detail so that their windows and values are at hand
 * for choosing and drawing series (the controls' rows, one per untrained
 * account and cohort, are never kept); everything else (series, case studies, outcomes) is read
 * for the accounts that impact found exposed, so the parts agree.
 */
#include "app/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/case.h"
#include "app/outcome.h"
#include "app/series.h"
#include "base/buf.h"
#include "base/error.h"
#include "store/account.h"
#include "store/case.h"
#include "store/exposure.h"
#include "store/program.h"
#include "store/report.h"
#include "store/session.h"

/* A growable array of fixed-size items. */
typedef struct vec {
	void *items;
	size_t n, cap, size;
} vec;

static void *vec_push(vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *p = realloc(v->items, cap * v->size);

		if (!p)
			return NULL;
		v->items = p;
		v->cap = cap;
	}
	memset((char *)v->items + v->n * v->size, 0, v->size);
	return (char *)v->items + v->n++ * v->size;
}

typedef struct key72 {
	char key[72];
} key72;

static int key_order(const void *a, const void *b)
{
	return strcmp(((const key72 *)a)->key, ((const key72 *)b)->key);
}

static int id_order(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Who the report is about: the exposed accounts (ids, sorted), whose
 * outcome agreements it shows. */
typedef struct people {
	vec ids; /* int64_t */
} people;

static void people_free(people *p)
{
	free(p->ids.items);
}

static int on_exposed(int64_t account_id, void *ctx)
{
	int64_t *slot = vec_push(ctx);

	if (!slot)
		return cb_error_set(CB_ENOMEM, "out of memory");
	*slot = account_id;
	return 0;
}

/* The accounts each of the impact's sessions reached, as cb_app_impact
 * finds them. */
static int gather_people(cb_workspace *ws, const cb_impact_report *ir, people *p)
{
	int rc;

	for (size_t i = 0; i < ir->nsessions; i++) {
		char last[CB_DATE_LEN];

		cb_date_format(ir->sessions[i].last, last);
		if ((rc = cb_store_exposure_accounts(ws->store, ir->sessions[i].id, last, 0, on_exposed,
						     &p->ids)) < 0)
			return rc;
	}
	/* An account reached by several sessions counts once. */
	if (p->ids.n) {
		int64_t *ids = p->ids.items;
		size_t n = 1;

		qsort(ids, p->ids.n, sizeof(*ids), id_order);
		for (size_t i = 1; i < p->ids.n; i++)
			if (ids[i] != ids[n - 1])
				ids[n++] = ids[i];
		p->ids.n = n;
	}
	return 0;
}

/* The impact of a program's sessions per format, when there are several. */
static int gather_formats(cb_workspace *ws, cb_report *r)
{
	const cb_impact_report *ir = r->impact;
	const char *formats[8];
	size_t n = 0;

	for (size_t i = 0; i < ir->nsessions; i++) {
		size_t k;

		for (k = 0; k < n && strcmp(formats[k], ir->sessions[i].format) != 0; k++)
			;
		if (k == n && n < 8 && ir->sessions[i].format[0])
			formats[n++] = ir->sessions[i].format;
	}
	if (n < 2)
		return 0;
	r->formats = calloc(n, sizeof(*r->formats));
	if (!r->formats)
		return cb_error_set(CB_ENOMEM, "out of memory");
	for (size_t g = 0; g < n; g++) {
		cb_impact_request q = r->request.impact;
		int rc;

		q.kind = CB_EXPOSURE_PROGRAM;
		q.key = r->request.key;
		q.format = formats[g];
		q.trainer = NULL;
		q.detail = 0;
		q.analysis.keep_scores = 1; /* for the differences between formats */
		snprintf(r->formats[g].format, sizeof(r->formats[g].format), "%s", formats[g]);
		if ((rc = cb_app_impact(ws, &q, &r->formats[g].impact)) < 0)
			return rc;
		r->nformats++;
	}
	return 0;
}

const cb_impact_account *cb_report_account_values(const cb_impact_kpi *ik, const char *account)
{
	for (size_t i = 0; ik->accounts && i < ik->naccounts; i++)
		if (!ik->accounts[i].control && strcmp(ik->accounts[i].key, account) == 0)
			return &ik->accounts[i];
	return NULL;
}

static int on_mark(const char *key, int32_t first, int32_t last, void *ctx)
{
	vec *marks = ctx;
	cb_report_mark *m = vec_push(marks);

	if (!m)
		return cb_error_set(CB_ENOMEM, "out of memory");
	snprintf(m->session, sizeof(m->session), "%s", key);
	m->first = first;
	m->last = last;
	return 0;
}

static int on_point(const cb_series_point *pt, void *ctx)
{
	vec *points = ctx;
	cb_report_point *p = vec_push(points);

	if (!p)
		return cb_error_set(CB_ENOMEM, "out of memory");
	snprintf(p->label, sizeof(p->label), "%s", pt->label);
	p->from = pt->from;
	p->to = pt->to;
	p->has_value = pt->has_value;
	p->value = pt->has_value ? pt->value : NAN;
	p->observations = pt->observations;
	return 0;
}

/* One KPI's monthly series at one account, with the sessions that reached
 * it and, when the impact measured it, its windows. Appends nothing when
 * the KPI has no value there at all. */
static int add_series(cb_workspace *ws, vec *series, const cb_kpi_def *kpi, const char *account,
		      const cb_analysis_windows *windows)
{
	vec points = {NULL, 0, 0, sizeof(cb_report_point)};
	vec marks = {NULL, 0, 0, sizeof(cb_report_mark)};
	cb_report_series *s;
	int64_t account_id;
	int rc, any = 0;

	if ((rc = cb_app_series(ws, account, kpi->key, CB_PERIOD_MONTH, 0, 0, on_point, &points)) < 0)
		goto fail;
	for (size_t i = 0; i < points.n; i++)
		any |= ((cb_report_point *)points.items)[i].has_value;
	if (!any) {
		free(points.items);
		return 0;
	}
	if ((rc = cb_store_account_id(ws->store, account, &account_id)) < 0 ||
	    (rc = cb_store_report_account_sessions(ws->store, account_id, on_mark, &marks)) < 0)
		goto fail;
	if (!(s = vec_push(series))) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto fail;
	}
	s->kpi = kpi;
	snprintf(s->account, sizeof(s->account), "%s", account);
	if (windows) {
		s->has_windows = 1;
		s->windows = *windows;
	}
	s->points = points.items;
	s->npoints = points.n;
	s->marks = marks.items;
	s->nmarks = marks.n;
	return 0;
fail:
	free(points.items);
	free(marks.items);
	return rc;
}

/* How strongly a KPI moved, comparable across units: the effect against
 * the spread of the exposed accounts' changes. 0 when there is no effect
 * to speak of. */
static double strength(const cb_impact_kpi *ik)
{
	const cb_analysis_impact *im = &ik->impact;

	if (im->thin || !isfinite(im->effect) || !isfinite(im->exposed.sd_change) ||
	    im->exposed.sd_change <= 0)
		return 0;
	return fabs(im->effect) / im->exposed.sd_change;
}

static int gather_series(cb_workspace *ws, cb_report *r, vec *series)
{
	const cb_impact_report *ir = r->impact;
	size_t order[CB_REPORT_SERIES_KPIS], n = 0;
	int rc;

	/* The KPIs with the largest effects, strongest first. */
	for (size_t k = 0; k < ir->nkpis; k++) {
		double sk = strength(&ir->kpis[k]);
		size_t at;

		if (sk <= 0)
			continue;
		for (at = n; at > 0 && strength(&ir->kpis[order[at - 1]]) < sk; at--)
			;
		if (at >= CB_REPORT_SERIES_KPIS)
			continue;
		if (n < CB_REPORT_SERIES_KPIS)
			n++;
		memmove(&order[at + 1], &order[at], (n - 1 - at) * sizeof(order[0]));
		order[at] = k;
	}
	for (size_t i = 0; i < n; i++) {
		const cb_impact_kpi *ik = &ir->kpis[order[i]];
		vec picked = {NULL, 0, 0, sizeof(key72)};
		size_t added = 0;

		/* The first exposed accounts by key with values in both windows:
		 * a fixed rule, not the most telling ones. */
		for (size_t a = 0; a < ik->naccounts; a++) {
			const cb_impact_account *ia = &ik->accounts[a];
			key72 *k;

			if (ia->control || !isfinite(ia->baseline) || !isfinite(ia->follow_up))
				continue;
			if (!(k = vec_push(&picked))) {
				free(picked.items);
				return cb_error_set(CB_ENOMEM, "out of memory");
			}
			snprintf(k->key, sizeof(k->key), "%s", ia->key);
		}
		qsort(picked.items, picked.n, picked.size, key_order);
		for (size_t a = 0; a < picked.n && added < CB_REPORT_SERIES_ACCOUNTS; a++) {
			const char *key = ((key72 *)picked.items)[a].key;
			const cb_impact_account *ia = cb_report_account_values(ik, key);
			size_t before = series->n;

			if ((rc = add_series(ws, series, ik->kpi, key, &ia->windows)) < 0) {
				free(picked.items);
				return rc;
			}
			added += series->n > before;
		}
		free(picked.items);
	}
	return 0;
}

/* An account: every KPI that has values there. */
static int gather_account_series(cb_workspace *ws, cb_report *r, vec *series)
{
	const cb_analysis_windows *windows = NULL;
	cb_plugin_host *host;
	int rc;

	if ((rc = cb_workspace_plugins(ws, &host)) < 0)
		return rc;
	if (r->impact) {
		for (size_t k = 0; k < r->impact->nkpis && !windows; k++) {
			const cb_impact_account *ia =
				cb_report_account_values(&r->impact->kpis[k], r->request.key);

			if (ia)
				windows = &ia->windows;
		}
	}
	for (size_t k = 0; k < cb_plugin_kpi_count(host); k++) {
		const cb_kpi_def *kpi = cb_plugin_kpi_at(host, k);

		if (kpi->disabled)
			continue;
		if ((rc = add_series(ws, series, kpi, r->request.key, windows)) < 0)
			return rc;
	}
	return 0;
}

static char *dup_or_null(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*oom = 1;
	return d;
}

/*
 * Which case studies a report lists: for a session or a program, those
 * citing its sessions (the cases `impact --json` counts at level 3); for an
 * account, those about it.
 */
typedef struct cases_ctx {
	const char *account; /* an account report's account key */
	vec citing;          /* int64_t case ids, sorted, for the others */
	vec cases;           /* cb_report_case */
} cases_ctx;

static int on_citing(int64_t id, const char *status, void *ctx)
{
	cases_ctx *c = ctx;
	int64_t *slot;

	(void)status;
	if (!(slot = vec_push(&c->citing)))
		return cb_error_set(CB_ENOMEM, "out of memory");
	*slot = id;
	return 0;
}

static int on_case(const cb_report_case_row *row, void *ctx)
{
	cases_ctx *c = ctx;
	cb_report_case *k;
	int oom = 0;

	if (c->account ? strcmp(row->account, c->account) != 0
		       : !bsearch(&row->id, c->citing.items, c->citing.n, sizeof(int64_t), id_order))
		return 0;
	if (!(k = vec_push(&c->cases)))
		return cb_error_set(CB_ENOMEM, "out of memory");
	k->slug = dup_or_null(row->slug, &oom);
	k->title = dup_or_null(row->title, &oom);
	k->status = dup_or_null(row->status, &oom);
	k->account = dup_or_null(row->account, &oom);
	k->technician = dup_or_null(row->technician, &oom);
	return oom ? cb_error_set(CB_ENOMEM, "out of memory") : 0;
}

/*
 * Holds the claims of case `c` (its text at HEAD of the case-study
 * repository) against the data, as `case show` does, and sums up the
 * verdicts. A case the repository cannot give (an index that is behind:
 * `casebook check` says so) is "not checked", with the reason, and does
 * not stop the report.
 */
static int check_evidence(cb_workspace *ws, cb_report_case *c)
{
	cb_case_view view = {0};
	cb_case_evidence *ev = NULL;
	cb_buf b = CB_BUF_INIT;
	int rc;

	rc = cb_app_case_show(ws, c->slug, NULL, &view);
	if (rc == 0)
		rc = cb_app_case_evidence(ws, &view.doc, &ev);
	if (rc == CB_ENOMEM) {
		cb_case_view_clear(&view);
		return rc;
	}
	if (rc < 0) {
		c->checked = 0;
		rc = cb_buf_printf(&b, "not checked: %s", cb_error_last());
	} else {
		c->checked = 1;
		c->claims = view.doc.n_claims;
		for (size_t i = 0; i < view.doc.n_claims; i++) {
			if (ev[i].verdict == CB_CASE_AGREES)
				c->agrees++;
			else if (ev[i].verdict == CB_CASE_DISAGREES)
				c->disagrees++;
			else if (ev[i].verdict == CB_CASE_TOO_FEW)
				c->too_few++;
			else
				c->no_data++;
		}
		if (!c->claims)
			rc = cb_buf_puts(&b, "no claims");
		if (rc == 0 && c->agrees)
			rc = cb_buf_printf(&b, "%zu agree%s", c->agrees, c->agrees == 1 ? "s" : "");
		if (rc == 0 && c->disagrees)
			rc = cb_buf_printf(&b, "%s%zu disagree%s", c->agrees ? ", " : "", c->disagrees,
					   c->disagrees == 1 ? "s" : "");
		if (rc == 0 && c->too_few)
			rc = cb_buf_printf(&b, "%s%zu on too few observations to check",
					   c->agrees || c->disagrees ? ", " : "", c->too_few);
		if (rc == 0 && c->no_data)
			rc = cb_buf_printf(&b, "%s%zu without data",
					   c->agrees || c->disagrees || c->too_few ? ", " : "", c->no_data);
	}
	if (rc == 0 && !(c->evidence = strdup(cb_buf_cstr(&b))))
		rc = cb_error_set(CB_ENOMEM, "out of memory");
	/* The approval that stands: the last one, on the latest revision. */
	for (size_t i = view.n_reviews; rc == 0 && c->checked && i-- > 0;) {
		const cb_repo_review *rv = &view.reviews[i];
		const char *reason;
		size_t len;

		if (strcmp(rv->decision, "approved") != 0)
			continue;
		if ((!view.indexed || strcmp(rv->revision, view.index.head) == 0) &&
		    (reason = cb_case_despite_evidence(rv->comment, &len)) &&
		    (!(c->despite_by = strdup(rv->name)) ||
		     !(c->despite_reason = strndup(reason, len))))
			rc = cb_error_set(CB_ENOMEM, "out of memory");
		break;
	}
	cb_buf_free(&b);
	free(ev);
	cb_case_view_clear(&view);
	return rc;
}

static int gather_cases(cb_workspace *ws, cb_report *r)
{
	cases_ctx c = {NULL, {NULL, 0, 0, sizeof(int64_t)}, {NULL, 0, 0, sizeof(cb_report_case)}};
	vec counts = {NULL, 0, 0, sizeof(cb_report_status_count)};
	int rc = 0;

	if (r->request.kind == CB_REPORT_ACCOUNT) {
		c.account = r->request.key;
	} else {
		for (size_t i = 0; rc == 0 && r->impact && i < r->impact->nsessions; i++)
			rc = cb_store_case_citing(ws->store, r->impact->sessions[i].key, on_citing, &c);
		if (c.citing.n)
			qsort(c.citing.items, c.citing.n, sizeof(int64_t), id_order);
	}
	if (rc == 0)
		rc = cb_store_report_cases(ws->store, on_case, &c);
	free(c.citing.items);
	r->cases = c.cases.items;
	r->ncases = c.cases.n;
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < r->ncases; i++)
		if ((rc = check_evidence(ws, &r->cases[i])) < 0)
			return rc;
	for (size_t i = 0; i < r->ncases; i++) {
		const char *st = r->cases[i].status ? r->cases[i].status : "unknown";
		cb_report_status_count *sc = NULL;

		for (size_t j = 0; j < counts.n && !sc; j++)
			if (strcmp(((cb_report_status_count *)counts.items)[j].status, st) == 0)
				sc = &((cb_report_status_count *)counts.items)[j];
		if (!sc) {
			if (!(sc = vec_push(&counts))) {
				free(counts.items);
				return cb_error_set(CB_ENOMEM, "out of memory");
			}
			snprintf(sc->status, sizeof(sc->status), "%s", st);
		}
		sc->count++;
	}
	/* Most first, then by name: a stable order for the reader. */
	for (size_t i = 1; i < counts.n; i++) {
		cb_report_status_count *s = counts.items, t = s[i];
		size_t j = i;

		for (; j > 0 && (s[j - 1].count < t.count ||
				 (s[j - 1].count == t.count && strcmp(s[j - 1].status, t.status) > 0));
		     j--)
			s[j] = s[j - 1];
		s[j] = t;
	}
	r->statuses = counts.items;
	r->nstatuses = counts.n;
	return 0;
}

typedef struct outcomes_ctx {
	const people *who;
	vec outcomes; /* cb_report_outcome */
} outcomes_ctx;

static void copy_text(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static int on_outcome(const cb_outcome_status *st, void *ctx)
{
	outcomes_ctx *c = ctx;
	const cb_outcome *o = st->outcome;
	cb_report_outcome *x;

	if (!bsearch(&o->account_id, c->who->ids.items, c->who->ids.n, sizeof(int64_t), id_order))
		return 0;
	if (!(x = vec_push(&c->outcomes)))
		return cb_error_set(CB_ENOMEM, "out of memory");
	copy_text(x->account, sizeof(x->account), o->account);
	copy_text(x->kpi, sizeof(x->kpi), o->kpi);
	copy_text(x->kpi_name, sizeof(x->kpi_name), st->name ? st->name : o->kpi);
	copy_text(x->better, sizeof(x->better), st->better);
	x->target = o->target;
	x->minimum = o->minimum;
	copy_text(x->from, sizeof(x->from), o->from_on);
	copy_text(x->to, sizeof(x->to), o->to_on);
	x->period = st->period;
	copy_text(x->period_attainment, sizeof(x->period_attainment), st->period_attainment);
	copy_text(x->period_reason, sizeof(x->period_reason), st->period_reason);
	x->trained = st->trained;
	copy_text(x->session, sizeof(x->session), st->session);
	x->baseline = st->baseline;
	x->follow_up = st->follow_up;
	copy_text(x->baseline_attainment, sizeof(x->baseline_attainment), st->baseline_attainment);
	copy_text(x->follow_up_attainment, sizeof(x->follow_up_attainment), st->follow_up_attainment);
	return 0;
}

static int gather_outcomes(cb_workspace *ws, cb_report *r, const people *who)
{
	outcomes_ctx c = {who, {NULL, 0, 0, sizeof(cb_report_outcome)}};
	const cb_impact_request *q = r->impact ? &r->impact->request : &r->request.impact;
	int window = q->window_days ? q->window_days : CB_ANALYSIS_WINDOW_DAYS;
	int lag = q->lag_days >= 0 ? q->lag_days : CB_ANALYSIS_LAG_DAYS;
	int rc;

	rc = cb_app_outcome_status(ws, r->request.kind == CB_REPORT_ACCOUNT ? r->request.key : NULL,
				   window, lag, on_outcome, &c);
	r->outcomes = c.outcomes.items;
	r->noutcomes = c.outcomes.n;
	return rc;
}

/* The subject's title, and for an account the session whose impact shows. */
static int subject(cb_workspace *ws, cb_report *r, people *who)
{
	int rc;

	if (r->request.kind == CB_REPORT_SESSION) {
		cb_session x = {0};

		if ((rc = cb_store_session_get(ws->store, r->request.key, &x)) < 0)
			return rc;
		snprintf(r->title, sizeof(r->title), "Session %s: %s", x.key, x.title);
		cb_session_clear(&x);
	} else if (r->request.kind == CB_REPORT_PROGRAM) {
		cb_program x = {0};

		if ((rc = cb_store_program_get(ws->store, r->request.key, &x)) < 0)
			return rc;
		snprintf(r->title, sizeof(r->title), "Program %s: %s", x.key, x.name);
		cb_program_clear(&x);
	} else {
		cb_account x = {0};
		int32_t first, last;
		int found;
		int64_t *slot;

		if ((rc = cb_store_account_get(ws->store, r->request.key, &x)) < 0)
			return rc;
		snprintf(r->title, sizeof(r->title), "Account %s: %s", x.key, x.name);
		rc = cb_store_exposure_first_for_account(ws->store, x.id, &found, r->impact_session,
							 &first, &last);
		if (rc == 0 && !found)
			r->impact_session[0] = '\0';
		slot = rc == 0 ? vec_push(&who->ids) : NULL;
		if (rc == 0 && !slot)
			rc = cb_error_set(CB_ENOMEM, "out of memory");
		if (rc == 0)
			*slot = x.id;
		cb_account_clear(&x);
		return rc;
	}
	return 0;
}

int cb_app_report(cb_workspace *ws, const cb_report_request *req, cb_report **out)
{
	vec series = {NULL, 0, 0, sizeof(cb_report_series)};
	people who = {{NULL, 0, 0, sizeof(int64_t)}};
	cb_report *r;
	int rc;

	*out = NULL;
	if (!req->key || !*req->key)
		return cb_error_set(CB_EINVALID, "name the session, program or account to report on");
	r = calloc(1, sizeof(*r));
	if (!r)
		return cb_error_set(CB_ENOMEM, "out of memory");
	r->request = *req;
	if ((rc = subject(ws, r, &who)) < 0)
		goto done;
	if (req->kind != CB_REPORT_ACCOUNT || r->impact_session[0]) {
		cb_impact_request q = req->impact;

		q.kind = req->kind == CB_REPORT_PROGRAM ? CB_EXPOSURE_PROGRAM : CB_EXPOSURE_SESSION;
		q.key = req->kind == CB_REPORT_ACCOUNT ? r->impact_session : req->key;
		q.format = NULL;
		q.trainer = NULL;
		q.detail = CB_IMPACT_DETAIL_EXPOSED; /* the charts draw exposed accounts */
		if ((rc = cb_app_impact(ws, &q, &r->impact)) < 0)
			goto done;
	}
	if (req->kind != CB_REPORT_ACCOUNT) {
		if ((rc = gather_people(ws, r->impact, &who)) < 0 ||
		    (req->kind == CB_REPORT_PROGRAM && (rc = gather_formats(ws, r)) < 0) ||
		    (rc = gather_series(ws, r, &series)) < 0)
			goto done;
	} else if ((rc = gather_account_series(ws, r, &series)) < 0) {
		goto done;
	}
	if ((rc = gather_cases(ws, r)) < 0 || (rc = gather_outcomes(ws, r, &who)) < 0)
		goto done;
	rc = 0;
done:
	r->series = series.items;
	r->nseries = series.n;
	people_free(&who);
	if (rc < 0)
		cb_report_free(r);
	else
		*out = r;
	return rc;
}

void cb_report_free(cb_report *r)
{
	if (!r)
		return;
	cb_impact_report_free(r->impact);
	for (size_t i = 0; i < r->nformats; i++)
		cb_impact_report_free(r->formats[i].impact);
	free(r->formats);
	for (size_t i = 0; i < r->nseries; i++) {
		free(r->series[i].marks);
		free(r->series[i].points);
	}
	free(r->series);
	for (size_t i = 0; i < r->ncases; i++) {
		cb_report_case *c = &r->cases[i];

		free(c->slug);
		free(c->title);
		free(c->status);
		free(c->account);
		free(c->technician);
		free(c->evidence);
		free(c->despite_by);
		free(c->despite_reason);
	}
	free(r->cases);
	free(r->statuses);
	free(r->outcomes);
	free(r);
}
