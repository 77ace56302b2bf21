/* SIGKILL at any moment of a case write (submit, a batch, revise, review,
 * sync) never wedges the workspace: after each kill the state is either
 * consistent or one `casebook check` names and `check --repair` plus
 * `reindex` mend, git fsck passes, and the next write works. The kills
 * land at delays spread over a write's whole length; with
 * CASEBOOK_TEST_CRASH_AFTER_COMMIT each write path is also cut exactly
 * between its git commit and its database commit. CBT_KILLS sets how many
 * random kills (default 40; scripts/bench runs 400). */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static char *ws;

static void must(const char *const *a)
{
	cbt_run r;

	cbt_casebookv(&r, ws, NULL, a);
	ck_assert_msg(r.status == 0, "casebook %s %s: %s", a[0], a[1], r.err);
	cbt_run_free(&r);
}

#define MUST(...) must((const char *const[]){__VA_ARGS__, NULL})

static void setup(void)
{
	ws = cbt_workspace();
	MUST("person", "add", "jo", "--name", "Jo Tech", "--role", "technician", "--email",
	     "jo@service.example");
	MUST("person", "add", "ana", "--name", "Ana Martin", "--role", "trainer");
	MUST("account", "add", "nordmill", "--name", "Nordmill");
	MUST("program", "add", "tco", "--name", "TCO");
	MUST("session", "record", "--program", "tco", "--title", "Spring", "--format", "blended",
	     "--start", "2025-02-10", "--end", "2025-02-11", "--trainer", "ana");
	MUST("cover", "jo", "nordmill", "--from", "2024-01-01");
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

/* A case document named NAME (its title and so its slug) in the
 * workspace folder; returns its path. */
static char *doc(const char *name, int version)
{
	char text[1024], file[128];

	snprintf(text, sizeof(text),
		 "---\ntitle: %s\ntechnician: jo\naccount: nordmill\nsessions:\n  - tco-2025-02-10\n"
		 "---\n\n## Situation\n\nVersion %d.\n\n## Actions\n\nA.\n\n## Outcome\n\nO.\n",
		 name, version);
	snprintf(file, sizeof(file), "%s.%d.md", name, version);
	return cbt_write(ws, file, text);
}

/* Runs casebook with `args`, killing it with SIGKILL after `delay_us`
 * (when it has not finished by then). Returns 1 when the kill landed. */
static int run_and_kill(const char *const *args, long delay_us, const char *crash_env)
{
	const char *argv[24];
	size_t n = 0;
	int status, killed;
	pid_t pid;

	argv[n++] = CASEBOOK_BINARY;
	argv[n++] = "-C";
	argv[n++] = ws;
	for (size_t i = 0; args[i] && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		FILE *null = fopen("/dev/null", "w");

		if (null) {
			dup2(fileno(null), 1);
			dup2(fileno(null), 2);
		}
		if (crash_env)
			setenv("CASEBOOK_TEST_CRASH_AFTER_COMMIT", crash_env, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (delay_us > 0) {
		struct timespec t = {delay_us / 1000000, (delay_us % 1000000) * 1000};

		nanosleep(&t, NULL);
	}
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	/* under the sanitizers a report means exit 1 with it on stderr: not
	 * seen here, but a finished run must not have crashed */
	ck_assert_msg(killed || WIFEXITED(status), "casebook %s %s died otherwise", args[0],
		      args[1]);
	return killed;
}

/* The states a kill may leave, each with its mend; anything else fails. */
static const char *const mendable[] = {
	"is in the repository but missing from the index",
	"is stale in the index",
	"is a stale lock",
	"a git process may be writing", /* a lock younger than the stale age */
	"is held: a casebook process is writing", /* a writer's flock outliving it? never */
	NULL,
};

/* After a kill: consistent, or named by check and mended by check
 * --repair and reindex. Returns 1 when something had to be mended. */
static int check_or_mend(void)
{
	cbt_run r;
	int known = 0;

	cbt_casebook(&r, ws, NULL, "check", NULL);
	if (r.status == 0) {
		cbt_run_free(&r);
		return 0;
	}
	for (size_t i = 0; mendable[i]; i++)
		known |= cbt_has(r.err, mendable[i]) != 0;
	ck_assert_msg(r.status == 1 && known, "check after a kill: exit %d: %s", r.status, r.err);
	ck_assert_msg(!cbt_has(r.err, "is held:"), "a writer lock outlived its process: %s", r.err);
	cbt_run_free(&r);
	/* --repair removes stale locks, then checks (and names an index
	 * that is behind, which reindex mends) */
	cbt_casebook(&r, ws, NULL, "check", "--repair", NULL);
	if (r.status != 0) {
		ck_assert_msg(cbt_has(r.err, "run 'casebook reindex'"), "check --repair: %s", r.err);
		MUST("reindex");
	}
	cbt_run_free(&r);
	MUST("check");
	return 1;
}

static void git_fsck(void)
{
	int st;
	char *out = cbt_sh(&st, "git -C '%s/cases' fsck --strict 2>&1", ws);

	ck_assert_msg(st == 0, "git fsck: %s", out);
	free(out);
}

static int kills(void)
{
	const char *e = getenv("CBT_KILLS");
	int n = e ? atoi(e) : 40;

	return n > 0 ? n : 40;
}

/* The write paths, in turn: a new case, a batch of two, a revision, a
 * review decision, a withdrawal. Kills spread over 0..60 ms (a write
 * takes 5-40 ms here), so they land before, inside and after git's and
 * SQLite's work. */
START_TEST(sigkill_anywhere_in_a_case_write)
{
	int n = kills(), landed = 0, mended = 0;
	char name[64], name2[64], *p, *q;

	p = doc("base", 0);
	MUST("case", "submit", p);
	free(p);
	for (int i = 0; i < n; i++) {
		long delay = (long)((i * 7919L) % 60000); /* a spread of 0..60 ms, in no order */
		int op = i % 5;

		snprintf(name, sizeof(name), "case-%d", i);
		snprintf(name2, sizeof(name2), "case-%d-b", i);
		p = doc(op == 2 ? "base" : name, i + 1);
		q = doc(name2, i + 1);
		switch (op) {
		case 0:
			landed += run_and_kill((const char *const[]){"case", "submit", p, NULL}, delay, NULL);
			break;
		case 1:
			landed += run_and_kill((const char *const[]){"case", "submit", p, q, NULL}, delay,
					       NULL);
			break;
		case 2:
			landed += run_and_kill((const char *const[]){"case", "revise", "base", p, NULL},
					       delay, NULL);
			break;
		case 3:
			landed += run_and_kill((const char *const[]){"case", "review", "base", "--reviewer",
								     "ana", "--decision", "changes",
								     "--comment", "More.", NULL},
					       delay, NULL);
			break;
		default:
			/* a case of its own, then killed while it is withdrawn */
			MUST("case", "submit", p);
			landed += run_and_kill((const char *const[]){"case", "withdraw", name, NULL}, delay,
					       NULL);
			break;
		}
		free(p);
		free(q);
		mended += check_or_mend();
		if (i % 10 == 9)
			git_fsck();
	}
	git_fsck();
	/* the index holds what the repository holds, and writes go on */
	{
		char *in_git = cbt_sh(NULL, "git -C '%s/cases' ls-tree -d --name-only main '*/' | wc -l",
				      ws);
		char *listed = cbt_sh(NULL, "git -C '%s/cases' ls-tree -r --name-only main | grep -c "
					    "'/case.md$'",
				      ws);
		cbt_run r;
		json_t *v;

		cbt_casebook(&r, ws, NULL, "case", "list", "--json", NULL);
		ck_assert_int_eq(r.status, 0);
		v = json_loads(r.out, 0, NULL);
		ck_assert_ptr_nonnull(v);
		ck_assert_int_eq((int)json_array_size(v), atoi(listed));
		json_decref(v);
		cbt_run_free(&r);
		free(in_git);
		free(listed);
	}
	p = doc("after-the-kills", 1);
	MUST("case", "submit", p);
	free(p);
	MUST("check");
	/* some kills must have landed mid-write for this to test anything */
	ck_assert_msg(landed > 0, "no kill landed (%d runs)", n);
	fprintf(stderr, "%d kills, %d landed mid-write, %d needed mending\n", n, landed, mended);
}
END_TEST

/* Each write path cut exactly between its git commit and its database
 * commit: the repository ahead of the index, which check names and
 * reindex mends, and the next write of the same kind works. */
START_TEST(the_window_between_git_and_the_index)
{
	char *a = doc("cut-a", 1), *b = doc("cut-b", 1), *c = doc("cut-c", 1), *a2 = doc("cut-a", 2);
	cbt_run r;

	ck_assert(run_and_kill((const char *const[]){"case", "submit", a, NULL}, 2000000, "1"));
	ck_assert(check_or_mend());
	/* a batch: main moved once for both, the index has neither */
	ck_assert(run_and_kill((const char *const[]){"case", "submit", b, c, NULL}, 2000000, "1"));
	ck_assert(check_or_mend());
	ck_assert(run_and_kill((const char *const[]){"case", "revise", "cut-a", a2, NULL}, 2000000,
			       "1"));
	ck_assert(check_or_mend());
	ck_assert(run_and_kill((const char *const[]){"case", "review", "cut-a", "--reviewer", "ana",
						     "--decision", "approve", NULL},
			       2000000, "1"));
	ck_assert(check_or_mend());
	cbt_casebook(&r, ws, NULL, "case", "show", "cut-a", "--json", NULL);
	ck_assert_msg(cbt_has(r.out, "\"status\": \"approved\""), "%.300s", r.out);
	cbt_run_free(&r);
	ck_assert(run_and_kill((const char *const[]){"case", "withdraw", "cut-a", NULL}, 2000000,
			       "1"));
	ck_assert(check_or_mend());
	cbt_casebook(&r, ws, NULL, "case", "show", "cut-a", "--json", NULL);
	ck_assert_msg(cbt_has(r.out, "\"status\": \"withdrawn\""), "%.300s", r.out);
	cbt_run_free(&r);
	git_fsck();
	free(a);
	free(b);
	free(c);
	free(a2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("case kill");
	TCase *tc = tcase_create("kill");

	tcase_set_timeout(tc, 600);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sigkill_anywhere_in_a_case_write);
	tcase_add_test(tc, the_window_between_git_and_the_index);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
