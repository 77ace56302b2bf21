/*
 * casebook export: the workspace's records in formats other systems read.
 * `export xapi` writes xAPI statements for a learning record store.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/xapi.h"
#include "base/date.h"
#include "base/error.h"

enum { OPT_SINCE = 0x2001, OPT_OUT, OPT_BASE };

static const char xapi_help[] =
	"usage: casebook export xapi [--since DATE] [--base IRI] [--out FILE] [--json]\n"
	"\n"
	"Writes the training records as a JSON array of xAPI 1.0.3 statements, to\n"
	"stdout or, with --out, to FILE (written whole or not at all: a temporary\n"
	"file next to it is renamed over it). --since DATE (YYYY-MM-DD, midnight\n"
	"UTC, or a date-time with its UTC offset) keeps the statements whose\n"
	"timestamp is at or after it. Reads only; cancelled sessions are left out.\n"
	"--base IRI puts the activity ids (and the homePage of actors without an\n"
	"email) under IRI instead of https://casebook.invalid/xapi/, e.g. your\n"
	"own https://training.example.com/xapi/: give each workspace sending to\n"
	"one learning record store its own, or their ids for the same keys meet.\n"
	"\n"
	"Statements (actor: the attendee, or the case's author or reviewer):\n"
	"  attended   http://adlnet.gov/expapi/verbs/attended, status attended or\n"
	"             partial; result.completion false for partial\n"
	"  completed  http://adlnet.gov/expapi/verbs/completed, status attended\n"
	"             only (partial: attended without completed; absent: neither)\n"
	"  rated      http://id.tincanapi.com/verb/rated, the reaction (level 1):\n"
	"             score raw 1-5, min 1, max 5, scaled (raw - 1) / 4\n"
	"  scored     http://adlnet.gov/expapi/verbs/scored, a pre or post test\n"
	"             (level 2): score raw 0-100, min 0, max 100, scaled raw / 100\n"
	"  submitted  http://activitystrea.ms/schema/1.0/submit, a case study\n"
	"             (its first submission, by its technician)\n"
	"  approved   http://activitystrea.ms/schema/1.0/approve, a case study\n"
	"             (each approval, by its reviewer)\n"
	"\n"
	"Activities (ids under https://casebook.invalid/xapi/):\n"
	"  programs/KEY               http://adlnet.gov/expapi/activities/course\n"
	"  sessions/KEY               http://adlnet.gov/expapi/activities/meeting\n"
	"  sessions/KEY/tests/pre     http://adlnet.gov/expapi/activities/assessment\n"
	"  sessions/KEY/tests/post    (the same type)\n"
	"  cases/SLUG                 http://id.tincanapi.com/activitytype/document\n"
	"Context: the trainer as instructor; the program as parent (and, for\n"
	"tests, the session as parent and the program as grouping).\n"
	"\n"
	"Extensions (keys under https://casebook.invalid/xapi/extensions/):\n"
	"  format             context: in-person, blended or virtual\n"
	"  test-phase         context of scored: pre or post\n"
	"  attendance-status  result of attended: attended or partial\n"
	"\n"
	"Actors: mbox mailto:EMAIL, or, without a usable email, the account\n"
	"{homePage https://casebook.invalid/, name PERSON-KEY}. Timestamps: the\n"
	"session's last day at 00:00:00Z (a pre-test: its first day); case\n"
	"events: their own time. Ids: name-based UUIDs (version 5) of what the\n"
	"statement is about (verb, object, actor), so exporting again gives the\n"
	"same ids and the same bytes. With --out, prints how many statements it\n"
	"wrote ({\"file\", \"statements\"} with --json).\n";

/* Whether paths a and b name the same existing file. */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int export_xapi(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"since", required_argument, NULL, OPT_SINCE},
		{"out", required_argument, NULL, OPT_OUT},
		{"base", required_argument, NULL, OPT_BASE},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	const char *since_text = NULL, *out = NULL, *base_text = NULL;
	char base[CB_XAPI_BASE_MAX];
	cb_workspace *ws = NULL;
	json_t *statements = NULL;
	char *text = NULL;
	int64_t since;
	size_t n;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, xapi_help);
		case OPT_SINCE:
			since_text = optarg;
			break;
		case OPT_OUT:
			out = optarg;
			break;
		case OPT_BASE:
			base_text = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, xapi_help, argc, argv);
		}
	}
	if (optind < argc)
		return cb_cli_usage(cli, xapi_help, "export xapi takes no arguments ('%s')",
				    argv[optind]);
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, xapi_help, "export xapi has no --csv; it writes JSON");
	if (since_text && cb_datetime_parse(since_text, &since) < 0)
		return cb_cli_usage(cli, xapi_help, "--since: %s", cb_error_last());
	if (base_text && cb_app_xapi_base_check(base_text, base) < 0)
		return cb_cli_usage(cli, xapi_help, "%s", cb_error_last());
	if (out && !*out)
		return cb_cli_usage(cli, xapi_help, "--out needs a file name");
	if (cb_cli_open(cli, 1, &ws) < 0) {
		rc = cb_cli_fail(cli);
		goto done;
	}
	if (out && same_file(out, ws->db_path)) {
		rc = cb_cli_usage(cli, xapi_help, "--out %s is the workspace's database", out);
		goto done;
	}
	if (cb_app_xapi_statements(ws, base_text ? base : NULL, since_text ? &since : NULL,
				   &statements) < 0 ||
	    cb_app_xapi_dump(statements, &text) < 0 ||
	    (out && cb_app_xapi_write_file(out, text) < 0)) {
		rc = cb_cli_fail(cli);
		goto done;
	}
	n = json_array_size(statements);
	if (!out) {
		rc = fputs(text, cli->out) < 0 || fflush(cli->out) != 0
			     ? (cb_error_set(CB_EIO, "cannot write the statements to stdout"),
				cb_cli_fail(cli))
			     : CB_EXIT_OK;
		goto done;
	}
	rc = cb_cli_done(cli, json_pack("{s:s, s:I}", "file", out, "statements", (json_int_t)n),
			 "wrote %zu xAPI statement%s to %s", n, n == 1 ? "" : "s", out);
done:
	free(text);
	json_decref(statements);
	cb_workspace_close(ws);
	return rc;
}

static const cb_cli_verb export_verbs[] = {
	{"xapi", export_xapi, "xAPI 1.0.3 statements for a learning record store"},
	{NULL, NULL, NULL},
};

int cb_cli_export(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "export",
			       "Exports the workspace's records for other systems.\n",
			       export_verbs, argc, argv);
}
