/* The plugin host on real Lua: loading, the registry, computes, hooks, and
 * every attack the sandbox must stop, each followed by a working host. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "plugin/host.h"
#include "testlib.h"

static char *dir;
static cb_plugin_host *host;

static const char good_plugin[] =
	"casebook.api(1)\n"
	"casebook.measure { key = 'survey.recommend', unit = 'score', min = 0, max = 10,\n"
	"  integer = true, doc = 'How likely are you to recommend us? (0-10)' }\n"
	"casebook.kpi { key = 'nps', name = 'Net Promoter Score', unit = 'points',\n"
	"  better = 'higher', inputs = { 'survey.recommend' }, min = -100, max = 100,\n"
	"  doc = 'Promoters minus detractors, in percent of answers',\n"
	"  compute = function(w)\n"
	"    local s = w['survey.recommend']\n"
	"    if #s < 4 then return nil, 'fewer than 4 answers' end\n"
	"    return 100 * (s:count_ge(9) - s:count_le(6)) / #s\n"
	"  end }\n";

static void setup(void)
{
	dir = cbt_tempdir();
	ck_assert_int_eq(cb_plugin_host_new(NULL, &host), 0);
}

static void teardown(void)
{
	cb_plugin_host_free(host);
	cbt_rmrf(dir);
	free(dir);
}

static char *plugin_file(const char *name, const char *text)
{
	return cbt_write(dir, name, text);
}

/* Loads `text` as NAME.lua; returns the load result. */
static int load(const char *name, const char *text)
{
	char file[128];
	char *path;
	int rc;

	snprintf(file, sizeof(file), "%s.lua", name);
	path = plugin_file(file, text);
	rc = cb_plugin_host_load_file(host, path);
	free(path);
	return rc;
}

static double nps_of(const double *v, size_t n, int *status, char **reason)
{
	const cb_kpi_def *k = cb_plugin_kpi_find(host, "nps");
	cb_series s = {v, NULL, n};
	cb_window w = {"acme", "2025-01-01", "2025-04-01", &s};
	double value = NAN;

	ck_assert_ptr_nonnull(k);
	*status = cb_plugin_kpi_compute(host, k, &w, &value, reason);
	return value;
}

/* The good plugin still answers: the host survived whatever came before. */
static void host_still_works(void)
{
	static const double answers[] = {10, 9, 9, 8, 7, 6, 3, 10, 10, 2};
	char *reason = NULL;
	int status;
	double v;

	if (!cb_plugin_kpi_find(host, "nps")) {
		ck_assert_int_eq(load("good", good_plugin), 0);
		cb_plugin_host_finish(host);
	}
	v = nps_of(answers, 10, &status, &reason);
	ck_assert_msg(status == 0, "%s", cb_error_last());
	/* 5 promoters (9,9,10,10,10), 3 detractors (6,3,2) of 10: 20 points. */
	ck_assert_double_eq_tol(v, 20.0, 1e-12);
}

/* No false zeros: every KPI of the built-in catalog, given windows in which
 * none of its inputs was observed, answers nil ("no data") with a reason,
 * never a number (a 0.00 would read as "no change"). */
START_TEST(every_builtin_kpi_is_nil_on_empty_windows)
{
	size_t checked = 0;
	char bad[2048] = "";

	ck_assert_int_eq(cb_plugin_host_load_dir(host, CASEBOOK_SOURCE_DIR "/plugins", 0), 0);
	cb_plugin_host_finish(host);
	for (size_t i = 0; i < cb_plugin_kpi_count(host); i++) {
		const cb_kpi_def *k = cb_plugin_kpi_at(host, i);
		cb_series empty[16] = {{NULL, NULL, 0}};
		cb_window w = {"acme", "2025-01-01", "2025-04-01", empty};
		char *reason = NULL;
		double v = NAN;
		int rc;

		ck_assert_uint_le(k->ninputs, 16);
		rc = cb_plugin_kpi_compute(host, k, &w, &v, &reason);
		if (rc != 1 || !reason || !*reason)
			snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad), " %s (%s %g)", k->key,
				 rc == 0 ? "returned" : rc < 0 ? cb_error_last() : "no reason", v);
		free(reason);
		checked++;
	}
	ck_assert_msg(bad[0] == '\0', "KPIs that are not nil on empty windows:%s", bad);
	ck_assert_uint_ge(checked, 30);
}
END_TEST

/* Throughput with planned hours but no production counts is no data, not
 * 0 units an hour. */
START_TEST(throughput_without_counts_is_no_data)
{
	static const double planned[] = {8, 8, 8};
	cb_series in[2] = {{planned, NULL, 3}, {NULL, NULL, 0}};
	cb_window w = {"acme", "2025-01-01", "2025-04-01", in};
	const cb_kpi_def *k;
	char *reason = NULL;
	double v = NAN;

	ck_assert_int_eq(cb_plugin_host_load_dir(host, CASEBOOK_SOURCE_DIR "/plugins", 0), 0);
	cb_plugin_host_finish(host);
	k = cb_plugin_kpi_find(host, "throughput");
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->inputs[1], "production.good_count");
	ck_assert_int_eq(cb_plugin_kpi_compute(host, k, &w, &v, &reason), 1);
	ck_assert_str_eq(reason, "no production counts recorded");
	free(reason);
}
END_TEST

