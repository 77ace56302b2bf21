/* `casebook plugin`, `kpi` and `measure` end to end: discovery order,
 * failures reported, `plugin new` and `plugin test`, limits from the
 * command line; and the catalog's promise that every built-in KPI has a
 * fixture case and passes it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/fixture.h"
#include "testlib.h"

static char *ws;

static void setup(void)
{
	ws = cbt_workspace();
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

static json_t *json_of(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	ck_assert_msg(v != NULL, "not JSON (%s): %s", jerr.text, text);
	return v;
}

START_TEST(builtins_load_and_every_kpi_has_a_passing_fixture)
{
	json_t *plugins, *kpis, *p, *k;
	size_t i, nkpi;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "plugin", "list", "--json", NULL);
	ck_assert_msg(r.status == 0, "plugin list: %s %s", r.out, r.err);
	plugins = json_of(r.out);
	cbt_run_free(&r);
	ck_assert_uint_ge(json_array_size(plugins), 1);
	json_array_foreach(plugins, i, p)
		ck_assert_str_eq(json_string_value(json_object_get(p, "status")), "loaded");

	cbt_casebook(&r, ws, NULL, "kpi", "list", "--json", NULL);
	ck_assert_int_eq(r.status, 0);
	kpis = json_of(r.out);
	cbt_run_free(&r);
	nkpi = json_array_size(kpis);
	ck_assert_uint_ge(nkpi, 2);
	json_array_foreach(kpis, i, k) {
		const char *key = json_string_value(json_object_get(k, "key"));
		const char *plugin = json_string_value(json_object_get(k, "plugin"));
		char fixture[4096];

		ck_assert_str_eq(json_string_value(json_object_get(k, "status")), "ok");
		snprintf(fixture, sizeof(fixture), "%s/plugins/%s.test.json", CASEBOOK_SOURCE_DIR,
			 plugin);
		ck_assert_msg(cb_plugin_fixture_covers(fixture, key),
			      "built-in KPI %s has no case in %s", key, fixture);
	}
	json_decref(kpis);
	json_decref(plugins);

	cbt_casebook(&r, ws, NULL, "plugin", "test", NULL);
	ck_assert_msg(r.status == 0, "plugin test: %s %s", r.out, r.err);
	ck_assert(cbt_has(r.out, ", 0 failed\n"));
	ck_assert(!cbt_has(r.out, "FAIL"));
	cbt_run_free(&r);
}
END_TEST

START_TEST(folders_load_in_order_and_failures_are_reported)
{
	char *extra = cbt_tempdir(), *p;
	json_t *rows, *last;
	cbt_run r;
	size_t n;

	p = cbt_write(ws, "plugins/mine.lua",
		      "casebook.api(1)\n"
		      "casebook.measure{key='mine.answer', unit='score', min=0, max=5, doc='d'}\n");
	free(p);
	p = cbt_write(extra, "future.lua", "casebook.api(2)\n");
	free(p);
	cbt_casebook(&r, ws, NULL, "--plugins", extra, "plugin", "list", "--json", NULL);
	ck_assert_int_eq(r.status, 1); /* a plugin failed */
	rows = json_of(r.out);
	cbt_run_free(&r);
	n = json_array_size(rows);
	ck_assert_uint_ge(n, 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, n - 2), "name")),
			 "mine");
	last = json_array_get(rows, n - 1);
	ck_assert_str_eq(json_string_value(json_object_get(last, "name")), "future");
	ck_assert_str_eq(json_string_value(json_object_get(last, "status")), "failed");
	ck_assert(cbt_has(json_string_value(json_object_get(last, "error")),
			  "future.lua:1: plugin written for API version 2; this casebook provides API version 1"));
	json_decref(rows);

	/* The measure of the workspace plugin is there. */
	cbt_casebook(&r, ws, NULL, "measure", "list", "--csv", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "mine.answer,score,0,5,false,mine,d\r\n"));
	cbt_run_free(&r);

	cbt_casebook(&r, ws, NULL, "--plugins", "/nonexistent/dir", "plugin", "list", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "cannot read plugin folder /nonexistent/dir"));
	cbt_run_free(&r);
	cbt_rmrf(extra);
	free(extra);
}
END_TEST

START_TEST(duplicate_keys_across_folders_name_both_files)
{
	char *p = cbt_write(ws, "plugins/clash.lua",
			    "casebook.api(1)\n"
			    "casebook.measure{key='survey.recommend', unit='x', doc='d'}\n");
	cbt_run r;

	free(p);
	cbt_casebook(&r, ws, NULL, "plugin", "info", "clash", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(cbt_has(r.out, "clash.lua:2: measure 'survey.recommend' is already declared by ") &&
			      cbt_has(r.out, "plugins/relationship.lua"),
		      "%s", r.out);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "plugin", "info", "clsh", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "unknown plugin 'clsh' (did you mean 'clash'?)"));
	cbt_run_free(&r);
}
END_TEST

