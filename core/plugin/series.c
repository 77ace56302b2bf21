/*
 * Series: one window's observations of one measure, handed to a KPI's
 * compute as read-only userdata. `#s`, `s[i]`, `s:time(i)` and the
 * statistics helpers read the caller's C arrays directly, so a window costs
 * one userdata per input whatever its length, and the helpers run at C
 * speed. A series is valid during its compute call only; afterwards it is
 * expired and any use raises an error.
 */
#include "plugin/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SERIES_META "casebook.series"

struct cb_series_ud {
	const double *values;
	const int64_t *times;
	size_t n;
	int live;
};

/* The series metatable is kept in the registry by number (the host's
 * ref_series_meta), so that a series is made and checked without a lookup
 * by name (once per window, and once per helper call). */

static cb_series_ud *check_series(lua_State *L, int i)
{
	cb_series_ud *s = lua_touserdata(L, i);
	int ok = 0;

	if (s && lua_getmetatable(L, i)) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, cb_plugin_host_of(L)->ref_series_meta);
		ok = lua_rawequal(L, -1, -2);
		lua_pop(L, 2);
	}
	if (!ok)
		luaL_typeerror(L, i, SERIES_META);
	if (!s->live)
		luaL_error(L, "this series belonged to an earlier compute call and is gone");
	return s;
}

/* 1-based index argument at i, checked against the length. */
static size_t check_index(lua_State *L, const cb_series_ud *s, int i)
{
	lua_Integer k = luaL_checkinteger(L, i);

	if (k < 1 || (lua_Unsigned)k > s->n)
		luaL_error(L, "index %d is outside the series (1..%d)", (int)k, (int)s->n);
	return (size_t)(k - 1);
}

static int series_len(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)check_series(L, 1)->n);
	return 1;
}

static int series_time(lua_State *L)
{
	cb_series_ud *s = check_series(L, 1);
	size_t i = check_index(L, s, 2);

	if (!s->times)
		lua_pushnil(L);
	else
		lua_pushinteger(L, (lua_Integer)s->times[i]);
	return 1;
}

static int series_count(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)check_series(L, 1)->n);
	return 1;
}

/* Neumaier's compensated sum: exact enough for millions of values. */
static double sum_of(const double *v, size_t n)
{
	double sum = 0, c = 0;

	for (size_t i = 0; i < n; i++) {
		double t = sum + v[i];

		if (fabs(sum) >= fabs(v[i]))
			c += (sum - t) + v[i];
		else
			c += (v[i] - t) + sum;
		sum = t;
	}
	return sum + c;
}

