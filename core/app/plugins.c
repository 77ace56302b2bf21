/* Loading the plugin folders a command sees, in their fixed order. */
#include "app/plugins.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/error.h"
#include "plugin/paths.h"

static int env_number(const char *name, unsigned long long max, unsigned long long *out)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*end || errno || n == 0 || n > max || v[0] == '-')
		return cb_error_set(CB_EINVALID, "%s=%s: want a whole number from 1 to %llu", name,
				    v, max);
	*out = n;
	return 1;
}

int cb_app_plugins_limits_from_env(cb_plugin_limits *limits)
{
	unsigned long long n = 0;
	int rc;

	if ((rc = env_number("CASEBOOK_LUA_INSTRUCTIONS", 1ULL << 40, &n)) < 0)
		return rc;
	if (rc)
		limits->instructions = (unsigned long)n;
	if ((rc = env_number("CASEBOOK_LUA_MEMORY_MB", 1ULL << 16, &n)) < 0)
		return rc;
	if (rc)
		limits->memory = (size_t)n << 20;
	return 0;
}

/* Whether two paths name one folder (a workspace made inside the source
 * tree must not load the built-in plugins twice). */
static int same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

int cb_app_plugins_open(const cb_plugin_options *o, cb_plugin_host **out)
{
	cb_plugin_host *h;
	char builtin[4096], cache[4096];
	int rc;

	*out = NULL;
	if ((rc = cb_plugin_host_new(&o->limits, &h)) < 0)
		return rc;
	if (o->log)
		cb_plugin_host_set_log(h, o->log, o->log_ctx);
	/* Compiled plugins are kept for the next command (plugin/chunks.c);
	 * without a cache folder they are compiled every time. */
	if (cb_plugin_chunk_cache_dir(cache, sizeof(cache)) == 0 &&
	    (rc = cb_plugin_host_set_chunk_cache(h, cache)) < 0)
		goto fail;
	if (cb_plugin_builtin_dir(builtin, sizeof(builtin)) == 0 &&
	    (rc = cb_plugin_host_load_dir(h, builtin, 1)) < 0)
		goto fail;
	if (o->workspace_dir && !same_dir(o->workspace_dir, builtin) &&
	    (rc = cb_plugin_host_load_dir(h, o->workspace_dir, 1)) < 0)
		goto fail;
	if (o->extra_dir && (rc = cb_plugin_host_load_dir(h, o->extra_dir, 0)) < 0)
		goto fail;
	cb_plugin_host_finish(h);
	if (o->failed)
		for (size_t i = 0; i < cb_plugin_count(h); i++)
			if (cb_plugin_at(h, i)->status != CB_PLUGIN_LOADED)
				o->failed(cb_plugin_at(h, i), o->failed_ctx);
	*out = h;
	return 0;
fail:
	cb_plugin_host_free(h);
	return rc;
}
