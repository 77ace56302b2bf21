/* Running plugin test fixtures: each case is one compute call checked
 * against the value worked out by hand. */
#include "plugin/fixture.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/error.h"

#define FIXTURE_SERIES_MAX 1000000

char *cb_plugin_fixture_path(const char *plugin_path)
{
	size_t len = strlen(plugin_path);
	cb_buf b = CB_BUF_INIT;

	if (len > 4 && strcmp(plugin_path + len - 4, ".lua") == 0)
		len -= 4;
	if (cb_buf_append(&b, plugin_path, len) < 0 || cb_buf_puts(&b, ".test.json") < 0) {
		cb_buf_free(&b);
		return NULL;
	}
	return cb_buf_detach(&b);
}

static json_t *load_fixture(const char *path)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

	if (!root) {
		struct stat st;

		/* jansson gives line -1 when it could not read the file at all */
		if (stat(path, &st) != 0)
			cb_error_set(errno == ENOENT ? CB_ENOTFOUND : CB_EIO, "%s: %s", path,
				     errno == ENOENT ? "not found" : strerror(errno));
		else if (jerr.line < 1)
			cb_error_set(CB_EIO, "%s: %s", path, jerr.text);
		else
			cb_error_set(CB_EINVALID, "%s:%d:%d: %s", path, jerr.line, jerr.column,
				     jerr.text);
		return NULL;
	}
	if (!json_is_array(json_object_get(root, "cases"))) {
		cb_error_set(CB_EINVALID, "%s: a fixture is an object with a \"cases\" list", path);
		json_decref(root);
		return NULL;
	}
	return root;
}

int cb_plugin_fixture_covers(const char *path, const char *kpi)
{
	json_t *root = load_fixture(path), *c;
	size_t i;
	int yes = 0;

	if (!root)
		return 0;
	json_array_foreach(json_object_get(root, "cases"), i, c) {
		const char *k = json_string_value(json_object_get(c, "kpi"));

		if (k && strcmp(k, kpi) == 0)
			yes = 1;
	}
	json_decref(root);
	return yes;
}

/* Builds the inputs of one case; returns 0 or a message in `why`. */
static int case_inputs(cb_plugin_host *h, const cb_kpi_def *k, const json_t *inputs,
		       cb_series *series, double **values, cb_buf *why)
{
	const char *key;
	json_t *arr;

	json_object_foreach((json_t *)inputs, key, arr) {
		size_t j;

		for (j = 0; j < k->ninputs; j++)
			if (strcmp(k->inputs[j], key) == 0)
				break;
		if (j == k->ninputs) {
			cb_buf_printf(why, "input '%s' is not an input of KPI %s", key, k->key);
			return -1;
		}
	}
	for (size_t j = 0; j < k->ninputs; j++) {
		const cb_measure_def *m = cb_plugin_measure_find(h, k->inputs[j]);
		json_t *item;
		size_t i, n;

		arr = json_object_get(inputs, k->inputs[j]);
		series[j] = (cb_series){NULL, NULL, 0};
		if (!arr)
			continue;
		if (!json_is_array(arr) || (n = json_array_size(arr)) > FIXTURE_SERIES_MAX) {
			cb_buf_printf(why, "input '%s' must be a list of numbers", k->inputs[j]);
			return -1;
		}
		values[j] = malloc((n ? n : 1) * sizeof(double));
		if (!values[j]) {
			cb_buf_puts(why, "out of memory");
			return -1;
		}
		json_array_foreach(arr, i, item) {
			if (!json_is_number(item)) {
				cb_buf_printf(why, "input '%s' item %zu is not a number", k->inputs[j],
					      i + 1);
				return -1;
			}
			values[j][i] = json_number_value(item);
			if (m && cb_plugin_measure_check(m, values[j][i]) < 0) {
				cb_buf_printf(why, "input '%s' item %zu: %s", k->inputs[j], i + 1,
					      cb_error_last());
				return -1;
			}
		}
		series[j] = (cb_series){values[j], NULL, n};
	}
	return 0;
}

