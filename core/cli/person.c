/* casebook person: technicians, trainers, consultants, managers and admins,
 * and their sign-in (invitations, API tokens). */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "app/auth.h"
#include "app/import.h"
#include "app/person.h"
#include "base/buf.h"
#include "base/date.h"
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
	"coverage, KPI data imports); README's \"Rights and signing in\" has the\n"
	"table of who may do what. --role repeats or takes a comma list; one\n"
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

/* ---- Signing in: invitations and API tokens ---- */

#define INVITE_URL_DEFAULT "http://127.0.0.1:8080"
#define INVITE_URL_MAX 2000

/* Whether `url` may start a link: http:// or https://, then printable
 * ASCII without spaces, quotes or angle brackets. */
static int check_base_url(const char *url)
{
	size_t len = strlen(url);

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return cb_error_set(CB_EUSAGE, "--url must start with http:// or https://");
	if (len > INVITE_URL_MAX)
		return cb_error_set(CB_EUSAGE, "--url is longer than %d bytes", INVITE_URL_MAX);
	for (const char *c = url; *c; c++)
		if (*c <= ' ' || *c >= 127 || strchr("\"'<>\\`", *c))
			return cb_error_set(CB_EUSAGE,
					    "--url may hold printable ASCII only, without spaces, quotes or "
					    "angle brackets");
	return 0;
}

static const char invite_help[] =
	"usage: casebook person invite KEY [--expires HOURS] [--url BASE] [--json]\n"
	"\n"
	"Prints a one-time link with which the person sets their password and can\n"
	"then sign in to 'casebook serve': BASE/invite/TOKEN. The link works once\n"
	"and until it expires (--expires, in hours: default 72, at most 720); a\n"
	"new invitation replaces the person's unused one, and accepting one ends\n"
	"the person's sign-ins (so it also resets a forgotten password). BASE is\n"
	"the server's address (default " INVITE_URL_DEFAULT "). The database keeps\n"
	"only a hash of the token: send the link to the person and nowhere else.\n";

static int person_invite(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"expires", required_argument, NULL, 'x'},
					     {"url", required_argument, NULL, 'u'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	const char *url = INVITE_URL_DEFAULT;
	char token[CB_AUTH_TOKEN_SIZE], at[CB_DATETIME_LEN];
	long hours = CB_AUTH_INVITE_TTL_DEFAULT / 3600;
	int64_t expires = 0;
	cb_buf link = CB_BUF_INIT;
	cb_workspace *ws;
	cb_person p;
	size_t ulen;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, invite_help);
		case 'x':
			if (cb_cli_parse_int("--expires", optarg, 1, CB_AUTH_INVITE_TTL_MAX / 3600,
					     &hours) < 0)
				return cb_cli_usage(cli, invite_help, "%s (hours)", cb_error_last());
			break;
		case 'u':
			url = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, invite_help, argc, argv);
		}
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, invite_help, "person invite takes one KEY");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, invite_help, "person invite has no --csv; use --json");
	if (check_base_url(url) < 0)
		return cb_cli_usage(cli, invite_help, "%s", cb_error_last());
	ulen = strlen(url);
	while (ulen > 0 && url[ulen - 1] == '/')
		ulen--;
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_store_person_get(ws->store, argv[optind], &p) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	if (cb_auth_invite(ws, p.key, (int64_t)hours * 3600, token, &expires) < 0 ||
	    cb_buf_printf(&link, "%.*s/invite/%s", (int)ulen, url, token) < 0) {
		rc = cb_cli_fail(cli);
		goto done;
	}
	cb_datetime_format(expires, at);
	if (cli->mode == CB_OUTPUT_JSON)
		rc = cb_cli_emit(cli, json_pack("{s:s, s:s, s:s, s:I}", "person", p.key, "url",
						cb_buf_cstr(&link), "expires_at", at, "hours",
						(json_int_t)hours));
	else
		rc = cb_cli_done(cli, NULL,
				 "invitation for %s (%s), valid until %s (%ld hour%s), once:\n%s",
				 p.key, p.name, at, hours, hours == 1 ? "" : "s", cb_buf_cstr(&link));
done:
	cb_buf_free(&link);
	cb_person_clear(&p);
	cb_workspace_close(ws);
	return rc;
}