START_TEST(loads_and_computes)
{
	static const double few[] = {10, 9};
	const cb_plugin *p;
	const cb_measure_def *m;
	char *reason = NULL;
	int status;

	ck_assert_int_eq(load("good", good_plugin), 0);
	cb_plugin_host_finish(host);
	ck_assert_uint_eq(cb_plugin_count(host), 1);
	p = cb_plugin_at(host, 0);
	ck_assert_str_eq(p->name, "good");
	ck_assert_int_eq(p->api, 1);
	ck_assert_int_eq(p->status, CB_PLUGIN_LOADED);
	ck_assert_uint_eq(p->measures, 1);
	ck_assert_uint_eq(p->kpis, 1);
	m = cb_plugin_measure_find(host, "survey.recommend");
	ck_assert_ptr_nonnull(m);
	ck_assert(m->integer);
	ck_assert_double_eq(m->max, 10);
	ck_assert_int_eq(cb_plugin_measure_check(m, 10), 0);
	ck_assert_int_eq(cb_plugin_measure_check(m, 11), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "value 11 out of range 0..10 for measure survey.recommend");
	ck_assert_int_eq(cb_plugin_measure_check(m, 7.5), CB_EINVALID);
	ck_assert_int_eq(cb_plugin_measure_check(m, NAN), CB_EINVALID);
	ck_assert_int_eq(cb_plugin_kpi_find(host, "nps")->better, CB_KPI_HIGHER);
	host_still_works();
	nps_of(few, 2, &status, &reason);
	ck_assert_int_eq(status, 1);
	ck_assert_str_eq(reason, "fewer than 4 answers");
	free(reason);
}
END_TEST

START_TEST(series_helpers)
{
	static const double v[] = {4, 1, 3, 2, 5, 5};
	static const int64_t t[] = {100, 200, 300, 400, 500, 600};
	const char *src =
		"casebook.api(1)\n"
		"casebook.measure { key = 'm', unit = 'x', doc = 'd' }\n"
		"casebook.kpi { key = 'probe', name = 'P', unit = 'x', better = 'lower', doc = 'd',\n"
		"  inputs = { 'm' }, compute = function(w)\n"
		"    local s = w.m\n"
		"    assert(#s == 6 and s:count() == 6 and s[1] == 4 and s[7] == nil)\n"
		"    assert(s:time(2) == 200 and s:sum() == 20 and s:min() == 1 and s:max() == 5)\n"
		"    assert(s:count_ge(4) == 3 and s:count_le(2) == 2 and s:count_eq(5) == 2)\n"
		"    assert(s:quantile(0) == 1 and s:quantile(1) == 5 and s:quantile(0.5) == 3.5)\n"
		"    assert(math.abs(s:quantile(0.25) - 2.25) < 1e-12)\n"
		"    assert(w.account == 'acme' and w.from == '2025-01-01' and w.kpi == 'probe')\n"
		"    local ok = pcall(function() s[1] = 9 end); assert(not ok)\n"
		"    return s:stddev()\n"
		"  end }\n";
	cb_series s = {v, t, 6};
	cb_window w = {"acme", "2025-01-01", "2025-02-01", &s};
	char *reason = NULL;
	double out = 0;

	ck_assert_msg(load("probe", src) == 0, "%s", cb_error_last());
	cb_plugin_host_finish(host);
	ck_assert_msg(cb_plugin_kpi_compute(host, cb_plugin_kpi_find(host, "probe"), &w, &out,
					    &reason) == 0,
		      "%s", cb_error_last());
	/* Sum of squares 80, mean 10/3: (80 - 6 * 100/9) / 5 = 8/3. */
	ck_assert_double_eq_tol(out, sqrt(8.0 / 3.0), 1e-12);
}
END_TEST

START_TEST(api_version_is_checked)
{
	ck_assert_int_eq(load("future", "casebook.api(2)\n"), CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "future.lua:1: plugin written for API version 2; "
					       "this casebook provides API version 1"),
		      "%s", cb_error_last());
	ck_assert_int_eq(load("silent", "local x = 1\n"), CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "does not declare its API version"));
	ck_assert_int_eq(load("early", "casebook.measure{key='m', unit='u', doc='d'}\n"), CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "call casebook.api(1) before casebook.measure"));
	ck_assert_uint_eq(cb_plugin_count(host), 3);
	ck_assert_int_eq(cb_plugin_at(host, 0)->status, CB_PLUGIN_FAILED);
	ck_assert_uint_eq(cb_plugin_measure_count(host), 0);
	host_still_works();
}
END_TEST

START_TEST(duplicate_keys_name_both_files)
{
	ck_assert_int_eq(load("a_first", good_plugin), 0);
	ck_assert_int_eq(load("b_second",
			      "casebook.api(1)\n"
			      "casebook.measure{key='other', unit='u', doc='d'}\n"
			      "casebook.kpi{key='nps', name='N', unit='u', better='higher', doc='d',\n"
			      "  inputs={'other'}, compute=function() return 1 end}\n"),
			 CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "b_second.lua:3: KPI 'nps' is already declared by ") &&
			      cbt_has(cb_error_last(), "a_first.lua"),
		      "%s", cb_error_last());
	/* Nothing of the failed plugin is registered, not even its measure. */
	ck_assert_ptr_null(cb_plugin_measure_find(host, "other"));
	host_still_works();
}
END_TEST

