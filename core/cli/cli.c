/*
 * The command line's frame: global options, finding the noun, shared option
 * parsing, errors and exit codes, and output.
 */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/plugins.h"
#include "base/error.h"
#include "base/text.h"
#include "plugin/paths.h"
#include "view/impact.h"

typedef struct noun {
	const char *name;
	int (*run)(cb_cli *cli, int argc, char **argv);
	const char *summary;
} noun;

/* casebook-serve, beside this executable, on the same command line. */
static int serve_command(cb_cli *cli, int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n;
	char *slash;

	if (cli->serve)
		return cli->serve(cli, argc, argv);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(cli->err, "casebook: error: serve: cannot find this executable: %s\n",
			strerror(errno));
		return CB_EXIT_FAILED;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, sizeof(path), "%s/casebook-serve", slash ? self : ".");
	fflush(stdout);
	execv(path, cli->argv);
	fprintf(cli->err, "casebook: error: serve runs %s, which cannot be started: %s "
			  "(it is built and installed with casebook)\n",
		path, strerror(errno));
	return CB_EXIT_FAILED;
}

static const noun nouns[] = {
	{"init", cb_cli_init, "make a new workspace"},
	{"account", cb_cli_account, "customer accounts"},
	{"person", cb_cli_person, "technicians, trainers, consultants, managers and admins"},
	{"cover", cb_cli_cover, "record who serves which account, when"},
	{"program", cb_cli_program, "training programs"},
	{"session", cb_cli_session, "training sessions and their attendees"},
	{"data", cb_cli_data, "customer KPI observations: import, list, series, batches"},
	{"check", cb_cli_check, "verify the workspace's database and repository"},
	{"impact", cb_cli_impact, "did training move the customers' KPIs? (before/after, DiD, ROI)"},
	{"report", cb_cli_report, "write an offline HTML (or Markdown) report of the impact"},
	{"outcome", cb_cli_outcome, "outcome agreements and their attainment"},
	{"plugin", cb_cli_plugin, "Lua plugins: list, inspect, create, test"},
	{"kpi", cb_cli_kpi, "the KPIs plugins define"},
	{"measure", cb_cli_measure, "the measures plugins declare"},
	{"export", cb_cli_export, "export records for other systems (xAPI statements)"},
	{"case", cb_cli_case, "case studies: new, submit, revise, review, publish, show, sync"},
	{"reindex", cb_cli_reindex, "rebuild the case-study index from the repository"},
	{"serve", serve_command, "serve the workspace to the team in the browser (sign-in, rights)"},
};

#define NOUN_COUNT (sizeof(nouns) / sizeof(nouns[0]))

