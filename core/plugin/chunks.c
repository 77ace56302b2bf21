/*
 * Compiled plugin chunks kept between runs. Compiling the built-in plugins
 * was a fifth of what `casebook kpi list` spent; a chunk compiled once is kept
 * as Lua bytecode in the user's cache folder, one file per plugin path, and
 * is used again only when it was compiled from the very same text (SHA-256
 * of the Lua release, the chunk name and the text), when it was written by
 * this user and nobody else may write it, and when its bytecode is whole
 * (its own SHA-256). Anything else is compiled from the text as before: the
 * cache is a courtesy, and never the cause of an error.
 *
 * The bytecode is never stripped, so that a plugin's errors name the same
 * lines whichever way it was loaded. Plugins themselves still cannot load
 * bytecode (sandbox.c); only the host reads these files. Entries neither
 * read nor written for ENTRY_KEEP_DAYS (those of plugins since moved or
 * deleted) are removed whenever an entry is written, and so are files a
 * writer killed half-way left a day ago.
 */
#include "plugin/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"

/* An entry: this line, the key of the text it was compiled from, the
 * SHA-256 of the bytecode, then the bytecode. */
#define ENTRY_MAGIC "casebook chunk 1\n"
#define ENTRY_MAGIC_LEN (sizeof(ENTRY_MAGIC) - 1)
#define ENTRY_HEADER (ENTRY_MAGIC_LEN + 2 * SHA256_DIGEST_SIZE)
#define ENTRY_MAX (8 << 20) /* bytes; plugin files are at most 1 MiB */
#define ENTRY_KEEP_DAYS 30

typedef uint8_t digest[SHA256_DIGEST_SIZE];

static void sha256_of(const void *data, size_t len, digest out)
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, len, data);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

/* What the bytecode depends on: the compiler (the Lua release), the chunk
 * name it records for messages, and the text. */
static void source_key(const char *chunkname, const char *text, size_t len, digest out)
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, sizeof(LUA_RELEASE), (const uint8_t *)LUA_RELEASE);
	sha256_update(&c, strlen(chunkname) + 1, (const uint8_t *)chunkname);
	sha256_update(&c, len, (const uint8_t *)text);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

/* DIR/HEX.luac, HEX the SHA-256 of the chunk name: a plugin's new text
 * replaces its old entry instead of adding one. */
static int entry_path(const char *dir, const char *chunkname, char *out, size_t outlen)
{
	static const char digits[] = "0123456789abcdef";
	digest d;
	char hex[2 * SHA256_DIGEST_SIZE + 1];

	sha256_of(chunkname, strlen(chunkname), d);
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * SHA256_DIGEST_SIZE] = '\0';
	return snprintf(out, outlen, "%s/%s.luac", dir, hex) < (int)outlen ? 0 : -1;
}

/* The bytecode of the entry at `path` when it holds `key`, is this user's
 * own and whole; NULL otherwise. Caller frees. */
static char *entry_read(const char *path, const digest key, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	digest d;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || st.st_size <= (off_t)ENTRY_HEADER ||
	    st.st_size > ENTRY_MAX || !(buf = malloc((size_t)st.st_size)))
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		got += (size_t)n;
	}
	if (memcmp(buf, ENTRY_MAGIC, ENTRY_MAGIC_LEN) != 0 ||
	    memcmp(buf + ENTRY_MAGIC_LEN, key, SHA256_DIGEST_SIZE) != 0)
		goto fail;
	sha256_of(buf + ENTRY_HEADER, got - ENTRY_HEADER, d);
	if (memcmp(buf + ENTRY_MAGIC_LEN + SHA256_DIGEST_SIZE, d, SHA256_DIGEST_SIZE) != 0)
		goto fail;
	close(fd);
	memmove(buf, buf + ENTRY_HEADER, got - ENTRY_HEADER);
	*len = got - ENTRY_HEADER;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* Makes `dir` and its missing parents, private to this user. */
static int make_dirs(const char *dir)
{
	char tmp[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, dir, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* Removes the entries of `dir` unused for ENTRY_KEEP_DAYS, and what a
 * killed writer left. The access time says when an entry was last read
 * (with relatime, the default, to within a day); where the file system
 * keeps none, a chunk in use is only compiled again once a month. */
static void prune(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	time_t old = time(NULL) - (time_t)ENTRY_KEEP_DAYS * 24 * 3600;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		int entry = len > 5 && strcmp(e->d_name + len - 5, ".luac") == 0;
		int left = strncmp(e->d_name, ".new-", 5) == 0; /* entry_write's */
		struct stat st;

		if ((!entry && !left) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if ((entry && st.st_atime < old && st.st_mtime < old) ||
		    (left && st.st_mtime < time(NULL) - 24 * 3600))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* Writes the entry whole or not at all: another casebook may be reading
 * it, or writing it too. */
static void entry_write(const char *dir, const char *path, const digest key, const cb_buf *code)
{
	char tmp[4200];
	cb_buf b = CB_BUF_INIT;
	digest d;
	int fd;
	size_t done = 0;

	if (make_dirs(dir) < 0 || snprintf(tmp, sizeof(tmp), "%s/.new-XXXXXX", dir) >= (int)sizeof(tmp))
		return;
	sha256_of(code->ptr, code->len, d);
	if (cb_buf_append(&b, ENTRY_MAGIC, ENTRY_MAGIC_LEN) < 0 ||
	    cb_buf_append(&b, key, SHA256_DIGEST_SIZE) < 0 ||
	    cb_buf_append(&b, d, SHA256_DIGEST_SIZE) < 0 ||
	    cb_buf_append(&b, code->ptr, code->len) < 0 || (fd = mkstemp(tmp)) < 0) {
		cb_buf_free(&b);
		return;
	}
	while (done < b.len) {
		ssize_t n = write(fd, b.ptr + done, b.len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (close(fd) != 0 || done < b.len || rename(tmp, path) != 0)
		unlink(tmp);
	cb_buf_free(&b);
	prune(dir);
}

static int dump_writer(lua_State *L, const void *p, size_t size, void *ud)
{
	(void)L;
	return cb_buf_append(ud, p, size) < 0;
}

int cb_plugin_chunk_load(lua_State *L, const char *dir, const char *text, size_t len,
			 const char *chunkname)
{
	char path[4200];
	digest key;
	char *code;
	size_t n;
	int status;

	if (!dir || entry_path(dir, chunkname, path, sizeof(path)) < 0)
		return luaL_loadbufferx(L, text, len, chunkname, "t");
	source_key(chunkname, text, len, key);
	if ((code = entry_read(path, key, &n))) {
		status = luaL_loadbufferx(L, code, n, chunkname, "b");
		free(code);
		if (status == LUA_OK)
			return LUA_OK;
		lua_pop(L, 1); /* bytecode of another Lua: compiled again below */
	}
	status = luaL_loadbufferx(L, text, len, chunkname, "t");
	if (status == LUA_OK) {
		cb_buf b = CB_BUF_INIT;

		if (lua_dump(L, dump_writer, &b, 0) == 0 && b.len)
			entry_write(dir, path, key, &b);
		cb_buf_free(&b);
	}
	return status;
}
