/* casebook impact: before-and-after customer KPIs of an exposure, with
 * intervals, the difference-in-differences effect, Kirkpatrick levels and
 * ROI. */
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/impact.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "view/impact.h"

static const char impact_help[] =
	"usage: casebook impact (--session S | --program P | --trainer T | --technician X |\n"
	"                        --case SLUG)\n"
	"                       [--by format|trainer] [--window DAYS] [--lag DAYS]\n"
	"                       [--control auto|not-yet|none|ACCOUNT,...] [--kpi K]...\n"
	"                       [--level 0.95] [--detail] [--quiet] [--json|--csv]\n"
	"\n"
	"Did training move the customers' numbers? For each KPI (all, or those\n"
	"given with --kpi): the trained accounts' values before and after, the\n"
	"change, the same for control accounts measured over the same dates, the\n"
	"difference (the effect) with its interval and the chance of so large an\n"
	"effect if training changed nothing (p), also adjusted for testing many\n"
	"KPIs at once (Benjamini-Hochberg); an event study (the same comparison in\n"
	"windows before and after training) with a warning when the accounts\n"
	"already moved apart before training; with a money value (casebook kpi\n"
	"value), the ROI. A technician or a case study bears the share of the\n"
	"sessions' cost of the accounts it reached.\n"
	"\n"
	"Exposed accounts: those a session is linked to, and those its attendees\n"
	"(attended or partial) cover on its last day; for --technician, the\n"
	"accounts that technician covers; for --case, the case study's account,\n"
	"trained by the sessions the case cites (its claimed KPIs are the default\n"
	"--kpi). Accounts whose first session began and ended on the same days\n"
	"form a cohort. A cohort's baseline is the DAYS (default 90) before its\n"
	"first day; its follow-up skips LAG whole days (default 14) after its last\n"
	"day and lasts DAYS too. --window and --lag take a number of days, with an\n"
	"optional d or w suffix (90d, 13w).\n"
	"\n"
	"Control: every cohort is compared with control accounts measured over\n"
	"that cohort's own windows. auto (default): accounts no session of the\n"
	"same programs ever reached; not-yet: also accounts first trained after\n"
	"the cohort's follow-up ends (those trained later serve the earlier\n"
	"cohorts); a comma list of accounts; or none (then the effect is the\n"
	"exposed change alone, not a difference-in-differences, and the season is\n"
	"in it).\n"
	"\n"
	"Intervals: " CB_ANALYSIS_METHOD ";\n"
	"the effect averages the cohorts' effects weighted by their accounts.\n"
	"Where data are too thin (fewer than 3 accounts with values in both\n"
	"windows in a group), the KPI says so and why instead of a number.\n"
	"--by format or --by trainer compares the program's sessions grouped so,\n"
	"side by side. --detail adds each account's values to --json. Under the\n"
	"table, the findings in words (--json: summary); --quiet leaves them out.\n";

static int observed(const cb_impact_kpi *ik)
{
	return cb_view_impact_observed(ik);
}

static json_t *kpi_rows(const cb_impact_report *r, const char *group, int skip_unobserved,
			int with_reason)
{
	return cb_view_impact_rows(r, group, skip_unobserved, with_reason);
}

static json_t *roi_rows(const cb_impact_report *r)
{
	json_t *rows = json_array();

	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];
		char buf[64];
		json_t *row;

		if (!ik->has_value)
			continue;
		row = json_object();
		json_object_set_new(row, "kpi", json_string(ik->kpi->key));
		snprintf(buf, sizeof(buf), "%.2f %s/%s (%s)", ik->value.per_unit, ik->value.currency,
			 ik->kpi->unit, ik->value.kind);
		json_object_set_new(row, "value", json_string(buf));
		if (!ik->roi_ok) {
			json_object_set_new(row, "benefit", json_string("-"));
			json_object_set_new(row, "roi_percent", json_string("-"));
			json_object_set_new(row, "bcr", json_string(ik->roi_note));
		} else {
			char e[48], l[48], h[48];

			cb_view_money(e, sizeof(e), ik->roi.estimate.benefit, NULL);
			cb_view_money(l, sizeof(l), ik->roi.low.benefit, NULL);
			cb_view_money(h, sizeof(h), ik->roi.high.benefit, NULL);
			snprintf(buf, sizeof(buf), "%s [%s, %s]", e, l, h);
			json_object_set_new(row, "benefit", json_string(buf));
			if (ik->roi.defined) {
				snprintf(buf, sizeof(buf), "%.0f%% [%.0f%%, %.0f%%]", ik->roi.estimate.roi_percent,
					 ik->roi.low.roi_percent, ik->roi.high.roi_percent);
				json_object_set_new(row, "roi_percent", json_string(buf));
				snprintf(buf, sizeof(buf), "%.2f [%.2f, %.2f]", ik->roi.estimate.bcr,
					 ik->roi.low.bcr, ik->roi.high.bcr);
				json_object_set_new(row, "bcr", json_string(buf));
			} else {
				json_object_set_new(row, "roi_percent", json_string("- (no cost recorded)"));
				json_object_set_new(row, "bcr", json_string("-"));
			}
		}
		json_array_append_new(rows, row);
	}
	return rows;
}