static void main_help(FILE *f)
{
	fputs("usage: casebook [-C DIR] [--plugins DIR] COMMAND [ARGS] [--json|--csv]\n"
	      "\n"
	      "Casebook ties customer-orientation training to customers' KPIs.\n"
	      "\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; i < NOUN_COUNT; i++)
		fprintf(f, "  %-10s %s\n", nouns[i].name, nouns[i].summary);
	fputs("\n"
	      "global options:\n"
	      "  -C DIR          use the workspace in DIR (else $CASEBOOK_DIR, else\n"
	      "                  the current folder and its parents)\n"
	      "  --plugins DIR   load plugins from DIR too\n"
	      "  --lua-instructions N\n"
	      "                  instruction budget of one plugin call (default 50000000;\n"
	      "                  also $CASEBOOK_LUA_INSTRUCTIONS)\n"
	      "  --lua-memory MIB\n"
	      "                  memory cap of the plugin host in MiB (default 64;\n"
	      "                  also $CASEBOOK_LUA_MEMORY_MB)\n"
	      "  --version       print the version\n"
	      "  -h, --help      this help; 'casebook COMMAND --help' for a command\n"
	      "\n"
	      "Exit codes: 0 ok, 1 failed, 2 bad usage.\n",
	      f);
}

int cb_cli_main(int argc, char **argv)
{
	return cb_cli_main_with(argc, argv, NULL);
}

int cb_cli_main_with(int argc, char **argv, int (*serve)(cb_cli *cli, int argc, char **argv))
{
	cb_cli cli = {0};
	int i = 1;

	cli.argv = argv;
	cli.serve = serve;
	cli.out = stdout;
	cli.err = cb_cli_escaping_stderr();
	cli.mode = CB_OUTPUT_TEXT;
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];

		if (strcmp(a, "-C") == 0 || strcmp(a, "--plugins") == 0) {
			if (i + 1 >= argc) {
				fprintf(cli.err, "casebook: error: %s needs a folder\n", a);
				return CB_EXIT_USAGE;
			}
			if (a[1] == 'C')
				cli.workspace_dir = argv[i + 1];
			else
				cli.plugins_dir = argv[i + 1];
			i += 2;
		} else if (strcmp(a, "--lua-instructions") == 0 || strcmp(a, "--lua-memory") == 0) {
			long v;

			if (i + 1 >= argc ||
			    cb_cli_parse_int(a, argv[i + 1], 1,
					     a[6] == 'i' ? 1000000000000L : 65536L, &v) < 0) {
				fprintf(cli.err, "casebook: error: %s\n",
					i + 1 >= argc ? "this option needs a number" : cb_error_last());
				return CB_EXIT_USAGE;
			}
			if (a[6] == 'i')
				cli.limits.instructions = (unsigned long)v;
			else
				cli.limits.memory = (size_t)v << 20;
			i += 2;
		} else if (strncmp(a, "-C", 2) == 0) {
			cli.workspace_dir = a + 2;
			i++;
		} else if (strncmp(a, "--plugins=", 10) == 0) {
			cli.plugins_dir = a + 10;
			i++;
		} else if (strcmp(a, "--version") == 0) {
			char dir[4096];
			int found = cb_plugin_builtin_dir(dir, sizeof(dir)) == 0;

			printf("casebook %s\nbuilt-in plugins: %s%s\n", CASEBOOK_VERSION,
			       dir, found ? "" : " (missing)");
			return CB_EXIT_OK;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			main_help(stdout);
			return CB_EXIT_OK;
		} else {
			fprintf(cli.err, "casebook: error: unknown option '%s'\n", a);
			main_help(cli.err);
			return CB_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		main_help(cli.err);
		return CB_EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 < argc) {
			/* "casebook help account" is "casebook account --help". */
			char *hargv[3] = {argv[i + 1], "--help", NULL};

			for (size_t k = 0; k < NOUN_COUNT; k++)
				if (strcmp(nouns[k].name, argv[i + 1]) == 0) {
					cli.command = nouns[k].name;
					optind = 0;
					return nouns[k].run(&cli, 2, hargv);
				}
		}
		main_help(stdout);
		return CB_EXIT_OK;
	}
	for (size_t k = 0; k < NOUN_COUNT; k++) {
		if (strcmp(nouns[k].name, argv[i]) == 0) {
			cli.command = nouns[k].name;
			optind = 0;
			return nouns[k].run(&cli, argc - i, argv + i);
		}
	}
	{
		const char *names[NOUN_COUNT];
		const char *hint;

		for (size_t k = 0; k < NOUN_COUNT; k++)
			names[k] = nouns[k].name;
		hint = cb_text_suggest(argv[i], names, NOUN_COUNT);
		if (hint)
			fprintf(cli.err,
				"casebook: error: unknown command '%s' (did you mean '%s'?)\n",
				argv[i], hint);
		else
			fprintf(cli.err,
				"casebook: error: unknown command '%s'; 'casebook --help' lists them\n",
				argv[i]);
	}
	return CB_EXIT_USAGE;
}

int cb_cli_dispatch(cb_cli *cli, const char *noun_name, const char *noun_help,
		    const cb_cli_verb *verbs, int argc, char **argv)
{
	static char command[64];
	const char *names[32];
	size_t n = 0;
	const char *hint;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *f = argc < 2 ? cli->err : cli->out;

		fprintf(f, "usage: casebook %s VERB [ARGS]\n\n%s\nverbs:\n",
			noun_name, noun_help);
		for (const cb_cli_verb *v = verbs; v->name; v++)
			fprintf(f, "  %-8s %s\n", v->name, v->summary);
		fprintf(f, "\n'casebook %s VERB --help' tells more.\n", noun_name);
		return argc < 2 ? CB_EXIT_USAGE : CB_EXIT_OK;
	}
	for (const cb_cli_verb *v = verbs; v->name; v++) {
		if (strcmp(v->name, argv[1]) == 0) {
			snprintf(command, sizeof(command), "%s %s", noun_name, v->name);
			cli->command = command;
			optind = 0;
			opterr = 0;
			return v->run(cli, argc - 1, argv + 1);
		}
		if (n < 32)
			names[n++] = v->name;
	}
	hint = cb_text_suggest(argv[1], names, n);
	if (hint)
		fprintf(cli->err,
			"casebook: error: unknown verb '%s %s' (did you mean '%s %s'?)\n",
			noun_name, argv[1], noun_name, hint);
	else
		fprintf(cli->err,
			"casebook: error: unknown verb '%s %s'; 'casebook %s --help' lists them\n",
			noun_name, argv[1], noun_name);
	return CB_EXIT_USAGE;
}

