/*
 * The impact analysis. Exposed accounts are grouped in cohorts by the days
 * of the first session of the exposure that reached them; each cohort's
 * control accounts are measured over that cohort's own windows, so that
 * both groups are measured over the same calendar days (a season or a
 * market trend cancels). Each account's observations of the input
 * measures are read once per group of KPIs, as one range of the clustered
 * table spanning all the windows it is measured over, and sliced per KPI
 * and window: one Lua call per account, cohort, KPI and window.
 */
#include "app/impact.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/case.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "base/tempfile.h"
#include "base/text.h"
#include "store/account.h"
#include "store/case.h"
#include "store/observation.h"
#include "store/person.h"
#include "store/session.h"

/* An account in the analysis: exposed (in its cohort), a control, or, with
 * not-yet-trained controls, both: trained with a later cohort and a control
 * for earlier ones. */
typedef struct entry {
	int64_t id;
	int32_t first, last; /* exposed: the days of the first session that reached it */
	int32_t start;       /* first day of training by the exposure's programs;
			      * INT32_MAX: never (or not asked) */
	int exposed;
	size_t cohort;       /* exposed: its cohort */
	char key[72];
} entry;

typedef struct entries {
	entry *items;
	size_t n, cap;
	int64_t *slots; /* open addressing: index + 1 by account id; 0 empty */
	size_t nslots;
} entries;

static void entries_free(entries *e)
{
	free(e->items);
	free(e->slots);
	*e = (entries){0};
}

static ptrdiff_t entries_find(const entries *e, int64_t id)
{
	size_t i;

	if (!e->nslots)
		return -1;
	for (i = (size_t)(id * 2654435761u) & (e->nslots - 1); e->slots[i];
	     i = (i + 1) & (e->nslots - 1))
		if (e->items[e->slots[i] - 1].id == id)
			return (ptrdiff_t)e->slots[i] - 1;
	return -1;
}

static int entries_add(entries *e, int64_t id, int32_t first, int32_t last, int exposed)
{
	size_t i;

	if (entries_find(e, id) >= 0)
		return 0; /* the first session to reach an account counts */
	if (cb_array_reserve(&e->items, &e->cap, e->n, sizeof(*e->items), 64) < 0)
		return CB_ENOMEM;
	if ((e->n + 1) * 2 > e->nslots) {
		size_t nslots = e->nslots ? e->nslots * 2 : 256;
		int64_t *slots = calloc(nslots, sizeof(*slots));

		if (!slots)
			return cb_error_set(CB_ENOMEM, "out of memory");
		free(e->slots);
		e->slots = slots;
		e->nslots = nslots;
		for (size_t k = 0; k < e->n; k++) {
			for (i = (size_t)(e->items[k].id * 2654435761u) & (nslots - 1); slots[i];
			     i = (i + 1) & (nslots - 1))
				;
			slots[i] = (int64_t)k + 1;
		}
	}
	e->items[e->n] = (entry){id, first, last, INT32_MAX, exposed, 0, ""};
	for (i = (size_t)(id * 2654435761u) & (e->nslots - 1); e->slots[i];
	     i = (i + 1) & (e->nslots - 1))
		;
	e->slots[i] = (int64_t)++e->n;
	return 0;
}

typedef struct reach_ctx {
	entries *e;
	const cb_exposure_session *session;
	size_t n; /* calls: the accounts this exposure reached through the session */
} reach_ctx;

static int on_reached(int64_t account_id, void *ctx)
{
	reach_ctx *r = ctx;

	r->n++;
	return entries_add(r->e, account_id, r->session->first, r->session->last, 1);
}

/* All the accounts a session reached, and whether `mine` is one. */
typedef struct count_ctx {
	size_t n;
	int64_t mine;
	int has_mine;
} count_ctx;

static int on_counted(int64_t account_id, void *ctx)
{
	count_ctx *c = ctx;

	c->n++;
	if (account_id == c->mine)
		c->has_mine = 1;
	return 0;
}

/*
 * The part of session s's cost that an exposure reaching `here` of its
 * accounts bears. A session, program or trainer bears the whole cost; a
 * technician or a case study reaches only some of the accounts the session
 * reached, and bears their share, so that its ROI sets the benefit at its
 * accounts against the cost of reaching them (Phillips: costs allocated
 * as the benefits are counted). A case's account counts with the session's
 * even when no link or coverage says the session reached it.
 */
static int cost_share(cb_workspace *ws, const cb_exposure_session *s, const char *last,
		      int64_t case_account, size_t here, double *share)
{
	count_ctx c = {0, case_account, 0};
	int rc;

	*share = 1;
	if ((rc = cb_store_exposure_accounts(ws->store, s->id, last, 0, on_counted, &c)) < 0)
		return rc;
	if (case_account && !c.has_mine)
		c.n++;
	if (c.n > 0 && here < c.n)
		*share = (double)here / (double)c.n;
	return 0;
}

/* Kirkpatrick levels 1 and 2 from the sessions' attendance. */
typedef struct levels_ctx {
	cb_impact_levels *l;
	double reaction_sum, pre_sum, post_sum;
} levels_ctx;

static int on_attendance(const cb_attendance *a, void *ctx)
{
	levels_ctx *c = ctx;

	c->l->attendees++;
	if (a->status && strcmp(a->status, "absent") != 0)
		c->l->attended++;
	if (a->has_reaction) {
		c->l->reactions++;
		c->reaction_sum += a->reaction;
	}
	if (a->has_pre && a->has_post) {
		c->l->tested++;
		c->pre_sum += a->pre_score;
		c->post_sum += a->post_score;
	}
	return 0;
}

/* The case studies citing the sessions, with their status (the index in
 * cb_case_statuses; 4 and up: another), as the store gives them: a case
 * citing two of the sessions comes twice, and counts once (sorted by id,
 * then counted). */
typedef struct case_cite {
	int64_t id;
	size_t status;
} case_cite;

typedef struct cases_ctx {
	case_cite *cites;
	size_t n, cap;
} cases_ctx;

static int on_citing_case(int64_t id, const char *status, void *ctx)
{
	cases_ctx *c = ctx;
	size_t k;

	if (cb_array_reserve(&c->cites, &c->cap, c->n, sizeof(*c->cites), 16) < 0)
		return CB_ENOMEM;
	for (k = 0; cb_case_statuses[k] && strcmp(cb_case_statuses[k], status) != 0; k++)
		;
	c->cites[c->n].id = id;
	c->cites[c->n++].status = k;
	return 0;
}

static int cmp_cite(const void *a, const void *b)
{
	int64_t x = ((const case_cite *)a)->id, y = ((const case_cite *)b)->id;

	return (x > y) - (x < y);
}

static void count_cases(cases_ctx *c, cb_impact_levels *l)
{
	if (c->n > 1)
		qsort(c->cites, c->n, sizeof(*c->cites), cmp_cite);
	for (size_t i = 0; i < c->n; i++) {
		if (i > 0 && c->cites[i].id == c->cites[i - 1].id)
			continue;
		if (c->cites[i].status < sizeof(l->cases_by_status) / sizeof(l->cases_by_status[0]))
			l->cases_by_status[c->cites[i].status]++;
		l->cases++;
	}
}

static int levels_of(cb_workspace *ws, cb_impact_report *r)
{
	levels_ctx c = {&r->levels, 0, 0, 0};
	cases_ctx cc = {NULL, 0, 0};
	int rc = 0;

	for (size_t i = 0; i < r->nsessions; i++)
		if ((rc = cb_store_attendance_each(ws->store, r->sessions[i].id, on_attendance, &c)) < 0)
			return rc;
	for (size_t i = 0; i < r->nsessions; i++)
		if ((rc = cb_store_case_citing(ws->store, r->sessions[i].key, on_citing_case, &cc)) < 0)
			break;
	if (rc == 0)
		count_cases(&cc, &r->levels);
	free(cc.cites);
	if (rc < 0)
		return rc;
	r->levels.reaction_mean = r->levels.reactions ? c.reaction_sum / (double)r->levels.reactions : NAN;
	r->levels.pre_mean = r->levels.tested ? c.pre_sum / (double)r->levels.tested : NAN;
	r->levels.post_mean = r->levels.tested ? c.post_sum / (double)r->levels.tested : NAN;
	r->levels.gain_mean = r->levels.tested ? r->levels.post_mean - r->levels.pre_mean : NAN;
	return 0;
}

