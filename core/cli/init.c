/* casebook init: make a workspace. */
#include "cli/cli.h"

#include "base/error.h"

static const char init_help[] =
	"usage: casebook init [DIR] [--json]\n"
	"\n"
	"Makes a workspace in DIR (default: the current folder; created if\n"
	"missing): casebook.db (the SQLite database), cases/ (the case-study git\n"
	"repository, branch main) and plugins/ (this workspace's Lua plugins).\n"
	"Refuses a folder that already holds a workspace.\n";

int cb_cli_init(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	const char *dir;
	cb_workspace *ws;
	json_t *out;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, init_help);
		return cb_cli_bad_option(cli, init_help, argc, argv);
	}
	if (argc - optind > 1)
		return cb_cli_usage(cli, init_help, "init takes one folder");
	dir = optind < argc ? argv[optind] : (cli->workspace_dir ? cli->workspace_dir : ".");
	if (cb_workspace_init(dir, &ws) < 0)
		return cb_cli_fail(cli);
	out = json_pack("{s:s, s:s, s:s, s:s}", "workspace", ws->dir, "database",
			ws->db_path, "repository", ws->repo_path, "plugins",
			ws->plugins_dir);
	c = cb_cli_done(cli, out, "made a workspace in %s", ws->dir);
	cb_workspace_close(ws);
	return c;
}