int cb_cli_getopt(cb_cli *cli, int argc, char **argv, const char *shortopts,
		  const struct option *longopts)
{
	char spec[64];
	int c;

	/* Leading ':' makes a missing argument come back as ':'. */
	snprintf(spec, sizeof(spec), ":h%s", shortopts ? shortopts : "");
	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, spec, longopts, NULL);
		if (c == CB_CLI_OPT_JSON) {
			cli->mode = CB_OUTPUT_JSON;
			continue;
		}
		if (c == CB_CLI_OPT_CSV) {
			cli->mode = CB_OUTPUT_CSV;
			continue;
		}
		return c;
	}
}

static void usage_line(FILE *f, const char *help)
{
	const char *nl = strchr(help, '\n');

	fprintf(f, "%.*s\n", nl ? (int)(nl - help) : (int)strlen(help), help);
}

int cb_cli_help(cb_cli *cli, const char *help)
{
	fputs(help, cli->out);
	return CB_EXIT_OK;
}

int cb_cli_usage(cb_cli *cli, const char *help, const char *fmt, ...)
{
	va_list ap;

	fputs("casebook: error: ", cli->err);
	va_start(ap, fmt);
	vfprintf(cli->err, fmt, ap);
	va_end(ap);
	fputc('\n', cli->err);
	if (help)
		usage_line(cli->err, help);
	return CB_EXIT_USAGE;
}

int cb_cli_bad_option(cb_cli *cli, const char *help, int argc, char **argv)
{
	const char *opt = optind - 1 < argc && optind > 0 ? argv[optind - 1] : "?";

	if (optopt && optopt < 0x80 && optopt != '?') {
		static char shortname[3] = "-?";

		shortname[1] = (char)optopt;
		opt = shortname;
	}
	return cb_cli_usage(cli, help, "%s: unknown option or missing value '%s'",
			    cli->command, opt);
}

int cb_cli_fail(cb_cli *cli)
{
	int code = cb_error_code();

	fprintf(cli->err, "casebook: error: %s\n",
		*cb_error_last() ? cb_error_last() : "failed");
	return code == CB_EUSAGE ? CB_EXIT_USAGE : CB_EXIT_FAILED;
}

static void log_to_stderr(const char *plugin, const char *line, void *ctx);

static void warn_failed_plugin(const cb_plugin *p, void *ctx)
{
	cb_cli *cli = ctx;

	fprintf(cli->err, "casebook: warning: plugin %s failed to load and is skipped: %s\n",
		p->name, p->error);
}

/* Plugin options from the environment and the global options. */
int cb_cli_plugin_options(cb_cli *cli, cb_plugin_options *o)
{
	int rc;

	*o = (cb_plugin_options){0};
	if ((rc = cb_app_plugins_limits_from_env(&o->limits)) < 0)
		return rc;
	if (cli->limits.instructions)
		o->limits.instructions = cli->limits.instructions;
	if (cli->limits.memory)
		o->limits.memory = cli->limits.memory;
	o->extra_dir = cli->plugins_dir;
	o->log = log_to_stderr;
	o->log_ctx = cli;
	return 0;
}

/* A command waiting for another's write lock says so. */
static void tell_waiting(const char *message, void *ctx)
{
	cb_cli *cli = ctx;

	fprintf(cli->err, "casebook: %s\n", message);
}

int cb_cli_open(cb_cli *cli, int readonly, cb_workspace **ws)
{
	cb_plugin_options o;
	int rc;

	if ((rc = cb_cli_plugin_options(cli, &o)) < 0)
		return rc;
	if ((rc = cb_workspace_open(cli->workspace_dir, readonly, ws)) < 0)
		return rc;
	cb_store_set_wait_notice((*ws)->store, tell_waiting, cli);
	o.failed = warn_failed_plugin;
	o.failed_ctx = cli;
	(*ws)->plugin_options = o;
	return 0;
}