START_TEST(declarations_are_checked)
{
	ck_assert_int_eq(load("typo", "casebook.api(1)\n"
				      "casebook.measure{key='m', unit='u', doc='d', mn=0}\n"),
			 CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "typo.lua:2: measure 'm': unknown field 'mn'"));
	ck_assert_int_eq(load("better", "casebook.api(1)\n"
					"casebook.measure{key='m', unit='u', doc='d'}\n"
					"casebook.kpi{key='k', name='K', unit='u', better='up', doc='d',\n"
					"  inputs={'m'}, compute=function() end}\n"),
			 CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "'better' must be \"higher\" or \"lower\""));
	ck_assert_int_eq(load("nokey", "casebook.api(1)\ncasebook.measure{key='Bad Key', unit='u', doc='d'}\n"),
			 CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "measure key 'Bad Key' must be lowercase"));
	ck_assert_int_eq(load("syntax", "casebook.api(1)\nlocal = 3\n"), CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "syntax.lua:2:"), "%s", cb_error_last());
	ck_assert_int_eq(load("event", "casebook.api(1)\ncasebook.on('lunch', function() end)\n"),
			 CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "unknown event 'lunch' (events: session.record, case.submit)"));
	/* A KPI over a measure nobody declares is disabled, with the reason. */
	ck_assert_int_eq(load("orphan", "casebook.api(1)\n"
					"casebook.kpi{key='orphan', name='O', unit='u', better='higher',\n"
					"  doc='d', inputs={'nowhere'}, compute=function() return 1 end}\n"),
			 0);
	cb_plugin_host_finish(host);
	ck_assert(cb_plugin_kpi_find(host, "orphan")->disabled);
	ck_assert(cbt_has(cb_plugin_kpi_find(host, "orphan")->disabled_reason, "measure 'nowhere'"));
	host_still_works();
}
END_TEST

/* A load-time attack: the plugin fails with `message` and the host works. */
static void refused_at_load(const char *name, const char *body, const char *message)
{
	char src[2048];

	snprintf(src, sizeof(src), "casebook.api(1)\n%s\n", body);
	ck_assert_msg(load(name, src) == CB_EINVALID, "%s loaded", name);
	ck_assert_msg(cbt_has(cb_error_last(), message), "%s: want '%s', got '%s'", name, message,
		      cb_error_last());
	ck_assert_msg(cbt_has(cb_error_last(), name), "%s: message names no file: %s", name,
		      cb_error_last());
	host_still_works();
}

START_TEST(sandbox_refuses_files_commands_and_modules)
{
	refused_at_load("readfile", "local f = io.open('/etc/passwd')", "global 'io'");
	refused_at_load("command", "os.execute('touch /tmp/pwned')", "global 'os'");
	refused_at_load("req", "require('os')", "global 'require'");
	refused_at_load("dofile", "dofile('/etc/passwd')", "global 'dofile'");
	refused_at_load("loadfile", "loadfile('/etc/passwd')", "global 'loadfile'");
	refused_at_load("debug", "debug.getregistry()", "global 'debug'");
	refused_at_load("package", "package.loadlib('libc.so.6', 'system')", "global 'package'");
	refused_at_load("coroutine", "coroutine.wrap(function() while true do end end)()",
			"global 'coroutine'");
	refused_at_load("gc", "collectgarbage('stop')", "global 'collectgarbage'");
}
END_TEST

START_TEST(sandbox_refuses_bytecode)
{
	refused_at_load("dump", "local b = string.dump(function() end)", "field 'dump'");
	refused_at_load("binload",
			"local f, err = load('\\27Lua\\84\\0'); assert(f, err)",
			"binary chunks are not allowed in plugins");
	refused_at_load("binmode", "local f, err = load('return 1', 'x', 'b'); assert(f, err)",
			"binary chunks are not allowed");
	refused_at_load("fnload", "load(function() return nil end)",
			"load takes a string of Lua text");
	/* Ordinary patterns and plain searches still work. */
	ck_assert_int_eq(load("patterns", "casebook.api(1)\n"
					  "assert(('  x y  '):match('^%s*(.-)%s*$') == 'x y')\n"
					  "assert(string.gsub('a,b,,c', ',', ';') == 'a;b;;c')\n"
					  "local big = string.rep('ab', 100000)\n"
					  "assert(big:find('ba', 1, true) == 2)\n"
					  "assert(select(2, big:gsub('ab', '')) == 100000)\n"),
			 0);
	/* Text chunks load, in the plugin's own environment. */
	ck_assert_int_eq(load("textload", "casebook.api(1)\n"
					  "local f = assert(load('return casebook.api_version'))\n"
					  "assert(f() == 1)\n"),
			 0);
}
END_TEST

