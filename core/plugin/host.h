/*
 * The Lua plugin host. Plugins are Lua 5.4 files that declare measures,
 * KPIs and hooks through a `casebook` table (API version 1). Each file runs
 * once, in an environment of its own holding only the safe parts of the
 * standard library; every call into Lua runs under an instruction budget
 * and the whole host under a memory cap. A plugin that fails to load is
 * recorded with its error and skipped; the others keep working.
 *
 * This is the only layer that includes lua.h. Everything it hands out
 * (measures, KPIs, plugin records) stays owned by the host and is valid
 * until cb_plugin_host_free.
 */
#ifndef CB_PLUGIN_HOST_H
#define CB_PLUGIN_HOST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CB_PLUGIN_API_VERSION 1

/* Default limits; both can be changed per host. */
#define CB_PLUGIN_DEFAULT_INSTRUCTIONS 50000000UL /* per call */
#define CB_PLUGIN_DEFAULT_MEMORY (64UL << 20)     /* bytes, whole host */

typedef struct cb_plugin_host cb_plugin_host;

typedef struct cb_plugin_limits {
	unsigned long instructions; /* Lua VM instructions per call; 0: default */
	size_t memory;              /* bytes for the whole host; 0: default */
} cb_plugin_limits;

typedef enum cb_plugin_status {
	CB_PLUGIN_LOADED,
	CB_PLUGIN_FAILED /* error says why; nothing of it is registered */
} cb_plugin_status;

typedef struct cb_plugin {
	char *name;  /* the file name without ".lua" */
	char *path;  /* the file */
	int api;     /* the API version it declared (0 when none) */
	cb_plugin_status status;
	char *error; /* why it failed, with file and line; NULL when loaded */
	size_t measures, kpis, hooks; /* what it declared */
} cb_plugin;

typedef struct cb_measure_def {
	char *key;  /* "survey.recommend" */
	char *unit; /* "score" */
	double min, max; /* allowed range, inclusive (-inf/inf when open) */
	int integer;     /* values must be whole numbers */
	char *doc;
	const cb_plugin *plugin; /* who declared it */
} cb_measure_def;

typedef enum cb_kpi_better { CB_KPI_HIGHER, CB_KPI_LOWER } cb_kpi_better;

/* An answer of compute kept for windows that will answer the same: 0
 * with value, or 1 (nil) with reason; `known` once kept. */
typedef struct cb_kpi_answer {
	int known, rc;
	double value;
	char *reason;
} cb_kpi_answer;

/* A KPI's compute: a Lua function, or a statistic of its one input the
 * host computes itself (`compute = "mean"`; plugins/README.md). A built-in
 * gives what `w[input]:mean()` would, and nil on an empty window. */
typedef enum cb_kpi_builtin {
	CB_KPI_LUA = 0,
	CB_KPI_COUNT,
	CB_KPI_SUM,
	CB_KPI_MEAN,
	CB_KPI_MIN,
	CB_KPI_MAX,
} cb_kpi_builtin;

/* The name plugins give it ("mean"), NULL for CB_KPI_LUA. */
const char *cb_kpi_builtin_name(cb_kpi_builtin b);

typedef struct cb_kpi_def {
	char *key;  /* "nps" */
	char *name; /* "Net Promoter Score" */
	char *unit; /* "points" */
	cb_kpi_better better;
	char *doc;
	char **inputs; /* measure keys, in the order compute sees them */
	size_t ninputs;
	double min, max; /* range of the KPI's value (-inf/inf when open) */
	const cb_plugin *plugin;
	int ref;      /* the compute function in the Lua registry */
	cb_kpi_builtin builtin; /* CB_KPI_LUA: compute is the function at ref */
	int disabled; /* an input measure is unknown; see disabled_reason */
	char *disabled_reason;
	cb_kpi_answer empty; /* the host's: the answer on a window without observations */
} cb_kpi_def;

/* One window's observations of one measure for one account, in time order.
 * Borrowed by the host for the duration of one compute call only. */
typedef struct cb_series {
	const double *values;
	const int64_t *times; /* Unix seconds, UTC; may be NULL (times unknown) */
	size_t n;
} cb_series;

/* What a KPI is computed over: the window and the series of each input
 * measure (inputs[i] for kpi->inputs[i]). */
typedef struct cb_window {
	const char *account; /* account key, may be NULL */
	const char *from;    /* "YYYY-MM-DD", inclusive; may be NULL */
	const char *to;      /* "YYYY-MM-DD", exclusive; may be NULL */
	const cb_series *inputs;
} cb_window;

/* Makes a host with `limits` (NULL: defaults). Caller frees with
 * cb_plugin_host_free. */