static void print_header(cb_cli *cli, const cb_impact_report *r)
{
	const cb_impact_request *q = &r->request;
	char f[CB_DATE_LEN], l[CB_DATE_LEN];

	cb_date_format(r->sessions[0].first, f);
	cb_date_format(r->sessions[r->nsessions - 1].last, l);
	fprintf(cli->out, "Impact of %s %s%s%s%s%s: %zu session%s (%s .. %s), %zu exposed accounts in %zu cohort%s, ",
		cb_view_exposure_kind_name(q->kind), q->key, q->format ? ", format " : "", q->format ? q->format : "",
		q->trainer ? ", trainer " : "", q->trainer ? q->trainer : "", r->nsessions,
		r->nsessions == 1 ? "" : "s", f, l, r->exposed, r->ncohorts, r->ncohorts == 1 ? "" : "s");
	if (q->control == CB_CONTROL_NONE)
		fprintf(cli->out, "no control group (effects are exposed changes only, season and trend included)\n");
	else
		fprintf(cli->out, "%zu control accounts (%s), each cohort's measured over its own windows\n",
			r->control, cb_view_control_mode_name(q->control));
	fprintf(cli->out,
		"Windows: %d days before each cohort's first training day; %d days after its last, "
		"%d day%s skipped. Intervals: %.0f%%, %s.\n",
		q->window_days, q->window_days, q->lag_days, q->lag_days == 1 ? "" : "s",
		q->analysis.level * 100, CB_ANALYSIS_METHOD);
	fprintf(cli->out, "Kirkpatrick: L1 reaction ");
	if (r->levels.reactions)
		fprintf(cli->out, "%.2f/5 (%zu answers)", r->levels.reaction_mean, r->levels.reactions);
	else
		fprintf(cli->out, "not recorded");
	fprintf(cli->out, "; L2 learning ");
	if (r->levels.tested)
		fprintf(cli->out, "%.1f -> %.1f (%+.1f points, %zu tested)", r->levels.pre_mean,
			r->levels.post_mean, r->levels.gain_mean, r->levels.tested);
	else
		fprintf(cli->out, "not recorded");
	fprintf(cli->out, "; L3 behaviour ");
	if (r->levels.cases) {
		size_t ended = r->levels.cases_by_status[4] + r->levels.cases_by_status[5];

		fprintf(cli->out, "%zu case stud%s citing these sessions (%zu approved or published",
			r->levels.cases, r->levels.cases == 1 ? "y" : "ies",
			r->levels.cases_by_status[2] + r->levels.cases_by_status[3]);
		if (ended)
			fprintf(cli->out, ", %zu rejected or withdrawn", ended);
		fprintf(cli->out, ")");
	} else {
		fprintf(cli->out, "no case studies cite these sessions");
	}
	fprintf(cli->out, "; L4 results below. Cost: ");
	if (r->cost > 0 && !r->mixed_currency && r->cost < r->cost_full)
		fprintf(cli->out, "%.2f %s, the share of the %.2f %s the sessions cost by accounts reached\n\n",
			r->cost, r->currency, r->cost_full, r->currency);
	else if (r->cost > 0 && !r->mixed_currency)
		fprintf(cli->out, "%.2f %s\n\n", r->cost, r->currency);
	else
		fprintf(cli->out, "%s\n\n", r->mixed_currency ? "in several currencies" : "not recorded");
}

/* Below the table: how many KPIs moved, before and after adjusting for
 * testing them all, and the KPIs whose accounts moved apart before
 * training. */