START_TEST(sandbox_protects_shared_state)
{
	refused_at_load("tamper", "casebook.kpi = nil", "casebook is read-only");
	refused_at_load("tamper2", "getmetatable(casebook).__index = {}",
			"attempt to index a string value");
	refused_at_load("strmeta", "getmetatable('').__index.upper = nil",
			"attempt to index a boolean value");
	refused_at_load("gcmeta", "setmetatable({}, { __gc = function() error('boom') end })",
			"plugins may not set __gc metamethods");
	/* A plugin may wreck its own copies; the next plugin sees intact ones. */
	ck_assert_int_eq(load("vandal", "casebook.api(1)\nstring.upper = nil\nmath.floor = nil\n"
					"table.insert = nil\n_G.print = nil\n"),
			 0);
	ck_assert_int_eq(load("victim", "casebook.api(1)\n"
					"assert(string.upper('a') == 'A' and ('b'):upper() == 'B')\n"
					"assert(math.floor(1.5) == 1 and table.insert and print)\n"
					"assert(vandal_was_here == nil)\n"),
			 0);
	host_still_works();
}
END_TEST

/* A run-time attack inside compute: fails with `message`, host works. */
static void refused_in_compute(const char *name, const char *body, const char *message)
{
	char src[2048], key[64];
	static const double v[] = {1, 2, 3};
	cb_series s = {v, NULL, 3};
	cb_window w = {"acme", NULL, NULL, &s};
	const cb_kpi_def *k;
	char *reason = NULL;
	double out;

	snprintf(key, sizeof(key), "k_%s", name);
	snprintf(src, sizeof(src),
		 "casebook.api(1)\n"
		 "casebook.measure{key='m_%s', unit='u', doc='d'}\n"
		 "casebook.kpi{key='%s', name='K', unit='u', better='higher', doc='d',\n"
		 "  inputs={'m_%s'}, compute=function(w)\n%s\nend}\n",
		 name, key, name, body);
	ck_assert_msg(load(name, src) == 0, "%s: %s", name, cb_error_last());
	cb_plugin_host_finish(host);
	k = cb_plugin_kpi_find(host, key);
	ck_assert_ptr_nonnull(k);
	ck_assert_msg(cb_plugin_kpi_compute(host, k, &w, &out, &reason) == CB_EINVALID,
		      "%s computed", name);
	ck_assert_msg(cbt_has(cb_error_last(), message), "%s: want '%s', got '%s'", name, message,
		      cb_error_last());
	ck_assert_msg(cbt_has(cb_error_last(), key), "%s: message names no KPI: %s", name,
		      cb_error_last());
	host_still_works();
	/* And the same KPI fails the same way again: no state was left. */
	ck_assert_int_eq(cb_plugin_kpi_compute(host, k, &w, &out, &reason), CB_EINVALID);
}

START_TEST(limits_stop_runaway_code)
{
	cb_plugin_host_free(host);
	{
		cb_plugin_limits lim = {2000000, 16UL << 20};

		ck_assert_int_eq(cb_plugin_host_new(&lim, &host), 0);
	}
	refused_in_compute("loop", "while true do end", "loop.lua:5: instruction budget of 2000000 exceeded");
	refused_in_compute("swallow",
			   "while true do pcall(function() while true do end end) end",
			   "instruction budget of 2000000 exceeded");
	refused_in_compute("xswallow",
			   "while true do xpcall(function() while true do end end,\n"
			   "  function() while true do end end) end",
			   "exceeded");
	refused_in_compute("strbomb", "local s = string.rep('x', 1 << 30) return #s",
			   "memory limit of 16384 KiB for plugins exceeded");
	refused_in_compute("strgrow", "local s = 'x' while true do s = s .. s end",
			   "memory limit of 16384 KiB for plugins exceeded");
	refused_in_compute("tablebomb", "local t = {} local i = 0\n"
					"while true do i = i + 1 t[i] = {i} end",
			   "memory limit");
	refused_in_compute("recursion", "local function f(n) return 1 + f(n + 1) end return f(1)",
			   "memory limit"); /* 16 MiB runs out before Lua's stack limit */
	refused_in_compute("closeloop",
			   "local x <close> = setmetatable({}, { __close = function()\n"
			   "  while true do end end })\n"
			   "while true do end",
			   "instruction budget of 2000000 exceeded");
	refused_in_compute("sortloop",
			   "local t = {} for i = 1, 100 do t[i] = i end\n"
			   "table.sort(t, function(a, b) while true do end end)",
			   "instruction budget of 2000000 exceeded");
	refused_in_compute("backtrack",
			   "local s = string.rep('a', 5000)\n"
			   "return #(s:match(string.rep('a-', 12) .. 'b') or '')",
			   "pattern with 12 repetitions over 5000 bytes could run too long");
	refused_in_compute("gsubloop",
			   "return (string.gsub('aaa', 'a', function() while true do end end))",
			   "instruction budget of 2000000 exceeded");
}
END_TEST

START_TEST(deep_recursion_hits_the_stack_limit)
{
	/* With the default 64 MiB, Lua's own stack limit comes first. */
	refused_in_compute("recursion", "local function f(n) return 1 + f(n + 1) end return f(1)",
			   "stack overflow");
}
END_TEST

START_TEST(bad_results_and_error_objects)
{
	refused_in_compute("errtable", "error({ code = 42 })", "error object is a table value");
	refused_in_compute("errnil", "error(nil)", "error object is a nil value");
	refused_in_compute("errmsg", "error('custom failure')", "errmsg.lua:5: custom failure");
	refused_in_compute("nan", "return 0/0", "not a finite number");
	refused_in_compute("str", "return 'twelve'", "compute returned a string");
	refused_in_compute("index", "return w.nothing.field", "attempt to index a nil value");
	refused_in_compute("late", "casebook.kpi{key='x'}", "may only be called while the plugin loads");
}
END_TEST

