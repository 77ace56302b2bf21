/* casebook kpi: the KPIs the loaded plugins define. */
#include "cli/cli.h"

#include <math.h>
#include <string.h>

#include "base/error.h"
#include "base/text.h"
#include "app/impact.h"
#include "store/outcome.h"

json_t *cb_cli_kpi_json(const cb_kpi_def *k)
{
	json_t *inputs = json_array();

	for (size_t i = 0; i < k->ninputs; i++)
		json_array_append_new(inputs, json_string(k->inputs[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o}", "key", k->key, "name", k->name,
			 "unit", k->unit, "better", k->better == CB_KPI_HIGHER ? "higher" : "lower",
			 "inputs", inputs, "plugin", k->plugin->name, "status",
			 k->disabled ? "disabled" : "ok", "problem",
			 cb_cli_json_str(k->disabled_reason));
}

static const char list_help[] =
	"usage: casebook kpi list [--json|--csv]\n"
	"\n"
	"Lists the KPIs of the loaded plugins: key, name, unit, better (higher or\n"
	"lower), inputs (the measures it is computed from), plugin, status (ok, or\n"
	"disabled when an input measure is unknown) and the problem if any.\n";

static int kpi_list(cb_cli *cli, int argc, char **argv)
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
		return cb_cli_usage(cli, list_help, "kpi list takes no arguments");
	if (cb_cli_plugins_here(cli, &h) < 0)
		return cb_cli_fail(cli);
	rows = json_array();
	for (size_t i = 0; i < cb_plugin_kpi_count(h); i++)
		json_array_append_new(rows, cb_cli_kpi_json(cb_plugin_kpi_at(h, i)));
	cb_plugin_host_free(h);
	return cb_cli_emit(cli, rows);
}

static const char show_help[] =
	"usage: casebook kpi show KEY [--json]\n"
	"\n"
	"Shows one KPI: what it means (doc), its unit, direction and range, the\n"
	"plugin file that defines it, and each input measure with its unit and\n"
	"allowed range.\n";

static int kpi_show(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_plugin_host *h;
	const cb_kpi_def *k;
	json_t *obj, *inputs;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, show_help);
		return cb_cli_bad_option(cli, show_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, show_help, "kpi show takes one KEY");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, show_help, "kpi show has no --csv; use --json");
	if (cb_cli_plugins_here(cli, &h) < 0)
		return cb_cli_fail(cli);
	k = cb_plugin_kpi_find(h, argv[optind]);
	if (!k) {
		const char *keys[512];
		size_t n = 0;
		const char *hint;

		for (size_t i = 0; i < cb_plugin_kpi_count(h) && n < 512; i++)
			keys[n++] = cb_plugin_kpi_at(h, i)->key;
		hint = cb_text_suggest(argv[optind], keys, n);
		if (hint)
			cb_error_set(CB_ENOTFOUND, "unknown KPI '%s' (did you mean '%s'?)", argv[optind],
				     hint);
		else
			cb_error_set(CB_ENOTFOUND, "unknown KPI '%s'; 'casebook kpi list' shows them",
				     argv[optind]);
		cb_plugin_host_free(h);
		return cb_cli_fail(cli);
	}
	obj = cb_cli_kpi_json(k);
	json_object_del(obj, "inputs");
	json_object_set_new(obj, "doc", json_string(k->doc));
	json_object_set_new(obj, "min", isfinite(k->min) ? json_real(k->min) : json_null());
	json_object_set_new(obj, "max", isfinite(k->max) ? json_real(k->max) : json_null());
	json_object_set_new(obj, "file", json_string(k->plugin->path));
	inputs = json_array();
	for (size_t i = 0; i < k->ninputs; i++) {
		const cb_measure_def *m = cb_plugin_measure_find(h, k->inputs[i]);

		if (m)
			json_array_append_new(inputs, cb_cli_measure_json(m));
		else
			json_array_append_new(inputs, json_pack("{s:s, s:s}", "key", k->inputs[i],
								 "doc", "(no plugin declares it)"));
	}
	json_object_set_new(obj, "inputs", inputs);
	cb_plugin_host_free(h);
	return cb_cli_emit(cli, obj);
}

static const char value_help[] =
	"usage: casebook kpi value KPI --per-unit AMOUNT --currency CUR [--kind level|total] [--json]\n"
	"\n"
	"Sets what one unit of KPI is worth, for the ROI in 'casebook impact'\n"
	"(Phillips level 5). Kind level (default), for rates and levels such as\n"
	"NPS, uptime or MTTR: AMOUNT is money per unit per account per year, and a\n"
	"change, once reached, is taken to hold for the year. Kind total, for KPIs\n"
	"that add up over their window (complaints, failures): AMOUNT is money\n"
	"per unit, and the benefit is annualised over the follow-up window\n"
	"(x 365 / window days). Benefit = effect x value x exposed accounts.\n"
	"Without --per-unit, shows the values set.\n";

static int add_value(const cb_kpi_value *v, void *ctx)
{
	return json_array_append_new(ctx, json_pack("{s:s, s:f, s:s, s:s}", "kpi", v->kpi, "per_unit",
						    v->per_unit, "currency", v->currency, "kind",
						    v->kind));
}

static int kpi_value(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"per-unit", required_argument, NULL, 'u'},
					     {"currency", required_argument, NULL, 'c'},
					     {"kind", required_argument, NULL, 'k'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	const char *per_unit = NULL, *currency = NULL, *kind = "level";
	cb_workspace *ws;
	double amount;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, value_help);
		case 'u':
			per_unit = optarg;
			break;
		case 'c':
			currency = optarg;
			break;
		case 'k':
			kind = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, value_help, argc, argv);
		}
	}
	if (!per_unit) {
		json_t *rows;

		if (optind < argc)
			return cb_cli_usage(cli, value_help, "kpi value KPI needs --per-unit and --currency");
		if (cb_cli_open(cli, 1, &ws) < 0)
			return cb_cli_fail(cli);
		rows = json_array();
		if (cb_store_kpi_value_each(ws->store, add_value, rows) < 0) {
			json_decref(rows);
			cb_workspace_close(ws);
			return cb_cli_fail(cli);
		}
		cb_workspace_close(ws);
		return cb_cli_emit(cli, rows);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, value_help, "kpi value takes one KPI");
	if (!currency)
		return cb_cli_usage(cli, value_help, "kpi value needs --currency");
	if (cb_cli_parse_double("--per-unit", per_unit, 0, CB_NUMBER_MAX, &amount) < 0)
		return cb_cli_fail(cli);
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_kpi_value_set(ws, argv[optind], amount, currency, kind) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_done(cli,
			   json_pack("{s:s, s:f, s:s, s:s}", "kpi", argv[optind], "per_unit", amount,
				     "currency", currency, "kind", kind),
			   "one unit of %s is worth %.2f %s (%s)", argv[optind], amount, currency, kind);
}

static const cb_cli_verb kpi_verbs[] = {
	{"list", kpi_list, "list KPIs"},
	{"show", kpi_show, "show one KPI and its inputs"},
	{"value", kpi_value, "set or list the money value of KPIs (for ROI)"},
	{NULL, NULL, NULL},
};

int cb_cli_kpi(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "kpi",
			       "KPIs: numbers plugins compute from one account's observations in a window.\n",
			       kpi_verbs, argc, argv);
}
