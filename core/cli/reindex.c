/* casebook reindex: rebuild the case-study index from the repository. */
#include "cli/cli.h"

#include "app/case.h"
#include "base/error.h"

static const char reindex_help[] =
	"usage: casebook reindex [--json]\n"
	"\n"
	"Rebuilds the database's index of case studies from the case-study\n"
	"repository (cases/, branch main), the source of truth: each case's\n"
	"front matter from its latest case.md, its review decisions from\n"
	"reviews.log, and its status from the last decision (approved or\n"
	"changes-requested while no revision came after it, published for good;\n"
	"else submitted). Cases no longer in the repository leave the index.\n"
	"Rows that already agree are kept as they are. 'casebook check' reports\n"
	"any difference this would mend.\n";

int cb_cli_reindex(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_case_reindex_result res;
	cb_workspace *ws;
	int c;

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
	if (cb_app_case_reindex(ws, &res) < 0) {
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
