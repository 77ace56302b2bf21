/*
 * casebook session: one delivery of a program, who attended it (with
 * reaction and test scores) and which customer accounts it served.
 */
#include "cli/cli.h"
#include "view/records.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/import.h"
#include "app/session.h"
#include "base/error.h"
#include "base/text.h"

/* Keys given by repeatable options that also take comma-separated lists
 * ("--attendee bob,carol --attendee dave"). */
typedef struct key_list {
	char **items;
	size_t n, cap;
} key_list;

static void key_list_free(key_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	*l = (key_list){0};
}

/* Appends each comma-separated item of `text`, without surrounding spaces.
 * Returns 0, CB_EUSAGE for an empty item, or CB_ENOMEM. */
static int key_list_add(key_list *l, const char *option, const char *text)
{
	const char *p = text;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *item;

		while (len && *p == ' ')
			p++, len--;
		while (len && p[len - 1] == ' ')
			len--;
		if (!len)
			return cb_error_set(CB_EUSAGE, "%s '%s' has an empty item", option,
					    text);
		if (l->n == l->cap) {
			size_t ncap = l->cap ? l->cap * 2 : 8;
			char **grown = realloc(l->items, ncap * sizeof(*grown));

			if (!grown)
				return cb_error_set(CB_ENOMEM, "out of memory");
			l->items = grown;
			l->cap = ncap;
		}
		if (!(item = strndup(p, len)))
			return cb_error_set(CB_ENOMEM, "out of memory");
		l->items[l->n++] = item;
		if (!end)
			return 0;
		p = end + 1;
	}
}

/* A cost: a decimal number from 0 to CB_NUMBER_MAX. */
static int parse_cost(const char *text, double *cost)
{
	double v;

	if (cb_decimal_parse(text, &v) == 0 && v < 0)
		return cb_error_set(CB_EINVALID, "--cost: %s is negative; a cost is 0 or more",
				    text);
	return cb_decimal_field("--cost", text, 0, CB_NUMBER_MAX, cost);
}

static json_t *cost_json(const cb_session *x)
{
	return x->has_cost ? json_real(x->cost) : json_null();
}

/* One row of `session list` (the API's shape too). */
static json_t *session_row_json(const cb_session *x)
{
	return cb_view_session_json(x);
}

static json_t *attendance_json(const cb_attendance *a)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "person", a->person, "name",
			 a->name, "status", a->status, "reaction",
			 a->has_reaction ? json_integer(a->reaction) : json_null(),
			 "pre_score", a->has_pre ? json_real(a->pre_score) : json_null(),
			 "post_score", a->has_post ? json_real(a->post_score) : json_null());
}

static int collect_attendance(const cb_attendance *a, void *ctx)
{
	json_t *row = attendance_json(a);

	if (!row || json_array_append_new(ctx, row) < 0)
		return cb_error_set(CB_ENOMEM, "out of memory");
	return 0;
}

static int collect_account(const cb_account *a, void *ctx)
{
	json_t *row = json_pack("{s:s, s:s}", "key", a->key, "name", a->name);

	if (!row || json_array_append_new(ctx, row) < 0)
		return cb_error_set(CB_ENOMEM, "out of memory");
	return 0;
}

