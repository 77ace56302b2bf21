/* casebook reindex: rebuild the case-study index from the repository. */
#include "cli/cli.h"

#include "app/case.h"
#include "base/error.h"
#include "cli/progress.h"

static const char reindex_help[] =
	"usage: casebook reindex [--json]\n"
	"\n"
	"Rebuilds the database's index of case studies from the case-study\n"
	"repository (cases/, branch main), the source of truth: each case's\n"
	"front matter from its latest case.md, its review decisions from\n"
	"reviews.log, and its status from the last decision (approved or\n"
	"changes-requested while no revision came after it; published, rejected\n"
	"and withdrawn for good; else submitted). Cases no longer in the\n"
	"repository leave the index. Rows that already agree are kept as they\n"
	"are. 'casebook check' reports any difference this would mend.\n";

/* One bar per stage, relabelled when the stage changes. */
typedef struct reindex_bar {
	cb_progress bar;
	const char *stage;
} reindex_bar;

static void on_progress(const char *stage, size_t done, size_t total, void *ctx)
{
	reindex_bar *b = ctx;

	if (b->stage != stage) {
		cb_progress_finish(&b->bar);
		cb_progress_start(&b->bar, stage);
		b->stage = stage;
	}
	cb_progress_update(&b->bar, (double)done, (double)total, total ? "cases" : "commits");
}

int cb_cli_reindex(cb_cli *cli, int argc, char **argv)
{
	reindex_bar bar = {0};
	cb_case_progress progress = {on_progress, &bar};
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_case_reindex_result res;
	cb_workspace *ws;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, reindex_help);
		return cb_cli_bad_option(cli, reindex_help, argc, argv);
	}
	if (optind < argc)
		return cb_cli_usage(cli, reindex_help, "reindex takes no arguments");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, reindex_help, "reindex has no --csv; use --json");
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	rc = cb_app_case_reindex(ws, &progress, &res);
	cb_progress_finish(&bar.bar);
	if (rc < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	cb_cli_warn_invalid_cases(cli, &res);
	return cb_cli_done(cli,
			   json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "cases",
				     (json_int_t)res.cases, "added", (json_int_t)res.added, "updated",
				     (json_int_t)res.updated, "removed", (json_int_t)res.removed,
				     "unchanged", (json_int_t)res.unchanged, "invalid",
				     (json_int_t)res.invalid, "invalid_cases",
				     cb_cli_invalid_cases_json(&res)),
			   "reindexed %zu case%s from the repository: %zu added, %zu updated, %zu removed, %zu unchanged",
			   res.cases, res.cases == 1 ? "" : "s", res.added, res.updated, res.removed,
			   res.unchanged);
}

void cb_cli_warn_invalid_cases(cb_cli *cli, const cb_case_reindex_result *res)
{
	for (size_t i = 0; i < res->invalid && i < CB_CASE_INVALID_SHOWN; i++)
		fprintf(cli->err, "casebook: warning: not indexed, not a valid case study: %s\n",
			res->why_invalid[i]);
	if (res->invalid > CB_CASE_INVALID_SHOWN)
		fprintf(cli->err, "casebook: warning: and %zu more not valid; 'casebook check' names them\n",
			res->invalid - CB_CASE_INVALID_SHOWN);
}

json_t *cb_cli_invalid_cases_json(const cb_case_reindex_result *res)
{
	json_t *a = json_array();

	for (size_t i = 0; i < res->invalid && i < CB_CASE_INVALID_SHOWN; i++)
		json_array_append_new(a, json_string(res->why_invalid[i]));
	return a;
}
