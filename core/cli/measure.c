/* casebook measure: the measures the loaded plugins declare. */
#include "cli/cli.h"

#include <math.h>
#include <stdlib.h>

#include "base/error.h"

json_t *cb_cli_measure_json(const cb_measure_def *m)
{
	json_t *row = json_pack("{s:s, s:s}", "key", m->key, "unit", m->unit);

	json_object_set_new(row, "min", isfinite(m->min) ? json_real(m->min) : json_null());
	json_object_set_new(row, "max", isfinite(m->max) ? json_real(m->max) : json_null());
	json_object_set_new(row, "integer", json_boolean(m->integer));
	json_object_set_new(row, "plugin", json_string(m->plugin->name));
	json_object_set_new(row, "doc", json_string(m->doc));
	return row;
}

static const char list_help[] =
	"usage: casebook measure list [--json|--csv]\n"
	"\n"
	"Lists the measures of the loaded plugins: key, unit, min and max (the\n"
	"allowed range; null when open), integer (whole numbers only), plugin, doc.\n"
	"Observations imported with 'casebook data import' are checked against them.\n";

static int measure_list(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_plugin_host *h;
	json_t *rows;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, list_help);
		return cb_cli_bad_option(cli, list_help, argc, argv);
	}
	if (optind < argc)
		return cb_cli_usage(cli, list_help, "measure list takes no arguments");
	if (cb_cli_plugins_here(cli, &h) < 0)
		return cb_cli_fail(cli);
	rows = json_array();
	for (size_t i = 0; i < cb_plugin_measure_count(h); i++)
		json_array_append_new(rows, cb_cli_measure_json(cb_plugin_measure_at(h, i)));
	cb_plugin_host_free(h);
	return cb_cli_emit(cli, rows);
}

static const cb_cli_verb measure_verbs[] = {
	{"list", measure_list, "list measures"},
	{NULL, NULL, NULL},
};

int cb_cli_measure(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "measure",
			       "Measures: raw quantities recorded about accounts, declared by plugins.\n",
			       measure_verbs, argc, argv);
}