static double min_of(const double *v, size_t n)
{
	double m = v[0];

	for (size_t i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static double max_of(const double *v, size_t n)
{
	double m = v[0];

	for (size_t i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

/* The statistic `op` of the n values at v (n > 0 but for count and sum),
 * as the Lua methods of the same name compute it. */
static double statistic(cb_kpi_builtin op, const double *v, size_t n)
{
	switch (op) {
	case CB_KPI_COUNT:
		return (double)n;
	case CB_KPI_SUM:
		return sum_of(v, n);
	case CB_KPI_MEAN:
		return sum_of(v, n) / (double)n;
	case CB_KPI_MIN:
		return min_of(v, n);
	case CB_KPI_MAX:
		return max_of(v, n);
	case CB_KPI_LUA:
		break;
	}
	return NAN;
}

int cb_plugin_builtin_compute(cb_kpi_builtin op, const cb_series *s, double *value)
{
	if (s->n == 0)
		return 1;
	*value = statistic(op, s->values, s->n);
	return 0;
}

static int series_sum(lua_State *L)
{
	cb_series_ud *s = check_series(L, 1);

	lua_pushnumber(L, statistic(CB_KPI_SUM, s->values, s->n));
	return 1;
}

/* A method that is nil on an empty series. */
static int series_nonempty(lua_State *L, cb_kpi_builtin op)
{
	cb_series_ud *s = check_series(L, 1);

	if (s->n == 0)
		lua_pushnil(L);
	else
		lua_pushnumber(L, statistic(op, s->values, s->n));
	return 1;
}

static int series_mean(lua_State *L)
{
	return series_nonempty(L, CB_KPI_MEAN);
}

static int series_min(lua_State *L)
{
	return series_nonempty(L, CB_KPI_MIN);
}

static int series_max(lua_State *L)
{
	return series_nonempty(L, CB_KPI_MAX);
}

/* Sample standard deviation (n - 1), by Welford's update. */
static int series_stddev(lua_State *L)
{
	cb_series_ud *s = check_series(L, 1);
	double mean = 0, m2 = 0;

	if (s->n < 2) {
		lua_pushnil(L);
		return 1;
	}
	for (size_t i = 0; i < s->n; i++) {
		double d = s->values[i] - mean;

		mean += d / (double)(i + 1);
		m2 += d * (s->values[i] - mean);
	}
	lua_pushnumber(L, sqrt(m2 / (double)(s->n - 1)));
	return 1;
}

static int double_order(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Quantile p in [0, 1], interpolating linearly between order statistics
 * (Hyndman and Fan's definition 7, the default of R and NumPy). */
static int series_quantile(lua_State *L)
{
	cb_series_ud *s = check_series(L, 1);
	double p = luaL_checknumber(L, 2), h, *sorted;
	size_t lo;

	if (!(p >= 0 && p <= 1))
		return luaL_error(L, "quantile takes p between 0 and 1, not %f", p);
	if (s->n == 0) {
		lua_pushnil(L);
		return 1;
	}
	/* Sort a copy in memory the host accounts for. */
	sorted = lua_newuserdatauv(L, s->n * sizeof(double), 0);
	memcpy(sorted, s->values, s->n * sizeof(double));
	qsort(sorted, s->n, sizeof(double), double_order);
	h = (double)(s->n - 1) * p;
	lo = (size_t)floor(h);
	if (lo + 1 < s->n)
		lua_pushnumber(L, sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]));
	else
		lua_pushnumber(L, sorted[lo]);
	return 1;
}

static int series_count_ge(lua_State *L)
{
	cb_series_ud *s = check_series(L, 1);
	double x = luaL_checknumber(L, 2);
	lua_Integer c = 0;

	for (size_t i = 0; i < s->n; i++)
		c += s->values[i] >= x;
	lua_pushinteger(L, c);
	return 1;
}

static int series_count_le(lua_State *L)
{
	cb_series_ud *s = check_series(L, 1);
	double x = luaL_checknumber(L, 2);
	lua_Integer c = 0;

	for (size_t i = 0; i < s->n; i++)
		c += s->values[i] <= x;
	lua_pushinteger(L, c);
	return 1;
}

static int series_count_eq(lua_State *L)
{
	cb_series_ud *s = check_series(L, 1);
	double x = luaL_checknumber(L, 2);
	lua_Integer c = 0;

	for (size_t i = 0; i < s->n; i++)
		c += s->values[i] == x;
	lua_pushinteger(L, c);
	return 1;
}

static int series_index(lua_State *L)
{
	cb_series_ud *s = check_series(L, 1);

	if (lua_type(L, 2) == LUA_TNUMBER) {
		lua_Integer k;

		if (!lua_isinteger(L, 2))
			return luaL_error(L, "series index must be a whole number");
		k = lua_tointeger(L, 2);
		if (k < 1 || (lua_Unsigned)k > s->n)
			lua_pushnil(L); /* like a table: s[#s + 1] is nil */
		else
			lua_pushnumber(L, s->values[k - 1]);
		return 1;
	}
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1)); /* the methods */
	return 1;
}

static int series_newindex(lua_State *L)
{
	return luaL_error(L, "series are read-only");
}

static int series_tostring(lua_State *L)
{
	cb_series_ud *s = check_series(L, 1);

	lua_pushfstring(L, "series (%d values)", (int)s->n);
	return 1;
}

void cb_plugin_series_register(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{"time", series_time},     {"count", series_count},       {"sum", series_sum},
		{"mean", series_mean},     {"min", series_min},           {"max", series_max},
		{"stddev", series_stddev}, {"quantile", series_quantile}, {"count_ge", series_count_ge},
		{"count_le", series_count_le}, {"count_eq", series_count_eq}, {NULL, NULL},
	};

	luaL_newmetatable(L, SERIES_META);
	luaL_newlib(L, methods);
	lua_pushcclosure(L, series_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, series_len);
	lua_setfield(L, -2, "__len");
	lua_pushcfunction(L, series_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, series_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pushliteral(L, "series are read-only");
	lua_setfield(L, -2, "__metatable");
	cb_plugin_host_of(L)->ref_series_meta = luaL_ref(L, LUA_REGISTRYINDEX);
}

cb_series_ud *cb_plugin_series_push(lua_State *L, const cb_series *s)
{
	cb_series_ud *ud = lua_newuserdatauv(L, sizeof(*ud), 0);

	ud->values = s->values;
	ud->times = s->times;
	ud->n = s->n;
	ud->live = 1;
	/* The metatable by address, not by name: one push per window. */
	lua_rawgeti(L, LUA_REGISTRYINDEX, cb_plugin_host_of(L)->ref_series_meta);
	lua_setmetatable(L, -2);
	return ud;
}

void cb_plugin_series_expire(cb_series_ud *ud)
{
	ud->live = 0;
	ud->values = NULL;
	ud->times = NULL;
	ud->n = 0;
}

void cb_plugin_push_json(lua_State *L, const json_t *v, int depth)
{
	if (depth > 32)
		luaL_error(L, "record nested too deeply");
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *item;

		lua_createtable(L, 0, (int)json_object_size(v));
		json_object_foreach((json_t *)v, key, item) {
			if (json_is_null(item))
				continue;
			cb_plugin_push_json(L, item, depth + 1);
			lua_setfield(L, -2, key);
		}
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *item;

		lua_createtable(L, (int)json_array_size(v), 0);
		json_array_foreach(v, i, item) {
			cb_plugin_push_json(L, item, depth + 1);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		break;
	}
	case JSON_STRING:
		lua_pushlstring(L, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		lua_pushinteger(L, (lua_Integer)json_integer_value(v));
		break;
	case JSON_REAL:
		lua_pushnumber(L, json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		lua_pushboolean(L, json_is_true(v));
		break;
	case JSON_NULL:
		lua_pushnil(L);
		break;
	}
}
