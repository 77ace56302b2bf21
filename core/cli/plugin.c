/* casebook plugin: list, inspect, create and test Lua plugins. */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/text.h"
#include "plugin/fixture.h"

static json_t *plugin_row(const cb_plugin *p)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:I, s:I, s:I, s:o}", "name", p->name, "file",
			 p->path, "api", p->api, "status",
			 p->status == CB_PLUGIN_LOADED ? "loaded" : "failed", "measures",
			 (json_int_t)p->measures, "kpis", (json_int_t)p->kpis, "hooks",
			 (json_int_t)p->hooks, "error", cb_cli_json_str(p->error));
}

static const char list_help[] =
	"usage: casebook plugin list [--json|--csv]\n"
	"\n"
	"Lists the plugins this command sees, in load order: the built-in ones,\n"
	"the workspace's plugins/, then --plugins DIR. Columns: name, file, api\n"
	"(the API version the plugin declared), status (loaded or failed),\n"
	"measures, kpis, hooks (how many it declared), error (why it failed).\n"
	"Exits 1 when any plugin failed to load.\n";

static int plugin_list(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_plugin_host *h;
	json_t *rows;
	int c, failed = 0;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, list_help);
		return cb_cli_bad_option(cli, list_help, argc, argv);
	}
	if (optind < argc)
		return cb_cli_usage(cli, list_help, "plugin list takes no arguments");
	if (cb_cli_plugins_here(cli, &h) < 0)
		return cb_cli_fail(cli);
	rows = json_array();
	for (size_t i = 0; i < cb_plugin_count(h); i++) {
		const cb_plugin *p = cb_plugin_at(h, i);

		failed |= p->status != CB_PLUGIN_LOADED;
		json_array_append_new(rows, plugin_row(p));
	}
	cb_plugin_host_free(h);
	c = cb_cli_emit(cli, rows);
	return c ? c : failed ? CB_EXIT_FAILED : CB_EXIT_OK;
}

static const char info_help[] =
	"usage: casebook plugin info NAME [--json]\n"
	"\n"
	"Shows one plugin (NAME is its file name without .lua, or its path):\n"
	"where it lives, its status, and the measures, KPIs and hooks it declares.\n";

static int plugin_info(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_plugin_host *h;
	const cb_plugin *p;
	json_t *obj, *measures, *kpis;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, info_help);
		return cb_cli_bad_option(cli, info_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, info_help, "plugin info takes one NAME");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, info_help, "plugin info has no --csv; use --json");
	if (cb_cli_plugins_here(cli, &h) < 0)
		return cb_cli_fail(cli);
	p = cb_plugin_find(h, argv[optind]);
	if (!p) {
		const char *names[256];
		size_t n = 0;
		const char *hint;

		for (size_t i = 0; i < cb_plugin_count(h) && n < 256; i++)
			names[n++] = cb_plugin_at(h, i)->name;
		hint = cb_text_suggest(argv[optind], names, n);
		if (hint)
			cb_error_set(CB_ENOTFOUND, "unknown plugin '%s' (did you mean '%s'?)",
				     argv[optind], hint);
		else
			cb_error_set(CB_ENOTFOUND, "unknown plugin '%s'; 'casebook plugin list' shows them",
				     argv[optind]);
		cb_plugin_host_free(h);
		return cb_cli_fail(cli);
	}
	obj = plugin_row(p);
	measures = json_array();
	kpis = json_array();
	for (size_t i = 0; i < cb_plugin_measure_count(h); i++)
		if (cb_plugin_measure_at(h, i)->plugin == p)
			json_array_append_new(measures, cb_cli_measure_json(cb_plugin_measure_at(h, i)));
	for (size_t i = 0; i < cb_plugin_kpi_count(h); i++)
		if (cb_plugin_kpi_at(h, i)->plugin == p)
			json_array_append_new(kpis, cb_cli_kpi_json(cb_plugin_kpi_at(h, i)));
	json_object_set_new(obj, "measure_list", measures);
	json_object_set_new(obj, "kpi_list", kpis);
	cb_plugin_host_free(h);
	return cb_cli_emit(cli, obj);
}

