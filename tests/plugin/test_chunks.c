/* The compiled chunks the plugin host keeps between runs (plugin/chunks.c),
 * on real files and real Lua: a chunk is used again only for the very text
 * it was compiled from, only when it is whole, and only when nobody but
 * its owner may write it; entries unused for a month go; without a usable
 * cache folder plugins load as before; and `casebook kpi list` answers the
 * same from the cache. */
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "plugin/host.h"
#include "plugin/paths.h"
#include "testlib.h"

static char *dir, *plugins, *cache;

/* Two texts of the same length: an edit that keeps the size (and, below,
 * the modification time) must still be seen. */
static const char first_text[] =
	"casebook.api(1)\n"
	"casebook.measure { key = 'm', unit = 'count', min = 0, doc = 'd' }\n"
	"casebook.kpi { key = 'k', name = 'First', unit = 'count', better = 'higher',\n"
	"  doc = 'd', inputs = { 'm' }, compute = function(w) return #w.m end }\n";
static const char other_text[] =
	"casebook.api(1)\n"
	"casebook.measure { key = 'm', unit = 'count', min = 0, doc = 'd' }\n"
	"casebook.kpi { key = 'k', name = 'Other', unit = 'count', better = 'higher',\n"
	"  doc = 'd', inputs = { 'm' }, compute = function(w) return #w.m end }\n";

/* a/b. Caller frees. */
static char *join(const char *a, const char *b)
{
	size_t len = strlen(a) + strlen(b) + 2;
	char *out = malloc(len);

	ck_assert(out != NULL);
	snprintf(out, len, "%s/%s", a, b);
	return out;
}

static void setup(void)
{
	dir = cbt_tempdir();
	plugins = join(dir, "plugins");
	cache = join(dir, "cache/casebook/chunks");
	ck_assert_int_eq(mkdir(plugins, 0700), 0);
}

static void teardown(void)
{
	cbt_rmrf(dir);
	free(dir);
	free(plugins);
	free(cache);
}

/* The name of KPI k after loading the plugins folder through `cache_dir`;
 * the plugin's error when it failed. Caller frees. */
static char *kpi_name(const char *cache_dir)
{
	cb_plugin_host *h;
	const cb_kpi_def *k;
	char *name;

	ck_assert_int_eq(cb_plugin_host_new(NULL, &h), 0);
	ck_assert_int_eq(cb_plugin_host_set_chunk_cache(h, cache_dir), 0);
	ck_assert_int_eq(cb_plugin_host_load_dir(h, plugins, 0), 0);
	ck_assert_uint_eq(cb_plugin_count(h), 1);
	k = cb_plugin_kpi_find(h, "k");
	name = strdup(k ? k->name : cb_plugin_at(h, 0)->error);
	cb_plugin_host_free(h);
	return name;
}