/* The whole session `key` as `session show` prints it, in *out. */
static int session_show_json(cb_store *s, const char *key, json_t **out)
{
	cb_session x;
	json_t *obj = NULL, *attendees = json_array(), *accounts = json_array();
	int rc;

	*out = NULL;
	if (!attendees || !accounts) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = cb_store_session_get(s, key, &x)) < 0)
		goto fail;
	obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o,"
			" s:o, s:s, s:o, s:s}",
			"key", x.key, "program", x.program, "program_name",
			x.program_name, "title", x.title, "format", x.format,
			"starts_on", x.starts_on, "ends_on", x.ends_on, "trainer",
			cb_cli_json_str(x.trainer), "trainer_name",
			cb_cli_json_str(x.trainer_name), "location",
			cb_cli_json_str(x.location), "cost", cost_json(&x), "currency",
			cb_cli_json_str(x.currency), "notes", cb_cli_json_str(x.notes),
			"status", x.status, "cancel_reason",
			cb_cli_json_str(x.cancel_reason), "created_at", x.created_at);
	if (!obj)
		rc = cb_error_set(CB_ENOMEM, "out of memory");
	else if ((rc = cb_store_attendance_each(s, x.id, collect_attendance, attendees)) == 0 &&
		 (rc = cb_store_session_account_each(s, x.id, collect_account, accounts)) == 0 &&
		 (json_object_set(obj, "attendees", attendees) < 0 ||
		  json_object_set(obj, "accounts", accounts) < 0))
		rc = cb_error_set(CB_ENOMEM, "out of memory");
	cb_session_clear(&x);
	if (rc < 0)
		goto fail;
	json_decref(attendees);
	json_decref(accounts);
	*out = obj;
	return 0;
fail:
	json_decref(obj);
	json_decref(attendees);
	json_decref(accounts);
	return rc;
}

/* Prints the confirmation `message` for session `key` (the whole session
 * with --json). */
static int session_done(cb_cli *cli, cb_workspace *ws, const char *key,
			const char *message)
{
	json_t *obj = NULL;

	if (cli->mode == CB_OUTPUT_JSON && session_show_json(ws->store, key, &obj) < 0)
		return cb_cli_fail(cli);
	return cb_cli_done(cli, obj, "%s session %s", message, key);
}

/* Option codes beyond the common ones. */
enum {
	OPT_PROGRAM = 0x2001,
	OPT_TITLE,
	OPT_FORMAT,
	OPT_START,
	OPT_END,
	OPT_TRAINER,
	OPT_LOCATION,
	OPT_COST,
	OPT_CURRENCY,
	OPT_ATTENDEE,
	OPT_ACCOUNT,
	OPT_KEY,
	OPT_NOTES,
	OPT_ADD_ATTENDEE,
	OPT_REMOVE_ATTENDEE,
	OPT_ADD_ACCOUNT,
	OPT_REMOVE_ACCOUNT,
	OPT_FROM,
	OPT_TO,
	OPT_STATUS,
	OPT_REASON,
	OPT_REACTION,
	OPT_PRE,
	OPT_POST
};

static const char record_help[] =
	"usage: casebook session record --program P --title T --format F --start DATE\n"
	"                               --end DATE --trainer PERSON [--location TEXT]\n"
	"                               [--cost AMOUNT --currency CUR] [--attendee PERSON]...\n"
	"                               [--account ACCOUNT]... [--key KEY] [--notes TEXT]\n"
	"                               [--json]\n"
	"\n"
	"Records one delivery of program P. F is in-person, blended or virtual;\n"
	"dates are YYYY-MM-DD, the end not before the start. The trainer must hold\n"
	"the trainer role. --cost needs --currency (three capital letters, EUR).\n"
	"--attendee and --account repeat and take comma-separated lists: each\n"
	"attendee is recorded as attended (change it with 'session attend'); the\n"
	"accounts are the customers the session served. Without --key the session\n"
	"is named PROGRAM-START (then -2, -3, ... when taken) and the name is\n"
	"printed. Everything is written at once or not at all.\n";