static void print_findings(cb_cli *cli, const cb_impact_report *r)
{
	const cb_impact_summary *s = &r->summary;
	char line[512];

	cb_view_impact_summary_line(r, line, sizeof(line));
	fprintf(cli->out, "\n%s\n", line);
	if (cb_view_impact_partial_line(r, line, sizeof(line)))
		fprintf(cli->out, "Note: %s.\n", line);
	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];

		if (ik->pretrend_warning) {
			cb_view_impact_pretrend_line(r, ik, line, sizeof(line));
			fprintf(cli->out, "Warning: %s\n", line);
		}
		if (cb_view_impact_dropped_line(ik, line, sizeof(line)))
			fprintf(cli->out, "Note: %s\n", line);
		if (ik->impact.thin && observed(ik))
			fprintf(cli->out, "Too little data: %s: %s\n", ik->kpi->key, ik->impact.reason);
	}
	(void)s;
}

/* The event study of the KPIs with an effect: the effect per window
 * relative to training (-1 is the baseline, 0 the follow-up). */
static int print_events(cb_cli *cli, const cb_impact_report *r)
{
	json_t *rows = json_array();
	int any = 0;

	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];
		json_t *row;

		if (ik->impact.thin || !ik->nevents)
			continue;
		row = json_object();
		json_object_set_new(row, "kpi", json_string(ik->kpi->key));
		for (size_t w = 0; w < ik->nevents; w++) {
			const cb_impact_event *ev = &ik->events[w];
			char name[16], buf[48];

			snprintf(name, sizeof(name), ev->window ? "%+d" : "%d", ev->window);
			if (ev->window == -1)
				snprintf(buf, sizeof(buf), "0 (base)");
			else if (ev->thin)
				snprintf(buf, sizeof(buf), "-");
			else
				snprintf(buf, sizeof(buf), "%.2f%s", ev->effect, ev->excludes_zero ? "*" : "");
			json_object_set_new(row, name, json_string(buf));
		}
		json_array_append_new(rows, row);
		any = 1;
	}
	if (!any) {
		json_decref(rows);
		return 0;
	}
	fprintf(cli->out, "\nEvent study: the effect in each %d-day window relative to training "
		"(-1 is the baseline; -3, -2 before training; * its interval excludes 0, "
		"simultaneous over the windows before training):\n",
		r->request.window_days);
	return cb_cli_emit(cli, rows);
}

/* The impact in words: the exposure's paragraph, then each KPI's with
 * data. */
static void print_words(cb_cli *cli, const cb_impact_report *r)
{
	cb_buf b = CB_BUF_INIT;

	cb_view_impact_words(r, &b);
	fprintf(cli->out, "\nIn words:\n%s\n", b.ptr ? b.ptr : "");
	for (size_t k = 0; k < r->nkpis; k++) {
		if (!observed(&r->kpis[k]))
			continue;
		cb_buf_clear(&b);
		cb_view_impact_kpi_words(r, &r->kpis[k], &b);
		fprintf(cli->out, "\n%s\n", b.ptr ? b.ptr : "");
	}
	cb_buf_free(&b);
}

typedef struct impact_args {
	cb_impact_request req;
	int quiet; /* no paragraphs under the table */
	const char *by;
	const char **kpis;
	size_t nkpis;
	char **controls;
	size_t ncontrols;
	char *control_copy;
} impact_args;

static void args_free(impact_args *a)
{
	free(a->kpis);
	free(a->controls);
	free(a->control_copy);
}