/* The KPIs asked for, or every KPI that works. */
static int pick_kpis(cb_plugin_host *host, const cb_impact_request *req, cb_impact_report *r)
{
	size_t n = req->kpis ? req->nkpis : cb_plugin_kpi_count(host);

	r->kpis = calloc(n ? n : 1, sizeof(*r->kpis));
	if (!r->kpis)
		return cb_error_set(CB_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const cb_kpi_def *k;

		if (req->kpis) {
			k = cb_plugin_kpi_find(host, req->kpis[i]);
			if (!k) {
				const char *keys[512];
				size_t nk = 0;
				const char *hint;

				for (size_t j = 0; j < cb_plugin_kpi_count(host) && nk < 512; j++)
					keys[nk++] = cb_plugin_kpi_at(host, j)->key;
				hint = cb_text_suggest(req->kpis[i], keys, nk);
				return hint ? cb_error_set(CB_EINVALID, "unknown KPI '%s' (did you mean '%s'?)",
							   req->kpis[i], hint)
					    : cb_error_set(CB_EINVALID, "unknown KPI '%s' ('casebook kpi list')",
							   req->kpis[i]);
			}
			if (k->disabled)
				return cb_error_set(CB_EINVALID, "%s", k->disabled_reason);
		} else {
			k = cb_plugin_kpi_at(host, i);
			if (k->disabled)
				continue;
		}
		r->kpis[r->nkpis++].kpi = k;
	}
	return 0;
}

/* The measures the chosen KPIs read, with their store ids (0: never
 * observed, so always an empty series). */
typedef struct needed {
	const char **keys;
	int64_t *ids;
	size_t n;
	size_t *slots;  /* for each KPI's inputs in turn, its measure's index */
	size_t *first;  /* per KPI: where its inputs start in slots */
	int *observed;  /* per KPI: ever_observed */
} needed;

static int needed_measures(cb_workspace *ws, const cb_impact_report *r, needed *nd)
{
	size_t cap = 0;
	int rc;

	for (size_t i = 0; i < r->nkpis; i++)
		cap += r->kpis[i].kpi->ninputs;
	nd->keys = calloc(cap ? cap : 1, sizeof(*nd->keys));
	nd->ids = calloc(cap ? cap : 1, sizeof(*nd->ids));
	nd->slots = calloc(cap ? cap : 1, sizeof(*nd->slots));
	nd->first = calloc(r->nkpis + 1, sizeof(*nd->first));
	nd->observed = calloc(r->nkpis + 1, sizeof(*nd->observed));
	if (!nd->keys || !nd->ids || !nd->slots || !nd->first || !nd->observed)
		return cb_error_set(CB_ENOMEM, "out of memory");
	cap = 0;
	for (size_t i = 0; i < r->nkpis; i++) {
		const cb_kpi_def *k = r->kpis[i].kpi;

		nd->first[i] = cap;
		for (size_t j = 0; j < k->ninputs; j++) {
			size_t m;

			for (m = 0; m < nd->n; m++)
				if (strcmp(nd->keys[m], k->inputs[j]) == 0)
					break;
			nd->slots[cap++] = m;
			if (m == nd->n) {
				nd->keys[nd->n] = k->inputs[j];
				rc = cb_store_measure_id(ws->store, k->inputs[j], 0, &nd->ids[nd->n]);
				if (rc == CB_ENOTFOUND)
					nd->ids[nd->n] = 0;
				else if (rc < 0)
					return rc;
				nd->n++;
			}
			/* Whether any input was ever observed in this workspace: a
			 * KPI whose measures never were has nothing to say about
			 * training, and must not pass for "no change" through a
			 * plugin that counts an empty window as 0. */
			if (nd->ids[m])
				nd->observed[i] = 1;
		}
	}
	return 0;
}

static void needed_free(needed *nd)
{
	free(nd->keys);
	free(nd->ids);
	free(nd->slots);
	free(nd->first);
	free(nd->observed);
}

