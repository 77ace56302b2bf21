/* casebook person: technicians, trainers and consultants. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "app/import.h"
#include "app/person.h"
#include "base/buf.h"
#include "base/error.h"
#include "store/coverage.h"

static json_t *roles_json(unsigned roles)
{
	json_t *a = json_array();

	for (unsigned bit = 1; bit <= CB_ROLE_LAST; bit <<= 1)
		if (roles & bit)
			json_array_append_new(a, json_string(cb_role_name(bit)));
	return a;
}

static json_t *person_json(const cb_person *p)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:s}", "key", p->key, "name", p->name, "email",
			 cb_cli_json_str(p->email), "roles", roles_json(p->roles), "created_at",
			 p->created_at);
}

/* Role options repeat and take comma lists: gathered into one list. */
static int gather_roles(cb_buf *b, const char *arg)
{
	return cb_buf_printf(b, "%s%s", b->len ? "," : "", arg);
}

static const char add_help[] =
	"usage: casebook person add KEY --name NAME --role ROLE[,ROLE...] [--email EMAIL] [--json]\n"
	"\n"
	"Adds a person. Roles: technician (serves customer accounts, attends\n"
	"training, writes case studies), trainer (delivers sessions), consultant\n"
	"(reviews case studies, writes plugins), manager (reads everything, sets\n"
	"outcome agreements and KPI money values), admin (people, accounts,\n"
	"coverage, KPI data imports). --role repeats or takes a comma list; one\n"
	"person may hold several roles. KEY: letters, digits, '.', '_' and '-'.\n"
	"--email: an address with one '@' and no spaces.\n";

static int person_add(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
					     {"role", required_argument, NULL, 'r'},
					     {"email", required_argument, NULL, 'e'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	cb_person p = {0};
	cb_buf roles = CB_BUF_INIT;
	cb_workspace *ws;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			cb_buf_free(&roles);
			return cb_cli_help(cli, add_help);
		case 'n':
			p.name = optarg;
			break;
		case 'e':
			p.email = optarg;
			break;
		case 'r':
			if (gather_roles(&roles, optarg) < 0) {
				cb_buf_free(&roles);
				return cb_cli_fail(cli);
			}
			break;
		default:
			cb_buf_free(&roles);
			return cb_cli_bad_option(cli, add_help, argc, argv);
		}
	}
	if (argc - optind != 1 || !p.name || !roles.len) {
		cb_buf_free(&roles);
		return cb_cli_usage(cli, add_help, argc - optind != 1 ? "person add takes one KEY"
						   : !p.name ? "person add needs --name"
							     : "person add needs --role");
	}
	p.key = argv[optind];
	rc = cb_app_roles_parse(roles.ptr, &p.roles);
	cb_buf_free(&roles);
	if (rc < 0)
		return cb_cli_fail(cli);
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_person_add(ws, &p) < 0) {
		rc = cb_cli_fail(cli);
	} else {
		cb_person saved;

		if (cb_store_person_get(ws->store, p.key, &saved) < 0) {
			rc = cb_cli_fail(cli);
		} else {
			rc = cb_cli_done(cli, person_json(&saved), "added person %s", saved.key);
			cb_person_clear(&saved);
		}
	}
	cb_workspace_close(ws);
	return rc;
}

static const char edit_help[] =
	"usage: casebook person edit KEY [--name NAME] [--email EMAIL] [--add-role ROLE]\n"
	"                             [--remove-role ROLE] [--rename NEWKEY] [--json]\n"
	"\n"
	"Changes a person; an empty --email clears it. A person keeps at least one\n"
	"role.\n";

static int person_edit(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
					     {"email", required_argument, NULL, 'e'},
					     {"add-role", required_argument, NULL, 'a'},
					     {"remove-role", required_argument, NULL, 'r'},
					     {"rename", required_argument, NULL, 'k'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	cb_person changes = {0}, saved;
	cb_buf add = CB_BUF_INIT, remove = CB_BUF_INIT;
	unsigned add_roles = 0, remove_roles = 0;
	cb_workspace *ws;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			cb_buf_free(&add), cb_buf_free(&remove);
			return cb_cli_help(cli, edit_help);
		case 'n':
			changes.name = optarg;
			break;
		case 'e':
			changes.email = optarg;
			break;
		case 'k':
			changes.key = optarg;
			break;
		case 'a':
			if (gather_roles(&add, optarg) < 0) {
				cb_buf_free(&add), cb_buf_free(&remove);
				return cb_cli_fail(cli);
			}
			break;
		case 'r':
			if (gather_roles(&remove, optarg) < 0) {
				cb_buf_free(&add), cb_buf_free(&remove);
				return cb_cli_fail(cli);
			}
			break;
		default:
			cb_buf_free(&add), cb_buf_free(&remove);
			return cb_cli_bad_option(cli, edit_help, argc, argv);
		}
	}
	rc = (add.len && cb_app_roles_parse(add.ptr, &add_roles) < 0) ||
	     (remove.len && cb_app_roles_parse(remove.ptr, &remove_roles) < 0);
	c = !changes.name && !changes.email && !changes.key && !add.len && !remove.len;
	cb_buf_free(&add), cb_buf_free(&remove);
	if (argc - optind != 1)
		return cb_cli_usage(cli, edit_help, "person edit takes one KEY");
	if (c)
		return cb_cli_usage(cli, edit_help, "person edit: nothing to change");
	if (rc)
		return cb_cli_fail(cli);
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_person_edit(ws, argv[optind], &changes, add_roles, remove_roles) < 0 ||
	    cb_store_person_get(ws->store, changes.key ? changes.key : argv[optind], &saved) < 0) {
		rc = cb_cli_fail(cli);
	} else {
		rc = cb_cli_done(cli, person_json(&saved), "updated person %s", saved.key);
		cb_person_clear(&saved);
	}
	cb_workspace_close(ws);
	return rc;
}

