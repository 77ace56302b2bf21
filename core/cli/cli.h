/*
 * The command line: global options, the noun table, option parsing shared
 * by every command, and the one place that prints errors and chooses exit
 * codes (0 ok, 1 failed, 2 bad usage). One file per noun (account.c,
 * person.c, ...), each exporting one cb_cli_<noun> entry point.
 */
#ifndef CB_CLI_CLI_H
#define CB_CLI_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "app/workspace.h"
#include "base/buf.h"
#include "plugin/host.h"
#include "base/error.h"
#include "format/output.h"

enum { CB_EXIT_OK = 0, CB_EXIT_FAILED = 1, CB_EXIT_USAGE = 2 };

typedef struct cb_cli {
	const char *workspace_dir; /* -C DIR, or NULL */
	const char *plugins_dir;   /* --plugins DIR, or NULL */
	cb_plugin_limits limits;   /* --lua-instructions, --lua-memory */
	cb_output_mode mode;       /* set by --json / --csv */
	const char *command;       /* "account add", for messages */
	FILE *out;
	FILE *err;
	char **argv; /* the whole command line, for casebook-serve */
	/* `serve` itself in casebook-serve; NULL in casebook, which runs
	 * casebook-serve instead (cb_cli_main_with). */
	int (*serve)(struct cb_cli *cli, int argc, char **argv);
} cb_cli;

/* A verb of a noun: `run` gets argv with argv[0] the verb itself. */
typedef struct cb_cli_verb {
	const char *name;
	int (*run)(cb_cli *cli, int argc, char **argv);
	const char *summary;
} cb_cli_verb;

/* The entry point of the executable. */
int cb_cli_main(int argc, char **argv);

/* The same, with `serve` running the server (casebook-serve). casebook
 * itself does not link the HTTP server and its TLS library, which cost
 * every other command's start-up more than a millisecond of loading:
 * `casebook serve` executes casebook-serve, found beside casebook, with
 * the same command line. */
int cb_cli_main_with(int argc, char **argv, int (*serve)(cb_cli *cli, int argc, char **argv));

/* Runs the verb named by argv[1] from `verbs` (NULL-terminated), or prints
 * the noun's help. `noun_help` is the text above the verb list. */
int cb_cli_dispatch(cb_cli *cli, const char *noun, const char *noun_help,
		    const cb_cli_verb *verbs, int argc, char **argv);

/* Options every command takes. Put CB_CLI_COMMON_OPTIONS at the end of a
 * struct option array (before the zero entry); cb_cli_common_option()
 * handles their codes. */
#define CB_CLI_OPT_HELP 'h'
#define CB_CLI_OPT_JSON 0x1001
#define CB_CLI_OPT_CSV 0x1002
#define CB_CLI_COMMON_OPTIONS                                                  \
	{"help", no_argument, NULL, CB_CLI_OPT_HELP},                          \
	{"json", no_argument, NULL, CB_CLI_OPT_JSON},                          \
	{"csv", no_argument, NULL, CB_CLI_OPT_CSV}

/* Parses one option with getopt_long (short options: "h" plus `shortopts`).
 * Returns the option code, -1 at the end, or handles --json/--csv itself
 * and moves on. Reset between commands is done by cb_cli_dispatch. */
int cb_cli_getopt(cb_cli *cli, int argc, char **argv, const char *shortopts,
		  const struct option *longopts);

/* Prints `help` (usage line first) to stdout; returns CB_EXIT_OK. */
int cb_cli_help(cb_cli *cli, const char *help);

/* Prints "casebook: error: MESSAGE" and the usage line of `help` to stderr,
 * returns CB_EXIT_USAGE. */
int cb_cli_usage(cb_cli *cli, const char *help, const char *fmt, ...)
	CB_PRINTF(3, 4);

/* Handles the result of getopt: for '?' and ':' prints the usage error. */
int cb_cli_bad_option(cb_cli *cli, const char *help, int argc, char **argv);

/* Prints cb_error_last() and returns the exit code for cb_error_code(). */
int cb_cli_fail(cb_cli *cli);

/* The plugin options of this command: limits from the environment and
 * the global options, --plugins DIR, log lines to stderr. */
int cb_cli_plugin_options(cb_cli *cli, cb_plugin_options *o);

/* Opens the workspace for this command. */
int cb_cli_open(cb_cli *cli, int readonly, cb_workspace **ws);

/* Loads the plugins this command sees: built-in, the workspace's (when
 * `ws_dir` is non-NULL), --plugins DIR; with the limits from the
 * environment and the global options. Plugins' log lines go to stderr. */
int cb_cli_plugins(cb_cli *cli, const char *ws_dir, cb_plugin_host **host);

/* The plugins folder of the workspace this command runs in, or NULL when
 * there is no workspace and none was named (-C, $CASEBOOK_DIR): commands
 * about plugins work outside workspaces too. Caller frees *dir. */
