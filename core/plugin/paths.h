/*
 * Where the built-in plugins live. The same binary runs from the build tree
 * (plugins/ of the source tree) and installed (PREFIX/share/casebook/plugins,
 * found relative to the executable so that an installed tree can move).
 */
#ifndef CB_PLUGIN_PATHS_H
#define CB_PLUGIN_PATHS_H

#include <stddef.h>

/* Writes the folder of the built-in plugins into out (outlen bytes), in this
 * order: $CASEBOOK_BUILTIN_PLUGINS when set; ../share/casebook/plugins next
 * to the running executable when it exists; the source tree's plugins/ when
 * it exists; the install prefix's folder. Returns 0, or CB_ENOTFOUND
 * when none of them exists (out then holds the source-tree path). */
int cb_plugin_builtin_dir(char *out, size_t outlen);

/* Writes the folder for compiled plugins into out: casebook/chunks under
 * $XDG_CACHE_HOME, or under $HOME/.cache when that is not set (either
 * must be an absolute path). Returns 0, or CB_ENOTFOUND when neither is
 * set. */
int cb_plugin_chunk_cache_dir(char *out, size_t outlen);

#endif