static const char plugin_template[] =
	"-- %s: a Casebook plugin (API version 1). See the plugin API reference,\n"
	"-- plugins/README.md in Casebook's sources, and casebook.d.lua for editor\n"
	"-- completion. Test it with: casebook plugin test %s.lua\n"
	"casebook.api(1)\n"
	"\n"
	"-- A measure is a raw quantity recorded about an account; observations of\n"
	"-- it arrive through 'casebook data import'. Values outside min..max, or\n"
	"-- not whole when integer = true, are refused at import.\n"
	"casebook.measure {\n"
	"  key = \"%s.answer\", unit = \"score\", min = 0, max = 10, integer = true,\n"
	"  doc = \"One customer's answer to our own question (0-10)\",\n"
	"}\n"
	"\n"
	"-- A KPI is computed from one account's observations in one time window.\n"
	"-- compute() gets the window `w`; w[measure] is a read-only series with #s,\n"
	"-- s[i], s:time(i) and C-speed helpers (sum, mean, min, max, stddev,\n"
	"-- quantile, count, count_ge, count_le, count_eq). Return a number, or nil\n"
	"-- and a reason when the data cannot support one.\n"
	"casebook.kpi {\n"
	"  key = \"%s_top_box\", name = \"%s top-box share\", unit = \"%%\",\n"
	"  better = \"higher\", min = 0, max = 100, inputs = { \"%s.answer\" },\n"
	"  doc = \"Share of answers of 9 or 10\",\n"
	"  compute = function(w)\n"
	"    local s = w[\"%s.answer\"]\n"
	"    if #s < 5 then return nil, (\"%%d answers, fewer than 5\"):format(#s) end\n"
	"    return 100 * s:count_ge(9) / #s\n"
	"  end,\n"
	"}\n"
	"\n"
	"-- Hooks may reject a record with a reason: return false, \"why\".\n"
	"casebook.on(\"session.record\", function(session)\n"
	"  if session.title and #session.title < 3 then\n"
	"    return false, \"give the session a real title\"\n"
	"  end\n"
	"end)\n";

static const char fixture_template[] =
	"{\n"
	"  \"cases\": [\n"
	"    {\n"
	"      \"name\": \"3 of 6 answers are 9 or 10\",\n"
	"      \"kpi\": \"%s_top_box\",\n"
	"      \"inputs\": { \"%s.answer\": [10, 9, 9, 5, 7, 3] },\n"
	"      \"expect\": 50\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"too few answers\",\n"
	"      \"kpi\": \"%s_top_box\",\n"
	"      \"inputs\": { \"%s.answer\": [10, 9] },\n"
	"      \"expect\": null, \"reason\": \"fewer than 5\"\n"
	"    }\n"
	"  ]\n"
	"}\n";

static int write_new(const char *path, const char *text)
{
	FILE *f = fopen(path, "wx");

	if (!f)
		return cb_error_set(errno == EEXIST ? CB_EEXISTS : CB_EIO, "cannot create %s: %s",
				    path, errno == EEXIST ? "it already exists" : strerror(errno));
	if (fputs(text, f) < 0 || fclose(f) != 0)
		return cb_error_set(CB_EIO, "cannot write %s", path);
	return 0;
}

static const char new_help[] =
	"usage: casebook plugin new NAME [--dir DIR] [--json]\n"
	"\n"
	"Writes DIR/NAME.lua, a commented plugin declaring a measure, a KPI and a\n"
	"hook, and DIR/NAME.test.json, its test fixture; 'casebook plugin test\n"
	"DIR/NAME.lua' runs it. DIR defaults to the workspace's plugins/. NAME:\n"
	"lowercase letters, digits and '_', starting with a letter. Existing files\n"
	"are never overwritten.\n";