START_TEST(expired_series_cannot_be_read)
{
	static const double v[] = {1, 2, 3};
	cb_series s = {v, NULL, 3};
	cb_window w = {"acme", NULL, NULL, &s};
	const char *src = "casebook.api(1)\n"
			  "casebook.measure{key='m', unit='u', doc='d'}\n"
			  "local kept\n"
			  "casebook.kpi{key='keeper', name='K', unit='u', better='higher', doc='d',\n"
			  "  inputs={'m'}, compute=function(w)\n"
			  "    if kept then return kept:sum() end\n"
			  "    kept = w.m return #kept end}\n";
	const cb_kpi_def *k;
	char *reason = NULL;
	double out = 0;

	ck_assert_int_eq(load("keeper", src), 0);
	cb_plugin_host_finish(host);
	k = cb_plugin_kpi_find(host, "keeper");
	ck_assert_int_eq(cb_plugin_kpi_compute(host, k, &w, &out, &reason), 0);
	ck_assert_double_eq(out, 3);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, k, &w, &out, &reason), CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "keeper.lua:6: this series belonged to an earlier "
					       "compute call and is gone"),
		      "%s", cb_error_last());
	host_still_works();
}
END_TEST

/* A window without observations is computed once per KPI: the answer of
 * a call that read neither the account nor the dates is the answer of
 * every such window (a staggered impact measures most untrained accounts
 * over empty windows). A call that read w.from is never reused, a window
 * with observations is always computed, and the window's metatable is
 * locked so that no plugin can change what later windows show. */
START_TEST(empty_windows_are_computed_once)
{
	static const double v[] = {4, 6};
	cb_series none = {NULL, NULL, 0}, some = {v, NULL, 2};
	cb_window w1 = {"acme", "2025-01-01", "2025-04-01", &none},
		  w2 = {"zenith", "2025-02-01", "2025-05-01", &none},
		  w3 = {"acme", "2025-01-01", "2025-04-01", &some};
	const char *src = "casebook.api(1)\n"
			  "casebook.measure{key='m', unit='u', doc='d'}\n"
			  "local calls, dated = 0, 0\n"
			  "casebook.kpi{key='counted', name='C', unit='u', better='higher', doc='d',\n"
			  "  inputs={'m'}, compute=function(w)\n"
			  "    calls = calls + 1\n"
			  "    if #w.m == 0 then return nil, 'empty after ' .. calls .. ' calls' end\n"
			  "    return calls end}\n"
			  "casebook.kpi{key='dated', name='D', unit='u', better='higher', doc='d',\n"
			  "  inputs={'m'}, compute=function(w)\n"
			  "    dated = dated + 1\n"
			  "    return nil, 'empty from ' .. w.from .. ', call ' .. dated end}\n"
			  "casebook.kpi{key='meta', name='M', unit='u', better='higher', doc='d',\n"
			  "  inputs={'m'}, compute=function(w)\n"
			  "    if getmetatable(w) ~= false then return 1 end\n"
			  "    setmetatable(w, {}) return 2 end}\n";
	const cb_kpi_def *counted, *dated, *meta;
	char *reason = NULL;
	double out = 0;

	ck_assert_int_eq(load("memo", src), 0);
	cb_plugin_host_finish(host);
	counted = cb_plugin_kpi_find(host, "counted");
	dated = cb_plugin_kpi_find(host, "dated");
	meta = cb_plugin_kpi_find(host, "meta");

	/* A caller that needs no reason gets none; the answer kept has it. */
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &w1, &out, NULL), 1);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &w1, &out, &reason), 1);
	ck_assert_str_eq(reason, "empty after 1 calls");
	free(reason);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &w2, &out, NULL), 1);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &w2, &out, &reason), 1);
	ck_assert_str_eq(reason, "empty after 1 calls"); /* no second call */
	free(reason);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &w3, &out, &reason), 0);
	ck_assert_double_eq(out, 2); /* a window with data is computed */
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &w3, &out, &reason), 0);
	ck_assert_double_eq(out, 3);

	ck_assert_int_eq(cb_plugin_kpi_compute(host, dated, &w1, &out, &reason), 1);
	ck_assert_str_eq(reason, "empty from 2025-01-01, call 1");
	free(reason);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, dated, &w2, &out, &reason), 1);
	ck_assert_str_eq(reason, "empty from 2025-02-01, call 2");
	free(reason);

	ck_assert_int_eq(cb_plugin_kpi_compute(host, meta, &w3, &out, &reason), CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "cannot change a protected metatable (plugin memo, KPI meta)"),
		      "%s", cb_error_last());
	host_still_works();
}
END_TEST

/* Between cb_plugin_memo_begin calls, windows over the same observations
 * (the same series pointer and length) are computed once, unless compute
 * read the dates; a new begin (the next account's series) forgets, and
 * without a memo every window is computed. */