static int parse_args(cb_cli *cli, int argc, char **argv, impact_args *a)
{
	static const struct option opts[] = {
		{"session", required_argument, NULL, 's'},   {"program", required_argument, NULL, 'p'},
		{"trainer", required_argument, NULL, 't'},   {"technician", required_argument, NULL, 'x'},
		{"by", required_argument, NULL, 'b'},        {"window", required_argument, NULL, 'w'},
		{"lag", required_argument, NULL, 'l'},       {"control", required_argument, NULL, 'c'},
		{"kpi", required_argument, NULL, 'k'},       {"resamples", required_argument, NULL, 'r'},
		{"seed", required_argument, NULL, 'S'},      {"level", required_argument, NULL, 'L'},
		{"detail", no_argument, NULL, 'd'},          {"case", required_argument, NULL, 'C'},
		{"quiet", no_argument, NULL, 'q'},
		CB_CLI_COMMON_OPTIONS,
		{0}};
	cb_analysis_options defaults = CB_ANALYSIS_OPTIONS_INIT;
	int c, kinds = 0;
	memset(a, 0, sizeof(*a));
	a->req.lag_days = -1;
	a->req.analysis = defaults;
	a->req.control = CB_CONTROL_AUTO;
	a->kpis = calloc((size_t)argc, sizeof(char *));
	if (!a->kpis)
		return cb_error_set(CB_ENOMEM, "out of memory");
	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return 1;
		case 's':
		case 'p':
		case 't':
		case 'x':
		case 'C':
			kinds++;
			a->req.kind = c == 's' ? CB_EXPOSURE_SESSION
				    : c == 'p' ? CB_EXPOSURE_PROGRAM
				    : c == 't' ? CB_EXPOSURE_TRAINER
				    : c == 'x' ? CB_EXPOSURE_TECHNICIAN
					       : CB_EXPOSURE_CASE;
			a->req.key = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "format") != 0 && strcmp(optarg, "trainer") != 0)
				return cb_error_set(CB_EUSAGE, "--by takes format or trainer, not '%s'", optarg);
			a->by = optarg;
			break;
		case 'w':
			if (cb_cli_parse_days("--window", optarg, 1, CB_ANALYSIS_WINDOW_DAYS_MAX,
				       &a->req.window_days) < 0)
				return CB_EUSAGE;
			break;
		case 'l':
			if (cb_cli_parse_days("--lag", optarg, 0, CB_ANALYSIS_LAG_DAYS_MAX, &a->req.lag_days) < 0)
				return CB_EUSAGE;
			break;
		case 'c': {
			int mode;

			if (cb_cli_parse_control(optarg, &mode, &a->control_copy, &a->controls,
						 &a->ncontrols) < 0)
				return cb_error_code();
			a->req.control = (cb_control_mode)mode;
			break;
		}
		case 'k':
			a->kpis[a->nkpis++] = optarg;
			break;
		case 'r':
			return cb_cli_retired_option("--resamples");
		case 'S':
			return cb_cli_retired_option("--seed");
		case 'L':
			if (cb_cli_parse_double("--level", optarg, 0.5, 0.999, &a->req.analysis.level) < 0)
				return CB_EUSAGE;
			break;
		case 'd':
			a->req.detail = CB_IMPACT_DETAIL_ALL;
			break;
		case 'q':
			a->quiet = 1;
			break;
		default:
			return 2;
		}
	}
	if (optind < argc)
		return cb_error_set(CB_EUSAGE, "impact takes no arguments besides its options");
	if (kinds != 1)
		return cb_error_set(CB_EUSAGE, "name one exposure: --session, --program, --trainer, --technician or --case");
	if (a->by && a->req.kind != CB_EXPOSURE_PROGRAM)
		return cb_error_set(CB_EUSAGE, "--by compares the sessions of one --program");
	if (a->nkpis) {
		a->req.kpis = a->kpis;
		a->req.nkpis = a->nkpis;
	}
	a->req.controls = (const char *const *)a->controls;
	a->req.ncontrols = a->ncontrols;
	return 0;
}

static int impact_by(cb_cli *cli, cb_workspace *ws, impact_args *a)
{
	cb_exposure_session *sessions;
	size_t n;
	json_t *rows = json_array(), *by = NULL;
	const char *values[64], *summary, *warning;
	size_t nvalues = 0;
	int by_format = strcmp(a->by, "format") == 0, rc = 0;
	cb_buf findings = CB_BUF_INIT;
	cb_impact_report *reports[64];
	size_t nreports = 0;

	if (cb_store_exposure_sessions(ws->store, CB_EXPOSURE_PROGRAM, a->req.key, NULL, NULL,
				       &sessions, &n) < 0) {
		json_decref(rows);
		return cb_cli_fail(cli);
	}
	for (size_t i = 0; i < n && nvalues < 64; i++) {
		const char *v = by_format ? sessions[i].format : sessions[i].trainer;
		size_t k;

		for (k = 0; k < nvalues && strcmp(values[k], v) != 0; k++)
			;
		if (k == nvalues && *v)
			values[nvalues++] = v;
	}
	for (size_t g = 0; g < nvalues; g++) {
		cb_impact_request req = a->req;
		cb_impact_report *r;

		if (by_format)
			req.format = values[g];
		else
			req.trainer = values[g];
		req.analysis.keep_scores = 1; /* for the differences between groups */
		if (cb_app_impact(ws, &req, &r) < 0) {
			rc = cb_cli_fail(cli);
			break;
		}
		reports[nreports++] = r;
		if (cli->mode == CB_OUTPUT_TEXT) {
			char line[512];

			/* The table comes after all groups; their findings now, so
			 * that each is said under its group's name. */
			cb_view_impact_summary_line(r, line, sizeof(line));
			cb_buf_printf(&findings, "%s %s: %s\n", a->by, values[g], line);
			for (size_t k = 0; k < r->nkpis; k++) {
				if (r->kpis[k].pretrend_warning) {
					cb_view_impact_pretrend_line(r, &r->kpis[k], line, sizeof(line));
					cb_buf_printf(&findings, "Warning (%s): %s\n", values[g], line);
				}
				if (cb_view_impact_dropped_line(&r->kpis[k], line, sizeof(line)))
					cb_buf_printf(&findings, "Note (%s): %s\n", values[g], line);
			}
		}
		{
			json_t *kr = kpi_rows(r, values[g], cli->mode == CB_OUTPUT_TEXT,
					      cli->mode != CB_OUTPUT_TEXT);

			json_array_extend(rows, kr);
			json_decref(kr);
		}
	}
	if (rc == 0 && !(by = cb_view_impact_by_json(a->req.key, a->by,
						      (const cb_impact_report *const *)reports, values,
						      nreports, sessions, n)))
		rc = cb_cli_fail(cli);
	for (size_t g = 0; g < nreports; g++)
		cb_impact_report_free(reports[g]);
	free(sessions);
	if (rc) {
		json_decref(rows);
		cb_buf_free(&findings);
		return rc;
	}
	if (cli->mode == CB_OUTPUT_JSON) {
		json_decref(rows);
		cb_buf_free(&findings);
		return cb_cli_emit(cli, by);
	}
	summary = json_string_value(json_object_get(by, "summary"));
	warning = json_is_string(json_object_get(by, "confounded"))
			  ? json_string_value(json_object_get(by, "confounded"))
			  : NULL;
	if (cli->mode == CB_OUTPUT_TEXT)
		fprintf(cli->out, "Impact of program %s by %s (each group against the same control rule):\n\n",
			a->req.key, a->by);
	rc = cb_cli_emit(cli, rows);
	if (rc == 0 && cli->mode == CB_OUTPUT_TEXT) {
		if (findings.len)
			fprintf(cli->out, "\n%s", findings.ptr);
		if (summary && *summary)
			fprintf(cli->out, "\n%s\n", summary);
		if (warning)
			fprintf(cli->out, "Warning: %s.\n", warning);
	}
	json_decref(by);
	cb_buf_free(&findings);
	return rc;
}

