/* libgit2 through dlopen: see git.h. */
#define CB_GIT_SHIM
#include "repo/git.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"

#define CB_GIT_DEFINE(f) __typeof__(f) *cb_git_##f;
CB_GIT_FUNCTIONS(CB_GIT_DEFINE)
#undef CB_GIT_DEFINE

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static char failure[512];

static void load(void)
{
	void *lib = dlopen(CB_LIBGIT2_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		snprintf(failure, sizeof(failure), "cannot load libgit2 (%s): %s", CB_LIBGIT2_SONAME,
			 dlerror());
		return;
	}
	/* POSIX: a data pointer read as a function pointer, through memcpy
	 * so that no cast between the two kinds is written. */
#define CB_GIT_RESOLVE(f)                                                                      \
	{                                                                                      \
		void *sym = dlsym(lib, #f);                                                    \
		if (!sym) {                                                                    \
			snprintf(failure, sizeof(failure), "%s has no function %s",            \
				 CB_LIBGIT2_SONAME, #f);                                       \
			return;                                                                \
		}                                                                              \
		memcpy(&cb_git_##f, &sym, sizeof(sym));                                        \
	}
	CB_GIT_FUNCTIONS(CB_GIT_RESOLVE)
#undef CB_GIT_RESOLVE
	loaded = 1;
}

int cb_git_load(void)
{
	pthread_once(&once, load);
	if (!loaded)
		return cb_error_set(CB_ERROR, "%s", failure);
	return 0;
}

int cb_git_loaded(void)
{
	return loaded;
}