static size_t lower_bound(const int64_t *t, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* lower_bound, knowing that the answer for the last x asked of this series
 * was *hint (the next x is usually a little further on: a row's window
 * of the next cohort): a gallop from the hint, which becomes the answer. */
static size_t bound_near(const int64_t *t, size_t n, int64_t x, size_t *hint)
{
	size_t lo = *hint <= n ? *hint : n, step = 1, end;

	if (lo > 0 && t[lo - 1] >= x) {
		lo = lower_bound(t, lo, x);
	} else {
		/* Every t[i] < x for i < lo. */
		while (lo + step <= n && t[lo + step - 1] < x) {
			lo += step;
			step <<= 1;
		}
		end = lo + step - 1 < n ? lo + step - 1 : n;
		lo += lower_bound(t + lo, end - lo, x);
	}
	return *hint = lo;
}

/* Computes one KPI over one window of one account; NaN when there is no
 * value (nil, or a failure, which is tallied with its message; a nil is
 * tallied only for the baseline and follow-up, `main`). */
/* A window of a cohort, as the analysis measures it: its days, and the
 * same as the plugins see them (YYYY-MM-DD, `to` exclusive). */
typedef struct window_def {
	cb_analysis_span span;
	int64_t from_at, to_at; /* the span in seconds */
	int measured; /* window_measured */
	char from[CB_DATE_LEN], to[CB_DATE_LEN];
} window_def;

/* The last answer of one KPI over one window index, for the current
 * account: the next row's same window over the same slices of its series
 * (the next cohort, a day later, often holds the same observations) has
 * the same answer when it was the observations' alone. */
#define REUSE_INPUTS 8 /* KPIs with more inputs are always computed */

typedef struct reuse {
	uint64_t gen; /* the account's; 0: nothing kept */
	int rc;       /* 0: value; 1: nil */
	double value;
	size_t from[REUSE_INPUTS], to[REUSE_INPUTS];
} reuse;

static double window_value(cb_plugin_host *host, cb_impact_kpi *ik, const size_t *slots,
			   const cb_series_buf *bufs, size_t *hints, const char *account,
			   const window_def *wd, int main, cb_series *views, int64_t *obs,
			   reuse *last, uint64_t gen)
{
	const cb_kpi_def *k = ik->kpi;
	int64_t from_at, to_at;
	char *reason = NULL;
	double v = NAN;
	int rc, same = last->gen == gen && k->ninputs <= REUSE_INPUTS, pure = 0;

	from_at = wd->from_at;
	to_at = wd->to_at;
	*obs = 0;
	for (size_t i = 0; i < k->ninputs; i++) {
		size_t m = slots[i], a, b;

		a = bound_near(bufs[m].times, bufs[m].n, from_at, &hints[2 * m]);
		b = bound_near(bufs[m].times, bufs[m].n, to_at, &hints[2 * m + 1]);
		views[i] = (cb_series){bufs[m].values + a, bufs[m].times + a, b - a};
		*obs += (int64_t)(b - a);
		if (same && (last->from[i] != a || last->to[i] != b))
			same = 0;
		if (i < REUSE_INPUTS) {
			last->from[i] = a;
			last->to[i] = b;
		}
	}
	if (same) {
		ik->nil_windows += last->rc == 1 && main;
		return last->rc == 0 ? last->value : NAN;
	}
	{
		cb_window w = {account, wd->from, wd->to, views};

		/* The reason of a nil is kept once, from a baseline or follow-up. */
		rc = cb_plugin_kpi_compute_pure(host, k, &w, &v,
						main && !ik->nil_reason[0] ? &reason : NULL, &pure);
	}
	last->gen = pure && (rc == 0 || rc == 1) ? gen : 0;
	last->rc = rc;
	last->value = v;
	if (rc == 1) {
		ik->nil_windows += main != 0;
		if (main && !ik->nil_reason[0])
			snprintf(ik->nil_reason, sizeof(ik->nil_reason), "%s", reason ? reason : "");
		v = NAN;
	} else if (rc < 0) {
		char last_day[CB_DATE_LEN];

		cb_date_format(wd->span.to - 1, last_day);
		ik->failed_windows++;
		if (!ik->failure[0])
			snprintf(ik->failure, sizeof(ik->failure), "%s, for account %s over %s..%s",
				 cb_error_last(), account, wd->from, last_day);
		v = NAN;
	}
	free(reason);
	return v;
}

static int money(cb_workspace *ws, cb_impact_report *r, cb_impact_kpi *ik)
{
	cb_analysis_roi_input in;
	int found, rc;

	if ((rc = cb_store_kpi_value_get(ws->store, ik->kpi->key, &ik->value, &found)) < 0)
		return rc;
	ik->has_value = found;
	if (!found)
		return 0;
	if (ik->impact.thin) {
		snprintf(ik->roi_note, sizeof(ik->roi_note), "no effect to value: %s", ik->impact.reason);
		return 0;
	}
	if (r->mixed_currency || (r->cost > 0 && strcmp(r->currency, ik->value.currency) != 0)) {
		snprintf(ik->roi_note, sizeof(ik->roi_note),
			 "the sessions' costs are in %s, the KPI's value in %s: no exchange rates here",
			 r->mixed_currency ? "several currencies" : r->currency, ik->value.currency);
		return 0;
	}
	in.effect = ik->impact.effect;
	in.effect_ci = ik->impact.effect_ci;
	in.better = ik->kpi->better == CB_KPI_HIGHER ? CB_ANALYSIS_HIGHER_IS_BETTER
						     : CB_ANALYSIS_LOWER_IS_BETTER;
	in.kind = strcmp(ik->value.kind, "total") == 0 ? CB_ANALYSIS_KPI_WINDOW_TOTAL
						       : CB_ANALYSIS_KPI_LEVEL;
	in.value = ik->value.per_unit;
	in.accounts = ik->impact.exposed.paired;
	in.follow_up_days = r->request.window_days;
	in.cost = r->cost;
	if (cb_analysis_roi_compute(&in, &ik->roi) < 0) {
		snprintf(ik->roi_note, sizeof(ik->roi_note), "%s", cb_error_last());
		return 0;
	}
	ik->roi_ok = 1;
	return 0;
}

/* A case study's question is about the KPIs it claims: they are the
 * default (each once, in the case's order); a case without claims gets
 * every KPI. */
static int claimed_kpis(cb_workspace *ws, cb_impact_report *r)
{
	cb_case_index c;
	int found, rc;

	if ((rc = cb_store_case_get(ws->store, r->request.key, &c, &found)) < 0 || !found)
		return rc; /* an unknown slug is reported with its suggestion later */
	if (c.n_claims && !(r->case_kpis = calloc(c.n_claims, sizeof(*r->case_kpis))))
		rc = cb_error_set(CB_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < c.n_claims; i++) {
		size_t k;

		for (k = 0; k < r->ncase_kpis && strcmp(r->case_kpis[k], c.claims[i].kpi) != 0; k++)
			;
		if (k < r->ncase_kpis)
			continue;
		if (!(r->case_kpis[r->ncase_kpis] = strdup(c.claims[i].kpi)))
			rc = cb_error_set(CB_ENOMEM, "out of memory");
		else
			r->ncase_kpis++;
	}
	cb_case_index_clear(&c);
	if (rc == 0 && r->ncase_kpis) {
		r->request.kpis = (const char *const *)r->case_kpis;
		r->request.nkpis = r->ncase_kpis;
	}
	return rc;
}

static int resolve_exposure(cb_workspace *ws, cb_impact_report *r, entries *accounts)
{
	const cb_impact_request *req = &r->request;
	int64_t technician = 0, case_account = 0;
	char case_account_key[72];
	int rc;

	if ((rc = cb_store_exposure_sessions(ws->store, req->kind, req->key, req->format,
					     req->trainer, &r->sessions, &r->nsessions)) < 0)
		return rc;
	if (!r->nsessions)
		return cb_error_set(CB_EINVALID, "%s '%s' has no sessions%s%s%s%s to measure",
				    req->kind == CB_EXPOSURE_PROGRAM   ? "program"
				    : req->kind == CB_EXPOSURE_TRAINER ? "trainer"
				    : req->kind == CB_EXPOSURE_TECHNICIAN ? "technician"
				    : req->kind == CB_EXPOSURE_CASE      ? "case study"
									 : "session",
				    req->key, req->format ? " in format " : "",
				    req->format ? req->format : "", req->trainer ? " by " : "",
				    req->trainer ? req->trainer : "");
	if (req->kind == CB_EXPOSURE_TECHNICIAN &&
	    (rc = cb_store_person_id(ws->store, req->key, &technician)) < 0)
		return rc;
	if (req->kind == CB_EXPOSURE_CASE) {
		if ((rc = cb_store_exposure_case_account(ws->store, req->key, &case_account,
							 case_account_key)) < 0)
			return rc;
		if (!case_account)
			return cb_error_set(CB_EINVALID,
					    "case study '%s' is about account '%s', which this workspace does not have",
					    req->key, case_account_key);
	}
	for (size_t i = 0; i < r->nsessions; i++) {
		const cb_exposure_session *s = &r->sessions[i];
		reach_ctx c = {accounts, s, 0};
		char last[CB_DATE_LEN];
		double share = 1;

		cb_date_format(s->last, last);
		/* A case study exposes its own account, from the first session
		 * it cites (entries keep the first). */
		if (case_account)
			rc = on_reached(case_account, &c);
		else
			rc = cb_store_exposure_accounts(ws->store, s->id, last, technician, on_reached,
							&c);
		if (rc < 0)
			return rc;
		if (s->cost > 0) {
			if ((technician || case_account) &&
			    (rc = cost_share(ws, s, last, case_account, c.n, &share)) < 0)
				return rc;
			if (!r->currency[0])
				snprintf(r->currency, sizeof(r->currency), "%s", s->currency);
			else if (strcmp(r->currency, s->currency) != 0)
				r->mixed_currency = 1;
			r->cost += s->cost * share;
			r->cost_full += s->cost;
		}
	}
	r->exposed = accounts->n;
	if (!r->exposed)
		return cb_error_set(CB_EINVALID,
				    "no account was reached by %s: link accounts to its sessions "
				    "(session record --account) or record which accounts the attendees cover",
				    req->key);
	return 0;
}

/* The cohorts: exposed accounts whose training began and ended on the same
 * days, by first day; each entry learns its cohort. */
static int cmp_cohort(const void *a, const void *b)
{
	const cb_impact_cohort *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->last > y->last) - (x->last < y->last);
}

static int make_cohorts(cb_impact_report *r, entries *accounts)
{
	size_t n = 0;

	r->cohorts = calloc(accounts->n + 1, sizeof(*r->cohorts));
	if (!r->cohorts)
		return cb_error_set(CB_ENOMEM, "out of memory");
	for (size_t i = 0; i < accounts->n; i++) {
		const entry *e = &accounts->items[i];
		size_t g;

		for (g = 0; g < n && (r->cohorts[g].first != e->first || r->cohorts[g].last != e->last); g++)
			;
		if (g == n)
			r->cohorts[n++] = (cb_impact_cohort){e->first, e->last, {{0, 0}, {0, 0}}, 0, 0};
	}
	qsort(r->cohorts, n, sizeof(*r->cohorts), cmp_cohort);
	r->ncohorts = n;
	for (size_t g = 0; g < n; g++) {
		int rc = cb_analysis_windows_make(r->cohorts[g].first, r->cohorts[g].last,
						  r->request.window_days, r->request.lag_days,
						  &r->cohorts[g].windows);

		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < accounts->n; i++) {
		entry *e = &accounts->items[i];
		size_t g = 0;

		while (r->cohorts[g].first != e->first || r->cohorts[g].last != e->last)
			g++;
		e->cohort = g;
		r->cohorts[g].exposed++;
	}
	return 0;
}

