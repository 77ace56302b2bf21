/*
 * casebook report: one self-contained, offline HTML file (or Markdown) that
 * shows a session's, a program's or an account's training impact with
 * charts. This file reads the command line, has app/ gather the report,
 * has view/report.h render it (the renderer the server shares) and
 * replaces the file atomically; --json says what it wrote.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/report.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "view/report.h"

static const char report_help[] =
	"usage: casebook report (--session S | --program P | --account A) --out FILE\n"
	"                       [--format html|md] [--window DAYS] [--lag DAYS]\n"
	"                       [--control auto|not-yet|none|ACCOUNT,...] [--kpi K]...\n"
	"                       [--level 0.95] [--json]\n"
	"\n"
	"Writes a report of the training's impact to FILE: one self-contained HTML\n"
	"page (no network, no JavaScript; charts as inline SVG; prints cleanly), or\n"
	"with --format md (the default for a FILE ending in .md) the same content\n"
	"as Markdown tables. It holds, for each KPI with data, the exposed and\n"
	"control accounts before and after with intervals and the effect; KPI\n"
	"series by month with the training marked; for a program, the formats side\n"
	"by side; the Kirkpatrick levels; ROI; outcome attainment; case studies.\n"
	"\n"
	"The numbers are those of 'casebook impact --json' with the same options,\n"
	"shown with 2 decimals; the HTML embeds that JSON at full precision in\n"
	"<script type=\"application/json\" id=\"casebook-data\">. For --account the\n"
	"impact is that of the first session that reached the account.\n"
	"--window, --lag, --control, --kpi and --level work as for\n"
	"'casebook impact'. FILE is replaced whole or not at all.\n";

/* ---- Writing the file: checked first, replaced atomically. ---- */

static void parent_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Refuses what cannot be the report's file before any work is done. */
static int check_out(const char *path)
{
	char dir[4096];
	struct stat st;

	if (!*path)
		return cb_error_set(CB_EUSAGE, "--out needs a file name");
	if (path[strlen(path) - 1] == '/' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
		return cb_error_set(CB_EIO, "cannot write the report to %s: it is a folder; name a file in it",
				    path);
	parent_of(path, dir, sizeof(dir));
	if (stat(dir, &st) < 0)
		return cb_error_set(CB_EIO, "cannot write the report to %s: folder %s %s", path, dir,
				    errno == ENOENT ? "does not exist" : strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cb_error_set(CB_EIO, "cannot write the report to %s: %s is not a folder", path, dir);
	if (access(dir, W_OK) < 0)
		return cb_error_set(CB_EIO, "cannot write the report to %s: no permission to write in %s",
				    path, dir);
	return 0;
}

/* Writes data to a new file beside `path` and renames it over `path`: a
 * reader sees the old file or the new one, never half of one. */
static int write_atomic(const char *path, const char *data, size_t len)
{
	char dir[4096], tmp[4200];
	size_t done = 0;
	mode_t mask;
	int fd;

	parent_of(path, dir, sizeof(dir));
	snprintf(tmp, sizeof(tmp), "%s/.casebook-report-XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0)
		return cb_error_set(CB_EIO, "cannot write the report to %s: %s", path, strerror(errno));
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0)
		goto fail;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	return 0;
fail:
	{
		int e = errno;

		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return cb_error_set(CB_EIO, "cannot write the report to %s: %s", path, strerror(e));
	}
}

/* ---- The command. ---- */

typedef struct report_args {
	cb_report_request req;
	const char *out;
	int md, format_given;
	const char **kpis;
	size_t nkpis;
	char **controls;
	size_t ncontrols;
	char *control_copy;
} report_args;

static void args_free(report_args *a)
{
	free(a->kpis);
	free(a->controls);
	free(a->control_copy);
}

static int parse_args(cb_cli *cli, int argc, char **argv, report_args *a)
{
	static const struct option opts[] = {
		{"session", required_argument, NULL, 's'},   {"program", required_argument, NULL, 'p'},
		{"account", required_argument, NULL, 'a'},   {"out", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},    {"window", required_argument, NULL, 'w'},
		{"lag", required_argument, NULL, 'l'},       {"control", required_argument, NULL, 'c'},
		{"kpi", required_argument, NULL, 'k'},       {"resamples", required_argument, NULL, 'r'},
		{"seed", required_argument, NULL, 'S'},      {"level", required_argument, NULL, 'L'},
		CB_CLI_COMMON_OPTIONS,                       {0}};
	cb_analysis_options defaults = CB_ANALYSIS_OPTIONS_INIT;
	int c, subjects = 0;

	memset(a, 0, sizeof(*a));
	a->req.impact.lag_days = -1;
	a->req.impact.analysis = defaults;
	a->req.impact.control = CB_CONTROL_AUTO;
	a->kpis = calloc((size_t)argc, sizeof(char *));
	if (!a->kpis)
		return cb_error_set(CB_ENOMEM, "out of memory");
	while ((c = cb_cli_getopt(cli, argc, argv, "o:", opts)) != -1) {
		switch (c) {
		case 'h':
			return 1;
		case 's':
		case 'p':
		case 'a':
			subjects++;
			a->req.kind = c == 's' ? CB_REPORT_SESSION : c == 'p' ? CB_REPORT_PROGRAM : CB_REPORT_ACCOUNT;
			a->req.key = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "html") != 0 && strcmp(optarg, "md") != 0)
				return cb_error_set(CB_EUSAGE, "--format takes html or md, not '%s'", optarg);
			a->md = strcmp(optarg, "md") == 0;
			a->format_given = 1;
			break;
		case 'w':
			if (cb_cli_parse_days("--window", optarg, 1, CB_ANALYSIS_WINDOW_DAYS_MAX,
					      &a->req.impact.window_days) < 0)
				return CB_EUSAGE;
			break;
		case 'l':
			if (cb_cli_parse_days("--lag", optarg, 0, CB_ANALYSIS_LAG_DAYS_MAX,
					      &a->req.impact.lag_days) < 0)
				return CB_EUSAGE;
			break;
		case 'c': {
			int mode;

			if (cb_cli_parse_control(optarg, &mode, &a->control_copy, &a->controls,
						 &a->ncontrols) < 0)
				return cb_error_code();
			a->req.impact.control = (cb_control_mode)mode;
			break;
		}
		case 'k':
			a->kpis[a->nkpis++] = optarg;
			break;
		case 'r':
			return cb_cli_retired_option("--resamples");
		case 'S':
			return cb_cli_retired_option("--seed");
		case 'L':
			if (cb_cli_parse_double("--level", optarg, 0.5, 0.999,
						&a->req.impact.analysis.level) < 0)
				return CB_EUSAGE;
			break;
		default:
			return 2;
		}
	}
	if (optind < argc)
		return cb_error_set(CB_EUSAGE, "report takes no arguments besides its options ('%s')",
				    argv[optind]);
	if (subjects != 1)
		return cb_error_set(CB_EUSAGE, "name one subject: --session, --program or --account");
	if (!a->out)
		return cb_error_set(CB_EUSAGE, "name the file to write with --out FILE");
	if (!a->format_given) {
		size_t len = strlen(a->out);

		a->md = len > 3 && strcmp(a->out + len - 3, ".md") == 0;
	}
	if (a->nkpis) {
		a->req.impact.kpis = a->kpis;
		a->req.impact.nkpis = a->nkpis;
	}
	a->req.impact.controls = (const char *const *)a->controls;
	a->req.impact.ncontrols = a->ncontrols;
	return 0;
}