static int run_case(cb_plugin_host *h, const json_t *c, cb_buf *detail)
{
	const char *kpi = json_string_value(json_object_get(c, "kpi"));
	const json_t *inputs = json_object_get(c, "inputs");
	const json_t *expect = json_object_get(c, "expect");
	const char *want_error = json_string_value(json_object_get(c, "error"));
	const char *want_reason = json_string_value(json_object_get(c, "reason"));
	const json_t *window = json_object_get(c, "window");
	const cb_kpi_def *k;
	cb_series *series = NULL;
	double **values = NULL, value = NAN;
	char *reason = NULL;
	int ok = 0, rc;

	if (!kpi || !json_is_object(inputs) || (!expect && !want_error)) {
		cb_buf_puts(detail, "a case needs \"kpi\", \"inputs\" and \"expect\" (or \"error\")");
		return 0;
	}
	k = cb_plugin_kpi_find(h, kpi);
	if (!k) {
		cb_buf_printf(detail, "no plugin declares KPI '%s'", kpi);
		return 0;
	}
	series = calloc(k->ninputs, sizeof(*series));
	values = calloc(k->ninputs, sizeof(*values));
	if (!series || !values) {
		cb_buf_puts(detail, "out of memory");
		goto done;
	}
	if (case_inputs(h, k, inputs, series, values, detail) < 0)
		goto done;
	{
		cb_window w = {json_string_value(json_object_get(window, "account")),
			       json_string_value(json_object_get(window, "from")),
			       json_string_value(json_object_get(window, "to")), series};

		rc = cb_plugin_kpi_compute(h, k, &w, &value, &reason);
	}
	if (want_error) {
		if (rc < 0 && strstr(cb_error_last(), want_error)) {
			ok = 1;
			cb_buf_printf(detail, "failed as expected: %s", cb_error_last());
		} else if (rc < 0) {
			cb_buf_printf(detail, "failed with '%s', expected an error containing '%s'",
				      cb_error_last(), want_error);
		} else {
			cb_buf_printf(detail, "expected an error containing '%s', got %s", want_error,
				      rc == 1 ? "nil" : "a value");
		}
	} else if (rc < 0) {
		cb_buf_printf(detail, "failed: %s", cb_error_last());
	} else if (json_is_null(expect)) {
		if (rc != 1)
			cb_buf_printf(detail, "expected nil, got %.10g", value);
		else if (want_reason && !strstr(reason, want_reason))
			cb_buf_printf(detail, "nil with reason '%s', expected one containing '%s'",
				      reason, want_reason);
		else {
			ok = 1;
			cb_buf_printf(detail, "nil (%s)", reason);
		}
	} else if (json_is_number(expect)) {
		double want = json_number_value(expect);
		const json_t *tol = json_object_get(c, "tolerance");
		double t = json_is_number(tol) ? json_number_value(tol) : 1e-9 * fmax(1, fabs(want));

		if (rc == 1)
			cb_buf_printf(detail, "expected %.10g, got nil (%s)", want, reason);
		else if (fabs(value - want) > t)
			cb_buf_printf(detail, "expected %.10g (±%g), got %.10g", want, t, value);
		else {
			ok = 1;
			cb_buf_printf(detail, "%.10g", value);
		}
	} else {
		cb_buf_puts(detail, "\"expect\" must be a number or null");
	}
done:
	free(reason);
	if (values)
		for (size_t j = 0; j < k->ninputs; j++)
			free(values[j]);
	free(values);
	free(series);
	return ok;
}

int cb_plugin_fixture_run(cb_plugin_host *h, const char *path, cb_fixture_report_fn report,
			  void *ctx, size_t *passed, size_t *failed)
{
	json_t *root = load_fixture(path), *c;
	size_t i;

	if (!root)
		return CB_EINVALID;
	json_array_foreach(json_object_get(root, "cases"), i, c) {
		cb_buf detail = CB_BUF_INIT;
		const char *name = json_string_value(json_object_get(c, "name"));
		char fallback[32];
		int ok;

		snprintf(fallback, sizeof(fallback), "case %zu", i + 1);
		ok = json_is_object(c) && run_case(h, c, &detail);
		if (!json_is_object(c))
			cb_buf_puts(&detail, "a case must be an object");
		if (ok)
			(*passed)++;
		else
			(*failed)++;
		if (report)
			report(path, name ? name : fallback,
			       json_string_value(json_object_get(c, "kpi")), ok, cb_buf_cstr(&detail),
			       ctx);
		cb_buf_free(&detail);
	}
	json_decref(root);
	return 0;
}
