/* The test helpers: real processes, real files, nothing mocked. */
#include "testlib.h"

#include <ftw.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


static char *slurp_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *p = malloc(cap);
	ssize_t n;

	ck_assert_ptr_nonnull(p);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, p + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2) {
			cap *= 2;
			p = realloc(p, cap);
			ck_assert_ptr_nonnull(p);
		}
	}
	p[len] = '\0';
	return p;
}

char *cbt_tempdir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path = malloc(4096);

	ck_assert_ptr_nonnull(path);
	snprintf(path, 4096, "%s/casebook-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(path));
	return path;
}

static int rm_entry(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	chmod(path, 0700);
	remove(path);
	return 0;
}

void cbt_rmrf(const char *dir)
{
	if (dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *cbt_workspace(void)
{
	char *dir = cbt_tempdir();
	cbt_run r;

	cbt_casebook(&r, NULL, NULL, "init", dir, NULL);
	ck_assert_msg(r.status == 0, "casebook init failed: %s", r.err);
	cbt_run_free(&r);
	return dir;
}

void cbt_casebook(cbt_run *r, const char *ws, const char *input, ...)
{
	const char *args[128];
	size_t n = 0;
	va_list ap;

	va_start(ap, input);
	for (const char *a; (a = va_arg(ap, const char *)) && n < 127;)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	cbt_casebookv(r, ws, input, args);
}

void cbt_casebookv(cbt_run *r, const char *ws, const char *input, const char *const *args)
{
	const char *argv[128];
	int argc = 0, in_fd, out_fd, err_fd, status;
	char in_path[] = "/tmp/cbt-in-XXXXXX", out_path[] = "/tmp/cbt-out-XXXXXX",
	     err_path[] = "/tmp/cbt-err-XXXXXX";
	pid_t pid;

	argv[argc++] = CASEBOOK_BINARY;
	if (ws) {
		argv[argc++] = "-C";
		argv[argc++] = ws;
	}
	for (size_t i = 0; args[i] && argc < 127; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;

	in_fd = mkstemp(in_path);
	out_fd = mkstemp(out_path);
	err_fd = mkstemp(err_path);
	ck_assert(in_fd >= 0 && out_fd >= 0 && err_fd >= 0);
	unlink(in_path), unlink(out_path), unlink(err_path);
	if (input) {
		size_t len = strlen(input);

		ck_assert_int_eq(write(in_fd, input, len), (ssize_t)len);
		lseek(in_fd, 0, SEEK_SET);
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(in_fd, 0), dup2(out_fd, 1), dup2(err_fd, 2);
		unsetenv("CASEBOOK_DIR");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->out = slurp_fd(out_fd);
	r->err = slurp_fd(err_fd);
	close(in_fd), close(out_fd), close(err_fd);
	/* Under the sanitizers, any report from the child fails the test. */
	ck_assert_msg(!strstr(r->err, "AddressSanitizer") &&
			      !strstr(r->err, "LeakSanitizer") &&
			      !strstr(r->err, "runtime error:"),
		      "sanitizer report from casebook %s: %s", argc > 3 ? argv[3] : "", r->err);
}

void cbt_run_free(cbt_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

char *cbt_sh(int *status, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	FILE *p;
	char *out;
	int st, fd;
	char path[] = "/tmp/cbt-sh-XXXXXX";

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	fflush(NULL);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	{
		char chunk[4096];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
			ck_assert_int_eq(write(fd, chunk, n), (ssize_t)n);
	}
	st = pclose(p);
	out = slurp_fd(fd);
	close(fd);
	if (status)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	return out;
}

char *cbt_db_dump(const char *ws)
{
	int status;
	char *dump = cbt_sh(&status, "sqlite3 -readonly -cmd '.timeout 10000' '%s/casebook.db' .dump", ws);

	ck_assert_msg(status == 0, "sqlite3 .dump failed on %s", ws);
	return dump;
}

json_t *cbt_kpi_of(json_t *impact, const char *key)
{
	size_t i;
	json_t *k;

	json_array_foreach(json_object_get(impact, "kpis"), i, k)
		if (strcmp(json_string_value(json_object_get(k, "kpi")), key) == 0)
			return k;
	ck_abort_msg("no KPI %s in the impact", key);
	return NULL;
}

double cbt_num(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	if (b)
		v = json_object_get(v, b);
	ck_assert_msg(json_is_number(v), "%s.%s is not a number", a, b ? b : "");
	return json_number_value(v);
}

char *cbt_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

char *cbt_write(const char *dir, const char *name, const char *text)
{
	char *path = malloc(4096);
	FILE *f;

	ck_assert_ptr_nonnull(path);
	snprintf(path, 4096, "%s/%s", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fwrite(text, 1, strlen(text), f);
	fclose(f);
	return path;
}

int cbt_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cbt_has(const char *haystack, const char *needle)
{
	return haystack && needle && strstr(haystack, needle) != NULL;
}

const char *cbt_case_dir(const char *slug)
{
	static char bufs[8][128];
	static int next;
	char *b = bufs[next++ % 8];
	int st = -1;
	char *out = cbt_sh(&st, "printf %%s '%s' | git hash-object --stdin | cut -c1-2 | tr -d '\\n'",
			   slug);

	ck_assert_msg(st == 0 && strlen(out) == 2, "git hash-object: %s", out);
	snprintf(b, sizeof(bufs[0]), "%s/%s", out, slug);
	free(out);
	return b;
}
