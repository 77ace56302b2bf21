/*
 * The impact analysis. Each account's windows hang on the first session of
 * the exposure that reached it; control accounts' windows on the median
 * first and last days of the exposed accounts, so that both groups are
 * measured over the same stretch of calendar time. Each account's
 * observations of every input measure are read once, as one range of the
 * clustered table spanning both windows, and sliced per KPI and window:
 * one Lua call per account, KPI and window.
 */
#include "app/impact.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/case.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "base/text.h"
#include "store/account.h"
#include "store/case.h"
#include "store/observation.h"
#include "store/person.h"
#include "store/session.h"

typedef struct entry {
	int64_t id;
	int32_t first, last;
	int control;
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

static int entries_add(entries *e, int64_t id, int32_t first, int32_t last, int control)
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
	e->items[e->n] = (entry){id, first, last, control, ""};
	for (i = (size_t)(id * 2654435761u) & (e->nslots - 1); e->slots[i];
	     i = (i + 1) & (e->nslots - 1))
		;
	e->slots[i] = (int64_t)++e->n;
	return 0;
}

typedef struct reach_ctx {
	entries *e;
	const cb_exposure_session *session;
	int control;
	size_t n; /* calls: the accounts this exposure reached through the session */
} reach_ctx;

static int on_reached(int64_t account_id, void *ctx)
{
	reach_ctx *r = ctx;

	r->n++;
	return entries_add(r->e, account_id, r->session ? r->session->first : 0,
			   r->session ? r->session->last : 0, r->control);
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

static int int32_order(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static int32_t median_day(const entries *e, int last)
{
	int32_t *days = malloc((e->n ? e->n : 1) * sizeof(*days)), m;

	if (!days)
		return 0;
	for (size_t i = 0; i < e->n; i++)
		days[i] = last ? e->items[i].last : e->items[i].first;
	qsort(days, e->n, sizeof(*days), int32_order);
	m = days[e->n / 2];
	free(days);
	return m;
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
		if (c->cites[i].status < 4)
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
} needed;

/* Whether any input of `k` was ever observed in this workspace. A KPI
 * whose measures never were has nothing to say about training, and must
 * not pass for "no change" through a plugin that counts an empty window
 * as 0. */
static int ever_observed(const needed *nd, const cb_kpi_def *k)
{
	for (size_t i = 0; i < k->ninputs; i++)
		for (size_t m = 0; m < nd->n; m++)
			if (nd->ids[m] && strcmp(nd->keys[m], k->inputs[i]) == 0)
				return 1;
	return 0;
}

static int needed_measures(cb_workspace *ws, const cb_impact_report *r, needed *nd)
{
	size_t cap = 0;
	int rc;

	for (size_t i = 0; i < r->nkpis; i++)
		cap += r->kpis[i].kpi->ninputs;
	nd->keys = calloc(cap ? cap : 1, sizeof(*nd->keys));
	nd->ids = calloc(cap ? cap : 1, sizeof(*nd->ids));
	if (!nd->keys || !nd->ids)
		return cb_error_set(CB_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->nkpis; i++) {
		const cb_kpi_def *k = r->kpis[i].kpi;

		for (size_t j = 0; j < k->ninputs; j++) {
			size_t m;

			for (m = 0; m < nd->n; m++)
				if (strcmp(nd->keys[m], k->inputs[j]) == 0)
					break;
			if (m < nd->n)
				continue;
			nd->keys[nd->n] = k->inputs[j];
			rc = cb_store_measure_id(ws->store, k->inputs[j], 0, &nd->ids[nd->n]);
			if (rc == CB_ENOTFOUND)
				nd->ids[nd->n] = 0;
			else if (rc < 0)
				return rc;
			nd->n++;
		}
	}
	return 0;
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

/* Computes one KPI over one window of one account; NaN when there is no
 * value (nil, or a failure, which is tallied with its message). */
static double window_value(cb_plugin_host *host, cb_impact_kpi *ik, const needed *nd,
			   const cb_series_buf *bufs, const char *account,
			   const cb_analysis_span *span, cb_series *views, int64_t *obs)
{
	const cb_kpi_def *k = ik->kpi;
	int64_t from_at, to_at;
	char from[CB_DATE_LEN], to[CB_DATE_LEN];
	char *reason = NULL;
	double v = NAN;
	int rc;

	cb_analysis_span_seconds(span, &from_at, &to_at);
	*obs = 0;
	for (size_t i = 0; i < k->ninputs; i++) {
		size_t m = 0, a, b;

		while (strcmp(nd->keys[m], k->inputs[i]) != 0)
			m++;
		a = lower_bound(bufs[m].times, bufs[m].n, from_at);
		b = lower_bound(bufs[m].times, bufs[m].n, to_at);
		views[i] = (cb_series){bufs[m].values + a, bufs[m].times + a, b - a};
		*obs += (int64_t)(b - a);
	}
	cb_date_format(span->from, from);
	cb_date_format(span->to, to);
	{
		cb_window w = {account, from, to, views};

		rc = cb_plugin_kpi_compute(host, k, &w, &v, &reason);
	}
	if (rc == 1) {
		ik->nil_windows++;
		if (!ik->nil_reason[0])
			snprintf(ik->nil_reason, sizeof(ik->nil_reason), "%s", reason);
		v = NAN;
	} else if (rc < 0) {
		ik->failed_windows++;
		if (!ik->failure[0])
			snprintf(ik->failure, sizeof(ik->failure), "%s", cb_error_last());
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
		reach_ctx c = {accounts, s, 0, 0};
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

static int resolve_control(cb_workspace *ws, cb_impact_report *r, entries *accounts)
{
	const cb_impact_request *req = &r->request;
	size_t exposed = accounts->n;
	int32_t first = median_day(accounts, 0), last = median_day(accounts, 1);
	int rc;

	r->control_first = first;
	r->control_last = last;
	if (req->control == CB_CONTROL_NONE)
		return 0;
	if (req->control == CB_CONTROL_NAMED) {
		for (size_t i = 0; i < req->ncontrols; i++) {
			int64_t id;
			ptrdiff_t at;

			if ((rc = cb_store_account_id(ws->store, req->controls[i], &id)) < 0)
				return rc;
			at = entries_find(accounts, id);
			if (at >= 0 && !accounts->items[at].control) {
				for (size_t s = 0; s < r->nsessions; s++)
					if (r->sessions[s].first == accounts->items[at].first)
						return cb_error_set(CB_EINVALID,
								    "account '%s' was exposed (session %s) and "
								    "cannot be a control",
								    req->controls[i], r->sessions[s].key);
				return cb_error_set(CB_EINVALID, "account '%s' was exposed and cannot be a control",
						    req->controls[i]);
			}
			if ((rc = entries_add(accounts, id, first, last, 1)) < 0)
				return rc;
		}
	} else {
		int64_t *programs = malloc(r->nsessions * sizeof(*programs));
		size_t np = 0;
		int32_t lo = r->sessions[0].first, hi = r->sessions[0].last;
		char from[CB_DATE_LEN], to[CB_DATE_LEN];
		reach_ctx c = {accounts, NULL, 1, 0};
		entries unreached = {0};

		if (!programs)
			return cb_error_set(CB_ENOMEM, "out of memory");
		for (size_t i = 0; i < r->nsessions; i++) {
			size_t k;

			for (k = 0; k < np && programs[k] != r->sessions[i].program_id; k++)
				;
			if (k == np)
				programs[np++] = r->sessions[i].program_id;
			if (r->sessions[i].first < lo)
				lo = r->sessions[i].first;
			if (r->sessions[i].last > hi)
				hi = r->sessions[i].last;
		}
		/* Unreached from a window before the first session to a window
		 * after the last: no training of these programs in sight. */
		cb_date_format(lo - r->request.window_days, from);
		cb_date_format(hi + r->request.lag_days + r->request.window_days, to);
		c.e = &unreached;
		rc = cb_store_exposure_unreached(ws->store, programs, np, from, to, on_reached, &c);
		free(programs);
		for (size_t i = 0; rc == 0 && i < unreached.n; i++)
			if (entries_find(accounts, unreached.items[i].id) < 0)
				rc = entries_add(accounts, unreached.items[i].id, first, last, 1);
		entries_free(&unreached);
		if (rc < 0)
			return rc;
	}
	r->control = accounts->n - exposed;
	return 0;
}

int cb_app_impact(cb_workspace *ws, const cb_impact_request *req, cb_impact_report **out)
{
	cb_impact_report *r;
	cb_plugin_host *host;
	cb_series_reader *reader = NULL;
	entries accounts = {0};
	needed nd = {0};
	cb_series_buf *bufs = NULL;
	cb_series *views = NULL;
	double **base = NULL, **follow = NULL;
	size_t maxin = 1, nk = 0;
	int *observed = NULL, rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return cb_error_set(CB_ENOMEM, "out of memory");
	r->request = *req;
	if (!r->request.window_days)
		r->request.window_days = CB_ANALYSIS_WINDOW_DAYS;
	if (r->request.lag_days < 0)
		r->request.lag_days = CB_ANALYSIS_LAG_DAYS;
	if (r->request.kind == CB_EXPOSURE_CASE && !r->request.nkpis &&
	    (rc = claimed_kpis(ws, r)) < 0)
		goto done;
	if ((rc = cb_workspace_plugins(ws, &host)) < 0 ||
	    (rc = resolve_exposure(ws, r, &accounts)) < 0 ||
	    (rc = resolve_control(ws, r, &accounts)) < 0 || (rc = levels_of(ws, r)) < 0 ||
	    (rc = pick_kpis(host, &r->request, r)) < 0 || (rc = needed_measures(ws, r, &nd)) < 0)
		goto done;
	for (size_t i = 0; i < accounts.n; i++)
		if ((rc = cb_store_account_key_of(ws->store, accounts.items[i].id, accounts.items[i].key,
						  sizeof(accounts.items[i].key))) < 0)
			goto done;
	for (size_t i = 0; i < r->nkpis; i++)
		if (r->kpis[i].kpi->ninputs > maxin)
			maxin = r->kpis[i].kpi->ninputs;
	bufs = calloc(nd.n ? nd.n : 1, sizeof(*bufs));
	views = calloc(maxin, sizeof(*views));
	base = calloc(r->nkpis ? r->nkpis : 1, sizeof(*base));
	follow = calloc(r->nkpis ? r->nkpis : 1, sizeof(*follow));
	if (!bufs || !views || !base || !follow) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	nk = r->nkpis;
	for (size_t k = 0; k < r->nkpis; k++) {
		base[k] = malloc(accounts.n * sizeof(double));
		follow[k] = malloc(accounts.n * sizeof(double));
		if (!base[k] || !follow[k]) {
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			goto done;
		}
		if (req->detail) {
			r->kpis[k].accounts = calloc(accounts.n, sizeof(cb_impact_account));
			if (!r->kpis[k].accounts) {
				rc = cb_error_set(CB_ENOMEM, "out of memory");
				goto done;
			}
			r->kpis[k].naccounts = accounts.n;
		}
	}
	if ((rc = cb_store_series_reader_new(ws->store, &reader)) < 0)
		goto done;
	observed = calloc(r->nkpis ? r->nkpis : 1, sizeof(*observed));
	if (!observed) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t k = 0; k < r->nkpis; k++)
		observed[k] = ever_observed(&nd, r->kpis[k].kpi);

	for (size_t a = 0; a < accounts.n; a++) {
		const entry *e = &accounts.items[a];
		cb_analysis_windows w;
		int64_t from_at, to_at, unused;

		if ((rc = cb_analysis_windows_make(e->first, e->last, r->request.window_days,
						   r->request.lag_days, &w)) < 0)
			goto done;
		cb_analysis_span_seconds(&w.baseline, &from_at, &unused);
		cb_analysis_span_seconds(&w.follow_up, &unused, &to_at);
		for (size_t m = 0; m < nd.n; m++) {
			if (!nd.ids[m]) {
				bufs[m].n = 0;
				continue;
			}
			if ((rc = cb_store_series_read(reader, nd.ids[m], e->id, from_at, to_at,
						       &bufs[m])) < 0)
				goto done;
		}
		for (size_t k = 0; k < r->nkpis; k++) {
			cb_impact_kpi *ik = &r->kpis[k];
			int64_t bobs = 0, fobs = 0;

			if (!observed[k]) {
				base[k][a] = follow[k][a] = NAN;
			} else {
				base[k][a] = window_value(host, ik, &nd, bufs, e->key, &w.baseline, views,
							  &bobs);
				follow[k][a] = window_value(host, ik, &nd, bufs, e->key, &w.follow_up,
							    views, &fobs);
			}
			if (e->control) {
				ik->control_baseline_obs += bobs;
				ik->control_follow_up_obs += fobs;
			} else {
				ik->baseline_obs += bobs;
				ik->follow_up_obs += fobs;
			}
			if (ik->accounts) {
				cb_impact_account *ia = &ik->accounts[a];

				ia->account_id = e->id;
				snprintf(ia->key, sizeof(ia->key), "%s", e->key);
				ia->control = e->control;
				ia->windows = w;
				ia->baseline = base[k][a];
				ia->follow_up = follow[k][a];
				ia->baseline_obs = bobs;
				ia->follow_up_obs = fobs;
			}
		}
	}
	for (size_t k = 0; k < r->nkpis; k++) {
		cb_impact_kpi *ik = &r->kpis[k];
		/* Exposed accounts come first in the arrays, controls after. */
		cb_analysis_accounts exposed = {base[k], follow[k], r->exposed};
		cb_analysis_accounts control = {base[k] + r->exposed, follow[k] + r->exposed, r->control};

		if (!observed[k]) {
			/* Counts only: no values, so no interval to draw. */
			cb_analysis_impact_compute(&exposed, NULL, CB_ANALYSIS_HIGHER_IS_BETTER,
						   &r->request.analysis, &ik->impact);
			ik->impact.thin = 1;
			snprintf(ik->impact.reason, sizeof(ik->impact.reason),
				 "none of its measures (%s%s) has been observed in this workspace",
				 ik->kpi->inputs[0], ik->kpi->ninputs > 1 ? ", ..." : "");
			continue;
		}
		if ((rc = cb_analysis_impact_compute(&exposed,
						     r->request.control == CB_CONTROL_NONE ? NULL : &control,
						     ik->kpi->better == CB_KPI_HIGHER
							     ? CB_ANALYSIS_HIGHER_IS_BETTER
							     : CB_ANALYSIS_LOWER_IS_BETTER,
						     &r->request.analysis, &ik->impact)) < 0)
			goto done;
		if ((rc = money(ws, r, ik)) < 0)
			goto done;
	}
	*out = r;
	r = NULL;
	rc = 0;
done:
	cb_store_series_reader_free(reader);
	for (size_t m = 0; bufs && m < nd.n; m++)
		cb_series_buf_free(&bufs[m]);
	free(bufs);
	free(views);
	free(observed);
	for (size_t k = 0; k < nk; k++) {
		free(base[k]);
		free(follow[k]);
	}
	free(base);
	free(follow);
	free(nd.keys);
	free(nd.ids);
	entries_free(&accounts);
	cb_impact_report_free(r);
	return rc;
}

void cb_impact_report_free(cb_impact_report *r)
{
	if (!r)
		return;
	for (size_t k = 0; k < r->nkpis; k++)
		free(r->kpis[k].accounts);
	free(r->kpis);
	free(r->sessions);
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

	if ((rc = cb_workspace_plugins(ws, &host)) < 0)
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