static json_t *api_token_json(const cb_api_token *t)
{
	char created[CB_DATETIME_LEN], used[CB_DATETIME_LEN], revoked[CB_DATETIME_LEN];

	cb_datetime_format(t->created_at, created);
	if (t->last_used_at)
		cb_datetime_format(t->last_used_at, used);
	if (t->revoked_at)
		cb_datetime_format(t->revoked_at, revoked);
	return json_pack("{s:s, s:s, s:o, s:o}", "name", t->name, "created_at", created,
			 "last_used_at", cb_cli_json_str(t->last_used_at ? used : NULL),
			 "revoked_at", cb_cli_json_str(t->revoked_at ? revoked : NULL));
}

static int collect_token(const cb_api_token *t, void *ctx)
{
	return append(ctx, api_token_json(t));
}

static const char token_help[] =
	"usage: casebook person token KEY --name NAME [--json]\n"
	"       casebook person token KEY --list [--json|--csv]\n"
	"       casebook person token KEY --revoke NAME [--json]\n"
	"\n"
	"API tokens, for scripts that use the server's JSON API under /api/v1/\n"
	"(header 'Authorization: Bearer TOKEN'); a request without a valid token\n"
	"gets 401, and a token acts with its person's rights. --name NAME makes\n"
	"one and prints it: it is shown only this once, as the database keeps only\n"
	"its hash. NAME: letters, digits, '.', '_' and '-', one live token per name\n"
	"and person. --list shows the person's tokens (name, created_at,\n"
	"last_used_at, revoked_at; never the tokens). --revoke NAME ends one for\n"
	"good.\n";

static int person_token(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
					     {"list", no_argument, NULL, 'l'},
					     {"revoke", required_argument, NULL, 'r'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	const char *name = NULL, *revoke = NULL;
	char token[CB_AUTH_TOKEN_SIZE];
	int c, list = 0, rc;
	cb_workspace *ws;
	cb_person p;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, token_help);
		case 'n':
			name = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case 'r':
			revoke = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, token_help, argc, argv);
		}
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, token_help, "person token takes one KEY");
	if ((name != NULL) + list + (revoke != NULL) != 1)
		return cb_cli_usage(cli, token_help,
				    name || list || revoke
					    ? "person token: give one of --name, --list and --revoke"
					    : "person token needs --name NAME (or --list, or --revoke NAME)");
	if (!list && cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, token_help, "only person token --list has --csv");
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_store_person_get(ws->store, argv[optind], &p) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	if (list) {
		json_t *rows = json_array();

		if (cb_auth_token_list(ws, p.key, collect_token, rows) < 0) {
			json_decref(rows);
			rc = cb_cli_fail(cli);
		} else {
			rc = cb_cli_emit(cli, rows);
		}
	} else if (revoke) {
		rc = cb_auth_token_revoke(ws, p.key, revoke) < 0
			     ? cb_cli_fail(cli)
			     : cb_cli_done(cli, json_pack("{s:s, s:s, s:b}", "person", p.key, "name",
							  revoke, "revoked", 1),
					   "revoked API token '%s' of %s", revoke, p.key);
	} else if (cb_auth_token_create(ws, p.key, name, token) < 0) {
		rc = cb_cli_fail(cli);
	} else {
		if (cli->mode == CB_OUTPUT_JSON)
			rc = cb_cli_emit(cli, json_pack("{s:s, s:s, s:s}", "person", p.key, "name",
							name, "token", token));
		else
			rc = cb_cli_done(cli, NULL,
					 "API token '%s' for %s (shown only this once: the database "
					 "keeps only its hash):\n%s",
					 name, p.key, token);
	}
	cb_person_clear(&p);
	cb_workspace_close(ws);
	return rc;
}

static const cb_cli_verb person_verbs[] = {
	{"add", person_add, "add a person"},
	{"list", person_list, "list people"},
	{"show", person_show, "show one person, their coverage and sessions"},
	{"edit", person_edit, "change a person or their roles"},
	{"import", person_import, "add people from a CSV file"},
	{"invite", person_invite, "print a one-time link to set a password and sign in"},
	{"token", person_token, "make, list or revoke API tokens for scripts"},
	{NULL, NULL, NULL},
};

int cb_cli_person(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "person",
			       "People: technicians, trainers, consultants, managers and admins (one may\n"
			       "hold several roles), and their sign-in: invitations and API tokens.\n",
			       person_verbs, argc, argv);
}
