/* The command line's frame: help on every command and verb (discovered from
 * the help texts themselves, so new commands are covered without editing
 * this file), version, unknown words, exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "testlib.h"

/* Words listed under "commands:" or "verbs:" in a help text: the first word
 * of each indented line up to the next blank line. */
static int listed_words(const char *help, const char *section, char words[][32], int max)
{
	const char *p = strstr(help, section);
	int n = 0;

	if (!p)
		return 0;
	p = strchr(p, '\n');
	while (p && p[1] == ' ' && n < max) {
		const char *w = p + 1;
		size_t len;

		while (*w == ' ')
			w++;
		len = strcspn(w, " \n");
		if (len >= 32)
			len = 31;
		memcpy(words[n], w, len);
		words[n][len] = '\0';
		n++;
		p = strchr(w, '\n');
	}
	return n;
}

START_TEST(help_on_every_command_and_verb)
{
	char nouns[64][32], verbs[64][32];
	int nn, nv, checked = 0;
	cbt_run r, rv;

	cbt_casebook(&r, NULL, NULL, "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "usage: casebook"));
	nn = listed_words(r.out, "commands:", nouns, 64);
	cbt_run_free(&r);
	ck_assert_int_ge(nn, 7);
	for (int i = 0; i < nn; i++) {
		char usage[96];

		cbt_casebook(&r, NULL, NULL, nouns[i], "--help", NULL);
		ck_assert_msg(r.status == 0, "%s --help exited %d: %s", nouns[i],
			      r.status, r.err);
		snprintf(usage, sizeof(usage), "usage: casebook %s", nouns[i]);
		ck_assert_msg(cbt_has(r.out, usage), "%s --help: %s", nouns[i], r.out);
		nv = listed_words(r.out, "verbs:", verbs, 64);
		for (int k = 0; k < nv; k++) {
			char vusage[128];

			cbt_casebook(&rv, NULL, NULL, nouns[i], verbs[k], "--help", NULL);
			ck_assert_msg(rv.status == 0, "%s %s --help exited %d: %s",
				      nouns[i], verbs[k], rv.status, rv.err);
			snprintf(vusage, sizeof(vusage), "usage: casebook %s %s",
				 nouns[i], verbs[k]);
			ck_assert_msg(cbt_has(rv.out, vusage), "%s %s --help: %s",
				      nouns[i], verbs[k], rv.out);
			cbt_run_free(&rv);
			checked++;
		}
		cbt_run_free(&r);
		checked++;
	}
	ck_assert_int_ge(checked, 12);
}
END_TEST

START_TEST(version)
{
	cbt_run r;

	cbt_casebook(&r, NULL, NULL, "--version", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.out, "casebook ", 9) == 0);
	cbt_run_free(&r);
}
END_TEST

START_TEST(unknown_words_are_usage_errors_with_suggestions)
{
	cbt_run r;

	cbt_casebook(&r, NULL, NULL, "acount", "list", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(cbt_has(r.err, "unknown command 'acount' (did you mean 'account'?)"), "%s", r.err);
	cbt_run_free(&r);

	cbt_casebook(&r, NULL, NULL, "account", "lst", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(cbt_has(r.err, "did you mean 'account list'?"), "%s", r.err);
	cbt_run_free(&r);

	cbt_casebook(&r, NULL, NULL, "account", "list", "--bogus", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(cbt_has(r.err, "--bogus"), "%s", r.err);
	ck_assert(cbt_has(r.err, "usage: casebook account list"));
	cbt_run_free(&r);

	cbt_casebook(&r, NULL, NULL, "--frobnicate", NULL);
	ck_assert_int_eq(r.status, 2);
	cbt_run_free(&r);

	cbt_casebook(&r, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert(cbt_has(r.err, "usage: casebook"));
	cbt_run_free(&r);

	cbt_casebook(&r, NULL, NULL, "account", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert(cbt_has(r.err, "verbs:"));
	cbt_run_free(&r);
}
END_TEST

/* No byte below 0x20 but line feed, and no DEL, on stderr. */
static int has_raw_control(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7F)
			return 1;
	return 0;
}

/* Every message that quotes input shows its control characters escaped:
 * an argument, a CSV field, a file name. */
START_TEST(messages_never_print_control_characters)
{
	char *ws = cbt_workspace(), *csv, *odd;
	cbt_run r;

	cbt_casebook(&r, NULL, NULL, "\x1B[2J", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(cbt_has(r.err, "unknown command '\\x1B[2J'"), "%s", r.err);
	ck_assert(!has_raw_control(r.err));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "account", "show", "a\x1B]0;owned\x07", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "a\\x1B]0;owned\\x07"), "%s", r.err);
	ck_assert(!has_raw_control(r.err));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "account", "add", "acme", "--name", "Acme", NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
	csv = cbt_write(ws, "e.csv", "account,measure,at,value\nacme\x1B[31mRED,survey.recommend,"
				      "2025-01-01,9\nacme,survey.recommend,2025-01-01,\x1B[5m9\n"
				      "\"ac\nme\",survey.recommend,2025-01-01,9\n");
	cbt_casebook(&r, ws, NULL, "data", "import", csv, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "'acme\\x1B[31mRED'"), "%s", r.err);
	ck_assert_msg(cbt_has(r.err, "value '\\x1B[5m9' is not a number"), "%s", r.err);
	/* a quoted line feed stays on its line */
	ck_assert_msg(cbt_has(r.err, "e.csv:4: unknown account 'ac\\nme'"), "%s", r.err);
	ck_assert(!has_raw_control(r.err));
	cbt_run_free(&r);
	/* a file name with a control character, and a C1 control */
	odd = cbt_sh(NULL, "printf '%s/x\\033[1mbold.csv'", ws);
	cbt_casebook(&r, ws, NULL, "data", "import", odd, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "x\\x1B[1mbold.csv"), "%s", r.err);
	ck_assert(!has_raw_control(r.err));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "frob\xC2\x9B" "2J", NULL);
	ck_assert_msg(cbt_has(r.err, "frob\\u009B2J"), "%s", r.err);
	cbt_run_free(&r);
	free(odd);
	free(csv);
	cbt_rmrf(ws);
	free(ws);
}
END_TEST

