/* casebook program: training programs, the curricula sessions deliver. */
#include "cli/cli.h"

#include "app/program.h"
#include "base/error.h"
#include "store/session.h"

static json_t *program_json(const cb_program *p)
{
	return json_pack("{s:s, s:s, s:o, s:I, s:s}", "key", p->key, "name", p->name,
			 "description", cb_cli_json_str(p->description), "sessions",
			 (json_int_t)p->session_count, "created_at", p->created_at);
}

static const char add_help[] =
	"usage: casebook program add KEY --name NAME [--description TEXT] [--json]\n"
	"\n"
	"Adds a training program (a curriculum, such as \"Total Customer\n"
	"Orientation\"). KEY is a short identifier (letters, digits, '.', '_',\n"
	"'-'), used by 'casebook session record --program KEY'.\n";

static int program_add(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"description", required_argument, NULL, 'd'},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	cb_program p = {0}, saved;
	cb_workspace *ws;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, add_help);
		case 'n':
			p.name = optarg;
			break;
		case 'd':
			p.description = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, add_help, argc, argv);
		}
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, add_help, "program add takes one KEY");
	if (!p.name)
		return cb_cli_usage(cli, add_help, "program add needs --name");
	p.key = argv[optind];
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_program_add(ws, &p) < 0 ||
	    cb_store_program_get(ws->store, p.key, &saved) < 0) {
		rc = cb_cli_fail(cli);
	} else {
		rc = cb_cli_done(cli, program_json(&saved), "added program %s", saved.key);
		cb_program_clear(&saved);
	}
	cb_workspace_close(ws);
	return rc;
}

static int collect_program(const cb_program *p, void *ctx)
{
	json_t *row = program_json(p);

	if (!row || json_array_append_new(ctx, row) < 0)
		return cb_error_set(CB_ENOMEM, "out of memory");
	return 0;
}

static const char list_help[] =
	"usage: casebook program list [--json|--csv]\n"
	"\n"
	"Lists the programs in key order. --json gives an array of objects with\n"
	"key, name, description, sessions (how many), created_at; --csv the same\n"
	"columns.\n";

static int program_list_rows(cb_workspace *ws, json_t *rows)
{
	return cb_store_program_each(ws->store, collect_program, rows);
}

static int program_list(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_list(cli, argc, argv, list_help, program_list_rows);
}

static int collect_session(const cb_session *x, void *ctx)
{
	json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "key", x->key,
				"title", x->title, "format", x->format, "starts_on",
				x->starts_on, "ends_on", x->ends_on, "trainer",
				cb_cli_json_str(x->trainer), "status", x->status);

	if (!row || json_array_append_new(ctx, row) < 0)
		return cb_error_set(CB_ENOMEM, "out of memory");
	return 0;
}

static const char show_help[] =
	"usage: casebook program show KEY [--json]\n"
	"\n"
	"Shows one program and its sessions (key, title, format, starts_on,\n"
	"ends_on, trainer, status), by start date.\n";

static int program_show(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_session_filter filter = {0};
	cb_workspace *ws;
	cb_program p;
	json_t *obj, *sessions;
	int c, rc = 0;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, show_help);
		return cb_cli_bad_option(cli, show_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, show_help, "program show takes one KEY");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, show_help, "program show has no --csv; use --json");
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_store_program_get(ws->store, argv[optind], &p) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	filter.program_id = p.id;
	obj = program_json(&p);
	sessions = json_array();
	if (!obj || !sessions)
		rc = cb_error_set(CB_ENOMEM, "out of memory");
	else if ((rc = cb_store_session_each(ws->store, &filter, collect_session,
					     sessions)) == 0 &&
		 json_object_set(obj, "sessions", sessions) < 0)
		rc = cb_error_set(CB_ENOMEM, "out of memory");
	json_decref(sessions);
	cb_program_clear(&p);
	cb_workspace_close(ws);
	if (rc < 0) {
		json_decref(obj);
		return cb_cli_fail(cli);
	}
	return cb_cli_emit(cli, obj);
}

static const cb_cli_verb program_verbs[] = {
	{"add", program_add, "add a program"},
	{"list", program_list, "list programs"},
	{"show", program_show, "show one program and its sessions"},
	{NULL, NULL, NULL},
};

int cb_cli_program(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "program",
			       "Training programs: the curricula that sessions deliver.\n",
			       program_verbs, argc, argv);
}