int cb_plugin_host_new(const cb_plugin_limits *limits, cb_plugin_host **out);
void cb_plugin_host_free(cb_plugin_host *h);

/* Where log lines of plugins (casebook.log, print) go; default stderr. */
typedef void (*cb_plugin_log_fn)(const char *plugin, const char *line, void *ctx);
void cb_plugin_host_set_log(cb_plugin_host *h, cb_plugin_log_fn fn, void *ctx);

/* Keeps the compiled chunk of each plugin in `dir` (made, private to the
 * user, when first written) and loads it from there again while the
 * plugin's text is the same, instead of compiling it; NULL, the default,
 * compiles every time. Returns 0 or CB_ENOMEM. */
int cb_plugin_host_set_chunk_cache(cb_plugin_host *h, const char *dir);

/* Loads every *.lua file of `dir` (but *.d.lua, editor annotations), in
 * byte order of their names. A missing
 * folder is not an error when `optional`. A plugin that fails is recorded
 * as failed and skipped; the call itself fails only when the folder cannot
 * be read. */
int cb_plugin_host_load_dir(cb_plugin_host *h, const char *dir, int optional);

/* Loads one file. Returns 0 when it loaded, else CB_EINVALID (the plugin is
 * then recorded as failed with the same message). */
int cb_plugin_host_load_file(cb_plugin_host *h, const char *path);

/* Checks every loaded KPI's inputs against the declared measures, disabling
 * KPIs whose inputs are unknown. Call after the last load. */
void cb_plugin_host_finish(cb_plugin_host *h);

/* The registry. Indexes run from 0 to count - 1 in load order. */
size_t cb_plugin_count(const cb_plugin_host *h);
const cb_plugin *cb_plugin_at(const cb_plugin_host *h, size_t i);
const cb_plugin *cb_plugin_find(const cb_plugin_host *h, const char *name);
size_t cb_plugin_measure_count(const cb_plugin_host *h);
const cb_measure_def *cb_plugin_measure_at(const cb_plugin_host *h, size_t i);
const cb_measure_def *cb_plugin_measure_find(const cb_plugin_host *h, const char *key);
size_t cb_plugin_kpi_count(const cb_plugin_host *h);
const cb_kpi_def *cb_plugin_kpi_at(const cb_plugin_host *h, size_t i);
const cb_kpi_def *cb_plugin_kpi_find(const cb_plugin_host *h, const char *key);

/* Between cb_plugin_memo_begin and the next begin or cb_plugin_memo_end,
 * the caller promises that a series it hands to compute (its values
 * pointer and length) holds the same observations every time: the host
 * then answers a KPI over the same observations once, when the call read
 * neither w.account, w.from nor w.to (compute is a function of its
 * window). An impact begins a memo for each account's series. */
void cb_plugin_memo_begin(cb_plugin_host *h);
void cb_plugin_memo_end(cb_plugin_host *h);

/* Checks one value against a measure's declaration. Returns 0 or
 * CB_EINVALID ("value 11 out of range 0..10 for measure survey.recommend"). */
int cb_plugin_measure_check(const cb_measure_def *m, double value);

/* Computes `kpi` over one window: one Lua call, or none for a window
 * without observations once such a window's answer is known (from a call
 * that read neither w.account, w.from nor w.to). Returns 0 with *value set;
 * or 1 when the plugin returned nil, with *reason (caller frees) saying why
 * ("fewer than 10 answers"; `reason` may be NULL when the caller does not
 * need it, which spares a copy per window); or CB_EINVALID when the call failed (error,
 * budget or memory exceeded, a non-number result), the message naming the
 * plugin's file and line and the KPI. The host keeps working either way. */
int cb_plugin_kpi_compute(cb_plugin_host *h, const cb_kpi_def *kpi,
			  const cb_window *w, double *value, char **reason);

/* The same; *pure says whether the answer is one of the window's
 * observations alone (a built-in compute, or a call, now or kept, that
 * read neither w.account, w.from nor w.to), so that a caller may take it
 * again for another window holding the same observations. */
int cb_plugin_kpi_compute_pure(cb_plugin_host *h, const cb_kpi_def *kpi, const cb_window *w,
			       double *value, char **reason, int *pure);

/* Runs the hooks registered for `event` in load order with `record`
 * (converted to a Lua table; the plugin gets a copy). Returns 0 when every
 * hook accepted; CB_EINVALID when one rejected ("plugin X rejected: REASON")
 * or failed (the message names the file and line); later hooks do not run. */
int cb_plugin_hook_run(cb_plugin_host *h, const char *event, const json_t *record);

/* The hook events this host knows. NULL-terminated. */
extern const char *const cb_plugin_events[];

#endif
