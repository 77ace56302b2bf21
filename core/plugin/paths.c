/* Finding the built-in plugins folder. */
#include "plugin/paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int cb_plugin_chunk_cache_dir(char *out, size_t outlen)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	/* The XDG base directory rules: a relative path is to be ignored. */
	if (xdg && xdg[0] == '/')
		n = snprintf(out, outlen, "%s/casebook/chunks", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, outlen, "%s/.cache/casebook/chunks", home);
	else
		return cb_error_set(CB_ENOTFOUND, "neither XDG_CACHE_HOME nor HOME is set");
	return n < (int)outlen ? 0 : cb_error_set(CB_EINVALID, "cache folder path too long");
}

int cb_plugin_builtin_dir(char *out, size_t outlen)
{
	const char *env = getenv("CASEBOOK_BUILTIN_PLUGINS");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(out, outlen, "%s", env);
		return is_dir(out) ? 0
				   : cb_error_set(CB_ENOTFOUND,
						  "CASEBOOK_BUILTIN_PLUGINS=%s is not a folder", env);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, outlen, "%s/../share/casebook/plugins", exe);
			if (is_dir(out)) {
				char *real = realpath(out, NULL);

				if (real) {
					snprintf(out, outlen, "%s", real);
					free(real);
				}
				return 0;
			}
		}
	}
	/* A build-tree binary uses the source tree's plugins, so that an
	 * older installed copy never shadows the code being worked on. */
	snprintf(out, outlen, "%s", CASEBOOK_SOURCE_PLUGIN_DIR);
	if (is_dir(out))
		return 0;
	snprintf(out, outlen, "%s", CASEBOOK_INSTALLED_PLUGIN_DIR);
	if (is_dir(out))
		return 0;
	return cb_error_set(CB_ENOTFOUND, "no built-in plugins folder found (looked for %s)",
			    out);
}