START_TEST(same_observations_are_computed_once_per_memo)
{
	static const double v[] = {4, 6, 8};
	cb_series all = {v, NULL, 3}, two = {v, NULL, 2};
	cb_window wa = {"acme", "2025-01-01", "2025-04-01", &all},
		  wb = {"acme", "2025-01-02", "2025-04-02", &all},
		  wc = {"acme", "2025-01-03", "2025-04-03", &two};
	const char *src = "casebook.api(1)\n"
			  "casebook.measure{key='m', unit='u', doc='d'}\n"
			  "local calls, dated = 0, 0\n"
			  "casebook.kpi{key='counted', name='C', unit='u', better='higher', doc='d',\n"
			  "  inputs={'m'}, compute=function(w) calls = calls + 1 return calls end}\n"
			  "casebook.kpi{key='dated', name='D', unit='u', better='higher', doc='d',\n"
			  "  inputs={'m'}, compute=function(w)\n"
			  "    dated = dated + 1 return #w.to + dated end}\n";
	const cb_kpi_def *counted, *dated;
	char *reason = NULL;
	double out = 0;

	ck_assert_int_eq(load("memo2", src), 0);
	cb_plugin_host_finish(host);
	counted = cb_plugin_kpi_find(host, "counted");
	dated = cb_plugin_kpi_find(host, "dated");

	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &wa, &out, &reason), 0);
	ck_assert_double_eq(out, 1);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &wa, &out, &reason), 0);
	ck_assert_double_eq(out, 2); /* no memo yet: computed again */

	cb_plugin_memo_begin(host);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &wa, &out, &reason), 0);
	ck_assert_double_eq(out, 3);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &wb, &out, &reason), 0);
	ck_assert_double_eq(out, 3); /* other dates, same observations */
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &wc, &out, &reason), 0);
	ck_assert_double_eq(out, 4); /* fewer observations */
	ck_assert_int_eq(cb_plugin_kpi_compute(host, dated, &wa, &out, &reason), 0);
	ck_assert_double_eq(out, 11);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, dated, &wa, &out, &reason), 0);
	ck_assert_double_eq(out, 12); /* it read w.to: never reused */

	cb_plugin_memo_begin(host); /* the next account */
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &wa, &out, &reason), 0);
	ck_assert_double_eq(out, 5);
	cb_plugin_memo_end(host);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, counted, &wa, &out, &reason), 0);
	ck_assert_double_eq(out, 6);
	host_still_works();
}
END_TEST

/* cb_plugin_kpi_compute_pure says when an answer is the observations'
 * alone, so that a caller may take it again for another window over the
 * same observations: a built-in, a call that read no context, a kept
 * answer (memo or empty window); never a call that read w.account,
 * w.from or w.to. */
START_TEST(compute_says_when_its_answer_is_the_observations_alone)
{
	static const double v[] = {4, 6};
	cb_series none = {NULL, NULL, 0}, some = {v, NULL, 2};
	cb_window we = {"acme", "2025-01-01", "2025-04-01", &none},
		  ws1 = {"acme", "2025-01-01", "2025-04-01", &some};
	const char *src = "casebook.api(1)\n"
			  "casebook.measure{key='m', unit='u', doc='d'}\n"
			  "casebook.kpi{key='plain', name='P', unit='u', better='higher', doc='d',\n"
			  "  inputs={'m'}, compute=function(w) return #w.m end}\n"
			  "casebook.kpi{key='named', name='N', unit='u', better='higher', doc='d',\n"
			  "  inputs={'m'}, compute=function(w) return #w.account + #w.m end}\n"
			  "casebook.kpi{key='mean', name='M', unit='u', better='higher', doc='d',\n"
			  "  inputs={'m'}, compute='mean'}\n";
	const cb_kpi_def *plain, *named, *mean;
	double out = 0;
	int pure = -1;

	ck_assert_int_eq(load("pure", src), 0);
	cb_plugin_host_finish(host);
	plain = cb_plugin_kpi_find(host, "plain");
	named = cb_plugin_kpi_find(host, "named");
	mean = cb_plugin_kpi_find(host, "mean");

	ck_assert_int_eq(cb_plugin_kpi_compute_pure(host, plain, &ws1, &out, NULL, &pure), 0);
	ck_assert_double_eq(out, 2);
	ck_assert_int_eq(pure, 1);
	ck_assert_int_eq(cb_plugin_kpi_compute_pure(host, named, &ws1, &out, NULL, &pure), 0);
	ck_assert_double_eq(out, 6);
	ck_assert_int_eq(pure, 0);
	ck_assert_int_eq(cb_plugin_kpi_compute_pure(host, mean, &ws1, &out, NULL, &pure), 0);
	ck_assert_double_eq(out, 5);
	ck_assert_int_eq(pure, 1);
	/* Kept answers: an empty window's, the memo's. */
	ck_assert_int_eq(cb_plugin_kpi_compute_pure(host, plain, &we, &out, NULL, &pure), 0);
	pure = -1;
	ck_assert_int_eq(cb_plugin_kpi_compute_pure(host, plain, &we, &out, NULL, &pure), 0);
	ck_assert_double_eq(out, 0);
	ck_assert_int_eq(pure, 1);
	cb_plugin_memo_begin(host);
	ck_assert_int_eq(cb_plugin_kpi_compute_pure(host, named, &ws1, &out, NULL, &pure), 0);
	ck_assert_int_eq(pure, 0); /* read w.account: not kept either */
	ck_assert_int_eq(cb_plugin_kpi_compute_pure(host, plain, &ws1, &out, NULL, &pure), 0);
	pure = -1;
	ck_assert_int_eq(cb_plugin_kpi_compute_pure(host, plain, &ws1, &out, NULL, &pure), 0);
	ck_assert_int_eq(pure, 1);
	cb_plugin_memo_end(host);
	host_still_works();
}
END_TEST