static void log_to_stderr(const char *plugin, const char *line, void *ctx)
{
	cb_cli *cli = ctx;

	fprintf(cli->err, "[%s] %s\n", plugin, line);
}

int cb_cli_plugins(cb_cli *cli, const char *ws_dir, cb_plugin_host **host)
{
	cb_plugin_options o;
	int rc;

	if ((rc = cb_cli_plugin_options(cli, &o)) < 0)
		return rc;
	o.workspace_dir = ws_dir;
	return cb_app_plugins_open(&o, host);
}

int cb_cli_workspace_plugins_dir(cb_cli *cli, char **dir)
{
	char *found = NULL;
	size_t len;
	int rc;

	*dir = NULL;
	rc = cb_workspace_find(cli->workspace_dir, &found);
	if (rc == CB_ENOWORKSPACE && !cli->workspace_dir && !getenv("CASEBOOK_DIR"))
		return 0;
	if (rc < 0)
		return rc;
	len = strlen(found) + sizeof(CB_WORKSPACE_PLUGINS) + 2;
	*dir = malloc(len);
	if (*dir)
		snprintf(*dir, len, "%s/%s", found, CB_WORKSPACE_PLUGINS);
	free(found);
	return *dir ? 0 : cb_error_set(CB_ENOMEM, "out of memory");
}

int cb_cli_plugins_here(cb_cli *cli, cb_plugin_host **host)
{
	char *dir;
	int rc;

	if ((rc = cb_cli_workspace_plugins_dir(cli, &dir)) < 0)
		return rc;
	rc = cb_cli_plugins(cli, dir, host);
	free(dir);
	return rc;
}

int cb_cli_emit(cb_cli *cli, json_t *value)
{
	int rc;

	if (!value) {
		/* json_pack gives NULL for a value it cannot hold as well as
		 * for a failed allocation; numbers go through
		 * cb_cli_json_number, so this is memory. */
		cb_error_set(CB_ENOMEM, "out of memory while writing the JSON output");
		return cb_cli_fail(cli);
	}
	rc = cb_output_render(cli->out, value, cli->mode);
	json_decref(value);
	return rc < 0 ? cb_cli_fail(cli) : CB_EXIT_OK;
}

int cb_cli_done(cb_cli *cli, json_t *value, const char *fmt, ...)
{
	va_list ap;

	if (cli->mode == CB_OUTPUT_JSON && value)
		return cb_cli_emit(cli, value);
	json_decref(value);
	va_start(ap, fmt);
	vfprintf(cli->out, fmt, ap);
	va_end(ap);
	fputc('\n', cli->out);
	return CB_EXIT_OK;
}

json_t *cb_cli_json_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *cb_cli_json_number(double v)
{
	return cb_view_json_number(v); /* one rule for every JSON Casebook writes */
}

int cb_cli_parse_double(const char *what, const char *text, double min,
			double max, double *out)
{
	return cb_decimal_field(what, text, min, max, out);
}

int cb_cli_parse_int(const char *what, const char *text, long min, long max,
		     long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (end == text || *end || errno == ERANGE)
		return cb_error_set(CB_EINVALID, "%s: '%s' is not a whole number",
				    what, text);
	if (v < min || v > max)
		return cb_error_set(CB_EINVALID, "%s: %s is out of range %ld..%ld",
				    what, text, min, max);
	*out = v;
	return 0;
}

int cb_cli_import(cb_cli *cli, int argc, char **argv, const char *help, const char *what,
		  int (*import)(cb_workspace *ws, const char *path, size_t *imported))
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_workspace *ws;
	size_t n = 0;
	const char *file;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, help);
		return cb_cli_bad_option(cli, help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, help, "give one FILE ('-' for stdin)");
	file = argv[optind];
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (import(ws, file, &n) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_done(cli, json_pack("{s:s, s:I}", "file", file, "imported", (json_int_t)n),
			   "imported %zu %s from %s", n, what,
			   strcmp(file, "-") == 0 ? "<stdin>" : file);
}

int cb_cli_list(cb_cli *cli, int argc, char **argv, const char *help,
		int (*fill)(cb_workspace *ws, json_t *rows))
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_workspace *ws;
	json_t *rows;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, help);
		return cb_cli_bad_option(cli, help, argc, argv);
	}
	if (optind < argc)
		return cb_cli_usage(cli, help, "%s takes no arguments", cli->command);
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	rows = json_array();
	if (!rows || fill(ws, rows) < 0) {
		json_decref(rows);
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_emit(cli, rows);
}
