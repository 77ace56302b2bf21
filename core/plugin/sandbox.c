/*
 * The sandbox: what a plugin's environment holds. Only the safe part of the
 * base library (no dofile, loadfile, require, collectgarbage; `load` of
 * text only, in the plugin's own environment; `setmetatable` without
 * finalizers), and private copies of string, table, math and utf8, so that
 * no plugin can change what another one sees. The string metatable is
 * locked, and `casebook` is a read-only view of the plugin's API.
 *
 * Why no finalizers: Lua runs __gc with hooks off, so a finalizer could
 * loop beyond the instruction budget; and its errors surface at random
 * later points. Refusing them keeps every plugin error at a known call.
 */
#include "plugin/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/text.h"

static const char *const base_allowed[] = {
	"assert",   "error",  "getmetatable", "ipairs", "next",     "pairs",
	"pcall",    "rawequal", "rawget",     "rawlen", "rawset",   "select",
	"tonumber", "tostring", "type",       "_VERSION", NULL};

static const char *const libraries[] = {LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME,
					LUA_UTF8LIBNAME, NULL};

/* --- base-library replacements ---------------------------------------- */

static int sandbox_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_getfield(L, 2, "__gc");
		if (!lua_isnil(L, -1))
			return luaL_error(L, "plugins may not set __gc metamethods");
		lua_pop(L, 1);
	}
	lua_pushvalue(L, lua_upvalueindex(1)); /* the real setmetatable */
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

/*
 * xpcall(f, handler, ...): the handler runs after the failed call returns,
 * not at the point of error. Lua calls a message handler with hooks off
 * when the error came from a hook (as the budget's does), so a handler run
 * in place could loop without limit. Without the debug library a handler
 * cannot look at the stack anyway, so plugins see no other difference.
 */
static int sandbox_xpcall(lua_State *L)
{
	int n = lua_gettop(L);

	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2); /* the handler, kept below the call */
	lua_pushvalue(L, 1);
	for (int i = 3; i <= n; i++)
		lua_pushvalue(L, i);
	if (lua_pcall(L, n - 2 < 0 ? 0 : n - 2, LUA_MULTRET, 0) == LUA_OK) {
		lua_pushboolean(L, 1);
		lua_replace(L, n + 1); /* over the handler */
		return lua_gettop(L) - n;
	}
	/* Stack: ..., handler, error. */
	/* When the handler fails too, its error object is what we return. */
	lua_pcall(L, 1, 1, 0);
	lua_pushboolean(L, 0);
	lua_insert(L, -2);
	return 2;
}

/* load(chunk [, chunkname [, mode [, env]]]): text chunks only; the
 * default environment is the plugin's own (upvalue 1). */
static int sandbox_load(lua_State *L)
{
	size_t len;
	const char *text, *name, *mode;
	int status;

	if (lua_type(L, 1) != LUA_TSTRING)
		return luaL_error(L, "load takes a string of Lua text in plugins");
	text = lua_tolstring(L, 1, &len);
	name = luaL_optstring(L, 2, "=(load)");
	mode = luaL_optstring(L, 3, "t");
	if (strchr(mode, 'b') || (len && text[0] == LUA_SIGNATURE[0])) {
		lua_pushnil(L);
		lua_pushliteral(L, "binary chunks are not allowed in plugins");
		return 2;
	}
	status = luaL_loadbufferx(L, text, len, name, "t");
	if (status != LUA_OK) {
		lua_pushnil(L);
		lua_insert(L, -2);
		return 2;
	}
	if (lua_gettop(L) >= 5 && !lua_isnone(L, 4))
		lua_pushvalue(L, 4);
	else
		lua_pushvalue(L, lua_upvalueindex(1));
	if (!lua_setupvalue(L, -2, 1))
		lua_pop(L, 1);
	return 1;
}

static void log_line(lua_State *L, const cb_plugin *p, int first)
{
	cb_plugin_host *h = cb_plugin_host_of(L);
	int n = lua_gettop(L);
	luaL_Buffer b;

	luaL_buffinit(L, &b);
	for (int i = first; i <= n; i++) {
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
		if (i < n)
			luaL_addchar(&b, ' ');
	}
	luaL_pushresult(&b);
	if (h->log)
		h->log(p->name, lua_tostring(L, -1), h->log_ctx);
	else
		fprintf(stderr, "[%s] %s\n", p->name, lua_tostring(L, -1));
	lua_pop(L, 1);
}

static int sandbox_print(lua_State *L)
{
	log_line(L, lua_touserdata(L, lua_upvalueindex(1)), 1);
	return 0;
}