/* Appends `row` to the array `rows`; a NULL row means json_pack ran out of
 * memory. */
static int append(json_t *rows, json_t *row)
{
	return !row || json_array_append_new(rows, row) < 0
		       ? cb_error_set(CB_ENOMEM, "out of memory")
		       : 0;
}

static int collect(const cb_person *p, void *ctx)
{
	return append(ctx, person_json(p));
}

static const char list_help[] =
	"usage: casebook person list [--role ROLE] [--json|--csv]\n"
	"\n"
	"Lists people in key order: key, name, email, roles, created_at. --role\n"
	"keeps those holding that role (repeated or a comma list: any of them).\n";

static int person_list(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"role", required_argument, NULL, 'r'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	unsigned roles = 0;
	cb_workspace *ws;
	json_t *rows;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, list_help);
		if (c == 'r') {
			unsigned more;

			if (cb_app_roles_parse(optarg, &more) < 0)
				return cb_cli_fail(cli);
			roles |= more;
			continue;
		}
		return cb_cli_bad_option(cli, list_help, argc, argv);
	}
	if (optind < argc)
		return cb_cli_usage(cli, list_help, "person list takes no arguments");
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	rows = json_array();
	if (cb_store_person_each(ws->store, roles, collect, rows) < 0) {
		json_decref(rows);
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_emit(cli, rows);
}

static int add_coverage(const cb_coverage *cv, void *ctx)
{
	return append(ctx, json_pack("{s:s, s:s, s:s, s:o}", "account", cv->account, "name",
				     cv->account_name, "from", cv->from_on, "to",
				     cb_cli_json_str(cv->to_on)));
}

static int add_session(const cb_person_session *ps, void *ctx)
{
	return append(ctx, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "session", ps->session,
				     "title", ps->title, "format", ps->format, "starts_on",
				     ps->starts_on, "as", ps->as, "status",
				     cb_cli_json_str(ps->status)));
}

static const char show_help[] =
	"usage: casebook person show KEY [--json]\n"
	"\n"
	"Shows one person: fields and roles, the accounts they cover (coverage),\n"
	"and the sessions they trained or attended.\n";

static int person_show(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_workspace *ws;
	cb_person p;
	json_t *obj, *coverage, *sessions;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, show_help);
		return cb_cli_bad_option(cli, show_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, show_help, "person show takes one KEY");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, show_help, "person show has no --csv; use --json");
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_store_person_get(ws->store, argv[optind], &p) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	obj = person_json(&p);
	coverage = json_array();
	sessions = json_array();
	if (cb_store_coverage_each(ws->store, p.id, 0, add_coverage, coverage) < 0 ||
	    cb_store_person_sessions(ws->store, p.id, add_session, sessions) < 0) {
		json_decref(obj), json_decref(coverage), json_decref(sessions);
		cb_person_clear(&p);
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	json_object_set_new(obj, "coverage", coverage);
	json_object_set_new(obj, "sessions", sessions);
	cb_person_clear(&p);
	cb_workspace_close(ws);
	return cb_cli_emit(cli, obj);
}

static const char import_help[] =
	"usage: casebook person import FILE [--json]\n"
	"\n"
	"Adds the people of a CSV file ('-' reads stdin) whose header names the\n"
	"columns key, name, roles (required; roles separated by ';', e.g.\n"
	"\"trainer;consultant\") and email (optional). All rows go in or none does;\n"
	"every bad row is reported with its line number.\n";

static int person_import(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_import(cli, argc, argv, import_help, "people", cb_app_person_import);
}

static const cb_cli_verb person_verbs[] = {
	{"add", person_add, "add a person"},
	{"list", person_list, "list people"},
	{"show", person_show, "show one person, their coverage and sessions"},
	{"edit", person_edit, "change a person or their roles"},
	{"import", person_import, "add people from a CSV file"},
	{NULL, NULL, NULL},
};

int cb_cli_person(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "person",
			       "People: technicians, trainers, consultants, managers and admins (one may\n"
			       "hold several roles).\n",
			       person_verbs, argc, argv);
}