/* compute = "mean" and its kin: the host's own statistic of the one input,
 * the same number as the Lua method to the last bit, nil on an empty
 * window, and its answer checked like a function's. */
START_TEST(builtin_computes_match_the_series_methods)
{
	static const char *const names[] = {"count", "sum", "mean", "min", "max"};
	char src[4096];
	size_t len;
	double v[257];
	uint64_t x = 88172645463325252u;

	len = (size_t)snprintf(src, sizeof(src),
			       "casebook.api(1)\ncasebook.measure{key='m', unit='u', doc='d'}\n");
	for (size_t i = 0; i < 5; i++)
		len += (size_t)snprintf(src + len, sizeof(src) - len,
				"casebook.kpi{key='b_%s', name='B', unit='u', better='higher', doc='d',\n"
				"  inputs={'m'}, compute='%s'}\n"
				"casebook.kpi{key='l_%s', name='L', unit='u', better='higher', doc='d',\n"
				"  inputs={'m'}, compute=function(w) return w.m:%s() end}\n",
				names[i], names[i], names[i], names[i]);
	ck_assert_int_eq(load("builtin", src), 0);
	cb_plugin_host_finish(host);
	for (size_t i = 0; i < 257; i++) { /* values whose sums round */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		v[i] = (double)(x % 2000001) / 1000.0 - 1000.0 + 1e9 * (i % 7 == 0);
	}
	for (size_t n = 1; n <= 257; n += 32) {
		cb_series s = {v + 257 - n, NULL, n};
		cb_window w = {"acme", "2025-01-01", "2025-04-01", &s};

		for (size_t i = 0; i < 5; i++) {
			char bk[16], lk[16];
			double b = 0, l = 1;

			snprintf(bk, sizeof(bk), "b_%s", names[i]);
			snprintf(lk, sizeof(lk), "l_%s", names[i]);
			ck_assert_int_eq(cb_plugin_kpi_find(host, bk)->builtin, CB_KPI_COUNT + (int)i);
			ck_assert_int_eq(cb_plugin_kpi_compute(host, cb_plugin_kpi_find(host, bk), &w, &b, NULL), 0);
			ck_assert_int_eq(cb_plugin_kpi_compute(host, cb_plugin_kpi_find(host, lk), &w, &l, NULL), 0);
			ck_assert_msg(memcmp(&b, &l, sizeof(b)) == 0, "%s of %zu: %.17g != %.17g", names[i], n, b, l);
		}
	}
	/* No false zeros: even a count or a sum is nil on an empty window. */
	for (size_t i = 0; i < 5; i++) {
		cb_series none = {NULL, NULL, 0};
		cb_window w = {"acme", "2025-01-01", "2025-04-01", &none};
		char bk[16], *reason = NULL;
		double b = 7;

		snprintf(bk, sizeof(bk), "b_%s", names[i]);
		ck_assert_int_eq(cb_plugin_kpi_compute(host, cb_plugin_kpi_find(host, bk), &w, &b, &reason), 1);
		ck_assert_str_eq(reason, "no observations of m");
		free(reason);
	}
	host_still_works();
}
END_TEST

START_TEST(builtin_computes_are_checked)
{
	static const double v[] = {4, 60};
	cb_series s = {v, NULL, 2};
	cb_window w = {"acme", NULL, NULL, &s};
	double out = 0;

	ck_assert_int_eq(load("median", "casebook.api(1)\n"
					"casebook.measure{key='m', unit='u', doc='d'}\n"
					"casebook.kpi{key='k', name='K', unit='u', better='higher', doc='d',\n"
					"  inputs={'m'}, compute='median'}\n"),
			 CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "median.lua:3: KPI 'k': no built-in compute called \"median\""),
		      "%s", cb_error_last());
	ck_assert_int_eq(load("two", "casebook.api(1)\n"
				     "casebook.measure{key='m', unit='u', doc='d'}\n"
				     "casebook.measure{key='n', unit='u', doc='d'}\n"
				     "casebook.kpi{key='k', name='K', unit='u', better='higher', doc='d',\n"
				     "  inputs={'m', 'n'}, compute='sum'}\n"),
			 CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "two.lua:4: KPI 'k': compute = \"sum\" is a statistic of one input, and the KPI lists 2"),
		      "%s", cb_error_last());
	ck_assert_int_eq(load("number", "casebook.api(1)\n"
					"casebook.measure{key='m', unit='u', doc='d'}\n"
					"casebook.kpi{key='k', name='K', unit='u', better='higher', doc='d',\n"
					"  inputs={'m'}, compute=3}\n"),
			 CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "needs 'compute': a function, or the name of a built-in"),
		      "%s", cb_error_last());
	/* A result outside the KPI's range is an error, as from a function. */
	ck_assert_int_eq(load("ranged", "casebook.api(1)\n"
					"casebook.measure{key='m', unit='u', doc='d'}\n"
					"casebook.kpi{key='k', name='K', unit='u', better='higher', doc='d',\n"
					"  min=0, max=50, inputs={'m'}, compute='max'}\n"),
			 0);
	cb_plugin_host_finish(host);
	ck_assert_int_eq(cb_plugin_kpi_compute(host, cb_plugin_kpi_find(host, "k"), &w, &out, NULL),
			 CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "plugin ranged, KPI k: its max 60 is outside the KPI's range 0..50"),
		      "%s", cb_error_last());
	s.n = 1;
	ck_assert_int_eq(cb_plugin_kpi_compute(host, cb_plugin_kpi_find(host, "k"), &w, &out, NULL), 0);
	ck_assert(out == 4);
	host_still_works();
}
END_TEST