typedef struct starts_ctx {
	entries *e;
	int not_yet;
} starts_ctx;

/* An account and when the exposure's programs first trained it: an
 * exposed one learns it (its own first day at the latest); one never
 * trained is a control; with not-yet, so is one trained at some date. */
static int on_training_start(int64_t account_id, int32_t first_day, void *ctx)
{
	starts_ctx *c = ctx;
	ptrdiff_t at = entries_find(c->e, account_id);
	int rc;

	if (at >= 0) {
		entry *e = &c->e->items[at];

		e->start = first_day < e->first ? first_day : e->first;
		return 0;
	}
	if (first_day != INT32_MAX && !c->not_yet)
		return 0;
	if ((rc = entries_add(c->e, account_id, 0, 0, 0)) < 0)
		return rc;
	c->e->items[c->e->n - 1].start = first_day;
	return 0;
}

static int resolve_control(cb_workspace *ws, cb_impact_report *r, entries *accounts)
{
	const cb_impact_request *req = &r->request;
	int rc;

	if (req->control == CB_CONTROL_NONE)
		return 0;
	if (req->control == CB_CONTROL_NAMED) {
		for (size_t i = 0; i < req->ncontrols; i++) {
			int64_t id;
			ptrdiff_t at;

			if ((rc = cb_store_account_id(ws->store, req->controls[i], &id)) < 0)
				return rc;
			at = entries_find(accounts, id);
			if (at >= 0 && accounts->items[at].exposed) {
				for (size_t s = 0; s < r->nsessions; s++)
					if (r->sessions[s].first == accounts->items[at].first)
						return cb_error_set(CB_EINVALID,
								    "account '%s' was exposed (session %s) and "
								    "cannot be a control",
								    req->controls[i], r->sessions[s].key);
				return cb_error_set(CB_EINVALID, "account '%s' was exposed and cannot be a control",
						    req->controls[i]);
			}
			if (at < 0 && (rc = entries_add(accounts, id, 0, 0, 0)) < 0)
				return rc;
		}
	} else {
		int64_t *programs = malloc(r->nsessions * sizeof(*programs));
		size_t np = 0;
		starts_ctx c = {accounts, req->control == CB_CONTROL_NOT_YET};

		if (!programs)
			return cb_error_set(CB_ENOMEM, "out of memory");
		for (size_t i = 0; i < r->nsessions; i++) {
			size_t k;

			for (k = 0; k < np && programs[k] != r->sessions[i].program_id; k++)
				;
			if (k == np)
				programs[np++] = r->sessions[i].program_id;
		}
		rc = cb_store_exposure_training_starts(ws->store, programs, np, on_training_start, &c);
		free(programs);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A row of the analysis: entry `entry` measured over the windows of
 * cohort `cohort`, as one of its exposed accounts or as a control. */
/* 12 bytes: at 20,000 accounts and 100 cohorts there are 2 million. Its
 * `account` is the entry's index in the run's entries. */
typedef cb_analysis_key row;

/* Whether entry e can be a control for cohort g through window `to` (the
 * first day after the last window compared): never trained, named, or,
 * with not-yet controls, trained only from that day on. */
static int control_for(const cb_impact_request *req, const entry *e, int32_t to)
{
	if (req->control == CB_CONTROL_NONE)
		return 0;
	if (req->control == CB_CONTROL_NAMED)
		return !e->exposed;
	return e->start == INT32_MAX || (req->control == CB_CONTROL_NOT_YET && e->start >= to);
}

/* The rows, grouped by entry: every exposed account in its cohort, every
 * control for every cohort it can be one for. */
static int make_rows(cb_impact_report *r, const entries *accounts, row **out, size_t *n)
{
	size_t cap = 0, controls = 0;
	row *rows = NULL;

	*n = 0;
	if (accounts->n > UINT32_MAX || r->ncohorts > UINT32_MAX)
		return cb_error_set(CB_EINVALID, "%zu accounts in %zu cohorts: more than an impact takes",
				    accounts->n, r->ncohorts);
	for (size_t i = 0; i < accounts->n; i++) {
		const entry *e = &accounts->items[i];
		int control = 0;

		for (size_t g = 0; g < r->ncohorts; g++) {
			int exposed = e->exposed && e->cohort == g;

			if (!exposed && !control_for(&r->request, e, r->cohorts[g].windows.follow_up.to))
				continue;
			if (cb_array_reserve(&rows, &cap, *n, sizeof(*rows), 256) < 0) {
				free(rows);
				return CB_ENOMEM;
			}
			rows[(*n)++] = (row){(uint32_t)i, (uint32_t)g, exposed};
			if (!exposed) {
				r->cohorts[g].controls++;
				control = 1;
			}
		}
		controls += control;
	}
	r->control = controls;
	*out = rows;
	return 0;
}

/* The event study's windows: the placebo windows, the baseline (-1), the
 * follow-up (0) and the later ones while a cohort's lies within the data. */
static size_t event_windows(const cb_impact_report *r, int *windows)
{
	size_t n = 0;

	for (int k = -1 - CB_IMPACT_PLACEBO_WINDOWS; k <= 0; k++)
		windows[n++] = k;
	for (int k = 1; k < CB_IMPACT_FOLLOW_UP_WINDOWS &&
			(long)k * r->request.window_days < CB_IMPACT_FOLLOW_UP_DAYS;
	     k++) {
		int any = 0;

		for (size_t g = 0; g < r->ncohorts && !any; g++) {
			cb_analysis_span w;

			any = cb_analysis_windows_event(&r->cohorts[g].windows, k, &w) == 0 &&
			      r->has_data_span && w.to <= r->data_last + 1;
		}
		if (!any)
			break;
		windows[n++] = k;
	}
	return n;
}

/* Whether window `k` of cohort `c` is measured: the baseline and the
 * follow-up always; the event study's others when they lie wholly within
 * the observations' span, so that a window is never cut short. */
static int window_measured(const cb_impact_report *r, const cb_impact_cohort *c, int k,
			   cb_analysis_span *w)
{
	if (cb_analysis_windows_event(&c->windows, k, w) < 0)
		return 0;
	if (k == -1 || k == 0)
		return 1;
	return r->has_data_span && w->from >= r->data_first && w->to <= r->data_last + 1;
}

/* Every cohort's windows of the event study, [cohort][window index]. */
static window_def *window_defs(const cb_impact_report *r, const int *windows, size_t nwindows)
{
	window_def *defs = calloc(r->ncohorts * nwindows + 1, sizeof(*defs));

	if (!defs)
		return NULL;
	for (size_t g = 0; g < r->ncohorts; g++)
		for (size_t w = 0; w < nwindows; w++) {
			window_def *d = &defs[g * nwindows + w];

			d->measured = window_measured(r, &r->cohorts[g], windows[w], &d->span);
			cb_analysis_span_seconds(&d->span, &d->from_at, &d->to_at);
			cb_date_format(d->span.from, d->from);
			cb_date_format(d->span.to, d->to);
		}
	return defs;
}

static void event_from(cb_impact_event *ev, const cb_analysis_impact *im)
{
	ev->thin = im->thin;
	snprintf(ev->reason, sizeof(ev->reason), "%s", im->reason);
	ev->effect = im->effect;
	ev->se = im->se;
	ev->df = im->df;
	ev->p_value = im->p_value;
	ev->ci = im->effect_ci;
	ev->excludes_zero = im->excludes_zero;
	ev->exposed = im->exposed.paired;
	ev->control = im->control.paired;
}

/* The work of one run: what is read and computed, and the buffers. */
typedef struct run {
	cb_workspace *ws;
	cb_plugin_host *host;
	cb_impact_report *r;
	entries *accounts;
	row *rows;
	size_t nrows;
	int windows[CB_IMPACT_PLACEBO_WINDOWS + 1 + CB_IMPACT_FOLLOW_UP_WINDOWS];
	size_t nwindows, base_at, follow_at; /* indexes of windows -1 and 0 */
	needed nd;
	window_def *defs; /* [cohort][window] */
	cb_series_buf *bufs;
	cb_series *views;
	size_t *hints; /* [window][measure][from, to]: where its last slice was */
	cb_series_reader *reader;
	/* The KPI values of every row and window. In memory, a column per
	 * window: [kpi in chunk][window][row]. When one KPI's columns exceed
	 * the budget they are spilled: values holds the baseline's and the
	 * follow-up's columns of one KPI, [0 or 1][row], the other windows'
	 * columns go to a file beside the workspace, and come back one at a
	 * time for their comparison (into the follow-up's, once that is done). */
	double *values;
	int spill;          /* a descriptor: the spilled columns, [window][row]; -1 */
	double *pending;    /* [SPILL_BLOCK][window]: the next rows' spilled values,
			     * a row's together (stores a column apart would each
			     * land in the same cache set), then one column of
			     * them gathered for its write */
	size_t npending, written; /* rows in pending, rows written before them */
	size_t nexposed;    /* exposed rows (they come first in the detail) */
	uint32_t *pick;     /* the rows of one window's comparison */
	uint16_t *measured; /* per row, a bit per window it is measured in */
	struct {
		int64_t from_at, to_at;
	} *spans; /* per entry, the times its measured windows cover
		   * (from_at >= to_at: none), worked out once for every chunk */
	reuse *reuse; /* [kpi in chunk][window]: the last answers */
	uint64_t gen; /* the account's, for reuse */
} run;

/* Rows of spilled values buffered per column before a write. */
#define SPILL_BLOCK 8192u

/* Row i's window w, when it is measured: the cohort's window, for a
 * control only through a window it is a control for (with not-yet
 * controls, for w > 0, still untrained when the window ends). */
static const window_def *window_of(const run *u, size_t i, size_t w)
{
	const row *rw = &u->rows[i];
	const window_def *d = &u->defs[rw->cohort * u->nwindows + w];

	if (!d->measured)
		return NULL;
	if (rw->exposed || u->windows[w] <= 0 ||
	    control_for(&u->r->request, &u->accounts->items[rw->account], d->span.to))
		return d;
	return NULL;
}

_Static_assert(CB_IMPACT_PLACEBO_WINDOWS + 1 + CB_IMPACT_FOLLOW_UP_WINDOWS <= 16,
	       "a row's windows are bits of a uint16_t");

/* The same, as worked out once per row (u->measured: a bit per window). */
static const window_def *row_window(const run *u, size_t i, size_t w)
{
	return u->measured[i] >> w & 1u ? &u->defs[u->rows[i].cohort * u->nwindows + w] : NULL;
}

/* Reads entry a's series of the measures the KPIs [k0, k1) need, over all
 * the windows it is measured in (u->spans[a]). */
static int read_entry(run *u, size_t a, size_t k0, size_t k1)
{
	int64_t from_at = u->spans[a].from_at, to_at = u->spans[a].to_at;
	int rc;

	for (size_t m = 0; m < u->nd.n; m++) {
		int wanted = 0;

		u->bufs[m].n = 0;
		for (size_t k = k0; k < k1 && !wanted; k++)
			for (size_t i = 0; i < u->r->kpis[k].kpi->ninputs && !wanted; i++)
				wanted = u->nd.slots[u->nd.first[k] + i] == m;
		if (!wanted || !u->nd.ids[m] || from_at >= to_at)
			continue;
		if ((rc = cb_store_series_read(u->reader, u->nd.ids[m], u->accounts->items[a].id, from_at,
					       to_at, &u->bufs[m])) < 0)
			return rc;
	}
	return 0;
}

static int compute_rows(run *u, size_t k0, size_t k1);

/* Writes the pending rows' spilled values at the end of their columns. */
static int spill_flush(run *u)
{
	double *gather = u->pending + u->nwindows * SPILL_BLOCK;

	for (size_t w = 0; w < u->nwindows && u->npending; w++) {
		const char *p = (const char *)gather;
		size_t len = u->npending * sizeof(double), done = 0;
		off_t at = (off_t)((w * u->nrows + u->written) * sizeof(double));

		if (w == u->base_at || w == u->follow_at)
			continue;
		for (size_t i = 0; i < u->npending; i++)
			gather[i] = u->pending[i * u->nwindows + w];
		while (done < len) {
			ssize_t n = pwrite(u->spill, p + done, len - done, at + (off_t)done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return cb_error_set(CB_EIO, "cannot write the impact's temporary file: %s",
						    n < 0 ? strerror(errno) : "no room");
			done += (size_t)n;
		}
	}
	u->written += u->npending;
	u->npending = 0;
	return 0;
}

/* Keeps row i's values of KPI k0 + kk over every window. */
static int keep_cells(run *u, size_t kk, size_t i, const double *cell)
{
	if (u->spill < 0) {
		double *v = u->values + kk * u->nwindows * u->nrows;

		for (size_t w = 0; w < u->nwindows; w++)
			v[w * u->nrows + i] = cell[w];
		return 0;
	}
	u->values[i] = cell[u->base_at];
	u->values[u->nrows + i] = cell[u->follow_at];
	memcpy(u->pending + u->npending * u->nwindows, cell, u->nwindows * sizeof(*cell));
	return ++u->npending == SPILL_BLOCK ? spill_flush(u) : 0;
}

/* The column of window w of the KPI whose values start at v. A spilled
 * one is read back over the follow-up's column, which is then gone. */
static const double *column(run *u, double *v, size_t w)
{
	char *p;
	size_t len, done = 0;
	off_t at;

	if (u->spill < 0)
		return v + w * u->nrows;
	if (w == u->base_at)
		return v;
	p = (char *)(v + u->nrows);
	if (w == u->follow_at)
		return v + u->nrows;
	len = u->nrows * sizeof(double);
	at = (off_t)(w * u->nrows * sizeof(double));
	while (done < len) {
		ssize_t n = pread(u->spill, p + done, len - done, at + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cb_error_set(CB_EIO, "cannot read the impact's temporary file: %s",
				     n < 0 ? strerror(errno) : "cut short");
			return NULL;
		}
		done += (size_t)n;
	}
	return v + u->nrows;
}

/* Computes the KPIs [k0, k1) over every measured window of every row. */
static int compute_values(run *u, size_t k0, size_t k1)
{
	const cb_impact_request *q = &u->r->request;
	int rc = 0;

	/* The detail's accounts, whose observation counts are taken as the
	 * windows are computed: the exposed rows first, then the controls'. */
	for (size_t k = k0; k < k1 && q->detail && rc == 0; k++) {
		cb_impact_kpi *ik = &u->r->kpis[k];

		if (!u->nd.observed[k])
			continue;
		ik->naccounts = q->detail == CB_IMPACT_DETAIL_EXPOSED ? u->nexposed : u->nrows;
		if (!(ik->accounts = calloc(ik->naccounts + 1, sizeof(*ik->accounts))))
			rc = cb_error_set(CB_ENOMEM, "out of memory");
	}
	u->npending = u->written = 0;
	if (rc == 0)
		rc = compute_rows(u, k0, k1);
	cb_plugin_memo_end(u->host);
	if (rc == 0 && u->spill >= 0)
		rc = spill_flush(u);
	return rc;
}

static int compute_rows(run *u, size_t k0, size_t k1)
{
	cb_impact_report *r = u->r;
	size_t exposed_seen = 0, control_seen = 0;
	int rc;

	for (size_t r0 = 0, r1; r0 < u->nrows; r0 = r1) {
		size_t a = u->rows[r0].account;
		const entry *e = &u->accounts->items[a];

		for (r1 = r0; r1 < u->nrows && u->rows[r1].account == a; r1++)
			;
		if ((rc = read_entry(u, a, k0, k1)) < 0)
			return rc;
		/* This account's series stay put until the next one's are read:
		 * its windows of different cohorts that hold the same
		 * observations are computed once. */
		cb_plugin_memo_begin(u->host);
		u->gen++;
		for (size_t i = r0; i < r1; i++) {
			const row *rw = &u->rows[i];
			/* Its place in the detail, if it has one. */
			size_t slot = rw->exposed ? exposed_seen++
				      : r->request.detail == CB_IMPACT_DETAIL_ALL ? u->nexposed + control_seen++
										  : SIZE_MAX;

			for (size_t k = k0; k < k1; k++) {
				cb_impact_kpi *ik = &r->kpis[k];
				double cell[CB_IMPACT_PLACEBO_WINDOWS + 1 + CB_IMPACT_FOLLOW_UP_WINDOWS];

				for (size_t w = 0; w < u->nwindows; w++)
					cell[w] = NAN;
				for (size_t w = 0; w < u->nwindows && u->nd.observed[k]; w++) {
					const window_def *d = row_window(u, i, w);
					int64_t obs = 0;
					int main = w == u->base_at || w == u->follow_at;

					if (!d)
						continue;
					cell[w] = window_value(u->host, ik, u->nd.slots + u->nd.first[k], u->bufs,
							       u->hints + 2 * u->nd.n * w, e->key, d, main,
							       u->views, &obs,
							       &u->reuse[(k - k0) * u->nwindows + w], u->gen);
					/* A plugin that raises an error has no answer for
					 * this window, and "too little data" would hide
					 * it: the run stops, naming it. */
					if (ik->failed_windows)
						return cb_error_set(CB_ERROR,
								    "KPI '%s' failed in its plugin: %s. A plugin error is "
								    "not missing data, so no result is given: fix the "
								    "plugin ('casebook plugin test FILE' runs its "
								    "fixtures), or choose the KPIs to compute with --kpi",
								    ik->kpi->key, ik->failure);
					if (w == u->base_at)
						*(rw->exposed ? &ik->baseline_obs : &ik->control_baseline_obs) += obs;
					else if (w == u->follow_at)
						*(rw->exposed ? &ik->follow_up_obs : &ik->control_follow_up_obs) += obs;
					if (main && ik->accounts && slot != SIZE_MAX)
						*(w == u->follow_at ? &ik->accounts[slot].follow_up_obs
								    : &ik->accounts[slot].baseline_obs) = obs;
				}
				if ((rc = keep_cells(u, k - k0, i, cell)) < 0)
					return rc;
			}
		}
	}
	return 0;
}

/* The rows of window index `w`'s comparison against the baseline, for the
 * KPI whose values start at v; NULL base or follow-up on an error. */
static cb_analysis_rows analysis_rows(run *u, double *v, size_t w)
{
	cb_analysis_rows in = {u->rows, NULL, NULL, u->pick, 0};

	for (size_t i = 0; i < u->nrows; i++)
		if (row_window(u, i, w))
			u->pick[in.n++] = (uint32_t)i;
	if (in.n == u->nrows)
		in.pick = NULL;
	in.baseline = column(u, v, u->base_at);
	in.follow_up = column(u, v, w);
	return in;
}

/* The effect of KPI k, its event study, its ROI and (with detail) each
 * row's values. */
static int analyse_kpi(run *u, size_t k, double *v)
{
	cb_impact_report *r = u->r;
	cb_impact_kpi *ik = &r->kpis[k];
	const cb_impact_request *q = &r->request;
	cb_analysis_better better = ik->kpi->better == CB_KPI_HIGHER ? CB_ANALYSIS_HIGHER_IS_BETTER
								     : CB_ANALYSIS_LOWER_IS_BETTER;
	int has_control = q->control != CB_CONTROL_NONE;
	cb_analysis_rows in;
	int rc;

	in = analysis_rows(u, v, u->follow_at);
	if ((rc = cb_analysis_impact_of(&in, r->ncohorts, has_control, better, &q->analysis,
					&ik->impact)) < 0)
		return rc;
	if (!u->nd.observed[k]) {
		/* Counts only: no values, so no interval to draw. */
		ik->impact.thin = 1;
		ik->impact.effect = NAN;
		snprintf(ik->impact.reason, sizeof(ik->impact.reason),
			 "none of its measures (%s%s) has been observed in this workspace",
			 ik->kpi->inputs[0], ik->kpi->ninputs > 1 ? ", ..." : "");
		return 0;
	}

	/* The detail, while the follow-up's column is at hand: the exposed
	 * rows first, then the controls' (compute_rows gave them their
	 * places in this order). */
	if (ik->accounts) {
		size_t at = 0;

		for (int pass = 1; pass >= (q->detail == CB_IMPACT_DETAIL_EXPOSED); pass--)
			for (size_t i = 0; i < u->nrows; i++) {
				const row *rw = &u->rows[i];
				const entry *e = &u->accounts->items[rw->account];
				cb_impact_account *ia;

				if (rw->exposed != pass)
					continue;
				ia = &ik->accounts[at++];
				ia->account_id = e->id;
				ia->key = r->account_keys + rw->account * sizeof(e->key);
				ia->control = !rw->exposed;
				ia->cohort = rw->cohort;
				ia->windows = r->cohorts[rw->cohort].windows;
				ia->baseline = in.baseline[i];
				ia->follow_up = in.follow_up[i];
			}
	}

	ik->events = calloc(u->nwindows, sizeof(*ik->events));
	if (!ik->events)
		return cb_error_set(CB_ENOMEM, "out of memory");
	ik->nevents = u->nwindows;
	for (size_t w = 0; w < u->nwindows; w++) {
		cb_impact_event *ev = &ik->events[w];
		cb_analysis_options o = q->analysis;
		cb_analysis_impact im;

		o.keep_scores = 0;

		ev->window = u->windows[w];
		ev->placebo = ev->window < -1;
		ev->level = q->analysis.level;
		for (size_t g = 0; g < r->ncohorts; g++)
			ev->cohorts += u->defs[g * u->nwindows + w].measured;
		if (w == u->base_at) {
			/* The reference: no change from itself. */
			ev->effect = 0.0;
			ev->se = ev->df = ev->p_value = NAN;
			ev->ci.low = ev->ci.high = NAN;
			continue;
		}
		if (w == u->follow_at) {
			event_from(ev, &ik->impact);
			continue;
		}
		/* Placebo windows are judged together (analysis/impact.h). */
		if (ev->placebo)
			o.level = ev->level = cb_analysis_simultaneous_level(q->analysis.level,
									     CB_IMPACT_PLACEBO_WINDOWS);
		if (!ev->cohorts) {
			ev->thin = 1;
			ev->effect = ev->se = ev->df = ev->p_value = ev->ci.low = ev->ci.high = NAN;
			snprintf(ev->reason, sizeof(ev->reason),
				 "the observations do not cover this window for any cohort");
			continue;
		}
		in = analysis_rows(u, v, w);
		if (!in.follow_up)
			return CB_EIO;
		if ((rc = cb_analysis_impact_of(&in, r->ncohorts, has_control, better, &o, &im)) < 0) {
			cb_analysis_impact_clear(&im);
			return rc;
		}
		event_from(ev, &im);
		cb_analysis_impact_clear(&im);
		/* Without controls a placebo window holds the season and the trend,
		 * not a difference between groups: nothing to warn of. */
		if (ev->placebo && !ev->thin && has_control && !ik->impact.thin) {
			ik->pretrend_checked = 1;
			if (ev->excludes_zero && !ik->pretrend_warning) {
				ik->pretrend_warning = 1;
				ik->pretrend_window = ev->window;
			}
		}
	}
	return money(u->ws, r, ik);
}

/* The adjusted p-values over the KPIs with an effect, and the counts of
 * the summary line. */
static int summarise(cb_impact_report *r)
{
	double *p = malloc((r->nkpis + 1) * sizeof(*p));
	double alpha = 1.0 - r->request.analysis.level;
	int rc;

	if (!p)
		return cb_error_set(CB_ENOMEM, "out of memory");
	for (size_t k = 0; k < r->nkpis; k++)
		p[k] = r->kpis[k].impact.thin ? NAN : r->kpis[k].impact.p_value;
	if ((rc = cb_analysis_adjust_bh(p, r->nkpis, p)) < 0) {
		free(p);
		return rc;
	}
	for (size_t k = 0; k < r->nkpis; k++) {
		cb_impact_kpi *ik = &r->kpis[k];
		cb_analysis_impact *im = &ik->impact;
		int clear = !im->thin && im->excludes_zero;

		im->p_adjusted = p[k];
		r->summary.pretrend_warnings += ik->pretrend_warning;
		ik->verdict = CB_IMPACT_TOO_LITTLE_DATA;
		if (im->thin || isnan(im->p_value))
			continue;
		ik->significant = p[k] < alpha;
		ik->verdict = !ik->significant ? CB_IMPACT_NO_CLEAR_CHANGE
			      : im->verdict == CB_ANALYSIS_IMPROVED ? CB_IMPACT_IMPROVED
			      : im->verdict == CB_ANALYSIS_WORSENED ? CB_IMPACT_WORSENED
								     : CB_IMPACT_NO_CLEAR_CHANGE;
		r->summary.tested++;
		r->summary.improved += clear && im->verdict == CB_ANALYSIS_IMPROVED;
		r->summary.worsened += clear && im->verdict == CB_ANALYSIS_WORSENED;
		r->summary.improved_adjusted += ik->verdict == CB_IMPACT_IMPROVED;
		r->summary.worsened_adjusted += ik->verdict == CB_IMPACT_WORSENED;
	}
	free(p);
	return 0;
}

typedef struct id_score {
	int64_t id;
	double score;
} id_score;

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const id_score *)a)->id, y = ((const id_score *)b)->id;

	return (x > y) - (x < y);
}

