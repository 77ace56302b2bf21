/* What the plugin host's files share; nothing outside core/plugin/ sees it. */
#ifndef CB_PLUGIN_INTERNAL_H
#define CB_PLUGIN_INTERNAL_H

#include <stdint.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "plugin/host.h"

typedef struct cb_hook {
	char *event;
	int ref; /* the function in the Lua registry */
	const cb_plugin *plugin;
} cb_hook;

/* A growable array of pointers. */
typedef struct cb_ptrs {
	void **items;
	size_t n, cap;
} cb_ptrs;

struct cb_plugin_host {
	lua_State *L;
	size_t mem_used, mem_limit, mem_peak;
	unsigned long budget; /* instructions per call */
	unsigned long used;   /* instructions counted in the current call */
	int over_budget;
	cb_ptrs plugins;  /* cb_plugin *, load order */
	cb_ptrs measures; /* cb_measure_def * */
	cb_ptrs kpis;     /* cb_kpi_def * */
	cb_ptrs hooks;    /* cb_hook * */
	/* While a file loads, what it declares waits here; it reaches the
	 * registry only when the whole file ran without error. */
	cb_plugin *loading;
	cb_ptrs stage_measures, stage_kpis, stage_hooks;
	cb_plugin_log_fn log;
	void *log_ctx;
	/* Answers kept for windows with the same observations while the
	 * caller's series stay put (cb_plugin_memo_begin); a slot belongs to
	 * the current generation or is free. */
	struct cb_plugin_memo *memo;
	uint64_t memo_gen;
	int memo_on;
	char *chunk_dir; /* compiled chunks kept here (chunks.c); NULL: none */
	/* Registry slots by number (luaL_ref), read on every compute call:
	 * the array part, not a hash of a pointer. */
	int ref_anchor;      /* the call's window table, kept alive (host.c) */
	int ref_job;         /* the compute call in progress (host.c) */
	int ref_window_meta; /* window tables' metatable (host.c) */
	int ref_series_meta; /* series' metatable (series.c) */
};

int cb_ptrs_push(cb_ptrs *a, void *p);
void cb_ptrs_free(cb_ptrs *a);

/* The host that owns L. */
cb_plugin_host *cb_plugin_host_of(lua_State *L);

/* Pushes a new environment for plugin `p`: the safe library subset and a
 * read-only `casebook` table. Runs inside a protected call. */
void cb_plugin_sandbox_push_env(lua_State *L, cb_plugin *p);

/* Makes the string metatable unreachable from plugins and registers the
 * series metatable. Runs inside a protected call at host start. */
void cb_plugin_sandbox_init(lua_State *L);

/* Series userdata: pushes a view of `s` (borrowed; see cb_plugin_series_expire). */
typedef struct cb_series_ud cb_series_ud;
cb_series_ud *cb_plugin_series_push(lua_State *L, const cb_series *s);
/* Makes a series unusable: a plugin that kept it past its call gets an
 * error instead of reading freed memory. */
void cb_plugin_series_expire(cb_series_ud *ud);
void cb_plugin_series_register(lua_State *L);
/* A built-in compute over one series: 0 and *value, or 1 (empty: nil). */
int cb_plugin_builtin_compute(cb_kpi_builtin op, const cb_series *s, double *value);

/* luaL_loadbufferx of a plugin's text, through the compiled chunks kept in
 * `dir` (NULL: none): the same function, status and message, without
 * compiling a text compiled before. Runs inside a protected call. */
int cb_plugin_chunk_load(lua_State *L, const char *dir, const char *text, size_t len,
			 const char *chunkname);

/* Pushes a Lua copy of a JSON value (objects and arrays as tables, null as
 * nil). Runs inside a protected call. */
void cb_plugin_push_json(lua_State *L, const json_t *v, int depth);

#endif