static int plugin_new(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	const char *name, *dir = NULL;
	char *ws_dir = NULL;
	cb_buf lua = CB_BUF_INIT, fix = CB_BUF_INIT, lua_path = CB_BUF_INIT,
	       fix_path = CB_BUF_INIT;
	int c, rc = CB_EXIT_FAILED;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, new_help);
		if (c == 'd') {
			dir = optarg;
			continue;
		}
		return cb_cli_bad_option(cli, new_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, new_help, "plugin new takes one NAME");
	name = argv[optind];
	{
		size_t len = strlen(name);
		int ok = len > 0 && len <= 40 && name[0] >= 'a' && name[0] <= 'z';

		for (size_t i = 0; ok && i < len; i++)
			ok = (name[i] >= 'a' && name[i] <= 'z') ||
			     (name[i] >= '0' && name[i] <= '9') || name[i] == '_';
		if (!ok)
			return cb_cli_usage(cli, new_help,
					    "plugin name '%.60s' must be lowercase letters, digits and '_', "
					    "starting with a letter (at most 40)",
					    name);
	}
	if (!dir) {
		if (cb_cli_workspace_plugins_dir(cli, &ws_dir) < 0)
			return cb_cli_fail(cli);
		if (!ws_dir) {
			cb_error_set(CB_ENOWORKSPACE,
				     "not inside a casebook workspace: give --dir DIR, or use -C DIR");
			return cb_cli_fail(cli);
		}
		dir = ws_dir;
	}
	if (cb_buf_printf(&lua, plugin_template, name, name, name, name, name, name, name) < 0 ||
	    cb_buf_printf(&fix, fixture_template, name, name, name, name) < 0 ||
	    cb_buf_printf(&lua_path, "%s/%s.lua", dir, name) < 0 ||
	    cb_buf_printf(&fix_path, "%s/%s.test.json", dir, name) < 0) {
		rc = cb_cli_fail(cli);
		goto done;
	}
	{
		struct stat st;

		if (stat(fix_path.ptr, &st) == 0) {
			cb_error_set(CB_EEXISTS, "cannot create %s: it already exists", fix_path.ptr);
			rc = cb_cli_fail(cli);
			goto done;
		}
	}
	if (write_new(lua_path.ptr, lua.ptr) < 0) {
		rc = cb_cli_fail(cli);
		goto done;
	}
	if (write_new(fix_path.ptr, fix.ptr) < 0) {
		remove(lua_path.ptr); /* all or nothing */
		rc = cb_cli_fail(cli);
		goto done;
	}
	rc = cb_cli_done(cli,
			 json_pack("{s:s, s:s}", "plugin", lua_path.ptr, "fixture", fix_path.ptr),
			 "wrote %s and %s", lua_path.ptr, fix_path.ptr);
done:
	free(ws_dir);
	cb_buf_free(&lua);
	cb_buf_free(&fix);
	cb_buf_free(&lua_path);
	cb_buf_free(&fix_path);
	return rc;
}

typedef struct test_run {
	cb_cli *cli;
	json_t *rows;
} test_run;