static int session_record(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"program", required_argument, NULL, OPT_PROGRAM},
		{"title", required_argument, NULL, OPT_TITLE},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"start", required_argument, NULL, OPT_START},
		{"end", required_argument, NULL, OPT_END},
		{"trainer", required_argument, NULL, OPT_TRAINER},
		{"location", required_argument, NULL, OPT_LOCATION},
		{"cost", required_argument, NULL, OPT_COST},
		{"currency", required_argument, NULL, OPT_CURRENCY},
		{"attendee", required_argument, NULL, OPT_ATTENDEE},
		{"account", required_argument, NULL, OPT_ACCOUNT},
		{"key", required_argument, NULL, OPT_KEY},
		{"notes", required_argument, NULL, OPT_NOTES},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	cb_session_spec spec = {0};
	key_list attendees = {0}, accounts = {0};
	cb_workspace *ws = NULL;
	char *key = NULL;
	const char *missing = NULL;
	int c, rc = -1;

	while (rc < 0 && (c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			rc = cb_cli_help(cli, record_help);
			break;
		case OPT_PROGRAM:
			spec.program = optarg;
			break;
		case OPT_TITLE:
			spec.title = optarg;
			break;
		case OPT_FORMAT:
			spec.format = optarg;
			break;
		case OPT_START:
			spec.starts_on = optarg;
			break;
		case OPT_END:
			spec.ends_on = optarg;
			break;
		case OPT_TRAINER:
			spec.trainer = optarg;
			break;
		case OPT_LOCATION:
			spec.location = optarg;
			break;
		case OPT_COST:
			spec.has_cost = 1;
			if (parse_cost(optarg, &spec.cost) < 0)
				rc = cb_cli_fail(cli);
			break;
		case OPT_CURRENCY:
			spec.currency = optarg;
			break;
		case OPT_ATTENDEE:
			if (key_list_add(&attendees, "--attendee", optarg) < 0)
				rc = cb_cli_fail(cli);
			break;
		case OPT_ACCOUNT:
			if (key_list_add(&accounts, "--account", optarg) < 0)
				rc = cb_cli_fail(cli);
			break;
		case OPT_KEY:
			spec.key = optarg;
			break;
		case OPT_NOTES:
			spec.notes = optarg;
			break;
		default:
			rc = cb_cli_bad_option(cli, record_help, argc, argv);
			break;
		}
	}
	if (rc >= 0)
		goto done;
	if (optind < argc) {
		rc = cb_cli_usage(cli, record_help, "session record takes no arguments ('%s')",
				  argv[optind]);
		goto done;
	}
	missing = !spec.program     ? "--program"
		  : !spec.title     ? "--title"
		  : !spec.format    ? "--format"
		  : !spec.starts_on ? "--start"
		  : !spec.ends_on   ? "--end"
		  : !spec.trainer   ? "--trainer"
				    : NULL;
	if (missing) {
		rc = cb_cli_usage(cli, record_help, "session record needs %s", missing);
		goto done;
	}
	if (cli->mode == CB_OUTPUT_CSV) {
		rc = cb_cli_usage(cli, record_help, "session record has no --csv; use --json");
		goto done;
	}
	spec.attendees = (const char *const *)attendees.items;
	spec.attendee_count = attendees.n;
	spec.accounts = (const char *const *)accounts.items;
	spec.account_count = accounts.n;
	if (cb_cli_open(cli, 0, &ws) < 0 || cb_app_session_record(ws, &spec, &key) < 0) {
		rc = cb_cli_fail(cli);
		goto done;
	}
	rc = session_done(cli, ws, key, "recorded");
done:
	free(key);
	key_list_free(&attendees);
	key_list_free(&accounts);
	cb_workspace_close(ws);
	return rc;
}

static int collect_session(const cb_session *x, void *ctx)
{
	json_t *row = session_row_json(x);

	if (!row || json_array_append_new(ctx, row) < 0)
		return cb_error_set(CB_ENOMEM, "out of memory");
	return 0;
}

static const char list_help[] =
	"usage: casebook session list [--program P] [--trainer PERSON] [--format F]\n"
	"                             [--from DATE] [--to DATE]\n"
	"                             [--status scheduled|cancelled] [--json|--csv]\n"
	"\n"
	"Lists sessions by start date. --from and --to keep the sessions that run\n"
	"on any day between them. Columns: key, program, title, format, starts_on,\n"
	"ends_on, trainer, location, cost, currency, attendees (how many),\n"
	"accounts (how many), status.\n";

