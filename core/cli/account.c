/* casebook account: customer accounts. */
#include "cli/cli.h"

#include "app/account.h"
#include "app/import.h"
#include "base/error.h"
#include "store/coverage.h"

static json_t *account_json(const cb_account *a)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:s}", "key", a->key, "name",
			 a->name, "industry", cb_cli_json_str(a->industry),
			 "region", cb_cli_json_str(a->region), "created_at",
			 a->created_at);
}

static const char add_help[] =
	"usage: casebook account add KEY --name NAME [--industry TEXT] [--region TEXT] [--json]\n"
	"\n"
	"Adds a customer account. KEY is a short identifier (letters, digits,\n"
	"'.', '_', '-'), used by every other command to name the account.\n";

static const struct option account_opts[] = {
	{"name", required_argument, NULL, 'n'},
	{"industry", required_argument, NULL, 'i'},
	{"region", required_argument, NULL, 'r'},
	{"rename", required_argument, NULL, 'k'},
	CB_CLI_COMMON_OPTIONS,
	{0},
};

/* Reads --name/--industry/--region/--rename into `a`; -1 when done, else an
 * exit code. */
static int account_options(cb_cli *cli, const char *help, int argc, char **argv,
			   cb_account *a, int allow_rename)
{
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", account_opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, help);
		case 'n':
			a->name = optarg;
			break;
		case 'i':
			a->industry = optarg;
			break;
		case 'r':
			a->region = optarg;
			break;
		case 'k':
			if (allow_rename) {
				a->key = optarg;
				break;
			}
			/* fall through */
		default:
			return cb_cli_bad_option(cli, help, argc, argv);
		}
	}
	return -1;
}

static int account_add(cb_cli *cli, int argc, char **argv)
{
	cb_account a = {0};
	cb_workspace *ws;
	int rc;

	if ((rc = account_options(cli, add_help, argc, argv, &a, 0)) >= 0)
		return rc;
	if (argc - optind != 1)
		return cb_cli_usage(cli, add_help, "account add takes one KEY");
	if (!a.name)
		return cb_cli_usage(cli, add_help, "account add needs --name");
	a.key = argv[optind];
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_account_add(ws, &a) < 0) {
		rc = cb_cli_fail(cli);
	} else {
		cb_account saved;

		if (cb_store_account_get(ws->store, a.key, &saved) < 0) {
			rc = cb_cli_fail(cli);
		} else {
			rc = cb_cli_done(cli, account_json(&saved), "added account %s",
					 saved.key);
			cb_account_clear(&saved);
		}
	}
	cb_workspace_close(ws);
	return rc;
}

static const char edit_help[] =
	"usage: casebook account edit KEY [--name NAME] [--industry TEXT] [--region TEXT]\n"
	"                              [--rename NEWKEY] [--json]\n"
	"\n"
	"Changes an account's fields; an empty --industry or --region clears it.\n";

static int account_edit(cb_cli *cli, int argc, char **argv)
{
	cb_account changes = {0}, saved;
	cb_workspace *ws;
	const char *key;
	int rc;

	if ((rc = account_options(cli, edit_help, argc, argv, &changes, 1)) >= 0)
		return rc;
	if (argc - optind != 1)
		return cb_cli_usage(cli, edit_help, "account edit takes one KEY");
	key = argv[optind];
	if (!changes.key && !changes.name && !changes.industry && !changes.region)
		return cb_cli_usage(cli, edit_help, "account edit: nothing to change");
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_account_edit(ws, key, &changes) < 0 ||
	    cb_store_account_get(ws->store, changes.key ? changes.key : key, &saved) < 0) {
		rc = cb_cli_fail(cli);
	} else {
		rc = cb_cli_done(cli, account_json(&saved), "updated account %s",
				 saved.key);
		cb_account_clear(&saved);
	}
	cb_workspace_close(ws);
	return rc;
}

static int collect(const cb_account *a, void *ctx)
{
	json_t *row = account_json(a);

	if (!row || json_array_append_new(ctx, row) < 0)
		return cb_error_set(CB_ENOMEM, "out of memory");
	return 0;
}

static const char list_help[] =
	"usage: casebook account list [--json|--csv]\n"
	"\n"
	"Lists the accounts in key order. --json gives an array of objects with\n"
	"key, name, industry, region, created_at; --csv the same columns.\n";

static int account_list_rows(cb_workspace *ws, json_t *rows)
{
	return cb_store_account_each(ws->store, collect, rows);
}

static int account_list(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_list(cli, argc, argv, list_help, account_list_rows);
}

static int add_coverage(const cb_coverage *cv, void *ctx)
{
	return json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:o}", "person", cv->person,
						    "name", cv->person_name, "from", cv->from_on,
						    "to", cb_cli_json_str(cv->to_on)));
}

static int add_session(const cb_account_session *as, void *ctx)
{
	return json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s, s:s}", "session",
						    as->session, "title", as->title, "format",
						    as->format, "starts_on", as->starts_on, "status",
						    as->status));
}

static const char show_help[] =
	"usage: casebook account show KEY [--json]\n"
	"\n"
	"Shows one account: its fields, who covers it (coverage: person, from,\n"
	"to) and the sessions that served it.\n";

static int account_show(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_workspace *ws;
	cb_account a;
	json_t *obj;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, show_help);
		return cb_cli_bad_option(cli, show_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, show_help, "account show takes one KEY");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, show_help, "account show has no --csv; use --json");
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_store_account_get(ws->store, argv[optind], &a) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	obj = account_json(&a);
	{
		json_t *coverage = json_array(), *sessions = json_array();

		if (cb_store_coverage_each(ws->store, 0, a.id, add_coverage, coverage) < 0 ||
		    cb_store_account_sessions(ws->store, a.id, add_session, sessions) < 0) {
			json_decref(coverage), json_decref(sessions), json_decref(obj);
			cb_account_clear(&a);
			cb_workspace_close(ws);
			return cb_cli_fail(cli);
		}
		json_object_set_new(obj, "coverage", coverage);
		json_object_set_new(obj, "sessions", sessions);
	}
	cb_account_clear(&a);
	cb_workspace_close(ws);
	return cb_cli_emit(cli, obj);
}

static const char import_help[] =
	"usage: casebook account import FILE [--json]\n"
	"\n"
	"Adds the accounts of a CSV file ('-' reads stdin) whose header names the\n"
	"columns key, name (required), industry, region (optional). All rows go in\n"
	"or none does; every bad row is reported with its line number.\n";

static int account_import(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_import(cli, argc, argv, import_help, "accounts", cb_app_account_import);
}

static const cb_cli_verb account_verbs[] = {
	{"add", account_add, "add an account"},
	{"list", account_list, "list accounts"},
	{"show", account_show, "show one account"},
	{"edit", account_edit, "change an account"},
	{"import", account_import, "add accounts from a CSV file"},
	{NULL, NULL, NULL},
};

int cb_cli_account(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "account",
			       "Customer accounts: the organisations whose KPIs training should move.\n",
			       account_verbs, argc, argv);
}
