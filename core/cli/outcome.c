/* casebook outcome: outcome agreements and their attainment. */
#include "cli/cli.h"

#include <math.h>

#include "analysis/windows.h"
#include "app/outcome.h"
#include "base/error.h"
#include "base/text.h"

static const char set_help[] =
	"usage: casebook outcome set ACCOUNT KPI --target X --minimum Y --from DATE --to DATE [--json]\n"
	"\n"
	"Records an outcome agreement, as in outcome-based service contracts: over\n"
	"the period FROM..TO (inclusive) the provider aims at TARGET for the KPI at\n"
	"ACCOUNT and guarantees at least MINIMUM. When higher is better the minimum\n"
	"is at or below the target; when lower is better (MTTR), at or above it.\n";

static int outcome_set(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"target", required_argument, NULL, 't'},
					     {"minimum", required_argument, NULL, 'm'},
					     {"from", required_argument, NULL, 'f'},
					     {"to", required_argument, NULL, 'u'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	const char *target = NULL, *minimum = NULL, *from = NULL, *to = NULL;
	double t, m;
	cb_workspace *ws;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, set_help);
		case 't':
			target = optarg;
			break;
		case 'm':
			minimum = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 'u':
			to = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, set_help, argc, argv);
		}
	}
	if (argc - optind != 2)
		return cb_cli_usage(cli, set_help, "outcome set takes an ACCOUNT and a KPI");
	if (!target || !minimum || !from || !to)
		return cb_cli_usage(cli, set_help, "outcome set needs --target, --minimum, --from and --to");
	if (cb_cli_parse_double("--target", target, -CB_NUMBER_MAX, CB_NUMBER_MAX, &t) < 0 ||
	    cb_cli_parse_double("--minimum", minimum, -CB_NUMBER_MAX, CB_NUMBER_MAX, &m) < 0)
		return cb_cli_fail(cli);
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_outcome_set(ws, argv[optind], argv[optind + 1], t, m, from, to) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_done(cli,
			   json_pack("{s:s, s:s, s:f, s:f, s:s, s:s}", "account", argv[optind], "kpi",
				     argv[optind + 1], "target", t, "minimum", m, "from", from, "to", to),
			   "agreed: %s at %s, target %g, minimum %g, %s..%s", argv[optind + 1],
			   argv[optind], t, m, from, to);
}

static int add_status(const cb_outcome_status *st, void *ctx)
{
	const cb_outcome *o = st->outcome;

	return json_array_append_new(
		ctx, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
			       "account", o->account, "kpi", o->kpi, "from", o->from_on, "to", o->to_on,
			       "target", o->target, "minimum", o->minimum, "period_value",
			       cb_cli_json_number(st->period), "period", st->period_attainment, "period_reason",
			       cb_cli_json_str(st->period_reason), "trained_in",
			       cb_cli_json_str(st->session), "baseline_value", cb_cli_json_number(st->baseline),
			       "baseline", cb_cli_json_str(st->baseline_attainment), "follow_up_value",
			       cb_cli_json_number(st->follow_up), "follow_up",
			       cb_cli_json_str(st->follow_up_attainment)));
}

static const char status_help[] =
	"usage: casebook outcome status [--account A] [--window DAYS] [--lag DAYS] [--json|--csv]\n"
	"\n"
	"Shows each agreement's attainment (target met, minimum met, below\n"
	"minimum, no value): over the agreed period, and, when a session reached\n"
	"the account, in the baseline window before its first such session and in\n"
	"the follow-up window after it (as 'casebook impact' draws them; defaults\n"
	"90 and 14 days).\n";

static int outcome_status(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"account", required_argument, NULL, 'a'},
					     {"window", required_argument, NULL, 'w'},
					     {"lag", required_argument, NULL, 'l'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	const char *account = NULL;
	long window = CB_ANALYSIS_WINDOW_DAYS, lag = CB_ANALYSIS_LAG_DAYS;
	cb_workspace *ws;
	json_t *rows;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, status_help);
		case 'a':
			account = optarg;
			break;
		case 'w':
			if (cb_cli_parse_int("--window", optarg, 1, CB_ANALYSIS_WINDOW_DAYS_MAX, &window) < 0)
				return cb_cli_usage(cli, status_help, "%s", cb_error_last());
			break;
		case 'l':
			if (cb_cli_parse_int("--lag", optarg, 0, CB_ANALYSIS_LAG_DAYS_MAX, &lag) < 0)
				return cb_cli_usage(cli, status_help, "%s", cb_error_last());
			break;
		default:
			return cb_cli_bad_option(cli, status_help, argc, argv);
		}
	}
	if (optind < argc)
		return cb_cli_usage(cli, status_help, "outcome status takes no arguments");
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	rows = json_array();
	if (cb_app_outcome_status(ws, account, (int)window, (int)lag, add_status, rows) < 0) {
		json_decref(rows);
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_emit(cli, rows);
}

static const cb_cli_verb outcome_verbs[] = {
	{"set", outcome_set, "record an outcome agreement (target, minimum, period)"},
	{"status", outcome_status, "attainment of each agreement before and after training"},
	{NULL, NULL, NULL},
};

int cb_cli_outcome(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "outcome",
			       "Outcome agreements: a target and a minimum for a KPI at an account over a period.\n",
			       outcome_verbs, argc, argv);
}
