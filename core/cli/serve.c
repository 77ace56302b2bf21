/* casebook serve: the workspace to a team in the browser (core/serve). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "serve/serve.h"

static const char serve_help[] =
	"usage: casebook serve [--listen ADDRESS:PORT] [--tls-cert FILE --tls-key FILE]\n"
	"                      [--log FILE] [--request-time SECONDS] [--quiet]\n"
	"\n"
	"Serves the workspace to the team over HTTP until Ctrl-C (SIGINT) or SIGTERM:\n"
	"technicians write and revise their case studies, trainers record sessions\n"
	"and their class's attendance, reactions and scores and review case studies,\n"
	"managers read the impact and the report, each signed in with their own\n"
	"rights (README, \"Rights and signing in\"). People sign in with the password\n"
	"they set through 'casebook person invite KEY'; scripts read /api/v1/ with a\n"
	"token from 'casebook person token KEY --name NAME'.\n"
	"\n"
	"  --listen ADDRESS:PORT  where to listen (default 127.0.0.1:8080; port 0\n"
	"                         picks a free one). An IPv4 address.\n"
	"  --tls-cert FILE, --tls-key FILE\n"
	"                         serve HTTPS with this PEM certificate and key; the\n"
	"                         session cookie is then Secure. Without them, keep\n"
	"                         the server on 127.0.0.1 or behind a TLS proxy.\n"
	"  --log FILE             one line per request (method, path, status, time,\n"
	"                         who) to FILE; '-' for standard error. Passwords,\n"
	"                         cookies and invitation tokens are never logged.\n"
	"  --request-time SECONDS how long a request may take to arrive (default 30):\n"
	"                         later headers get 408, and a body must then keep\n"
	"                         coming at 8 KiB/s on average or the connection is\n"
	"                         dropped. Idle connections close after 15 s.\n"
	"  --quiet                do not print the address when listening\n"
	"\n"
	"It prints the address once it listens (with --json, {\"url\": ...}).\n";

typedef struct ready_ctx {
	cb_cli *cli;
	int quiet;
} ready_ctx;

static void on_ready(const char *url, void *ctx)
{
	ready_ctx *r = ctx;

	if (r->cli->mode == CB_OUTPUT_JSON)
		fprintf(r->cli->out, "{\"url\": \"%s\"}\n", url);
	else if (!r->quiet)
		fprintf(r->cli->out, "casebook serve: listening on %s (Ctrl-C stops)\n", url);
	fflush(r->cli->out);
}

int cb_cli_serve(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
					     {"tls-cert", required_argument, NULL, 'c'},
					     {"tls-key", required_argument, NULL, 'k'},
					     {"log", required_argument, NULL, 'g'},
					     {"quiet", no_argument, NULL, 'q'},
					     {"request-time", required_argument, NULL, 'r'},
					     CB_CLI_COMMON_OPTIONS,
					     {0}};
	cb_serve_options o = {0};
	ready_ctx ready = {cli, 0};
	const char *log = NULL;
	cb_workspace *ws = NULL;
	char *dir = NULL;
	FILE *logf = NULL;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, serve_help);
		case 'l':
			o.listen = optarg;
			break;
		case 'c':
			o.tls_cert = optarg;
			break;
		case 'k':
			o.tls_key = optarg;
			break;
		case 'g':
			log = optarg;
			break;
		case 'r': {
			long secs;

			if (cb_cli_parse_int("--request-time", optarg, 1, 3600, &secs) < 0)
				return cb_cli_usage(cli, serve_help, "%s", cb_error_last());
			o.request_s = (unsigned)secs;
			break;
		}
		case 'q':
			ready.quiet = 1;
			break;
		default:
			return cb_cli_bad_option(cli, serve_help, argc, argv);
		}
	}
	if (argc != optind)
		return cb_cli_usage(cli, serve_help, "serve takes no arguments");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, serve_help, "serve has no --csv");
	if (!o.tls_cert != !o.tls_key)
		return cb_cli_usage(cli, serve_help, "give both --tls-cert and --tls-key, or neither");
	/* The workspace is found and opened once here, so that a wrong
	 * folder or a damaged database is said before listening; each
	 * request then opens its own. */
	if ((rc = cb_workspace_find(cli->workspace_dir, &dir)) < 0 ||
	    (rc = cb_cli_open(cli, 0, &ws)) < 0 || (rc = cb_cli_plugin_options(cli, &o.plugins)) < 0) {
		free(dir);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	o.workspace_dir = dir;
	if (log && strcmp(log, "-") == 0) {
		o.log = cli->err;
	} else if (log) {
		if (!(logf = fopen(log, "a"))) {
			free(dir);
			cb_error_set(CB_EIO, "--log %s: cannot open for appending", log);
			return cb_cli_fail(cli);
		}
		o.log = logf;
	}
	o.ready = on_ready;
	o.ready_ctx = &ready;
	rc = cb_serve_run(&o);
	if (logf)
		fclose(logf);
	free(dir);
	if (rc < 0)
		return cb_cli_fail(cli);
	if (cli->mode != CB_OUTPUT_JSON && !ready.quiet)
		fprintf(cli->out, "casebook serve: stopped\n");
	return CB_EXIT_OK;
}
