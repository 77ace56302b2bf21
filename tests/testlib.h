/*
 * Helpers shared by the Check suites: temporary folders, running the real
 * casebook binary (and the sqlite3 and git CLIs) the way a user would, and
 * reading what they left behind.
 */
#ifndef CB_TESTLIB_H
#define CB_TESTLIB_H

#include <check.h>
#include <jansson.h>

typedef struct cbt_run {
	int status; /* exit code, or 128 + signal */
	char *out;  /* everything written to stdout */
	char *err;  /* everything written to stderr */
} cbt_run;

/* A new empty folder under $TMPDIR (or /tmp). Caller frees the string and
 * removes the folder with cbt_rmrf. */
char *cbt_tempdir(void);
void cbt_rmrf(const char *dir);

/* A temporary folder holding a fresh workspace made by `casebook init`. */
char *cbt_workspace(void);

/* Runs the casebook binary with `-C ws` (when ws is non-NULL) and the
 * NULL-terminated arguments; `input` (may be NULL) is its stdin. */
void cbt_casebook(cbt_run *r, const char *ws, const char *input, ...);
/* The same with the arguments in a NULL-terminated array. */
void cbt_casebookv(cbt_run *r, const char *ws, const char *input, const char *const *args);
void cbt_run_free(cbt_run *r);

/* Runs `sh -c` on the formatted command; returns its stdout (caller frees)
 * and stores its exit code in *status when status is non-NULL. */
char *cbt_sh(int *status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The database of workspace `ws` as `sqlite3 .dump` prints it: compare two
 * dumps to prove that a failed command changed nothing. Caller frees. */
char *cbt_db_dump(const char *ws);

/* The KPI `key` of an impact's --json (its "kpis" list); fails the test
 * when there is none. Borrowed. */
json_t *cbt_kpi_of(json_t *impact, const char *key);

/* The number at o.a (or o.a.b); fails the test when it is not one. */
double cbt_num(json_t *o, const char *a, const char *b);

/* The whole file at `path`, NUL-terminated (caller frees); fails the test
 * when it cannot be read. */
char *cbt_slurp(const char *path);

/* Writes `text` to dir/name; returns the full path (caller frees). */
char *cbt_write(const char *dir, const char *name, const char *text);

/* Runs the suite with Check's normal output (its summary line is what CI
 * reads) and returns the process exit code. */
int cbt_main(Suite *s);

/* True when `haystack` contains `needle`. */
int cbt_has(const char *haystack, const char *needle);

/* A case's folder in a case-study repository, "SHARD/SLUG", as the git
 * CLI computes it (the first two hex digits of `git hash-object` of the
 * slug): an independent check of the layout. One of 8 static buffers. */
const char *cbt_case_dir(const char *slug);

#endif