int cb_cli_report(cb_cli *cli, int argc, char **argv)
{
	report_args a;
	cb_workspace *ws = NULL;
	cb_report *rep = NULL;
	cb_buf page = CB_BUF_INIT;
	cb_view_report_options view = {0};
	size_t charts = 0;
	int rc;

	rc = parse_args(cli, argc, argv, &a);
	if (rc == 1) {
		args_free(&a);
		return cb_cli_help(cli, report_help);
	}
	if (rc == 2) {
		args_free(&a);
		return cb_cli_bad_option(cli, report_help, argc, argv);
	}
	if (rc < 0) {
		args_free(&a);
		return cb_cli_usage(cli, report_help, "%s", cb_error_last());
	}
	view.markdown = a.md;
	view.generated_on = cb_date_today();
	if (check_out(a.out) < 0 || cb_cli_open(cli, 1, &ws) < 0 ||
	    cb_app_report(ws, &a.req, &rep) < 0 ||
	    cb_view_report_render(&page, rep, &view, &charts) < 0 ||
	    write_atomic(a.out, cb_buf_cstr(&page), page.len) < 0) {
		rc = cb_cli_fail(cli);
	} else {
		rc = cb_cli_done(cli,
				 json_pack("{s:s, s:s, s:I, s:I}", "file", a.out, "format",
					   a.md ? "md" : "html", "charts", (json_int_t)charts, "bytes",
					   (json_int_t)page.len),
				 "wrote %s (%s, %zu chart%s, %zu bytes)", a.out, a.md ? "Markdown" : "HTML",
				 charts, charts == 1 ? "" : "s", page.len);
	}
	cb_buf_free(&page);
	cb_report_free(rep);
	if (ws)
		cb_workspace_close(ws);
	args_free(&a);
	return rc;
}
