/* casebook cover: who serves which account, when. */
#include "cli/cli.h"

#include "app/person.h"
#include "base/error.h"
#include "store/account.h"
#include "store/coverage.h"
#include "store/person.h"

static const char cover_help[] =
	"usage: casebook cover PERSON ACCOUNT --from DATE [--to DATE] [--json]\n"
	"       casebook cover --list [--person PERSON] [--account ACCOUNT] [--json|--csv]\n"
	"\n"
	"Records that technician PERSON serves customer ACCOUNT from DATE, to DATE\n"
	"inclusive (open-ended without --to). A period may not overlap another\n"
	"recorded for the same person and account. Coverage decides which\n"
	"accounts a session reaches through its attendees.\n"
	"\n"
	"--list shows the recorded coverage: person, account, from, to.\n";

static int add_row(const cb_coverage *cv, void *ctx)
{
	return json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:o}", "person", cv->person,
						    "account", cv->account, "from", cv->from_on, "to",
						    cb_cli_json_str(cv->to_on)));
}

static int cover_list(cb_cli *cli, const char *person, const char *account)
{
	int64_t person_id = 0, account_id = 0;
	cb_workspace *ws;
	json_t *rows;

	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	rows = json_array();
	if ((person && cb_store_person_id(ws->store, person, &person_id) < 0) ||
	    (account && cb_store_account_id(ws->store, account, &account_id) < 0) ||
	    cb_store_coverage_each(ws->store, person_id, account_id, add_row, rows) < 0) {
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
			return cb_cli_usage(cli, cover_help, "cover --list takes only --person and --account");
		return cover_list(cli, person, account);
	}
	if (argc - optind != 2)
		return cb_cli_usage(cli, cover_help, "cover takes a PERSON and an ACCOUNT");
	if (!from)
		return cb_cli_usage(cli, cover_help, "cover needs --from DATE");
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_cover(ws, argv[optind], argv[optind + 1], from, to) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_done(cli,
			   json_pack("{s:s, s:s, s:s, s:o}", "person", argv[optind], "account",
				     argv[optind + 1], "from", from, "to", cb_cli_json_str(to)),
			   "%s covers %s from %s%s%s", argv[optind], argv[optind + 1], from,
			   to ? " to " : " on", to ? to : "");
}