/* KPI k's accounts' terms of report r, by account id, into ids/scores
 * (the caller's, r->naccount_ids each). */
static size_t scores_by_id(const cb_impact_report *r, size_t k, int64_t *ids, double *scores)
{
	const cb_analysis_impact *im = &r->kpis[k].impact;
	size_t n = im->nscores < r->naccount_ids ? im->nscores : r->naccount_ids;
	id_score *pairs = malloc((n + 1) * sizeof(*pairs));

	if (!pairs)
		return (size_t)-1;
	for (size_t i = 0; i < n; i++)
		pairs[i] = (id_score){r->account_ids[i], im->scores[i]};
	qsort(pairs, n, sizeof(*pairs), by_id);
	for (size_t i = 0; i < n; i++) {
		ids[i] = pairs[i].id;
		scores[i] = pairs[i].score;
	}
	free(pairs);
	return n;
}

int cb_app_impact_difference(const cb_impact_report *a, size_t ka, const cb_impact_report *b,
			     size_t kb, cb_analysis_difference *out)
{
	int64_t *ia = malloc((a->naccount_ids + 1) * sizeof(*ia));
	int64_t *ib = malloc((b->naccount_ids + 1) * sizeof(*ib));
	double *sa = malloc((a->naccount_ids + 1) * sizeof(*sa));
	double *sb = malloc((b->naccount_ids + 1) * sizeof(*sb));
	cb_analysis_scores xa, xb;
	size_t na, nb;
	int rc;

	if (!ia || !ib || !sa || !sb) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	if (!a->kpis[ka].impact.scores || !b->kpis[kb].impact.scores) {
		rc = cb_error_set(CB_EINVALID, "a difference needs both effects' account terms "
					       "(analysis.keep_scores)");
		goto done;
	}
	na = scores_by_id(a, ka, ia, sa);
	nb = scores_by_id(b, kb, ib, sb);
	if (na == (size_t)-1 || nb == (size_t)-1) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	xa = (cb_analysis_scores){ia, sa, na};
	xb = (cb_analysis_scores){ib, sb, nb};
	rc = cb_analysis_difference_of(&a->kpis[ka].impact, &xa, &b->kpis[kb].impact, &xb,
				       a->request.analysis.level, out);
done:
	free(ia), free(ib), free(sa), free(sb);
	return rc;
}