START_TEST(plugin_new_writes_a_plugin_whose_fixture_passes)
{
	char path[4096];
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "plugin", "new", "uptime_pulse", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	snprintf(path, sizeof(path), "%s/plugins/uptime_pulse.lua", ws);
	cbt_casebook(&r, ws, NULL, "plugin", "test", path, NULL);
	ck_assert_msg(r.status == 0, "%s %s", r.out, r.err);
	ck_assert(cbt_has(r.out, "2 passed, 0 failed\n"));
	cbt_run_free(&r);
	/* It is a workspace plugin now: listed, its KPI known. */
	cbt_casebook(&r, ws, NULL, "kpi", "show", "uptime_pulse_top_box", "--json", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "\"better\": \"higher\""));
	cbt_run_free(&r);
	/* Never overwrites. */
	cbt_casebook(&r, ws, NULL, "plugin", "new", "uptime_pulse", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "already exists"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "plugin", "new", "Bad-Name", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert(cbt_has(r.err, "must be lowercase letters"));
	cbt_run_free(&r);
}
END_TEST

START_TEST(plugin_test_reports_failures)
{
	char *lua = cbt_write(ws, "plugins/wrong.lua",
			      "casebook.api(1)\n"
			      "casebook.measure{key='wrong.v', unit='u', min=0, max=100, doc='d'}\n"
			      "casebook.kpi{key='wrong_mean', name='W', unit='u', better='higher', doc='d',\n"
			      "  inputs={'wrong.v'}, compute=function(w) return w['wrong.v']:sum() end}\n");
	char *fix = cbt_write(ws, "plugins/wrong.test.json",
			      "{\"cases\": [\n"
			      " {\"name\": \"mean of 2 and 4 is 3\", \"kpi\": \"wrong_mean\",\n"
			      "  \"inputs\": {\"wrong.v\": [2, 4]}, \"expect\": 3},\n"
			      " {\"name\": \"out of range input\", \"kpi\": \"wrong_mean\",\n"
			      "  \"inputs\": {\"wrong.v\": [200]}, \"expect\": 200}]}\n");
	char *broken = cbt_write(ws, "broken.test.json", "{\"cases\": [ {\"kpi\": }\n");
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "plugin", "test", lua, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.out, "FAIL") && cbt_has(r.out, "expected 3 (±3e-09), got 6"), "%s",
		      r.out);
	ck_assert(cbt_has(r.out, "value 200 out of range 0..100 for measure wrong.v"));
	ck_assert(cbt_has(r.out, "0 passed, 2 failed\n"));
	cbt_run_free(&r);

	cbt_casebook(&r, ws, NULL, "plugin", "test", broken, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "broken.test.json:1:"), "%s", r.err);
	cbt_run_free(&r);
	free(lua), free(fix), free(broken);
}
END_TEST

START_TEST(limits_come_from_the_command_line_and_environment)
{
	char *lua = cbt_write(ws, "spin.lua",
			      "casebook.api(1)\n"
			      "casebook.measure{key='spin.v', unit='u', doc='d'}\n"
			      "casebook.kpi{key='spin', name='S', unit='u', better='higher', doc='d',\n"
			      "  inputs={'spin.v'}, compute=function(w) while true do end end}\n");
	char *fix = cbt_write(ws, "spin.test.json",
			      "{\"cases\": [{\"name\": \"loops\", \"kpi\": \"spin\",\n"
			      "  \"inputs\": {\"spin.v\": [1]}, \"error\": \"instruction budget of 123456 exceeded\"}]}\n");
	char *out;
	int st;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "--lua-instructions", "123456", "plugin", "test", lua, NULL);
	ck_assert_msg(r.status == 0, "%s %s", r.out, r.err);
	ck_assert(cbt_has(r.out, "spin.lua:4: instruction budget of 123456 exceeded"));
	cbt_run_free(&r);
	out = cbt_sh(&st, "CASEBOOK_LUA_INSTRUCTIONS=123456 '%s' -C '%s' plugin test '%s'",
		     CASEBOOK_BINARY, ws, lua);
	ck_assert_msg(st == 0, "%s", out);
	free(out);
	out = cbt_sh(&st, "CASEBOOK_LUA_MEMORY_MB=lots '%s' -C '%s' plugin list 2>&1",
		     CASEBOOK_BINARY, ws);
	ck_assert_int_eq(st, 1);
	ck_assert(cbt_has(out, "CASEBOOK_LUA_MEMORY_MB=lots: want a whole number"));
	free(out);
	cbt_casebook(&r, ws, NULL, "--lua-memory", "0", "plugin", "list", NULL);
	ck_assert_int_eq(r.status, 2);
	cbt_run_free(&r);
	free(lua), free(fix);
}
END_TEST

