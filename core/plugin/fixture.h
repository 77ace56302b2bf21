/*
 * Plugin test fixtures: JSON files (NAME.test.json beside NAME.lua) that
 * give a KPI input series and the value a hand calculation expects. The
 * format is documented in plugins/README.md:
 *
 *   { "cases": [ { "name": "...", "kpi": "nps",
 *                  "inputs": { "survey.recommend": [10, 9, 3] },
 *                  "expect": 33.333333, "tolerance": 1e-6 } ] }
 *
 * "expect": null means the KPI must return nil ("reason", when given, must
 * appear in its reason); "error": "text" means the call must fail with a
 * message containing text.
 */
#ifndef CB_PLUGIN_FIXTURE_H
#define CB_PLUGIN_FIXTURE_H

#include <stddef.h>

#include "plugin/host.h"

/* Called once per case: `passed`, and `detail` saying what was computed or
 * what went wrong. */
typedef void (*cb_fixture_report_fn)(const char *file, const char *name, const char *kpi,
				     int passed, const char *detail, void *ctx);

/* Runs every case of the fixture file at `path` against `h`, adding to
 * *passed and *failed. Returns 0, or CB_EINVALID when the file itself
 * cannot be read or is malformed (message with file, line and column). */
int cb_plugin_fixture_run(cb_plugin_host *h, const char *path, cb_fixture_report_fn report,
			  void *ctx, size_t *passed, size_t *failed);

/* The fixture path of a plugin file: "x/nps.lua" gives "x/nps.test.json".
 * Caller frees. */
char *cb_plugin_fixture_path(const char *plugin_path);

/* Whether the fixture at `path` has a case for `kpi`. */
int cb_plugin_fixture_covers(const char *path, const char *kpi);

#endif