int cb_cli_impact(cb_cli *cli, int argc, char **argv)
{
	impact_args a;
	cb_workspace *ws;
	cb_impact_report *r;
	int rc;

	rc = parse_args(cli, argc, argv, &a);
	if (rc == 1) {
		args_free(&a);
		return cb_cli_help(cli, impact_help);
	}
	if (rc == 2) {
		args_free(&a);
		return cb_cli_bad_option(cli, impact_help, argc, argv);
	}
	if (rc < 0) {
		args_free(&a);
		return cb_cli_usage(cli, impact_help, "%s", cb_error_last());
	}
	if (cb_cli_open(cli, 1, &ws) < 0) {
		args_free(&a);
		return cb_cli_fail(cli);
	}
	if (a.by) {
		rc = impact_by(cli, ws, &a);
	} else if (cb_app_impact(ws, &a.req, &r) < 0) {
		rc = cb_cli_fail(cli);
	} else {
		if (cli->mode == CB_OUTPUT_JSON) {
			rc = cb_view_impact_json_write(cli->out, r) < 0 ? cb_cli_fail(cli) : CB_EXIT_OK;
		} else if (cli->mode == CB_OUTPUT_CSV) {
			rc = cb_cli_emit(cli, kpi_rows(r, NULL, 0, 1));
		} else {
			json_t *roi = roi_rows(r);
			size_t hidden = 0;

			for (size_t k = 0; k < r->nkpis; k++)
				hidden += !observed(&r->kpis[k]);
			print_header(cli, r);
			rc = cb_cli_emit(cli, kpi_rows(r, NULL, 1, 0));
			if (hidden)
				fprintf(cli->out, "(%zu KPI%s without a single observation for these accounts %s not shown; --json lists every KPI)\n",
					hidden, hidden == 1 ? "" : "s", hidden == 1 ? "is" : "are");
			if (rc == 0) {
				print_findings(cli, r);
				rc = print_events(cli, r);
			}
			if (rc == 0 && json_array_size(roi)) {
				cb_buf words = CB_BUF_INIT;

				fprintf(cli->out, "\nROI (per year; benefit, ROI and BCR at the effect and its interval's ends):\n");
				rc = cb_cli_emit(cli, roi);
				cb_view_impact_roi_words(r, &words);
				if (rc == 0 && words.len)
					fprintf(cli->out, "%s\n", words.ptr);
				cb_buf_free(&words);
			} else {
				json_decref(roi);
			}
			if (rc == 0 && !a.quiet)
				print_words(cli, r);
		}
		cb_impact_report_free(r);
	}
	cb_workspace_close(ws);
	args_free(&a);
	return rc;
}