/* --- the casebook API --------------------------------------------------- */

static cb_plugin *api_plugin(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* Errors for declarations made outside loading, or before casebook.api. */
static cb_plugin_host *api_declaring(lua_State *L, const char *what)
{
	cb_plugin_host *h = cb_plugin_host_of(L);
	cb_plugin *p = api_plugin(L);

	if (h->loading != p)
		luaL_error(L, "casebook.%s may only be called while the plugin loads", what);
	if (p->api == 0)
		luaL_error(L, "call casebook.api(%d) before casebook.%s", CB_PLUGIN_API_VERSION,
			   what);
	return h;
}

static int api_api(lua_State *L)
{
	cb_plugin_host *h = cb_plugin_host_of(L);
	cb_plugin *p = api_plugin(L);
	lua_Integer v;

	if (!lua_isinteger(L, 1))
		return luaL_error(L, "casebook.api takes the API version number, e.g. casebook.api(%d)",
				  CB_PLUGIN_API_VERSION);
	v = lua_tointeger(L, 1);
	if (h->loading != p)
		return luaL_error(L, "casebook.api may only be called while the plugin loads");
	if (v != CB_PLUGIN_API_VERSION)
		return luaL_error(L, "plugin written for API version %d; this casebook provides API version %d",
				  (int)v, CB_PLUGIN_API_VERSION);
	p->api = (int)v;
	return 0;
}

static int api_log(lua_State *L)
{
	log_line(L, api_plugin(L), 1);
	return 0;
}

/* Checks that every field of the declaration table at `t` is one of
 * `known`; raises an error naming the first that is not. */
static void check_fields(lua_State *L, int t, const char *what, const char *const *known)
{
	lua_pushnil(L);
	while (lua_next(L, t)) {
		int ok = 0;

		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING)
			for (const char *const *k = known; *k; k++)
				if (strcmp(*k, lua_tostring(L, -1)) == 0)
					ok = 1;
		if (!ok) {
			if (lua_type(L, -1) == LUA_TSTRING)
				luaL_error(L, "%s: unknown field '%s'", what, lua_tostring(L, -1));
			luaL_error(L, "%s: fields must have string names", what);
		}
	}
}

static const char *field_string(lua_State *L, int t, const char *what, const char *field,
				int required, size_t max)
{
	const char *s;
	size_t len;

	lua_getfield(L, t, field);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		if (required)
			luaL_error(L, "%s needs a '%s' (a string)", what, field);
		return NULL;
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		luaL_error(L, "%s: '%s' must be a string, not a %s", what, field,
			   luaL_typename(L, -1));
	s = lua_tolstring(L, -1, &len);
	if (len > max)
		luaL_error(L, "%s: '%s' is longer than %d bytes", what, field, (int)max);
	if (cb_utf8_invalid_at(s, len) != (size_t)-1)
		luaL_error(L, "%s: '%s' is not valid UTF-8", what, field);
	lua_pop(L, 1); /* still referenced by the table */
	return s;
}

static double field_number(lua_State *L, int t, const char *what, const char *field,
			   double dflt)
{
	double v;

	lua_getfield(L, t, field);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return dflt;
	}
	if (lua_type(L, -1) != LUA_TNUMBER)
		luaL_error(L, "%s: '%s' must be a number, not a %s", what, field,
			   luaL_typename(L, -1));
	v = lua_tonumber(L, -1);
	if (isnan(v))
		luaL_error(L, "%s: '%s' is NaN", what, field);
	lua_pop(L, 1);
	return v;
}

/* Keys of measures and KPIs: lowercase words joined by '.' or '_'. */
static void check_key(lua_State *L, const char *what, const char *key)
{
	size_t len = strlen(key);
	int ok = len > 0 && len <= 64 && key[0] >= 'a' && key[0] <= 'z';

	for (size_t i = 0; ok && i < len; i++) {
		char c = key[i];

		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		     (c == '.' && i + 1 < len && key[i + 1] != '.');
	}
	if (!ok)
		luaL_error(L, "%s key '%s' must be lowercase letters, digits, '_' and '.', "
			      "starting with a letter, at most 64 bytes", what, key);
}

