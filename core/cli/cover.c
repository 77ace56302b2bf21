/* casebook cover: record who serves which account, when; and list it. */
#include "cli/cli.h"

#include "app/coverage.h"
#include "base/error.h"
#include "store/account.h"
#include "store/coverage.h"
#include "store/person.h"

static const char cover_help[] =
	"usage: casebook cover PERSON ACCOUNT --from DATE [--to DATE] [--json]\n"
	"       casebook cover PERSON ACCOUNT --end DATE [--json]\n"
	"       casebook cover PERSON ACCOUNT --remove --from DATE [--json]\n"
	"       casebook cover --list [--person PERSON] [--account ACCOUNT] [--json|--csv]\n"
	"\n"
	"Records that PERSON serves customer ACCOUNT from DATE to DATE, both days\n"
	"included; without --to the period is open-ended. Dates are YYYY-MM-DD.\n"
	"Only people with the technician role cover accounts (add it with\n"
	"'casebook person edit PERSON --add-role technician'). A period may not\n"
	"overlap another one recorded for the same person and account. Coverage\n"
	"tells which accounts a technician's training reaches.\n"
	"\n"
	"--end DATE ends the period that holds DATE on that day: PERSON served\n"
	"ACCOUNT up to and including it (an open-ended period gets its end, a\n"
	"longer one is shortened). --remove deletes the period that starts on\n"
	"--from DATE, for one recorded by mistake.\n"
	"\n"
	"--list prints the recorded periods (person, account, from, to; an empty\n"
	"'to' is open-ended), optionally only those of one person or account.\n";

static int add_row(const cb_coverage *cv, void *ctx)
{
	json_t *row = json_pack("{s:s, s:s, s:s, s:o}", "person", cv->person, "account",
				cv->account, "from", cv->from_on, "to", cb_cli_json_str(cv->to_on));

	return !row || json_array_append_new(ctx, row) < 0 ? cb_error_set(CB_ENOMEM, "out of memory")
							     : 0;
}

static int cover_list(cb_cli *cli, const char *person, const char *account)
{
	int64_t person_id = 0, account_id = 0;
	cb_workspace *ws;
	json_t *rows;

	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	rows = json_array();
	if (!rows || (person && cb_store_person_id(ws->store, person, &person_id) < 0) ||
	    (account && cb_store_account_id(ws->store, account, &account_id) < 0) ||
	    cb_store_coverage_each(ws->store, person_id, account_id, add_row, rows) < 0) {
		if (!rows)
			cb_error_set(CB_ENOMEM, "out of memory");
		json_decref(rows);
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_emit(cli, rows);
}

/* cover --end (end set) or --remove (from set). */
static int cover_change(cb_cli *cli, const char *who, const char *where, const char *end,
			const char *from)
{
	char other[11];
	cb_workspace *ws;
	int rc;

	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	rc = end ? cb_app_coverage_end(ws, who, where, end, other)
		 : cb_app_coverage_remove(ws, who, where, from, other);
	cb_workspace_close(ws);
	if (rc < 0)
		return cb_cli_fail(cli);
	if (end)
		return cb_cli_done(cli,
				   json_pack("{s:s, s:s, s:s, s:s}", "person", who, "account", where,
					     "from", other, "to", end),
				   "%s covers %s from %s to %s", who, where, other, end);
	return cb_cli_done(cli,
			   json_pack("{s:s, s:s, s:s, s:o, s:b}", "person", who, "account", where,
				     "from", from, "to", cb_cli_json_str(other[0] ? other : NULL),
				     "removed", 1),
			   "removed the period %s covers %s from %s%s%s", who, where, from,
			   other[0] ? " to " : " on", other);
}

int cb_cli_cover(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
					     {"to", required_argument, NULL, 't'},
					     {"list", no_argument, NULL, 'l'},
					     {"end", required_argument, NULL, 'e'},
					     {"remove", no_argument, NULL, 'r'},
					     {"person", required_argument, NULL, 'p'},
					     {"account", required_argument, NULL, 'a'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	const char *from = NULL, *to = NULL, *person = NULL, *account = NULL, *end = NULL;
	const char *who, *where;
	cb_workspace *ws;
	int c, list = 0, remove = 0;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, cover_help);
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case 'e':
			end = optarg;
			break;
		case 'r':
			remove = 1;
			break;
		case 'p':
			person = optarg;
			break;
		case 'a':
			account = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, cover_help, argc, argv);
		}
	}
	if (list) {
		if (optind < argc || from || to || end || remove)
			return cb_cli_usage(cli, cover_help,
					    "cover --list takes only --person and --account");
		return cover_list(cli, person, account);
	}
	if (person || account)
		return cb_cli_usage(cli, cover_help, "--person and --account go with --list");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, cover_help, "--csv goes with --list");
	if (argc - optind != 2)
		return cb_cli_usage(cli, cover_help, "cover takes a PERSON and an ACCOUNT");
	if (end && (from || to || remove))
		return cb_cli_usage(cli, cover_help, "--end goes alone: cover PERSON ACCOUNT --end DATE");
	if (remove && (to || !from))
		return cb_cli_usage(cli, cover_help,
				    "--remove takes the period's first day: cover PERSON ACCOUNT --remove --from DATE");
	if (end || remove)
		return cover_change(cli, argv[optind], argv[optind + 1], end, remove ? from : NULL);
	if (!from)
		return cb_cli_usage(cli, cover_help, "cover needs --from DATE");
	who = argv[optind];
	where = argv[optind + 1];
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_coverage_add(ws, who, where, from, to) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_done(cli,
			   json_pack("{s:s, s:s, s:s, s:o}", "person", who, "account", where, "from",
				     from, "to", cb_cli_json_str(to)),
			   "%s covers %s from %s%s%s", who, where, from, to ? " to " : " on",
			   to ? to : "");
}
