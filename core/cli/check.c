/* casebook check: verify that the workspace is consistent. */
#include "cli/cli.h"

#include <stdlib.h>

#include "base/error.h"

static const char check_help[] =
	"usage: casebook check [--repair] [--json]\n"
	"\n"
	"Verifies the workspace: the database's integrity and foreign keys, the\n"
	"KPI data's batches, that the case-study repository has branch main with\n"
	"HEAD on it and no lock file left behind, and the case index against the\n"
	"repository. Exits 1 and names the first problem when something is wrong.\n"
	"\n"
	"--repair first removes the lock files a process that stopped while\n"
	"writing left in the case-study repository (git refuses every write\n"
	"while one is there): only when no casebook process is writing, and only\n"
	"locks older than a few seconds, so never one a running git holds. Each\n"
	"write does the same before it writes. 'casebook reindex' mends the index.\n";

int cb_cli_check(cb_cli *cli, int argc, char **argv)
{
	enum { OPT_REPAIR = 0x2301 };
	static const struct option opts[] = {
		{"repair", no_argument, NULL, OPT_REPAIR},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	cb_workspace *ws;
	char **removed = NULL;
	size_t nremoved = 0;
	int c, rc, repair = 0;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, check_help);
		if (c == OPT_REPAIR) {
			repair = 1;
			continue;
		}
		return cb_cli_bad_option(cli, check_help, argc, argv);
	}
	if (optind < argc)
		return cb_cli_usage(cli, check_help, "check takes no arguments");
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	if (repair && cb_workspace_repair_locks(ws, &removed, &nremoved) < 0) {
		c = cb_cli_fail(cli);
		cb_workspace_close(ws);
		return c;
	}
	if (cli->mode != CB_OUTPUT_JSON)
		for (size_t i = 0; i < nremoved; i++)
			fprintf(cli->out, "removed the stale lock %s\n", removed[i]);
	rc = cb_workspace_check(ws);
	{
		json_t *gone = json_array();

		for (size_t i = 0; i < nremoved; i++) {
			json_array_append_new(gone, json_string(removed[i]));
			free(removed[i]);
		}
		free(removed);
		if (rc < 0) {
			if (cli->mode == CB_OUTPUT_JSON) {
				json_t *o = json_pack("{s:b, s:s, s:o}", "ok", 0, "problem",
						      cb_error_last(), "removed_locks", gone);

				cb_output_render(cli->out, o, CB_OUTPUT_JSON);
				json_decref(o);
			} else {
				json_decref(gone);
			}
			c = cb_cli_fail(cli);
		} else {
			c = cb_cli_done(cli,
					json_pack("{s:b, s:s, s:o}", "ok", 1, "workspace", ws->dir,
						  "removed_locks", gone),
					"workspace %s is consistent", ws->dir);
		}
	}
	cb_workspace_close(ws);
	return c;
}