static int session_list(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"program", required_argument, NULL, OPT_PROGRAM},
		{"trainer", required_argument, NULL, OPT_TRAINER},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"from", required_argument, NULL, OPT_FROM},
		{"to", required_argument, NULL, OPT_TO},
		{"status", required_argument, NULL, OPT_STATUS},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	const char *program = NULL, *trainer = NULL, *format = NULL, *from = NULL,
		   *to = NULL, *status = NULL;
	cb_session_filter filter;
	cb_workspace *ws;
	json_t *rows;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, list_help);
		case OPT_PROGRAM:
			program = optarg;
			break;
		case OPT_TRAINER:
			trainer = optarg;
			break;
		case OPT_FORMAT:
			format = optarg;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_TO:
			to = optarg;
			break;
		case OPT_STATUS:
			status = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, list_help, argc, argv);
		}
	}
	if (optind < argc)
		return cb_cli_usage(cli, list_help, "session list takes no arguments ('%s')",
				    argv[optind]);
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	rows = json_array();
	if (!rows ||
	    cb_app_session_filter(ws, program, trainer, format, from, to, status, &filter) < 0 ||
	    cb_store_session_each(ws->store, &filter, collect_session, rows) < 0) {
		json_decref(rows);
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_emit(cli, rows);
}

static const char show_help[] =
	"usage: casebook session show KEY [--json]\n"
	"\n"
	"Shows one session with its attendees (person, name, status, reaction,\n"
	"pre_score, post_score) and the accounts it served (key, name).\n";

static int session_show(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_workspace *ws;
	json_t *obj;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, show_help);
		return cb_cli_bad_option(cli, show_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, show_help, "session show takes one KEY");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, show_help, "session show has no --csv; use --json");
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	rc = session_show_json(ws->store, argv[optind], &obj);
	cb_workspace_close(ws);
	return rc < 0 ? cb_cli_fail(cli) : cb_cli_emit(cli, obj);
}

static const char edit_help[] =
	"usage: casebook session edit KEY [--title T] [--format F] [--start DATE]\n"
	"                             [--end DATE] [--trainer PERSON] [--location TEXT]\n"
	"                             [--cost AMOUNT] [--currency CUR] [--notes TEXT]\n"
	"                             [--add-attendee P]... [--remove-attendee P]...\n"
	"                             [--add-account A]... [--remove-account A]... [--json]\n"
	"\n"
	"Changes a session, checked as 'session record' checks it, all at once or\n"
	"not at all. An empty --location, --currency or --notes clears it; an\n"
	"empty --cost clears the cost and its currency. The attendee and account\n"
	"options repeat and take comma-separated lists.\n";