START_TEST(hooks_accept_reject_and_fail)
{
	json_t *record = json_pack("{s:s, s:[s,s], s:n}", "title", "TCO spring", "attendees",
				   "jdoe", "mnovak", "location");

	ck_assert_int_eq(load("a_checks",
			      "casebook.api(1)\n"
			      "casebook.on('session.record', function(s)\n"
			      "  if #s.attendees < 3 then return false, 'a session needs 3 attendees' end\n"
			      "end)\n"),
			 0);
	ck_assert_int_eq(cb_plugin_hook_run(host, "case.submit", record), 0); /* no hook */
	ck_assert_int_eq(cb_plugin_hook_run(host, "session.record", record), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(),
			 "plugin a_checks rejected the session.record: a session needs 3 attendees");
	json_array_append_new(json_object_get(record, "attendees"), json_string("x"));
	ck_assert_int_eq(cb_plugin_hook_run(host, "session.record", record), 0);
	ck_assert_int_eq(load("b_broken",
			      "casebook.api(1)\n"
			      "casebook.on('session.record', function(s)\n"
			      "  return s.location.city\n"
			      "end)\n"),
			 0);
	ck_assert_int_eq(cb_plugin_hook_run(host, "session.record", record), CB_EINVALID);
	ck_assert_msg(cbt_has(cb_error_last(), "b_broken.lua:3:") &&
			      cbt_has(cb_error_last(), "hook session.record"),
		      "%s", cb_error_last());
	json_decref(record);
	host_still_works();
}
END_TEST

START_TEST(directories_load_in_name_order_and_skip_failures)
{
	char *p;
	cbt_run r;

	(void)r;
	p = plugin_file("b.lua", "casebook.api(1)\ncasebook.measure{key='b', unit='u', doc='d'}\n");
	free(p);
	p = plugin_file("a.lua", "casebook.api(1)\ncasebook.measure{key='a', unit='u', doc='d'}\n");
	free(p);
	p = plugin_file("c.lua", "this is not lua\n");
	free(p);
	p = plugin_file("notes.txt", "ignored\n");
	free(p);
	ck_assert_int_eq(cb_plugin_host_load_dir(host, dir, 0), 0);
	ck_assert_uint_eq(cb_plugin_count(host), 3);
	ck_assert_str_eq(cb_plugin_at(host, 0)->name, "a");
	ck_assert_str_eq(cb_plugin_at(host, 1)->name, "b");
	ck_assert_str_eq(cb_plugin_at(host, 2)->name, "c");
	ck_assert_int_eq(cb_plugin_at(host, 2)->status, CB_PLUGIN_FAILED);
	ck_assert(cbt_has(cb_plugin_at(host, 2)->error, "c.lua:1:"));
	ck_assert_str_eq(cb_plugin_measure_at(host, 0)->key, "a");
	ck_assert_int_eq(cb_plugin_host_load_dir(host, "/nonexistent/plugins", 1), 0);
	ck_assert_int_eq(cb_plugin_host_load_dir(host, "/nonexistent/plugins", 0), CB_EIO);
	host_still_works();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plugin/host");
	TCase *tc = tcase_create("host");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, loads_and_computes);
	tcase_add_test(tc, every_builtin_kpi_is_nil_on_empty_windows);
	tcase_add_test(tc, throughput_without_counts_is_no_data);
	tcase_add_test(tc, series_helpers);
	tcase_add_test(tc, api_version_is_checked);
	tcase_add_test(tc, duplicate_keys_name_both_files);
	tcase_add_test(tc, declarations_are_checked);
	tcase_add_test(tc, sandbox_refuses_files_commands_and_modules);
	tcase_add_test(tc, sandbox_refuses_bytecode);
	tcase_add_test(tc, sandbox_protects_shared_state);
	tcase_add_test(tc, limits_stop_runaway_code);
	tcase_add_test(tc, deep_recursion_hits_the_stack_limit);
	tcase_add_test(tc, bad_results_and_error_objects);
	tcase_add_test(tc, expired_series_cannot_be_read);
	tcase_add_test(tc, empty_windows_are_computed_once);
	tcase_add_test(tc, same_observations_are_computed_once_per_memo);
	tcase_add_test(tc, compute_says_when_its_answer_is_the_observations_alone);
	tcase_add_test(tc, builtin_computes_match_the_series_methods);
	tcase_add_test(tc, builtin_computes_are_checked);
	tcase_add_test(tc, hooks_accept_reject_and_fail);
	tcase_add_test(tc, directories_load_in_name_order_and_skip_failures);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
