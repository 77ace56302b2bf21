/* casebook data: import customer KPI observations, list them, compute a
 * KPI over time, and manage import batches. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "app/data.h"
#include "app/series.h"
#include "base/date.h"
#include "base/error.h"
#include "cli/progress.h"
#include "store/observation.h"

static void on_progress(uint64_t done, uint64_t total, void *ctx)
{
	cb_progress_update(ctx, (double)done / 1e6, (double)total / 1e6, "MB");
}

static const char import_help[] =
	"usage: casebook data import FILE... [--create-accounts] [--skip-duplicates]\n"
	"                            [--dry-run] [--json]\n"
	"\n"
	"Imports customer KPI observations from CSV files (RFC 4180; '-' reads\n"
	"stdin). The header names the columns: account, measure, at, value\n"
	"(required) and source, note (optional), in any order. 'at' is an ISO 8601\n"
	"date (midnight UTC) or date-time with a UTC offset, stored in UTC. Every\n"
	"value is checked against its measure's declaration (range, whole\n"
	"numbers); unknown measures are errors, and so are unknown accounts unless\n"
	"--create-accounts adds them. Errors name the file and line; after 20 the\n"
	"import stops and says how many lines it did not read.\n"
	"\n"
	"One file is one batch: all its rows or none, in one transaction. A batch\n"
	"is known by the SHA-256 of its bytes: importing the same file again\n"
	"changes nothing and says so. A row that repeats an observation another\n"
	"batch stored (the same account, measure, time and value: overlapping\n"
	"exports) makes the file refused, with the count and the first lines;\n"
	"--skip-duplicates imports the other rows and counts the ones left out.\n"
	"--dry-run checks everything and writes\n"
	"nothing. Memory stays bounded whatever the file's size; a progress bar\n"
	"shows on a terminal.\n";

static int data_import(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"create-accounts", no_argument, NULL, 'c'},
					     {"dry-run", no_argument, NULL, 'n'},
					     {"skip-duplicates", no_argument, NULL, 's'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	cb_data_import_options o = {0};
	cb_workspace *ws;
	json_t *results;
	int c, failed = 0;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, import_help);
		case 'c':
			o.create_accounts = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 's':
			o.skip_duplicates = 1;
			break;
		default:
			return cb_cli_bad_option(cli, import_help, argc, argv);
		}
	}
	if (optind >= argc)
		return cb_cli_usage(cli, import_help, "data import needs a FILE ('-' for stdin)");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, import_help, "data import has no --csv; use --json");
	if (cb_cli_open(cli, o.dry_run, &ws) < 0)
		return cb_cli_fail(cli);
	results = json_array();
	for (int i = optind; i < argc; i++) {
		const char *name = strcmp(argv[i], "-") == 0 ? "<stdin>" : argv[i];
		cb_data_import_result r;
		cb_progress bar;

		cb_progress_start(&bar, name);
		o.progress = on_progress;
		o.progress_ctx = &bar;
		c = cb_app_data_import(ws, argv[i], &o, &r);
		cb_progress_finish(&bar);
		if (c < 0) {
			cb_cli_fail(cli);
			failed = 1;
			json_array_append_new(results, json_pack("{s:s, s:b, s:s}", "file", name,
								 "ok", 0, "error", cb_error_last()));
			continue;
		}
		json_array_append_new(
			results,
			json_pack("{s:s, s:b, s:I, s:s, s:I, s:I, s:b, s:b, s:I}", "file", name, "ok",
				  1, "batch", (json_int_t)r.batch_id, "sha256", r.sha256, "rows",
				  (json_int_t)r.rows, "skipped", (json_int_t)r.skipped,
				  "already_imported", r.already, "dry_run", o.dry_run,
				  "accounts_created", (json_int_t)r.accounts_created));
		if (cli->mode != CB_OUTPUT_TEXT)
			continue;
		if (r.already)
			fprintf(cli->out, "%s: already imported as batch %lld (%.12s); nothing changed\n",
				name, (long long)r.batch_id, r.sha256);
		else if (o.dry_run)
			fprintf(cli->out, "%s: %lld rows are fine%s; nothing written (--dry-run)\n",
				name, (long long)r.rows, r.skipped ? " (the duplicates left out)" : "");
		else
			fprintf(cli->out, "%s: imported %lld rows as batch %lld (%.12s)%s\n", name,
				(long long)r.rows, (long long)r.batch_id, r.sha256,
				r.accounts_created ? ", with new accounts" : "");
		if (r.skipped && !r.already)
			fprintf(cli->out, "%s: %lld rows left out: already stored by other batches\n",
				name, (long long)r.skipped);
	}
	cb_workspace_close(ws);
	if (cli->mode == CB_OUTPUT_JSON)
		cb_cli_emit(cli, results);
	else
		json_decref(results);
	return failed ? CB_EXIT_FAILED : CB_EXIT_OK;
}

static int add_row(const cb_observation_row *o, void *ctx)
{
	char at[CB_DATETIME_LEN];

	cb_datetime_format(o->at, at);
	return json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:f, s:I, s:I, s:o, s:o}",
						    "account", o->account, "measure", o->measure,
						    "at", at, "value", o->value, "batch",
						    (json_int_t)o->batch_id, "line",
						    (json_int_t)o->line, "source",
						    cb_cli_json_str(o->source), "note",
						    cb_cli_json_str(o->note))) < 0
		       ? cb_error_set(CB_ENOMEM, "out of memory")
		       : 0;
}

/* Parses --from/--to dates into day numbers; NULL leaves *day alone. */
static int day_option(const char *what, const char *text, int32_t *day)
{
	if (!text)
		return 0;
	if (cb_date_parse(text, day) < 0)
		return cb_error_prefix("%s", what);
	return 0;
}