const char *cb_impact_verdict_name(cb_impact_verdict v)
{
	switch (v) {
	case CB_IMPACT_IMPROVED:
		return "improved";
	case CB_IMPACT_WORSENED:
		return "worsened";
	case CB_IMPACT_NO_CLEAR_CHANGE:
		return "no clear change";
	case CB_IMPACT_TOO_LITTLE_DATA:
		break;
	}
	return "too little data";
}

const char *cb_impact_direction_name(const cb_analysis_impact *im)
{
	if (im->thin)
		return "none";
	return im->verdict == CB_ANALYSIS_IMPROVED   ? "better"
	       : im->verdict == CB_ANALYSIS_WORSENED ? "worse"
						     : "none";
}

/* The program's one ROI: the valued KPIs' benefits summed once. */
static void total_roi(cb_impact_report *r)
{
	cb_impact_roi_total *t = &r->roi;

	*t = (cb_impact_roi_total){0};
	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];

		if (!ik->has_value)
			continue;
		if (!ik->roi_ok) {
			t->left_out++;
			continue;
		}
		if (!t->kpis)
			snprintf(t->currency, sizeof(t->currency), "%s", ik->value.currency);
		else if (strcmp(t->currency, ik->value.currency) != 0) {
			t->left_out++; /* no exchange rates: one currency is summed */
			continue;
		}
		t->kpis++;
		t->benefit += ik->roi.estimate.benefit;
		t->benefit_low += ik->roi.low.benefit;
	}
	t->cost = r->cost;
	t->defined = t->kpis && r->cost > 0;
	t->roi_percent = t->roi_percent_low = t->bcr = t->bcr_low = NAN;
	if (t->defined) {
		t->roi_percent = (t->benefit - t->cost) / t->cost * 100.0;
		t->roi_percent_low = (t->benefit_low - t->cost) / t->cost * 100.0;
		t->bcr = t->benefit / t->cost;
		t->bcr_low = t->benefit_low / t->cost;
	}
}

