/* The options `casebook impact` and `casebook report` share: --window and
 * --lag as days, --control, and the retired --resamples and --seed. */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/impact.h"
#include "base/error.h"

/* "90", "90d", "13w" -> days. */
int cb_cli_parse_days(const char *what, const char *text, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (end == text || errno)
		return cb_error_set(CB_EINVALID, "%s: '%s' is not a number of days", what, text);
	if (*end == 'w' && !end[1])
		v *= 7;
	else if (!(*end == 'd' && !end[1]) && *end)
		return cb_error_set(CB_EINVALID, "%s: '%s': write days as 90 or 90d, weeks as 13w", what,
				    text);
	if (v < min || v > max)
		return cb_error_set(CB_EINVALID, "%s: %ld days is out of range %d..%d", what, v, min, max);
	*out = (int)v;
	return 0;
}

int cb_cli_parse_control(const char *text, int *mode, char **copy, char ***list, size_t *n)
{
	char *save = NULL, *tok;

	if (strcmp(text, "auto") == 0 || strcmp(text, "never") == 0) {
		*mode = CB_CONTROL_AUTO;
		return 0;
	}
	if (strcmp(text, "not-yet") == 0) {
		*mode = CB_CONTROL_NOT_YET;
		return 0;
	}
	if (strcmp(text, "none") == 0) {
		*mode = CB_CONTROL_NONE;
		return 0;
	}
	*mode = CB_CONTROL_NAMED;
	free(*copy);
	free(*list);
	*copy = strdup(text);
	*list = calloc(strlen(text) + 1, sizeof(char *));
	*n = 0;
	if (!*copy || !*list)
		return cb_error_set(CB_ENOMEM, "out of memory");
	for (tok = strtok_r(*copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		(*list)[(*n)++] = tok;
	if (!*n)
		return cb_error_set(CB_EUSAGE, "--control: name the control accounts");
	return 0;
}

int cb_cli_retired_option(const char *name)
{
	return cb_error_set(CB_EUSAGE,
			    "%s is no longer needed: intervals are now computed by formula (%s), "
			    "the same every run",
			    name, CB_ANALYSIS_METHOD);
}
