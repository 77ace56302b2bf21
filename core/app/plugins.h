/*
 * Which plugins a command sees: the built-in ones, then the workspace's
 * plugins/, then an extra folder (--plugins DIR), in that order, each
 * folder in byte order of file names.
 */
#ifndef CB_APP_PLUGINS_H
#define CB_APP_PLUGINS_H

#include "plugin/host.h"

typedef struct cb_plugin_options {
	const char *workspace_dir; /* the workspace's plugins/, or NULL */
	const char *extra_dir;     /* --plugins DIR, or NULL */
	cb_plugin_limits limits;   /* zero fields: defaults */
	cb_plugin_log_fn log;      /* where plugins' log lines go; NULL: stderr */
	void *log_ctx;
	/* Told about each plugin that failed to load (may be NULL). */
	void (*failed)(const cb_plugin *p, void *ctx);
	void *failed_ctx;
} cb_plugin_options;

/* Makes a host and loads every plugin folder in order. Plugins that fail
 * are recorded as failed, not fatal; a missing extra folder is an error.
 * Caller frees with cb_plugin_host_free. */
int cb_app_plugins_open(const cb_plugin_options *o, cb_plugin_host **out);

/* Reads limits from $CASEBOOK_LUA_INSTRUCTIONS and $CASEBOOK_LUA_MEMORY_MB
 * into `limits` (fields the environment does not set are left alone).
 * Returns 0 or CB_EINVALID for a value that is not a positive number. */
int cb_app_plugins_limits_from_env(cb_plugin_limits *limits);

#endif