/* Values are kept for a group of KPIs at a time, within this budget
 * (bytes); CASEBOOK_TEST_VALUES_BUDGET sets another, for the tests of the
 * spilled columns. */
#define VALUES_BUDGET (32u << 20)

static size_t values_budget(void)
{
	const char *t = getenv("CASEBOOK_TEST_VALUES_BUDGET");

	return t && *t ? (size_t)strtoull(t, NULL, 10) : VALUES_BUDGET;
}

int cb_app_impact(cb_workspace *ws, const cb_impact_request *req, cb_impact_report **out)
{
	cb_impact_report *r;
	entries accounts = {0};
	run u = {.spill = -1};
	size_t maxin = 1, chunk;
	int64_t first_at, last_at;
	int found, rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return cb_error_set(CB_ENOMEM, "out of memory");
	r->request = *req;
	if (!r->request.window_days)
		r->request.window_days = CB_ANALYSIS_WINDOW_DAYS;
	if (r->request.lag_days < 0)
		r->request.lag_days = CB_ANALYSIS_LAG_DAYS;
	u.ws = ws;
	u.r = r;
	u.accounts = &accounts;
	if (r->request.kind == CB_EXPOSURE_CASE && !r->request.nkpis &&
	    (rc = claimed_kpis(ws, r)) < 0)
		goto done;
	if ((rc = cb_workspace_plugins(ws, &u.host)) < 0 ||
	    (rc = resolve_exposure(ws, r, &accounts)) < 0 || (rc = make_cohorts(r, &accounts)) < 0 ||
	    (rc = resolve_control(ws, r, &accounts)) < 0 || (rc = levels_of(ws, r)) < 0 ||
	    (rc = pick_kpis(u.host, &r->request, r)) < 0 || (rc = needed_measures(ws, r, &u.nd)) < 0 ||
	    (rc = cb_store_observation_span(ws->store, &first_at, &last_at, &found)) < 0)
		goto done;
	if (found) {
		r->has_data_span = 1;
		r->data_first = cb_analysis_day_of_time(first_at);
		r->data_last = cb_analysis_day_of_time(last_at);
	}
	for (size_t g = 0; g < r->ncohorts; g++) {
		const cb_analysis_windows *w = &r->cohorts[g].windows;

		r->cohorts[g].complete = r->has_data_span && w->baseline.from >= r->data_first &&
					 w->follow_up.to <= r->data_last + 1;
	}
	for (size_t i = 0; i < accounts.n; i++)
		if ((rc = cb_store_account_key_of(ws->store, accounts.items[i].id, accounts.items[i].key,
						  sizeof(accounts.items[i].key))) < 0)
			goto done;
	if ((rc = make_rows(r, &accounts, &u.rows, &u.nrows)) < 0)
		goto done;
	if (r->request.analysis.keep_scores) {
		if (!(r->account_ids = malloc((accounts.n + 1) * sizeof(*r->account_ids)))) {
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < accounts.n; i++)
			r->account_ids[i] = accounts.items[i].id;
		r->naccount_ids = accounts.n;
	}
	if (r->request.detail) {
		/* The detail's rows name their accounts: one copy of each key. */
		size_t len = sizeof(accounts.items[0].key);

		if (!(r->account_keys = malloc(accounts.n * len + 1))) {
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < accounts.n; i++)
			memcpy(r->account_keys + i * len, accounts.items[i].key, len);
	}
	u.nwindows = event_windows(r, u.windows);
	u.base_at = CB_IMPACT_PLACEBO_WINDOWS;
	u.follow_at = CB_IMPACT_PLACEBO_WINDOWS + 1;
	if (!(u.defs = window_defs(r, u.windows, u.nwindows))) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < r->nkpis; i++)
		if (r->kpis[i].kpi->ninputs > maxin)
			maxin = r->kpis[i].kpi->ninputs;
	if (!(u.measured = malloc((u.nrows + 1) * sizeof(*u.measured))) ||
	    !(u.spans = malloc((accounts.n + 1) * sizeof(*u.spans)))) {
		rc = cb_error_set(CB_ENOMEM, "out of memory for %zu accounts", accounts.n);
		goto done;
	}
	for (size_t a = 0; a < accounts.n; a++) {
		u.spans[a].from_at = INT64_MAX;
		u.spans[a].to_at = INT64_MIN;
	}
	for (size_t i = 0; i < u.nrows; i++) {
		size_t a = u.rows[i].account;

		u.nexposed += u.rows[i].exposed != 0;
		u.measured[i] = 0;
		for (size_t w = 0; w < u.nwindows; w++) {
			const window_def *d = window_of(&u, i, w);

			if (!d)
				continue;
			u.measured[i] |= (uint16_t)(1u << w);
			if (d->from_at < u.spans[a].from_at)
				u.spans[a].from_at = d->from_at;
			if (d->to_at > u.spans[a].to_at)
				u.spans[a].to_at = d->to_at;
		}
	}
	u.spill = -1;
	chunk = values_budget() / sizeof(double) / (u.nrows * u.nwindows + 1);
	if (chunk < 1) {
		/* One KPI's columns exceed the budget: the event study's go to a
		 * file beside the workspace (or, when none can be made there, in
		 * the temporary folder), or stay in memory when neither can. */
		const char *tmp = getenv("TMPDIR");

		chunk = 1;
		if ((u.spill = cb_tempfile_open(ws->dir, "the impact's values")) < 0)
			u.spill = cb_tempfile_open(tmp && *tmp ? tmp : "/tmp", "the impact's values");
		if (u.spill >= 0 && !(u.pending = malloc((u.nwindows + 1) * SPILL_BLOCK * sizeof(double)))) {
			rc = cb_error_set(CB_ENOMEM, "out of memory for %zu accounts", accounts.n);
			goto done;
		}
	}
	if (chunk > r->nkpis)
		chunk = r->nkpis ? r->nkpis : 1;
	u.bufs = calloc(u.nd.n ? u.nd.n : 1, sizeof(*u.bufs));
	u.views = calloc(maxin, sizeof(*u.views));
	u.hints = calloc(2 * u.nwindows * u.nd.n + 1, sizeof(*u.hints));
	u.values = malloc(((u.spill >= 0 ? 2 : chunk * u.nwindows) * u.nrows + 1) * sizeof(*u.values));
	u.pick = malloc((u.nrows + 1) * sizeof(*u.pick));
	u.reuse = calloc(chunk * u.nwindows + 1, sizeof(*u.reuse));
	if (!u.bufs || !u.views || !u.hints || !u.values || !u.pick || !u.reuse) {
		rc = cb_error_set(CB_ENOMEM, "out of memory for %zu accounts", accounts.n);
		goto done;
	}
	if ((rc = cb_store_series_reader_new(ws->store, &u.reader)) < 0)
		goto done;
	for (size_t k0 = 0; k0 < r->nkpis; k0 += chunk) {
		size_t k1 = k0 + chunk < r->nkpis ? k0 + chunk : r->nkpis;

		if ((rc = compute_values(&u, k0, k1)) < 0)
			goto done;
		for (size_t k = k0; k < k1; k++)
			if ((rc = analyse_kpi(&u, k, u.values + (k - k0) * u.nrows * u.nwindows)) < 0)
				goto done;
	}
	if ((rc = summarise(r)) < 0)
		goto done;
	total_roi(r);
	*out = r;
	r = NULL;
	rc = 0;