static int session_edit(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"title", required_argument, NULL, OPT_TITLE},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"start", required_argument, NULL, OPT_START},
		{"end", required_argument, NULL, OPT_END},
		{"trainer", required_argument, NULL, OPT_TRAINER},
		{"location", required_argument, NULL, OPT_LOCATION},
		{"cost", required_argument, NULL, OPT_COST},
		{"currency", required_argument, NULL, OPT_CURRENCY},
		{"notes", required_argument, NULL, OPT_NOTES},
		{"add-attendee", required_argument, NULL, OPT_ADD_ATTENDEE},
		{"remove-attendee", required_argument, NULL, OPT_REMOVE_ATTENDEE},
		{"add-account", required_argument, NULL, OPT_ADD_ACCOUNT},
		{"remove-account", required_argument, NULL, OPT_REMOVE_ACCOUNT},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	/* In the order of their codes, OPT_ADD_ATTENDEE first. */
	static const char *const list_options[4] = {
		"--add-attendee", "--remove-attendee", "--add-account", "--remove-account"};
	cb_session_changes ch = {0};
	key_list lists[4] = {{0}};
	cb_workspace *ws = NULL;
	const char *key;
	int c, rc = -1, changed = 0;

	while (rc < 0 && (c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		changed = 1;
		switch (c) {
		case 'h':
			rc = cb_cli_help(cli, edit_help);
			break;
		case OPT_TITLE:
			ch.title = optarg;
			break;
		case OPT_FORMAT:
			ch.format = optarg;
			break;
		case OPT_START:
			ch.starts_on = optarg;
			break;
		case OPT_END:
			ch.ends_on = optarg;
			break;
		case OPT_TRAINER:
			ch.trainer = optarg;
			break;
		case OPT_LOCATION:
			ch.location = optarg;
			break;
		case OPT_COST:
			if (!*optarg)
				ch.cost_change = -1;
			else if (parse_cost(optarg, &ch.cost) < 0)
				rc = cb_cli_fail(cli);
			else
				ch.cost_change = 1;
			break;
		case OPT_CURRENCY:
			ch.currency = optarg;
			break;
		case OPT_NOTES:
			ch.notes = optarg;
			break;
		case OPT_ADD_ATTENDEE:
		case OPT_REMOVE_ATTENDEE:
		case OPT_ADD_ACCOUNT:
		case OPT_REMOVE_ACCOUNT:
			if (key_list_add(&lists[c - OPT_ADD_ATTENDEE],
					 list_options[c - OPT_ADD_ATTENDEE], optarg) < 0)
				rc = cb_cli_fail(cli);
			break;
		default:
			rc = cb_cli_bad_option(cli, edit_help, argc, argv);
			break;
		}
	}
	if (rc >= 0)
		goto done;
	if (argc - optind != 1) {
		rc = cb_cli_usage(cli, edit_help, "session edit takes one KEY");
		goto done;
	}
	if (!changed) {
		rc = cb_cli_usage(cli, edit_help, "session edit: nothing to change");
		goto done;
	}
	if (cli->mode == CB_OUTPUT_CSV) {
		rc = cb_cli_usage(cli, edit_help, "session edit has no --csv; use --json");
		goto done;
	}
	key = argv[optind];
	ch.add_attendees = (const char *const *)lists[0].items;
	ch.add_attendee_count = lists[0].n;
	ch.remove_attendees = (const char *const *)lists[1].items;
	ch.remove_attendee_count = lists[1].n;
	ch.add_accounts = (const char *const *)lists[2].items;
	ch.add_account_count = lists[2].n;
	ch.remove_accounts = (const char *const *)lists[3].items;
	ch.remove_account_count = lists[3].n;
	if (cb_cli_open(cli, 0, &ws) < 0 || cb_app_session_edit(ws, key, &ch) < 0) {
		rc = cb_cli_fail(cli);
		goto done;
	}
	rc = session_done(cli, ws, key, "updated");
done:
	for (size_t i = 0; i < 4; i++)
		key_list_free(&lists[i]);
	cb_workspace_close(ws);
	return rc;
}

static const char cancel_help[] =
	"usage: casebook session cancel KEY [--reason TEXT] [--json]\n"
	"\n"
	"Marks a session cancelled. Its record stays; impact reports leave it out.\n";

static int session_cancel(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"reason", required_argument, NULL, OPT_REASON},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	const char *reason = NULL;
	cb_workspace *ws;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, cancel_help);
		case OPT_REASON:
			reason = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, cancel_help, argc, argv);
		}
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, cancel_help, "session cancel takes one KEY");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, cancel_help, "session cancel has no --csv; use --json");
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_session_cancel(ws, argv[optind], reason) < 0)
		rc = cb_cli_fail(cli);
	else
		rc = session_done(cli, ws, argv[optind], "cancelled");
	cb_workspace_close(ws);
	return rc;
}

/* Finds one person's row among a session's attendance. */
typedef struct find_attendance {
	const char *person;
	json_t *row;
} find_attendance;

static int pick_attendance(const cb_attendance *a, void *ctx)
{
	find_attendance *f = ctx;

	if (strcmp(a->person, f->person) != 0)
		return 0;
	f->row = attendance_json(a);
	return f->row ? 1 : cb_error_set(CB_ENOMEM, "out of memory");
}