int cb_cli_workspace_plugins_dir(cb_cli *cli, char **dir);

/* cb_cli_plugins with the workspace's folder when there is a workspace. */
int cb_cli_plugins_here(cb_cli *cli, cb_plugin_host **host);

/* Renders `value` (stolen: decref'd here) in the command's output mode.
 * Returns an exit code. */
int cb_cli_emit(cb_cli *cli, json_t *value);

/* Prints a one-line confirmation ("added account acme") in text mode; in
 * JSON mode prints `value` instead. Steals `value` (may be NULL). */
int cb_cli_done(cb_cli *cli, json_t *value, const char *fmt, ...)
	CB_PRINTF(3, 4);

/* JSON helpers: a string or null. */
json_t *cb_cli_json_str(const char *s);

/* A number for JSON output: null when it is not finite (NaN means "none"
 * throughout Casebook), so that no infinity or NaN reaches JSON, which has
 * neither. */
json_t *cb_cli_json_number(double v);

/* Standard error with every control character a message may quote made
 * visible (cli/escape.c); stderr itself when the filter cannot be made.
 * One stream per process, closed (and flushed) at exit. */
FILE *cb_cli_escaping_stderr(void);

/* Parses a number option: finite, within [min, max]. `what` names the
 * option in the message. Returns 0 or CB_EUSAGE-style CB_EINVALID. */
int cb_cli_parse_double(const char *what, const char *text, double min,
			double max, double *out);
int cb_cli_parse_int(const char *what, const char *text, long min, long max,
		     long *out);

/* The body of a list verb with no options but the common ones: checks
 * that no argument is given, opens the workspace read-only, lets `fill`
 * append one JSON object per row to `rows`, and renders them. */
int cb_cli_list(cb_cli *cli, int argc, char **argv, const char *help,
		int (*fill)(cb_workspace *ws, json_t *rows));

/* The body of `NOUN import FILE`: parses the options, opens the workspace,
 * runs `import` (one of app/import.h's) and reports "imported N NOUNS". */
int cb_cli_import(cb_cli *cli, int argc, char **argv, const char *help, const char *nouns,
		  int (*import)(cb_workspace *ws, const char *path, size_t *imported));

/* Plugin registry rows, shared by plugin info, kpi and measure. */
json_t *cb_cli_kpi_json(const cb_kpi_def *k);
json_t *cb_cli_measure_json(const cb_measure_def *m);

/* The options impact and report share (impact_options.c). --window and
 * --lag: "90", "90d" or "13w" into days within [min, max], CB_EINVALID
 * naming `what`. */
int cb_cli_parse_days(const char *what, const char *text, int min, int max, int *out);
/* --control auto|never|not-yet|none|A,B,...: *mode (a cb_control_mode);
 * for a list, *copy holds the text cut at the commas and *list its *n
 * accounts (both the caller's to free, replaced on a second call). */
int cb_cli_parse_control(const char *text, int *mode, char **copy, char ***list, size_t *n);
/* The error for --resamples or --seed, which set a bootstrap impact no
 * longer draws: CB_EUSAGE saying why. */
int cb_cli_retired_option(const char *name);

/* The nouns. */
int cb_cli_init(cb_cli *cli, int argc, char **argv);
int cb_cli_account(cb_cli *cli, int argc, char **argv);
int cb_cli_person(cb_cli *cli, int argc, char **argv);
int cb_cli_cover(cb_cli *cli, int argc, char **argv);
int cb_cli_program(cb_cli *cli, int argc, char **argv);
int cb_cli_session(cb_cli *cli, int argc, char **argv);
int cb_cli_check(cb_cli *cli, int argc, char **argv);
int cb_cli_data(cb_cli *cli, int argc, char **argv);
int cb_cli_impact(cb_cli *cli, int argc, char **argv);
int cb_cli_report(cb_cli *cli, int argc, char **argv);
int cb_cli_serve(cb_cli *cli, int argc, char **argv);
int cb_cli_outcome(cb_cli *cli, int argc, char **argv);
int cb_cli_plugin(cb_cli *cli, int argc, char **argv);
int cb_cli_kpi(cb_cli *cli, int argc, char **argv);
int cb_cli_measure(cb_cli *cli, int argc, char **argv);
int cb_cli_export(cb_cli *cli, int argc, char **argv);
int cb_cli_case(cb_cli *cli, int argc, char **argv);
int cb_cli_reindex(cb_cli *cli, int argc, char **argv);

/* What a reindex left out as not valid: warnings on stderr, and the same
 * as a JSON array of messages. */
struct cb_case_reindex_result;
void cb_cli_warn_invalid_cases(cb_cli *cli, const struct cb_case_reindex_result *res);
json_t *cb_cli_invalid_cases_json(const struct cb_case_reindex_result *res);

#endif