done:
	cb_store_series_reader_free(u.reader);
	for (size_t m = 0; u.bufs && m < u.nd.n; m++)
		cb_series_buf_free(&u.bufs[m]);
	free(u.bufs);
	free(u.views);
	free(u.hints);
	free(u.values);
	free(u.pending);
	free(u.pick);
	free(u.reuse);
	free(u.measured);
	free(u.spans);
	if (u.spill >= 0)
		close(u.spill);
	free(u.rows);
	free(u.defs);
	needed_free(&u.nd);
	entries_free(&accounts);
	cb_impact_report_free(r);
	return rc;
}

void cb_impact_report_free(cb_impact_report *r)
{
	if (!r)
		return;
	for (size_t k = 0; k < r->nkpis; k++) {
		cb_analysis_impact_clear(&r->kpis[k].impact);
		free(r->kpis[k].accounts);
		free(r->kpis[k].events);
	}
	free(r->kpis);
	free(r->sessions);
	free(r->cohorts);
	free(r->account_ids);
	free(r->account_keys);
	for (size_t i = 0; i < r->ncase_kpis; i++)
		free(r->case_kpis[i]);
	free(r->case_kpis);
	free(r);
}

int cb_app_kpi_value_set(cb_workspace *ws, const char *kpi, double per_unit, const char *currency,
			 const char *kind)
{
	cb_plugin_host *host;
	cb_kpi_value v = {0};
	int rc;

	if ((rc = cb_rights_require(ws, CB_ACT_KPI_VALUE_SET, NULL)) < 0 ||
	    (rc = cb_workspace_plugins(ws, &host)) < 0)
		return rc;
	if (!cb_plugin_kpi_find(host, kpi))
		return cb_error_set(CB_ENOTFOUND, "unknown KPI '%s' ('casebook kpi list')", kpi);
	if (!isfinite(per_unit) || per_unit < 0)
		return cb_error_set(CB_EINVALID, "--per-unit must be a number of at least 0");
	if (!currency || strlen(currency) != 3 || currency[0] < 'A' || currency[0] > 'Z' ||
	    currency[1] < 'A' || currency[1] > 'Z' || currency[2] < 'A' || currency[2] > 'Z')
		return cb_error_set(CB_EINVALID, "--currency must be three capital letters (EUR, USD)");
	if (strcmp(kind, "level") != 0 && strcmp(kind, "total") != 0)
		return cb_error_set(CB_EINVALID, "--kind must be level or total, not '%.20s'", kind);
	snprintf(v.kpi, sizeof(v.kpi), "%s", kpi);
	v.per_unit = per_unit;
	snprintf(v.currency, sizeof(v.currency), "%s", currency);
	snprintf(v.kind, sizeof(v.kind), "%s", kind);
	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_store_kpi_value_set(ws->store, &v)) < 0) {
		cb_store_rollback(ws->store);
		return rc;
	}
	return cb_store_commit(ws->store);
}