static const char attend_help[] =
	"usage: casebook session attend SESSION PERSON [--status attended|absent|partial]\n"
	"                               [--reaction 1-5] [--pre 0-100] [--post 0-100]\n"
	"                               [--json]\n"
	"\n"
	"Adds PERSON to the session's attendees, or updates their row: status\n"
	"(attended when new), reaction (Kirkpatrick level 1, a whole number 1-5)\n"
	"and pre- and post-test scores (level 2, 0-100). Options left out keep\n"
	"their value.\n";

static int session_attend(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"status", required_argument, NULL, OPT_STATUS},
		{"reaction", required_argument, NULL, OPT_REACTION},
		{"pre", required_argument, NULL, OPT_PRE},
		{"post", required_argument, NULL, OPT_POST},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	cb_attendance ch = {0};
	find_attendance found = {0};
	cb_session x;
	cb_workspace *ws;
	long reaction;
	int c, rc, added = 0;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, attend_help);
		case OPT_STATUS:
			ch.status = optarg;
			break;
		case OPT_REACTION:
			if (cb_cli_parse_int("--reaction", optarg, 1, 5, &reaction) < 0)
				return cb_cli_fail(cli);
			ch.has_reaction = 1;
			ch.reaction = (int)reaction;
			break;
		case OPT_PRE:
			if (cb_cli_parse_double("--pre", optarg, 0, 100, &ch.pre_score) < 0)
				return cb_cli_fail(cli);
			ch.has_pre = 1;
			break;
		case OPT_POST:
			if (cb_cli_parse_double("--post", optarg, 0, 100, &ch.post_score) < 0)
				return cb_cli_fail(cli);
			ch.has_post = 1;
			break;
		default:
			return cb_cli_bad_option(cli, attend_help, argc, argv);
		}
	}
	if (argc - optind != 2)
		return cb_cli_usage(cli, attend_help, "session attend takes SESSION and PERSON");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, attend_help, "session attend has no --csv; use --json");
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_session_attend(ws, argv[optind], argv[optind + 1], &ch, &added) < 0) {
		rc = cb_cli_fail(cli);
		goto done;
	}
	if (cli->mode == CB_OUTPUT_JSON) {
		found.person = argv[optind + 1];
		if (cb_store_session_get(ws->store, argv[optind], &x) < 0) {
			rc = cb_cli_fail(cli);
			goto done;
		}
		rc = cb_store_attendance_each(ws->store, x.id, pick_attendance, &found);
		cb_session_clear(&x);
		if (rc < 0 || !found.row) {
			rc = cb_cli_fail(cli);
			goto done;
		}
		json_object_set_new(found.row, "session", json_string(argv[optind]));
	}
	rc = cb_cli_done(cli, found.row, "%s attendance of %s at session %s",
			 added ? "recorded" : "updated", argv[optind + 1], argv[optind]);
done:
	cb_workspace_close(ws);
	return rc;
}

static const char import_help[] =
	"usage: casebook session import FILE [--json]\n"
	"\n"
	"Records the sessions of a CSV file ('-' reads stdin), each as 'session\n"
	"record' would, with its checks and plugin hooks. Columns: program, title,\n"
	"format, start, end (required); key, trainer, location, cost, currency,\n"
	"attendees, accounts, notes (optional). Attendees and accounts are lists\n"
	"separated by ';'. All rows go in or none does; every bad row is reported\n"
	"with its line number.\n";

static int session_import(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_import(cli, argc, argv, import_help, "sessions", cb_app_session_import);
}

static const cb_cli_verb session_verbs[] = {
	{"record", session_record, "record a session with its attendees and accounts"},
	{"list", session_list, "list sessions"},
	{"show", session_show, "show one session, its attendees and accounts"},
	{"edit", session_edit, "change a session"},
	{"cancel", session_cancel, "mark a session cancelled"},
	{"attend", session_attend, "record one person's attendance and scores"},
	{"import", session_import, "record sessions from a CSV file"},
	{NULL, NULL, NULL},
};

int cb_cli_session(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "session",
			       "Training sessions: one delivery of a program, its attendees\n"
			       "(with reaction and test scores) and the accounts it served.\n",
			       session_verbs, argc, argv);
}
