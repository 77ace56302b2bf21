/* casebook cover: record who serves which account, when; and list it. */
#include "cli/cli.h"

#include "app/coverage.h"
#include "base/error.h"
#include "store/account.h"
#include "store/coverage.h"
#include "store/person.h"

static const char cover_help[] =
	"usage: casebook cover PERSON ACCOUNT --from DATE [--to DATE] [--json]\n"
	"       casebook cover --list [--person PERSON] [--account ACCOUNT] [--json|--csv]\n"
	"\n"
	"Records that PERSON serves customer ACCOUNT from DATE to DATE, both days\n"
	"included; without --to the period is open-ended. Dates are YYYY-MM-DD.\n"
	"Only people with the technician role cover accounts (add it with\n"
	"'casebook person edit PERSON --add-role technician'). A period may not\n"
	"overlap another one recorded for the same person and account. Coverage\n"
	"tells which accounts a technician's training reaches.\n"
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

int cb_cli_cover(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
					     {"to", required_argument, NULL, 't'},
					     {"list", no_argument, NULL, 'l'},
					     {"person", required_argument, NULL, 'p'},
					     {"account", required_argument, NULL, 'a'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	const char *from = NULL, *to = NULL, *person = NULL, *account = NULL;
	const char *who, *where;
	cb_workspace *ws;
	int c, list = 0;

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
		if (optind < argc || from || to)
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