static void report_case(const char *file, const char *name, const char *kpi, int passed,
			const char *detail, void *ctx)
{
	test_run *t = ctx;

	if (t->cli->mode == CB_OUTPUT_TEXT)
		fprintf(t->cli->out, "%s %s: %s [%s]: %s\n", passed ? "ok  " : "FAIL", file, name,
			kpi ? kpi : "?", detail);
	json_array_append_new(t->rows,
			      json_pack("{s:s, s:s, s:o, s:b, s:s}", "file", file, "case", name,
					"kpi", cb_cli_json_str(kpi), "passed", passed, "detail",
					detail));
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char test_help[] =
	"usage: casebook plugin test [FILE...] [--json]\n"
	"\n"
	"Runs plugin test fixtures. A FILE ending in .lua is loaded (when it is not\n"
	"already) and its NAME.test.json is run; a FILE ending in .test.json is run\n"
	"as it is. Without FILE, runs the fixture of every loaded plugin that has\n"
	"one. Prints one line per case and 'N passed, M failed'; exits 1 when a\n"
	"case fails, a named plugin does not load, or a fixture is malformed.\n"
	"\n"
	"Fixture format: {\"cases\": [{\"name\", \"kpi\", \"inputs\": {MEASURE: [numbers]},\n"
	"\"expect\": NUMBER or null, \"tolerance\", \"reason\", \"error\", \"window\"}]};\n"
	"see plugins/README.md.\n";

static int plugin_test(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_plugin_host *h;
	test_run t = {cli, NULL};
	size_t passed = 0, failed = 0;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, test_help);
		return cb_cli_bad_option(cli, test_help, argc, argv);
	}
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, test_help, "plugin test has no --csv; use --json");
	t.rows = json_array();
	if (cb_cli_plugins_here(cli, &h) < 0) {
		json_decref(t.rows);
		return cb_cli_fail(cli);
	}
	if (optind == argc) {
		for (size_t i = 0; i < cb_plugin_count(h); i++) {
			const cb_plugin *p = cb_plugin_at(h, i);
			char *fix = cb_plugin_fixture_path(p->path);
			struct stat st;

			if (fix && stat(fix, &st) == 0 &&
			    cb_plugin_fixture_run(h, fix, report_case, &t, &passed, &failed) < 0) {
				fprintf(cli->err, "casebook: error: %s\n", cb_error_last());
				failed++;
			}
			free(fix);
		}
	}
	for (int i = optind; i < argc; i++) {
		const char *file = argv[i];
		char *fix = NULL;

		if (ends_with(file, ".lua")) {
			char *real = realpath(file, NULL);
			const cb_plugin *p = cb_plugin_find(h, real ? real : file);

			free(real);
			if (!p) {
				if (cb_plugin_host_load_file(h, file) < 0) {
					fprintf(cli->err, "casebook: error: %s\n", cb_error_last());
					failed++;
					continue;
				}
				cb_plugin_host_finish(h);
			} else if (p->status != CB_PLUGIN_LOADED) {
				fprintf(cli->err, "casebook: error: %s\n", p->error);
				failed++;
				continue;
			}
			fix = cb_plugin_fixture_path(file);
		} else if (ends_with(file, ".json")) {
			fix = strdup(file);
		} else {
			fprintf(cli->err, "casebook: error: %s: give a plugin (.lua) or a fixture (.test.json)\n",
				file);
			failed++;
			continue;
		}
		if (!fix || cb_plugin_fixture_run(h, fix, report_case, &t, &passed, &failed) < 0) {
			fprintf(cli->err, "casebook: error: %s\n", cb_error_last());
			failed++;
		}
		free(fix);
	}
	cb_plugin_host_free(h);
	if (cli->mode == CB_OUTPUT_JSON) {
		json_t *out = json_pack("{s:I, s:I, s:o}", "passed", (json_int_t)passed, "failed",
					(json_int_t)failed, "cases", t.rows);

		c = cb_cli_emit(cli, out);
	} else {
		json_decref(t.rows);
		fprintf(cli->out, "%zu passed, %zu failed\n", passed, failed);
		c = CB_EXIT_OK;
	}
	if (c == CB_EXIT_OK && (failed || passed == 0)) {
		if (passed == 0 && failed == 0)
			fprintf(cli->err, "casebook: error: no fixture cases found\n");
		c = CB_EXIT_FAILED;
	}
	return c;
}

static const cb_cli_verb plugin_verbs[] = {
	{"list", plugin_list, "list plugins and their status"},
	{"info", plugin_info, "show one plugin's measures, KPIs and hooks"},
	{"new", plugin_new, "write a commented plugin and its test fixture"},
	{"test", plugin_test, "run plugin test fixtures"},
	{NULL, NULL, NULL},
};

int cb_cli_plugin(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "plugin",
			       "Lua plugins declare measures, KPIs and hooks (API version 1).\n",
			       plugin_verbs, argc, argv);
}
