/* Money values of KPIs (for ROI) and outcome agreements, in the store. */
#ifndef CB_STORE_OUTCOME_H
#define CB_STORE_OUTCOME_H

#include <stdint.h>

#include "store/store.h"

typedef struct cb_kpi_value {
	char kpi[72];
	double per_unit; /* money per KPI unit per account per year (kind level),
			  * or per KPI unit (kind total) */
	char currency[4];
	char kind[8];    /* "level" or "total" */
} cb_kpi_value;

/* Sets (or replaces) the value of `v->kpi`. */
int cb_store_kpi_value_set(cb_store *s, const cb_kpi_value *v);

/* Reads the value of `kpi`; *found says whether there is one. */
int cb_store_kpi_value_get(cb_store *s, const char *kpi, cb_kpi_value *v, int *found);

typedef int (*cb_kpi_value_fn)(const cb_kpi_value *v, void *ctx);
int cb_store_kpi_value_each(cb_store *s, cb_kpi_value_fn fn, void *ctx);

typedef struct cb_outcome {
	int64_t id, account_id;
	const char *account; /* key; borrowed in callbacks */
	const char *kpi;
	double target, minimum;
	const char *from_on, *to_on; /* YYYY-MM-DD, inclusive */
} cb_outcome;

/* Records an agreement; one per account, KPI and start date (CB_EEXISTS). */
int cb_store_outcome_insert(cb_store *s, const cb_outcome *o);

/* Calls fn for each agreement (of `account_id`, 0: all), by account, KPI,
 * start. The row is borrowed for the call. */
typedef int (*cb_outcome_fn)(const cb_outcome *o, void *ctx);
int cb_store_outcome_each(cb_store *s, int64_t account_id, cb_outcome_fn fn, void *ctx);

#endif