/* The one entry of the cache folder. Caller frees. */
static char *entry(void)
{
	char *out = cbt_sh(NULL, "ls '%s'/*.luac 2>/dev/null", cache);
	char *nl = strchr(out, '\n');

	ck_assert_msg(cbt_has(out, ".luac") && nl && nl[1] == '\0', "want one entry in %s, got: %s",
		      cache, out);
	*nl = '\0';
	return out;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	ck_assert(f && buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Renames KPI k in the bytecode of the entry (First to Forge), its digest
 * made right again when `redigest`: an entry someone forged. */
static void forge(const char *path, int redigest)
{
	size_t len, header = strlen("casebook chunk 1\n") + 2 * SHA256_DIGEST_SIZE;
	char *buf = slurp(path, &len), *at = NULL;
	struct sha256_ctx c;

	for (size_t i = header; i + 5 <= len && !at; i++)
		if (memcmp(buf + i, "First", 5) == 0)
			at = buf + i;
	ck_assert_msg(at != NULL, "no KPI name in the entry");
	memcpy(at, "Forge", 5);
	if (redigest) {
		sha256_init(&c);
		sha256_update(&c, len - header, (const uint8_t *)buf + header);
		sha256_digest(&c, SHA256_DIGEST_SIZE,
			      (uint8_t *)buf + header - SHA256_DIGEST_SIZE);
	}
	spit(path, buf, len);
	free(buf);
}

START_TEST(a_chunk_is_kept_private_and_used_again)
{
	char *name, *path;
	struct stat before, after;

	free(cbt_write(plugins, "a.lua", first_text));
	name = kpi_name(cache);
	ck_assert_str_eq(name, "First");
	free(name);
	path = entry();
	ck_assert_int_eq(stat(path, &before), 0);
	ck_assert_int_eq(before.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(cache, &after), 0);
	ck_assert_int_eq(after.st_mode & 0777, 0700);

	/* Loaded from the entry: it is not written again. */
	name = kpi_name(cache);
	ck_assert_str_eq(name, "First");
	free(name);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert_uint_eq(after.st_ino, before.st_ino);
	free(path);
}
END_TEST

START_TEST(a_changed_text_is_compiled_again)
{
	char *name, *file;
	struct stat st;
	struct timespec times[2];

	file = cbt_write(plugins, "a.lua", first_text);
	name = kpi_name(cache);
	ck_assert_str_eq(name, "First");
	free(name);

	/* Same path, same size, same modification time: only the text says. */
	ck_assert_int_eq(stat(file, &st), 0);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	free(cbt_write(plugins, "a.lua", other_text));
	ck_assert_int_eq(utimensat(AT_FDCWD, file, times, 0), 0);
	name = kpi_name(cache);
	ck_assert_str_eq(name, "Other");
	free(name);
	/* And back. */
	free(cbt_write(plugins, "a.lua", first_text));
	name = kpi_name(cache);
	ck_assert_str_eq(name, "First");
	free(name);
	free(file);
}
END_TEST

START_TEST(a_damaged_or_writable_entry_is_not_used)
{
	char *name, *path;

	free(cbt_write(plugins, "a.lua", first_text));
	free(kpi_name(cache));
	path = entry();

	/* Bytecode changed under its digest: compiled from the text. */
	forge(path, 0);
	name = kpi_name(cache);
	ck_assert_str_eq(name, "First");
	free(name);

	/* An entry forged whole is trusted only as its owner's own file. */
	forge(path, 1);
	name = kpi_name(cache);
	ck_assert_str_eq(name, "Forge");
	free(name);
	ck_assert_int_eq(chmod(path, 0620), 0);
	name = kpi_name(cache);
	ck_assert_str_eq(name, "First");
	free(name);
	forge(path, 1); /* the entry written again just now */
	ck_assert_int_eq(chmod(path, 0602), 0);
	name = kpi_name(cache);
	ck_assert_str_eq(name, "First");
	free(name);
	free(path);
}
END_TEST

START_TEST(errors_name_the_same_line_from_the_cache)
{
	char *first, *again;

	free(cbt_write(plugins, "late.lua",
		       "casebook.api(1)\n"
		       "local t = {}\n"
		       "t.x.y = 1\n"));
	first = kpi_name(cache);
	ck_assert_msg(cbt_has(first, "late.lua:3:"), "%s", first);
	free(entry());
	again = kpi_name(cache);
	ck_assert_str_eq(again, first);
	free(first);
	free(again);

	/* A text that does not compile leaves no entry. */
	cbt_rmrf(cache);
	free(cbt_write(plugins, "late.lua", "casebook.api(1)\nlocal = 1\n"));
	first = kpi_name(cache);
	ck_assert_msg(cbt_has(first, "late.lua:2:"), "%s", first);
	free(first);
	first = cbt_sh(NULL, "ls '%s' 2>/dev/null | wc -l", cache);
	ck_assert_int_eq(atoi(first), 0);
	free(first);
}
END_TEST

START_TEST(without_a_usable_folder_plugins_load_as_before)
{
	char *name, *blocked;

	free(cbt_write(plugins, "a.lua", first_text));
	name = kpi_name(NULL);
	ck_assert_str_eq(name, "First");
	free(name);
	/* A folder that cannot be made (a file is in the way). */
	blocked = cbt_write(dir, "file", "not a folder\n");
	name = join(blocked, "chunks");
	free(blocked);
	blocked = name;
	name = kpi_name(blocked);
	ck_assert_str_eq(name, "First");
	free(name);
	name = kpi_name(blocked);
	ck_assert_str_eq(name, "First");
	free(name);
	free(blocked);
}
END_TEST

/* Sets the access and modification times of `path`, in days ago. */
static void age(const char *path, int atime_days, int mtime_days)
{
	struct timespec t[2];

	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[1] = t[0];
	t[0].tv_sec -= (time_t)atime_days * 24 * 3600;
	t[1].tv_sec -= (time_t)mtime_days * 24 * 3600;
	ck_assert_int_eq(utimensat(AT_FDCWD, path, t, 0), 0);
}

START_TEST(entries_unused_for_a_month_are_removed)
{
	char *path, *gone, *left, *other;
	cb_plugin_host *h;

	free(cbt_write(plugins, "a.lua", first_text));
	free(kpi_name(cache));
	path = entry();
	age(path, 0, 40); /* written long ago, read today: kept */
	gone = cbt_write(cache, "0123.luac", "an entry nobody read for 40 days\n");
	age(gone, 40, 40);
	left = cbt_write(cache, ".new-AbCdEf", "what a killed writer left\n");
	age(left, 2, 2);

	/* Another plugin's entry is written: the folder is pruned. */
	other = join(dir, "other");
	ck_assert_int_eq(mkdir(other, 0700), 0);
	free(cbt_write(other, "b.lua", other_text));
	ck_assert_int_eq(cb_plugin_host_new(NULL, &h), 0);
	ck_assert_int_eq(cb_plugin_host_set_chunk_cache(h, cache), 0);
	ck_assert_int_eq(cb_plugin_host_load_dir(h, other, 0), 0);
	ck_assert_ptr_nonnull(cb_plugin_kpi_find(h, "k"));
	cb_plugin_host_free(h);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_ne(access(gone, F_OK), 0);
	ck_assert_int_ne(access(left, F_OK), 0);
	free(other);
	free(path);
	free(gone);
	free(left);
}
END_TEST

START_TEST(the_folder_follows_xdg_then_home)
{
	char out[4096];

	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("HOME", "/h", 1);
	ck_assert_int_eq(cb_plugin_chunk_cache_dir(out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/x/cache/casebook/chunks");
	setenv("XDG_CACHE_HOME", "relative", 1);
	ck_assert_int_eq(cb_plugin_chunk_cache_dir(out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/h/.cache/casebook/chunks");
	unsetenv("XDG_CACHE_HOME");
	ck_assert_int_eq(cb_plugin_chunk_cache_dir(out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/h/.cache/casebook/chunks");
	unsetenv("HOME");
	ck_assert_int_eq(cb_plugin_chunk_cache_dir(out, sizeof(out)), CB_ENOTFOUND);
}
END_TEST

START_TEST(kpi_list_answers_the_same_from_the_cache)
{
	char *ws = cbt_workspace(), *xdg, *count;
	cbt_run first, again;

	xdg = join(dir, "xdg");
	setenv("XDG_CACHE_HOME", xdg, 1);
	cbt_casebook(&first, ws, NULL, "kpi", "list", "--json", NULL);
	ck_assert_msg(first.status == 0, "%s", first.err);
	count = cbt_sh(NULL, "ls '%s/casebook/chunks' | grep -c '[.]luac$'", xdg);
	ck_assert_msg(atoi(count) >= 7, "entries: %s", count);
	free(count);
	cbt_casebook(&again, ws, NULL, "kpi", "list", "--json", NULL);
	ck_assert_int_eq(again.status, 0);
	ck_assert_str_eq(again.out, first.out);
	ck_assert_str_eq(again.err, first.err);
	unsetenv("XDG_CACHE_HOME");
	cbt_run_free(&first);
	cbt_run_free(&again);
	cbt_rmrf(ws);
	free(ws);
	free(xdg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plugin chunks");
	TCase *tc = tcase_create("chunks");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_chunk_is_kept_private_and_used_again);
	tcase_add_test(tc, a_changed_text_is_compiled_again);
	tcase_add_test(tc, a_damaged_or_writable_entry_is_not_used);
	tcase_add_test(tc, errors_name_the_same_line_from_the_cache);
	tcase_add_test(tc, without_a_usable_folder_plugins_load_as_before);
	tcase_add_test(tc, entries_unused_for_a_month_are_removed);
	tcase_add_test(tc, the_folder_follows_xdg_then_home);
	tcase_add_test(tc, kpi_list_answers_the_same_from_the_cache);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