/* Raises an error when `key` is taken, naming the file that took it. */
static void check_unique(lua_State *L, cb_plugin_host *h, const char *kind, const char *key)
{
	const cb_ptrs *lists[2];

	if (strcmp(kind, "measure") == 0) {
		lists[0] = &h->measures;
		lists[1] = &h->stage_measures;
		for (int l = 0; l < 2; l++)
			for (size_t i = 0; i < lists[l]->n; i++) {
				const cb_measure_def *m = lists[l]->items[i];

				if (strcmp(m->key, key) == 0)
					luaL_error(L, "measure '%s' is already declared by %s", key,
						   l ? "this plugin" : m->plugin->path);
			}
	} else {
		lists[0] = &h->kpis;
		lists[1] = &h->stage_kpis;
		for (int l = 0; l < 2; l++)
			for (size_t i = 0; i < lists[l]->n; i++) {
				const cb_kpi_def *k = lists[l]->items[i];

				if (strcmp(k->key, key) == 0)
					luaL_error(L, "KPI '%s' is already declared by %s", key,
						   l ? "this plugin" : k->plugin->path);
			}
	}
}

static char *dup_or_raise(lua_State *L, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		luaL_error(L, "out of memory");
	return d;
}

static int api_measure(lua_State *L)
{
	static const char *const known[] = {"key", "unit", "min", "max", "integer", "doc", NULL};
	cb_plugin_host *h = api_declaring(L, "measure");
	cb_measure_def *m;
	const char *key, *unit, *doc;
	char what[100];
	double min, max;
	int integer;

	luaL_checktype(L, 1, LUA_TTABLE);
	key = field_string(L, 1, "casebook.measure", "key", 1, 64);
	check_key(L, "measure", key);
	snprintf(what, sizeof(what), "measure '%s'", key);
	check_fields(L, 1, what, known);
	unit = field_string(L, 1, what, "unit", 1, 40);
	doc = field_string(L, 1, what, "doc", 1, 500);
	min = field_number(L, 1, what, "min", -HUGE_VAL);
	max = field_number(L, 1, what, "max", HUGE_VAL);
	if (min > max)
		luaL_error(L, "%s: min %g is greater than max %g", what, min, max);
	lua_getfield(L, 1, "integer");
	if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
		luaL_error(L, "%s: 'integer' must be true or false", what);
	integer = lua_toboolean(L, -1);
	lua_pop(L, 1);
	check_unique(L, h, "measure", key);

	m = calloc(1, sizeof(*m));
	if (!m || cb_ptrs_push(&h->stage_measures, m) < 0) {
		free(m);
		return luaL_error(L, "out of memory");
	}
	m->plugin = api_plugin(L);
	m->min = min;
	m->max = max;
	m->integer = integer;
	m->key = dup_or_raise(L, key);
	m->unit = dup_or_raise(L, unit);
	m->doc = dup_or_raise(L, doc);
	return 0;
}

static const char *const builtin_names[] = {
	[CB_KPI_COUNT] = "count", [CB_KPI_SUM] = "sum", [CB_KPI_MEAN] = "mean",
	[CB_KPI_MIN] = "min",	  [CB_KPI_MAX] = "max",
};

const char *cb_kpi_builtin_name(cb_kpi_builtin b)
{
	return b > CB_KPI_LUA && b <= CB_KPI_MAX ? builtin_names[b] : NULL;
}

/* The built-in compute called `name`, or an error naming the ones there are. */
static cb_kpi_builtin builtin_of(lua_State *L, const char *what, const char *name)
{
	for (int b = CB_KPI_COUNT; b <= CB_KPI_MAX; b++)
		if (strcmp(builtin_names[b], name) == 0)
			return (cb_kpi_builtin)b;
	luaL_error(L, "%s: no built-in compute called \"%s\" (there are \"count\", \"sum\", "
		      "\"mean\", \"min\" and \"max\"; or give a function)",
		   what, name);
	return CB_KPI_LUA;
}