static const char list_help[] =
	"usage: casebook data list [--account A] [--measure M] [--batch B] [--from DATE]\n"
	"                          [--to DATE] [--limit N] [--json|--csv]\n"
	"\n"
	"Lists observations in (measure, account, time) order: account, measure,\n"
	"at (UTC), value, batch, line (in its file), source, note. --from is\n"
	"inclusive, --to exclusive. Default limit: 1000 rows (0: no limit).\n";

static int data_list(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"account", required_argument, NULL, 'a'},
					     {"measure", required_argument, NULL, 'm'},
					     {"batch", required_argument, NULL, 'b'},
					     {"from", required_argument, NULL, 'f'},
					     {"to", required_argument, NULL, 't'},
					     {"limit", required_argument, NULL, 'l'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	cb_observation_filter f = {0};
	const char *from = NULL, *to = NULL, *batch = NULL;
	int32_t dfrom = 0, dto = 0;
	long limit = 1000;
	cb_workspace *ws;
	json_t *rows;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, list_help);
		case 'a':
			f.account = optarg;
			break;
		case 'm':
			f.measure = optarg;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'l':
			if (cb_cli_parse_int("--limit", optarg, 0, 1000000000L, &limit) < 0)
				return cb_cli_usage(cli, list_help, "%s", cb_error_last());
			break;
		default:
			return cb_cli_bad_option(cli, list_help, argc, argv);
		}
	}
	if (optind < argc)
		return cb_cli_usage(cli, list_help, "data list takes no arguments");
	if (day_option("--from", from, &dfrom) < 0 || day_option("--to", to, &dto) < 0)
		return cb_cli_fail(cli);
	f.from = from ? (int64_t)dfrom * 86400 : 0;
	f.to = to ? (int64_t)dto * 86400 : 0;
	f.limit = limit;
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	if (batch) {
		cb_batch b;

		if (cb_store_batch_find(ws->store, batch, &b) < 0) {
			cb_workspace_close(ws);
			return cb_cli_fail(cli);
		}
		f.batch_id = b.id;
		cb_batch_clear(&b);
	}
	rows = json_array();
	if (cb_store_observation_each(ws->store, &f, add_row, rows) < 0) {
		json_decref(rows);
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_emit(cli, rows);
}

static int add_point(const cb_series_point *pt, void *ctx)
{
	char from[CB_DATE_LEN], to[CB_DATE_LEN];
	json_t *row;

	cb_date_format(pt->from, from);
	cb_date_format(pt->to, to);
	row = json_pack("{s:s, s:s, s:s, s:o, s:I, s:o}", "period", pt->label, "from", from, "to", to,
			"value", pt->has_value ? json_real(pt->value) : json_null(), "observations",
			(json_int_t)pt->observations, "reason", cb_cli_json_str(pt->reason));
	return !row || json_array_append_new(ctx, row) < 0 ? cb_error_set(CB_ENOMEM, "out of memory")
							     : 0;
}

static const char series_help[] =
	"usage: casebook data series --account A --kpi K [--every week|month|quarter]\n"
	"                            [--from DATE] [--to DATE] [--json|--csv]\n"
	"\n"
	"Computes KPI K for account A in each calendar period (ISO weeks from\n"
	"Monday, months, or quarters; default month) through the KPI's plugin:\n"
	"period, from, to (exclusive), value, observations (of all inputs), and\n"
	"the reason when there is no value (too little data, no observations).\n"
	"Without --from/--to, the periods span the account's observations.\n";