/* casebook runs casebook-serve for `serve` (the only command that links
 * the HTTP server): it does not load libmicrohttpd itself, the two answer
 * the same `serve --help`, and a casebook without casebook-serve beside it
 * says which file it looked for. */
START_TEST(serve_runs_casebook_serve)
{
	char *dir = cbt_tempdir(), *out, *direct;
	int status;

	out = cbt_sh(&status, "ldd '%s' | grep -c 'microhttpd\\|gnutls' || true", CASEBOOK_BINARY);
	ck_assert_msg(atoi(out) == 0, "casebook loads the HTTP server: %s", out);
	free(out);
	out = cbt_sh(&status, "'%s' serve --help", CASEBOOK_BINARY);
	ck_assert_int_eq(status, 0);
	direct = cbt_sh(&status, "'%s-serve' serve --help", CASEBOOK_BINARY);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out, direct);
	ck_assert(cbt_has(out, "usage: casebook serve"));
	free(out), free(direct);
	/* A request time that is not a whole number of seconds in range is
	 * a usage error naming the option, before anything listens. */
	out = cbt_sh(&status, "'%s' serve --request-time 0 2>&1", CASEBOOK_BINARY);
	ck_assert_int_eq(status, 2);
	ck_assert_msg(cbt_has(out, "--request-time: 0 is out of range 1..3600"), "%s", out);
	free(out);
	out = cbt_sh(&status, "'%s' serve --request-time 1e3 2>&1", CASEBOOK_BINARY);
	ck_assert_int_eq(status, 2);
	ck_assert_msg(cbt_has(out, "--request-time"), "%s", out);
	ck_assert_msg(!cbt_has(out, "listening"), "%s", out);
	free(out);
	out = cbt_sh(&status, "cp '%s' '%s/casebook' && '%s/casebook' serve --help 2>&1", CASEBOOK_BINARY,
		     dir, dir);
	ck_assert_int_eq(status, 1);
	ck_assert_msg(cbt_has(out, "casebook: error: serve runs ") && cbt_has(out, "/casebook-serve, "
										 "which cannot be started"),
		      "%s", out);
	free(out);
	cbt_rmrf(dir);
	free(dir);
}
END_TEST

/* libgit2 is loaded when a command first needs the case repository
 * (core/repo/git.h), not at every command's start: casebook does not link
 * it, `session list` never loads it, `check` (which checks the repository)
 * does. */
START_TEST(libgit2_loads_only_when_needed)
{
	char *ws = cbt_workspace(), *out;
	int status;

	out = cbt_sh(&status, "ldd '%s' | grep -c libgit2 || true", CASEBOOK_BINARY);
	ck_assert_msg(atoi(out) == 0, "casebook links libgit2: %s", out);
	free(out);
	out = cbt_sh(&status, "LD_DEBUG=files '%s' -C '%s' session list 2>&1 >/dev/null | "
			      "grep -c 'file=libgit2' || true",
		     CASEBOOK_BINARY, ws);
	ck_assert_msg(atoi(out) == 0, "session list loaded libgit2 %s times", out);
	free(out);
	out = cbt_sh(&status, "LD_DEBUG=files '%s' -C '%s' check 2>&1 >/dev/null | "
			      "grep -c 'file=libgit2' || true",
		     CASEBOOK_BINARY, ws);
	ck_assert_msg(atoi(out) >= 1, "check did not load libgit2: %s", out);
	free(out);
	cbt_rmrf(ws);
	free(ws);
}
END_TEST

START_TEST(missing_option_value_is_a_usage_error)
{
	char *ws = cbt_workspace();
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "account", "add", "acme", "--name", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(cbt_has(r.err, "--name"), "%s", r.err);
	cbt_run_free(&r);
	cbt_rmrf(ws);
	free(ws);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli/frame");
	TCase *tc = tcase_create("frame");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, help_on_every_command_and_verb);
	tcase_add_test(tc, version);
	tcase_add_test(tc, unknown_words_are_usage_errors_with_suggestions);
	tcase_add_test(tc, missing_option_value_is_a_usage_error);
	tcase_add_test(tc, messages_never_print_control_characters);
	tcase_add_test(tc, serve_runs_casebook_serve);
	tcase_add_test(tc, libgit2_loads_only_when_needed);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