static int api_kpi(lua_State *L)
{
	static const char *const known[] = {"key", "name", "unit", "better", "inputs", "compute",
					    "doc", "min", "max", NULL};
	cb_plugin_host *h = api_declaring(L, "kpi");
	cb_kpi_def *k;
	const char *key, *name, *unit, *better, *doc;
	cb_kpi_builtin builtin = CB_KPI_LUA;
	char what[100];
	lua_Integer n;

	luaL_checktype(L, 1, LUA_TTABLE);
	key = field_string(L, 1, "casebook.kpi", "key", 1, 64);
	check_key(L, "KPI", key);
	snprintf(what, sizeof(what), "KPI '%s'", key);
	check_fields(L, 1, what, known);
	name = field_string(L, 1, what, "name", 1, CB_NAME_MAX);
	unit = field_string(L, 1, what, "unit", 1, 40);
	doc = field_string(L, 1, what, "doc", 1, 500);
	better = field_string(L, 1, what, "better", 1, 10);
	if (strcmp(better, "higher") != 0 && strcmp(better, "lower") != 0)
		luaL_error(L, "%s: 'better' must be \"higher\" or \"lower\", not \"%s\"", what, better);
	lua_getfield(L, 1, "compute");
	if (lua_type(L, -1) == LUA_TSTRING)
		builtin = builtin_of(L, what, lua_tostring(L, -1));
	else if (lua_type(L, -1) != LUA_TFUNCTION)
		luaL_error(L, "%s needs 'compute': a function, or the name of a built-in "
			      "(\"count\", \"sum\", \"mean\", \"min\", \"max\")", what);
	lua_pop(L, 1);
	lua_getfield(L, 1, "inputs");
	if (lua_type(L, -1) != LUA_TTABLE || (n = (lua_Integer)lua_rawlen(L, -1)) == 0)
		luaL_error(L, "%s needs 'inputs': a list of measure keys", what);
	if (n > 32)
		luaL_error(L, "%s: at most 32 inputs", what);
	if (builtin != CB_KPI_LUA && n != 1)
		luaL_error(L, "%s: compute = \"%s\" is a statistic of one input, and the KPI lists %d",
			   what, cb_kpi_builtin_name(builtin), (int)n);
	lua_pop(L, 1);
	check_unique(L, h, "kpi", key);

	k = calloc(1, sizeof(*k));
	if (!k || cb_ptrs_push(&h->stage_kpis, k) < 0) {
		free(k);
		return luaL_error(L, "out of memory");
	}
	k->ref = LUA_NOREF;
	k->plugin = api_plugin(L);
	k->better = better[0] == 'h' ? CB_KPI_HIGHER : CB_KPI_LOWER;
	k->min = field_number(L, 1, what, "min", -HUGE_VAL);
	k->max = field_number(L, 1, what, "max", HUGE_VAL);
	k->key = dup_or_raise(L, key);
	k->name = dup_or_raise(L, name);
	k->unit = dup_or_raise(L, unit);
	k->doc = dup_or_raise(L, doc);
	k->inputs = calloc((size_t)n, sizeof(char *));
	if (!k->inputs)
		return luaL_error(L, "out of memory");
	lua_getfield(L, 1, "inputs");
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: input %d must be a measure key (a string)", what, (int)i);
		check_key(L, "measure", lua_tostring(L, -1));
		for (size_t j = 0; j < k->ninputs; j++)
			if (strcmp(k->inputs[j], lua_tostring(L, -1)) == 0)
				luaL_error(L, "%s: input '%s' is listed twice", what,
					   lua_tostring(L, -1));
		k->inputs[k->ninputs++] = dup_or_raise(L, lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (k->min > k->max)
		luaL_error(L, "%s: min %g is greater than max %g", what, k->min, k->max);
	k->builtin = builtin;
	if (builtin == CB_KPI_LUA) {
		lua_getfield(L, 1, "compute");
		k->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	return 0;
}

static int api_on(lua_State *L)
{
	cb_plugin_host *h = api_declaring(L, "on");
	const char *event = luaL_checkstring(L, 1);
	cb_hook *hk;
	int known = 0;

	for (const char *const *e = cb_plugin_events; *e; e++)
		known |= strcmp(*e, event) == 0;
	if (!known) {
		luaL_Buffer b;

		luaL_buffinit(L, &b);
		for (const char *const *e = cb_plugin_events; *e; e++) {
			luaL_addstring(&b, *e);
			if (e[1])
				luaL_addstring(&b, ", ");
		}
		luaL_pushresult(&b);
		return luaL_error(L, "unknown event '%s' (events: %s)", event, lua_tostring(L, -1));
	}
	luaL_checktype(L, 2, LUA_TFUNCTION);
	hk = calloc(1, sizeof(*hk));
	if (!hk || cb_ptrs_push(&h->stage_hooks, hk) < 0) {
		free(hk);
		return luaL_error(L, "out of memory");
	}
	hk->ref = LUA_NOREF;
	hk->plugin = api_plugin(L);
	hk->event = dup_or_raise(L, event);
	lua_pushvalue(L, 2);
	hk->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

static int readonly_newindex(lua_State *L)
{
	return luaL_error(L, "casebook is read-only: plugins may not change it");
}

/* Pushes the read-only `casebook` view for plugin p. */
static void push_casebook(lua_State *L, cb_plugin *p)
{
	static const luaL_Reg api[] = {
		{"api", api_api},   {"measure", api_measure}, {"kpi", api_kpi},
		{"on", api_on},     {"log", api_log},         {NULL, NULL},
	};

	lua_newtable(L); /* the view */
	lua_createtable(L, 0, 4); /* its metatable */
	lua_createtable(L, 0, 8); /* the functions */
	lua_pushlightuserdata(L, p);
	luaL_setfuncs(L, api, 1);
	lua_pushinteger(L, CB_PLUGIN_API_VERSION);
	lua_setfield(L, -2, "api_version");
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, readonly_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushliteral(L, "casebook is read-only");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
}

void cb_plugin_sandbox_push_env(lua_State *L, cb_plugin *p)
{
	int env;

	lua_newtable(L);
	env = lua_gettop(L);
	lua_pushglobaltable(L);
	for (const char *const *name = base_allowed; *name; name++) {
		lua_getfield(L, -1, *name);
		lua_setfield(L, env, *name);
	}
	lua_getfield(L, -1, "setmetatable");
	lua_pushcclosure(L, sandbox_setmetatable, 1);
	lua_setfield(L, env, "setmetatable");
	lua_pushcfunction(L, sandbox_xpcall);
	lua_setfield(L, env, "xpcall");
	/* Private shallow copies of the libraries. */
	for (const char *const *lib = libraries; *lib; lib++) {
		lua_getfield(L, -1, *lib);
		lua_newtable(L);
		lua_pushnil(L);
		while (lua_next(L, -3)) {
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_settable(L, -4);
		}
		lua_remove(L, -2);
		lua_setfield(L, env, *lib);
	}
	lua_pop(L, 1); /* the global table */
	lua_getfield(L, env, LUA_STRLIBNAME);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump"); /* bytecode out is bytecode in */
	lua_pop(L, 1);
	lua_pushvalue(L, env);
	lua_pushcclosure(L, sandbox_load, 1);
	lua_setfield(L, env, "load");
	lua_pushlightuserdata(L, p);
	lua_pushcclosure(L, sandbox_print, 1);
	lua_setfield(L, env, "print");
	lua_pushvalue(L, env);
	lua_setfield(L, env, "_G");
	push_casebook(L, p);
	lua_setfield(L, env, "casebook");
}

/*
 * Lua's pattern matcher runs in C, where the instruction budget cannot
 * reach, and backtracking makes some patterns cost (subject length) to the
 * power of (repetitions + 1). The pattern functions therefore refuse calls
 * whose worst case exceeds PATTERN_WORK_MAX steps; plain searches
 * (string.find with plain = true) are never refused.
 */
#define PATTERN_WORK_MAX 1e9

static int pattern_guard(lua_State *L)
{
	size_t n, plen;
	const char *p;
	int reps = 0, plain;
	double work;

	lua_tolstring(L, 1, &n);
	p = lua_tolstring(L, 2, &plen);
	plain = lua_toboolean(L, lua_upvalueindex(2)) && lua_toboolean(L, 4);
	if (p && !plain) {
		for (size_t i = 0; i < plen; i++) {
			if (p[i] == '%') {
				i++;
			} else if (p[i] == '[') {
				/* Skip the set: a ']' right after '[' or '[^' is literal. */
				i++;
				if (i < plen && p[i] == '^')
					i++;
				if (i < plen && p[i] == ']')
					i++;
				while (i < plen && p[i] != ']')
					i += p[i] == '%' ? 2 : 1;
			} else if (i > 0 && (p[i] == '*' || p[i] == '+' || p[i] == '-')) {
				reps++;
			}
		}
		work = pow((double)n + 1, reps + 1);
		if (work > PATTERN_WORK_MAX)
			return luaL_error(L, "pattern with %d repetitions over %d bytes could run too "
					     "long; match smaller pieces or search plainly",
					  reps, (int)n);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

void cb_plugin_sandbox_init(lua_State *L)
{
	static const char *const matchers[] = {"find", "match", "gmatch", "gsub", NULL};

	/* Guard the pattern functions in the one string table that both
	 * string.x and ("..."):x() reach (each plugin copies from it). */
	lua_getglobal(L, LUA_STRLIBNAME);
	for (const char *const *m = matchers; *m; m++) {
		lua_getfield(L, -1, *m);
		lua_pushboolean(L, strcmp(*m, "find") == 0); /* has a plain flag */
		lua_pushcclosure(L, pattern_guard, 2);
		lua_setfield(L, -2, *m);
	}
	lua_pop(L, 1);

	/* getmetatable("") then answers false: no plugin can reach the
	 * table every string method goes through. */
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}