static int data_series(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"account", required_argument, NULL, 'a'},
					     {"kpi", required_argument, NULL, 'k'},
					     {"every", required_argument, NULL, 'e'},
					     {"from", required_argument, NULL, 'f'},
					     {"to", required_argument, NULL, 't'},
					     CB_CLI_COMMON_OPTIONS, {0}};
	const char *account = NULL, *kpi = NULL, *from = NULL, *to = NULL;
	cb_period every = CB_PERIOD_MONTH;
	int32_t dfrom = 0, dto = 0;
	cb_workspace *ws;
	json_t *rows;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, series_help);
		case 'a':
			account = optarg;
			break;
		case 'k':
			kpi = optarg;
			break;
		case 'e':
			if (cb_period_parse(optarg, &every) < 0)
				return cb_cli_usage(cli, series_help, "%s", cb_error_last());
			break;
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, series_help, argc, argv);
		}
	}
	if (optind < argc)
		return cb_cli_usage(cli, series_help, "data series takes no arguments");
	if (!account || !kpi)
		return cb_cli_usage(cli, series_help, "data series needs --account and --kpi");
	if (!from != !to)
		return cb_cli_usage(cli, series_help, "give both --from and --to, or neither");
	if (day_option("--from", from, &dfrom) < 0 || day_option("--to", to, &dto) < 0)
		return cb_cli_fail(cli);
	if (from && dto <= dfrom)
		return cb_cli_usage(cli, series_help, "--to %s is not after --from %s", to, from);
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	rows = json_array();
	if (cb_app_series(ws, account, kpi, every, dfrom, dto, add_point, rows) < 0) {
		json_decref(rows);
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_emit(cli, rows);
}

static int add_batch(const cb_batch *b, void *ctx)
{
	char first[CB_DATETIME_LEN], last[CB_DATETIME_LEN];

	cb_datetime_format(b->first_at, first);
	cb_datetime_format(b->last_at, last);
	return json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:s}",
						    "batch", (json_int_t)b->id, "sha256", b->sha256,
						    "source", b->source, "rows", (json_int_t)b->rows,
						    "skipped", (json_int_t)b->skipped, "first_at",
						    b->rows ? json_string(first) : json_null(),
						    "last_at", b->rows ? json_string(last) : json_null(),
						    "imported_at", b->imported_at)) < 0
		       ? cb_error_set(CB_ENOMEM, "out of memory")
		       : 0;
}

static const char batches_help[] =
	"usage: casebook data batches [--json|--csv]\n"
	"\n"
	"Lists the imported batches: batch (its number), sha256 (of the file's\n"
	"bytes), source (the file as given), rows, skipped (rows left out as\n"
	"duplicates of earlier batches, --skip-duplicates), first_at and last_at\n"
	"(the span of its observations), imported_at.\n";

static int data_batches_rows(cb_workspace *ws, json_t *rows)
{
	return cb_store_batch_each(ws->store, add_batch, rows);
}

static int data_batches(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_list(cli, argc, argv, batches_help, data_batches_rows);
}

static const char drop_help[] =
	"usage: casebook data drop BATCH [--json]\n"
	"\n"
	"Takes one imported batch back out: its observations and its record, in\n"
	"one transaction. BATCH is its number or at least 6 hex digits of its\n"
	"SHA-256 ('casebook data batches' lists them). The same file can then be\n"
	"imported again.\n";

static int data_drop(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_workspace *ws;
	cb_batch b;
	int64_t rows = 0;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, drop_help);
		return cb_cli_bad_option(cli, drop_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, drop_help, "data drop takes one BATCH");
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_data_drop(ws, argv[optind], &b, &rows) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	c = cb_cli_done(cli,
			json_pack("{s:I, s:s, s:s, s:I}", "batch", (json_int_t)b.id, "sha256", b.sha256,
				  "source", b.source, "rows", (json_int_t)rows),
			"dropped batch %lld (%s, %lld rows)", (long long)b.id, b.source,
			(long long)rows);
	cb_batch_clear(&b);
	cb_workspace_close(ws);
	return c;
}

static const cb_cli_verb data_verbs[] = {
	{"import", data_import, "import observations from CSV files"},
	{"list", data_list, "list observations"},
	{"series", data_series, "a KPI per week, month or quarter for one account"},
	{"batches", data_batches, "list imported batches"},
	{"drop", data_drop, "take an imported batch back out"},
	{NULL, NULL, NULL},
};

int cb_cli_data(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "data",
			       "Customer KPI data: observations of measures, imported in batches.\n",
			       data_verbs, argc, argv);
}
