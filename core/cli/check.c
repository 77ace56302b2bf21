/* casebook check: verify that the workspace is consistent. */
#include "cli/cli.h"

#include "base/error.h"

static const char check_help[] =
	"usage: casebook check [--json]\n"
	"\n"
	"Verifies the workspace: the database's integrity and foreign keys, and\n"
	"that the case-study repository has branch main with HEAD on it.\n"
	"Exits 1 and names the first problem when something is wrong.\n";

int cb_cli_check(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_workspace *ws;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, check_help);
		return cb_cli_bad_option(cli, check_help, argc, argv);
	}
	if (optind < argc)
		return cb_cli_usage(cli, check_help, "check takes no arguments");
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	rc = cb_workspace_check(ws);
	if (rc < 0) {
		if (cli->mode == CB_OUTPUT_JSON) {
			json_t *o = json_pack("{s:b, s:s}", "ok", 0, "problem",
					      cb_error_last());

			cb_output_render(cli->out, o, CB_OUTPUT_JSON);
			json_decref(o);
		}
		c = cb_cli_fail(cli);
	} else {
		c = cb_cli_done(cli, json_pack("{s:b, s:s}", "ok", 1, "workspace", ws->dir),
				"workspace %s is consistent", ws->dir);
	}
	cb_workspace_close(ws);
	return c;
}