START_TEST(kpi_show_and_suggestions)
{
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "kpi", "show", "nps", "--json", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "\"key\": \"survey.recommend\""));
	ck_assert(cbt_has(r.out, "\"min\": -100"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "kpi", "show", "npss", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "unknown KPI 'npss' (did you mean 'nps'?)"));
	cbt_run_free(&r);
}
END_TEST

START_TEST(session_record_hooks_reject_and_nothing_is_written)
{
	char *p, *out, *before, *after;
	int st;
	cbt_run r;

	out = cbt_sh(&st, "sqlite3 '%s/casebook.db' \"INSERT INTO person(key, name) VALUES('ana', 'Ana');"
			  " INSERT INTO person_role VALUES(last_insert_rowid(), 'trainer');"
			  " INSERT INTO person(key, name) VALUES('jo', 'Jo');"
			  " INSERT INTO person_role VALUES(last_insert_rowid(), 'technician');"
			  " INSERT INTO program(key, name) VALUES('tco', 'TCO');\"",
		     ws);
	ck_assert_int_eq(st, 0);
	free(out);
	p = cbt_write(ws, "plugins/policy.lua",
		      "casebook.api(1)\n"
		      "casebook.on('session.record', function(s)\n"
		      "  casebook.log('checking', s.key, #s.attendees)\n"
		      "  if s.format == 'virtual' and #s.attendees > 1 then\n"
		      "    return false, 'virtual classes take one attendee in this pilot'\n"
		      "  end\n"
		      "end)\n");
	free(p);
	before = cbt_db_dump(ws);
	cbt_casebook(&r, ws, NULL, "session", "record", "--program", "tco", "--title", "Pilot",
		     "--format", "virtual", "--start", "2025-03-03", "--end", "2025-03-03",
		     "--trainer", "ana", "--attendee", "jo,ana", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "plugin policy rejected the session.record: virtual classes "
				     "take one attendee in this pilot"),
		      "%s", r.err);
	ck_assert(cbt_has(r.err, "[policy] checking tco-2025-03-03 2"));
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(before), free(after);

	cbt_casebook(&r, ws, NULL, "session", "record", "--program", "tco", "--title", "Pilot",
		     "--format", "virtual", "--start", "2025-03-03", "--end", "2025-03-03",
		     "--trainer", "ana", "--attendee", "jo", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);

	/* A hook that breaks rejects too, naming its file and line. */
	p = cbt_write(ws, "plugins/policy.lua",
		      "casebook.api(1)\n"
		      "casebook.on('session.record', function(s)\n"
		      "  return s.nothing.here\n"
		      "end)\n");
	free(p);
	cbt_casebook(&r, ws, NULL, "session", "record", "--program", "tco", "--title", "Again",
		     "--format", "blended", "--start", "2025-04-03", "--end", "2025-04-03",
		     "--trainer", "ana", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "policy.lua:3:") && cbt_has(r.err, "hook session.record"),
		      "%s", r.err);
	cbt_run_free(&r);

	/* A plugin that fails to load is announced, and the rest still runs. */
	p = cbt_write(ws, "plugins/policy.lua", "casebook.api(7)\n");
	free(p);
	cbt_casebook(&r, ws, NULL, "session", "record", "--program", "tco", "--title", "Again",
		     "--format", "blended", "--start", "2025-04-03", "--end", "2025-04-03",
		     "--trainer", "ana", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.err, "casebook: warning: plugin policy failed to load and is skipped"));
	cbt_run_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plugin/cli");
	TCase *tc = tcase_create("cli");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, builtins_load_and_every_kpi_has_a_passing_fixture);
	tcase_add_test(tc, folders_load_in_order_and_failures_are_reported);
	tcase_add_test(tc, duplicate_keys_across_folders_name_both_files);
	tcase_add_test(tc, plugin_new_writes_a_plugin_whose_fixture_passes);
	tcase_add_test(tc, plugin_test_reports_failures);
	tcase_add_test(tc, limits_come_from_the_command_line_and_environment);
	tcase_add_test(tc, kpi_show_and_suggestions);
	tcase_add_test(tc, session_record_hooks_reject_and_nothing_is_written);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
