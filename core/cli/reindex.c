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
	return cb_cli_done(cli,
			   json_pack("{s:I, s:I, s:I, s:I, s:I}", "cases", (json_int_t)res.cases,
				     "added", (json_int_t)res.added, "updated", (json_int_t)res.updated,
				     "removed", (json_int_t)res.removed, "unchanged",
				     (json_int_t)res.unchanged),
			   "reindexed %zu case%s from the repository: %zu added, %zu updated, %zu removed, %zu unchanged",
			   res.cases, res.cases == 1 ? "" : "s", res.added, res.updated, res.removed,
			   res.unchanged);
}
