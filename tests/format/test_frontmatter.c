/* Case-study documents: the strict front-matter subset, every refusal with
 * its message and line, the body's sections, and stable round trips,
 * including the shipped template and examples. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "format/frontmatter.h"
#include "testlib.h"

/* A valid document's parts; tests splice their own lines in. */
#define FRONT_HEAD "---\n"                             /* 1 */ \
		   "title: Heat-pump retrofit at Nordmill\n" /* 2 */ \
		   "technician: jberger\n"                 /* 3 */ \
		   "account: nordmill\n"                   /* 4 */ \
		   "sessions:\n"                           /* 5 */ \
		   "  - tco-2025-02-lyon\n"                /* 6 */
#define BODY "\n## Situation\n\nThe plant ran old chillers.\n" \
	     "\n## Actions\n\nI listened first.\n" \
	     "\n## Outcome\n\nFewer repeat visits.\n"
#define DOC(extra_front) FRONT_HEAD extra_front "---\n" BODY

static int parse(const char *text, cb_case_doc *d)
{
	return cb_frontmatter_parse("case.md", text, strlen(text), d);
}

/* Asserts that `text` is refused with exactly `msg`. */
static void refused(const char *text, const char *msg)
{
	cb_case_doc d;
	int rc = parse(text, &d);

	ck_assert_msg(rc == CB_EINVALID, "accepted (rc %d) but expected: %s", rc, msg);
	ck_assert_str_eq(cb_error_last(), msg);
	ck_assert_ptr_null(d.title); /* left empty */
	ck_assert_uint_eq(d.n_sessions, 0);
}

static char *render(const cb_case_doc *d)
{
	cb_buf b = CB_BUF_INIT;

	ck_assert_msg(cb_frontmatter_render(d, &b) == 0, "render: %s", cb_error_last());
	return cb_buf_detach(&b);
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void assert_same_doc(const cb_case_doc *a, const cb_case_doc *b)
{
	ck_assert(same_str(a->title, b->title));
	ck_assert(same_str(a->technician, b->technician));
	ck_assert(same_str(a->account, b->account));
	ck_assert_uint_eq(a->n_sessions, b->n_sessions);
	for (size_t i = 0; i < a->n_sessions; i++)
		ck_assert_str_eq(a->sessions[i], b->sessions[i]);
	ck_assert_uint_eq(a->n_principles, b->n_principles);
	for (size_t i = 0; i < a->n_principles; i++)
		ck_assert_str_eq(a->principles[i], b->principles[i]);
	ck_assert_uint_eq(a->n_claims, b->n_claims);
	for (size_t i = 0; i < a->n_claims; i++) {
		ck_assert_str_eq(a->claims[i].kpi, b->claims[i].kpi);
		ck_assert(a->claims[i].before == b->claims[i].before);
		ck_assert(a->claims[i].after == b->claims[i].after);
		ck_assert_int_eq(a->claims[i].from, b->claims[i].from);
		ck_assert_int_eq(a->claims[i].to, b->claims[i].to);
		ck_assert(same_str(a->claims[i].note, b->claims[i].note));
	}
	ck_assert(same_str(a->preamble, b->preamble));
	ck_assert(same_str(a->situation, b->situation));
	ck_assert(same_str(a->actions, b->actions));
	ck_assert(same_str(a->outcome, b->outcome));
	ck_assert_uint_eq(a->n_extra, b->n_extra);
	for (size_t i = 0; i < a->n_extra; i++) {
		ck_assert_str_eq(a->extra[i].heading, b->extra[i].heading);
		ck_assert_str_eq(a->extra[i].text, b->extra[i].text);
	}
}

/* parse -> render -> parse gives the same document, and rendering is a
 * fixed point. Returns the canonical text (caller frees). */
static char *assert_round_trip(const char *name, const char *text, size_t len)
{
	cb_case_doc a, b;
	char *once, *twice;

	ck_assert_msg(cb_frontmatter_parse(name, text, len, &a) == 0, "%s: %s", name,
		      cb_error_last());
	once = render(&a);
	ck_assert_msg(parse(once, &b) == 0, "re-reading %s: %s\n%s", name, cb_error_last(), once);
	assert_same_doc(&a, &b);
	twice = render(&b);
	ck_assert_str_eq(once, twice);
	free(twice);
	cb_frontmatter_clear(&a);
	cb_frontmatter_clear(&b);
	return once;
}

static const char full_doc[] =
	"---\n"                                                  /* 1 */
	"title: Heat-pump retrofit at Nordmill\n"                /* 2 */
	"technician: jberger\n"                                  /* 3 */
	"account: nordmill\n"                                    /* 4 */
	"sessions:\n"                                            /* 5 */
	"  - tco-2025-02-lyon\n"                                 /* 6 */
	"  - tco-2025-03-virtual\n"                              /* 7 */
	"principles:\n"                                          /* 8 */
	"  - Listen before proposing\n"                          /* 9 */
	"  - \"Ask: what does success look like?\"\n"            /* 10 */
	"claims:\n"                                              /* 11 */
	"  - kpi: first_time_fix\n"                              /* 12 */
	"    before: 0.62\n"                                     /* 13 */
	"    after: 0.81\n"                                      /* 14 */
	"    period: 2025-01-01..2025-06-30\n"                   /* 15 */
	"    note: Work orders closed on the first visit\n"      /* 16 */
	"  - kpi: equipment.uptime_h\n"                          /* 17 */
	"    before: -3.5\n"                                     /* 18 */
	"    after: 1e3\n"                                       /* 19 */
	"    period: 2025-02-01..2025-02-01\n"                   /* 20 */
	"---\n"                                                  /* 21 */
	"\n"                                                     /* 22 */
	"Intro paragraph.\n"                                     /* 23 */
	"\n"                                                     /* 24 */
	"## Situation\n"                                         /* 25 */
	"\n"                                                     /* 26 */
	"Old chillers.\n"                                        /* 27 */
	"Two lines.\n"                                           /* 28 */
	"\n"                                                     /* 29 */
	"## Lessons learned\n"                                   /* 30 */
	"\n"                                                     /* 31 */
	"```\n"                                                  /* 32 */
	"## not a heading inside a fence\n"                      /* 33 */
	"```\n"                                                  /* 34 */
	"\n"                                                     /* 35 */
	"## actions ##\n"                                        /* 36 */
	"\n"                                                     /* 37 */
	"I listened.\n"                                          /* 38 */
	"\n"                                                     /* 39 */
	"## Outcome\n"                                           /* 40 */
	"Fewer repeat visits.\n";                                /* 41 */

START_TEST(parses_every_field)
{
	cb_case_doc d;
	int32_t day;

	ck_assert_msg(parse(full_doc, &d) == 0, "%s", cb_error_last());
	ck_assert_str_eq(d.title, "Heat-pump retrofit at Nordmill");
	ck_assert_int_eq(d.title_line, 2);
	ck_assert_str_eq(d.technician, "jberger");
	ck_assert_int_eq(d.technician_line, 3);
	ck_assert_str_eq(d.account, "nordmill");
	ck_assert_int_eq(d.account_line, 4);
	ck_assert_uint_eq(d.n_sessions, 2);
	ck_assert_str_eq(d.sessions[1], "tco-2025-03-virtual");
	ck_assert_int_eq(d.session_lines[1], 7);
	ck_assert_uint_eq(d.n_principles, 2);
	ck_assert_str_eq(d.principles[1], "Ask: what does success look like?");
	ck_assert_uint_eq(d.n_claims, 2);
	ck_assert_str_eq(d.claims[0].kpi, "first_time_fix");
	ck_assert(d.claims[0].before == 0.62 && d.claims[0].after == 0.81);
	ck_assert_int_eq(cb_date_parse("2025-01-01", &day), 0);
	ck_assert_int_eq(d.claims[0].from, day);
	ck_assert_int_eq(cb_date_parse("2025-06-30", &day), 0);
	ck_assert_int_eq(d.claims[0].to, day);
	ck_assert_str_eq(d.claims[0].note, "Work orders closed on the first visit");
	ck_assert_int_eq(d.claims[0].line, 12);
	ck_assert(d.claims[1].before == -3.5 && d.claims[1].after == 1000);
	ck_assert_ptr_null(d.claims[1].note);
	ck_assert_int_eq(d.claims[1].from, d.claims[1].to);
	ck_assert_str_eq(d.preamble, "Intro paragraph.");
	ck_assert_str_eq(d.situation, "Old chillers.\nTwo lines.");
	ck_assert_str_eq(d.actions, "I listened.");
	ck_assert_str_eq(d.outcome, "Fewer repeat visits.");
	ck_assert_uint_eq(d.n_extra, 1);
	ck_assert_str_eq(d.extra[0].heading, "Lessons learned");
	ck_assert_str_eq(d.extra[0].text, "```\n## not a heading inside a fence\n```");
	cb_frontmatter_clear(&d);
	ck_assert_ptr_null(d.title);
}
END_TEST

START_TEST(canonical_text_round_trips_byte_for_byte)
{
	static const char canonical[] =
		"---\n"
		"title: \"Uptime: from 91% to 97%\"\n"
		"technician: jberger\n"
		"account: nordmill\n"
		"sessions:\n"
		"  - tco-2025-02-lyon\n"
		"principles:\n"
		"  - Listen before proposing\n"
		"claims:\n"
		"  - kpi: uptime\n"
		"    before: 91.5\n"
		"    after: 97\n"
		"    period: 2025-01-01..2025-06-30\n"
		"    note: \"Line 1\\nline 2 \\\"quoted\\\"\"\n"
		"---\n"
		"\n"
		"Intro.\n"
		"\n"
		"## Situation\n"
		"\n"
		"S.\n"
		"\n"
		"## Actions\n"
		"\n"
		"A.\n"
		"\n"
		"## Outcome\n"
		"\n"
		"O.\n"
		"\n"
		"## Lessons learned\n"
		"\n"
		"L.\n";
	char *out = assert_round_trip("canonical.md", canonical, strlen(canonical));

	ck_assert_str_eq(out, canonical);
	free(out);
}
END_TEST

START_TEST(other_spellings_reach_a_stable_canonical_form)
{
	/* BOM, CRLF, flow lists, quoted keys, a folded scalar, numbers in
	 * other forms, sections out of order and a closing '---' with
	 * trailing blanks */
	static const char loose[] =
		"\xEF\xBB\xBF---\r\n"
		"account: 'nordmill'\r\n"
		"title: >-\r\n"
		"  Heat pumps,\r\n"
		"  adopted faster\r\n"
		"sessions: [s1, \"s2\"]\r\n"
		"technician: jberger # a comment\r\n"
		"claims:\r\n"
		"  - {kpi: nps, before: +12, after: 1.50e1, period: 2025-01-01..2025-03-31}\r\n"
		"---  \r\n"
		"## Outcome\r\n"
		"O.\r\n"
		"## Extra\r\n"
		"## Actions\r\n"
		"A.\r\n"
		"## Situation\r\n"
		"S.";
	cb_case_doc d;
	char *out = assert_round_trip("loose.md", loose, strlen(loose));

	ck_assert_int_eq(parse(out, &d), 0);
	ck_assert_str_eq(d.title, "Heat pumps, adopted faster");
	ck_assert_str_eq(d.sessions[1], "s2");
	ck_assert(d.claims[0].before == 12 && d.claims[0].after == 15);
	ck_assert_str_eq(d.situation, "S.");
	ck_assert_str_eq(d.extra[0].heading, "Extra");
	ck_assert_str_eq(d.extra[0].text, "");
	ck_assert(cbt_has(out, "sessions:\n  - s1\n  - s2\n"));
	ck_assert(cbt_has(out, "    before: 12\n    after: 15\n"));
	ck_assert(cbt_has(out, "## Situation\n\nS.\n\n## Actions\n\nA.\n\n## Outcome\n\nO.\n\n## Extra\n"));
	ck_assert(!cbt_has(out, "\r"));
	cb_frontmatter_clear(&d);
	free(out);
}
END_TEST

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* A document built in memory with texts that need quoting comes back
 * exactly as it went in. */
START_TEST(written_documents_read_back_equal)
{
	static const char *const tricky[] = {
		"yes", "12", "-3", "2025-01-01", "~", "null", "- dash", "a: b", "a #b",
		"ends:", " lead", "trail ", "\"quoted\"", "back\\slash", "tab\there",
		"#hash", "{brace}", "[bracket]", "*star", "&amp", "!bang", "%pct",
		"@at", "`tick`", "|pipe", ">gt", "'single'", "Zoë über 'ï'",
		"line\xE2\x80\xA8sep", "para\xE2\x80\xA9sep", "?q", ".inf", "0x1F",
	};
	size_t n = sizeof(tricky) / sizeof(tricky[0]);
	cb_case_doc d = {0}, back;
	char *text;

	d.title = xstrdup("Title: with \"quotes\" and # hash");
	d.technician = xstrdup("jberger");
	d.account = xstrdup("true"); /* a valid key that YAML tools read as a boolean */
	d.n_sessions = 1;
	d.sessions = calloc(1, sizeof(char *));
	d.sessions[0] = xstrdup("2025-02-10");
	d.principles = calloc(n, sizeof(char *));
	for (size_t i = 0; i < n && i < CB_FM_PRINCIPLES_MAX; i++)
		d.principles[d.n_principles++] = xstrdup(tricky[i]);
	d.claims = calloc(3, sizeof(cb_case_claim));
	d.n_claims = 3;
	{
		const double values[][2] = {{0.1, 1e-7}, {-0.0, 123456789012345.67}, {1.0 / 3, -9.99999999999999e14}};

		for (int i = 0; i < 3; i++) {
			d.claims[i].kpi = xstrdup("nps");
			d.claims[i].before = values[i][0];
			d.claims[i].after = values[i][1];
			d.claims[i].from = cb_date_from_civil(2025, 1, 1);
			d.claims[i].to = cb_date_from_civil(2025, 12, 31);
		}
	}
	d.claims[0].note = xstrdup("two\nlines, \"quoted\", back\\slash\tand tab");
	d.preamble = xstrdup("# A level-1 title is fine here");
	d.situation = xstrdup("S with ### a level-3 heading\n### like this");
	d.actions = xstrdup("A\n\n```\n## inside a fence\n```");
	d.outcome = xstrdup("O");
	text = render(&d);
	ck_assert_msg(parse(text, &back) == 0, "%s\n%s", cb_error_last(), text);
	assert_same_doc(&d, &back);
	cb_frontmatter_clear(&back);
	free(text);
	/* the rest of the tricky texts, as titles */
	for (size_t i = CB_FM_PRINCIPLES_MAX; i < n; i++) {
		free(d.title);
		d.title = xstrdup(tricky[i]);
		text = render(&d);
		ck_assert_msg(parse(text, &back) == 0, "%s\n%s", cb_error_last(), text);
		ck_assert_str_eq(back.title, tricky[i]);
		cb_frontmatter_clear(&back);
		free(text);
	}
	cb_frontmatter_clear(&d);
}
END_TEST

START_TEST(numbers_are_finite_decimals)
{
	static const char *const good[] = {"12", "-3.5", "1e3", "+7", ".5", "5.", "1.5E-3", "0"};
	static const double want[] = {12, -3.5, 1000, 7, 0.5, 5, 0.0015, 0};
	static const char *const bad[] = {"NaN", "nan", "inf", "-inf", ".inf", "12abc", "",
					  "1e", "e3", "0x10", "1_000", "1,5", " 1", "--1", "."};
	double v;
	char out[32];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(cb_frontmatter_number_parse(good[i], &v) == 0, "%s", good[i]);
		ck_assert(v == want[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(cb_frontmatter_number_parse(bad[i], &v) == CB_EINVALID, "%s", bad[i]);
	ck_assert_int_eq(cb_frontmatter_number_parse("1e999", &v), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "1e999 is out of range for a claim (at most 1e15 either way)");
	/* the largest magnitude taken, and one past it */
	ck_assert_int_eq(cb_frontmatter_number_parse("-1e15", &v), 0);
	ck_assert(v == -1e15);
	ck_assert_int_eq(cb_frontmatter_number_parse("1000000000000001", &v), CB_EINVALID);
	ck_assert_int_eq(cb_frontmatter_number_parse("0x10", &v), CB_EINVALID);
	cb_frontmatter_number_format(1000, out);
	ck_assert_str_eq(out, "1000");
	cb_frontmatter_number_format(0.1, out);
	ck_assert_str_eq(out, "0.1");
	cb_frontmatter_number_format(-3.5, out);
	ck_assert_str_eq(out, "-3.5");
	cb_frontmatter_number_format(1.25e-7, out);
	ck_assert_str_eq(out, "1.25e-7");
	cb_frontmatter_number_format(2e20, out);
	ck_assert_str_eq(out, "2e20");
	cb_frontmatter_number_format(0.62, out);
	ck_assert_str_eq(out, "0.62");
	for (double x = -1000.37; x < 1000; x += 17.131) {
		cb_frontmatter_number_format(x, out);
		ck_assert_int_eq(cb_frontmatter_number_parse(out, &v), 0);
		ck_assert(v == x);
	}
}
END_TEST

/* ---- refusals: one test per kind, message and line asserted ---- */

START_TEST(refuses_anchors_and_aliases)
{
	refused("---\ntitle: &t Heat pumps\ntechnician: jberger\n---\n",
		"case.md:2: anchors (&t) are not allowed in case studies");
	refused(DOC("principles:\n  - &p Listen\n  - *p\n"),
		"case.md:8: anchors (&p) are not allowed in case studies");
	refused(DOC("principles:\n  - Listen\n  - *p\n"),
		"case.md:9: aliases (*p) are not allowed in case studies");
}
END_TEST

START_TEST(refuses_tags)
{
	refused("---\ntitle: !!str Heat pumps\n---\n",
		"case.md:2: tags (tag:yaml.org,2002:str) are not allowed in case studies");
	refused(DOC("claims: !custom\n  - kpi: nps\n"),
		"case.md:7: tags (!custom) are not allowed in case studies");
	refused("---\n# a comment\n%YAML 1.1\ntitle: T\n---\n",
		"case.md:3: YAML directives (%YAML, %TAG) are not allowed in case studies");
	refused("---\n%TAG ! tag:example.com,2000:\ntitle: T\n---\n",
		"case.md:2: YAML directives (%YAML, %TAG) are not allowed in case studies");
}
END_TEST

START_TEST(refuses_duplicate_keys)
{
	refused(DOC("title: Again\n"),
		"case.md:7: duplicate field 'title' (first given on line 2)");
	refused(DOC("claims:\n  - kpi: nps\n    kpi: csat\n"),
		"case.md:9: duplicate claim field 'kpi' (first given on line 8)");
	refused(DOC("sessions:\n  - x\n"),
		"case.md:7: duplicate field 'sessions' (first given on line 5)");
}
END_TEST

START_TEST(refuses_unknown_keys_with_a_suggestion)
{
	refused("---\ntitle: T\ntechnician: jberger\naccount: nordmill\nsessions: [s]\n"
		"\ntitel: T\n---\n" BODY,
		"case.md:7: unknown field 'titel' (did you mean 'title'?)");
	refused(DOC("customer: acme\n"),
		"case.md:7: unknown field 'customer' (fields: title, technician, account, sessions, principles, claims)");
	refused(DOC("situation: Old chillers\n"),
		"case.md:7: 'situation' belongs in the body, under a '## Situation' heading");
	refused(DOC("claims:\n  - kpi: nps\n    befor: 1\n"),
		"case.md:9: unknown claim field 'befor' (did you mean 'before'?)");
}
END_TEST

START_TEST(refuses_wrong_types)
{
	refused("---\ntitle:\n  - a list\n---\n",
		"case.md:3: 'title' must be a text, not a list");
	refused("---\ntitle: T\ntechnician: {name: J}\n---\n",
		"case.md:3: 'technician' must be a person key, not a mapping");
	refused("---\ntitle: T\ntechnician: j\naccount: a\nsessions: s1\n---\n",
		"case.md:5: 'sessions' must be a list of session keys (one '- ' line each), not a text");
	refused(DOC("principles:\n  - [nested]\n"),
		"case.md:8: each principle must be a short text, not a list");
	refused(DOC("claims:\n  - nps went up\n"),
		"case.md:8: each claim must be a mapping of kpi, before, after, period and note, not a text");
	refused(DOC("claims:\n  - kpi: nps\n    before: \"12\"\n"),
		"case.md:9: claim 'before' must be a number, not quoted text (write it without quotes)");
	refused(DOC("claims:\n  - kpi: nps\n    after: [1]\n"),
		"case.md:9: claim 'after' must be a number, not a list");
	refused("---\n- a\n- b\n---\n",
		"case.md:2: the front matter must be a mapping of fields ('name: value' lines), not a list");
	refused("---\n[a]: b\n---\n",
		"case.md:2: field names must be plain text, not a list");
}
END_TEST

START_TEST(refuses_text_that_is_not_utf8)
{
	refused(DOC("principles:\n  - caf\xE9\n"), "case.md:8: not valid UTF-8 (byte 0xE9)");
	refused(FRONT_HEAD "---\n\n## Situation\n\n\xC0\xAF\n", "case.md:11: not valid UTF-8 (byte 0xC0)");
}
END_TEST

START_TEST(refuses_nul_bytes)
{
	static const char text[] = FRONT_HEAD "---\n" BODY;
	char *copy = malloc(sizeof(text));
	cb_case_doc d;

	memcpy(copy, text, sizeof(text));
	copy[strlen("---\ntitle: Heat")] = '\0';
	ck_assert_int_eq(cb_frontmatter_parse("case.md", copy, sizeof(text) - 1, &d), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "case.md:2: the file holds a NUL byte (is it a text file?)");
	free(copy);
	/* and one that YAML's escapes would make */
	refused(DOC("principles:\n  - \"a\\0b\"\n"),
		"case.md:8: principle contains control character 0x00 at offset 1");
}
END_TEST

START_TEST(refuses_control_characters)
{
	refused(DOC("principles:\n  - \"bell\\a\"\n"),
		"case.md:8: principle contains control character 0x07 at offset 4");
	refused(DOC("principles:\n  - \"esc\\e[31m\"\n"),
		"case.md:8: principle contains control character 0x1B at offset 3");
	refused(DOC("principles:\n  - \"c1 \\x85\"\n"),
		"case.md:8: principle contains control character U+0085 at offset 3");
	refused(DOC("principles:\n  - raw \x1B[31m\n"), "case.md:8: control character 0x1B");
	refused(FRONT_HEAD "---\n\n## Situation\n\nS\x7F\n", "case.md:11: control character 0x7F");
	refused("---\ntitle: a\rb\n---\n", "case.md:2: control character 0x0D");
	refused("---\ntitle: \"two\\nlines\"\n---\n", "case.md:2: title must be one line");
	refused(DOC("claims:\n  - {kpi: nps, before: 1, after: 2, period: 2025-01-01..2025-01-02, note: \"a\\rb\"}\n"),
		"case.md:8: note contains control character 0x0D at offset 1");
}
END_TEST

START_TEST(refuses_an_unclosed_front_matter)
{
	refused("---\ntitle: T\ntechnician: j\n\n## Situation\n",
		"case.md:1: the front matter opened here is never closed by a '---' line");
	refused("---", "case.md:1: a case study must start with a '---' line that opens its front matter");
	refused("title: T\n---\n",
		"case.md:1: a case study must start with a '---' line that opens its front matter");
	refused("", "case.md:1: a case study must start with a '---' line that opens its front matter");
}
END_TEST

START_TEST(refuses_documents_over_the_size_limit)
{
	size_t len = CB_FM_SIZE_MAX + 1;
	char *big = malloc(len + 1), msg[128];
	cb_case_doc d;

	memcpy(big, DOC(""), strlen(DOC("")));
	memset(big + strlen(DOC("")), 'x', len - strlen(DOC("")));
	big[len] = '\0';
	ck_assert_int_eq(cb_frontmatter_parse("big.md", big, len, &d), CB_EINVALID);
	snprintf(msg, sizeof(msg), "big.md: the document is %zu bytes long; the limit is 262144 bytes (256 KiB)", len);
	ck_assert_str_eq(cb_error_last(), msg);
	/* exactly at the limit is fine */
	big[len - 1] = '\0';
	ck_assert_int_eq(cb_frontmatter_parse("big.md", big, len - 1, &d), 0);
	cb_frontmatter_clear(&d);
	free(big);
}
END_TEST

START_TEST(refuses_too_many_claims_and_sessions)
{
	cb_buf b = CB_BUF_INIT;
	cb_case_doc d;

	cb_buf_puts(&b, "---\ntitle: T\ntechnician: j\naccount: a\nsessions:\n"); /* 5 lines */
	for (int i = 0; i <= CB_FM_SESSIONS_MAX; i++)
		cb_buf_printf(&b, "  - s%d\n", i);
	cb_buf_puts(&b, "---\n" BODY);
	ck_assert_int_eq(parse(b.ptr, &d), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "case.md:38: more than 32 sessions");

	cb_buf_clear(&b);
	cb_buf_puts(&b, FRONT_HEAD "claims:\n"); /* 7 lines */
	for (int i = 0; i <= CB_FM_CLAIMS_MAX; i++)
		cb_buf_printf(&b, "  - {kpi: k%d, before: 1, after: 2, period: 2025-01-01..2025-01-31}\n", i);
	cb_buf_puts(&b, "---\n" BODY);
	ck_assert_int_eq(parse(b.ptr, &d), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "case.md:58: more than 50 claims");

	cb_buf_clear(&b);
	cb_buf_puts(&b, FRONT_HEAD "principles:\n");
	for (int i = 0; i <= CB_FM_PRINCIPLES_MAX; i++)
		cb_buf_printf(&b, "  - p%d\n", i);
	cb_buf_puts(&b, "---\n" BODY);
	ck_assert_int_eq(parse(b.ptr, &d), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "case.md:28: more than 20 principles");
	cb_buf_free(&b);
}
END_TEST

START_TEST(refuses_numbers_that_are_not_finite_decimals)
{
#define CLAIM(before) DOC("claims:\n  - kpi: nps\n    before: " before "\n    after: 1\n" \
			  "    period: 2025-01-01..2025-02-01\n")
	refused(CLAIM("NaN"), "case.md:9: claim 'before': 'NaN' is not a number (write a decimal such as 12, -3.5 or 1e3)");
	refused(CLAIM("inf"), "case.md:9: claim 'before': 'inf' is not a number (write a decimal such as 12, -3.5 or 1e3)");
	refused(CLAIM(".inf"), "case.md:9: claim 'before': '.inf' is not a number (write a decimal such as 12, -3.5 or 1e3)");
	refused(CLAIM("12abc"), "case.md:9: claim 'before': '12abc' is not a number (write a decimal such as 12, -3.5 or 1e3)");
	refused(CLAIM("1e999"), "case.md:9: claim 'before': 1e999 is out of range for a claim (at most 1e15 either way)");
	refused(CLAIM(""), "case.md:9: claim 'before' is empty; write a number");
	{
		cb_case_doc d;

		ck_assert_int_eq(parse(CLAIM("1e3"), &d), 0);
		ck_assert(d.claims[0].before == 1000);
		cb_frontmatter_clear(&d);
	}
#undef CLAIM
}
END_TEST

START_TEST(refuses_bad_periods)
{
#define PERIOD(p) DOC("claims:\n  - kpi: nps\n    before: 1\n    after: 2\n    period: " p "\n")
	refused(PERIOD("2025-06-30..2025-01-01"),
		"case.md:11: period 2025-06-30..2025-01-01 ends before it starts");
	refused(PERIOD("2025-01-01 to 2025-06-30"),
		"case.md:11: period '2025-01-01 to 2025-06-30' must be two dates written FROM..TO (e.g. 2025-01-01..2025-06-30)");
	refused(PERIOD("2025-02-01..2025-02-30"),
		"case.md:11: period: 2025-02-30: February 2025 has 28 days");
#undef PERIOD
}
END_TEST

START_TEST(refuses_missing_fields)
{
	refused("---\ntechnician: j\naccount: a\nsessions: [s]\n---\n" BODY,
		"case.md:1: the front matter lacks the required field 'title'");
	refused("---\ntitle: T\ntechnician: j\naccount: a\n---\n" BODY,
		"case.md:1: the front matter lacks the required field 'sessions'");
	refused("---\ntitle: T\ntechnician: j\naccount: a\nsessions: []\n---\n" BODY,
		"case.md:5: 'sessions' must list at least one session key");
	refused("---\ntitle:\ntechnician: j\n---\n" BODY, "case.md:2: title is empty");
	{
		char text[400];

		snprintf(text, sizeof(text), "---\ntitle: %0201d\n---\n", 0);
		refused(text, "case.md:2: title is 201 bytes long; the limit is 200");
	}
	refused(DOC("claims:\n  - kpi: nps\n    before: 1\n    after: 2\n"),
		"case.md:8: claim lacks 'period'");
	refused("---\n---\n" BODY,
		"case.md:1: the front matter is empty; it needs at least title, technician, account and sessions");
}
END_TEST

START_TEST(refuses_bad_keys_and_repeats)
{
	refused("---\ntitle: T\ntechnician: J Berger\n---\n",
		"case.md:3: person key 'J Berger' may hold only letters, digits, '.', '_' and '-', starting with a letter or digit");
	refused(DOC("sessions:\n"), "case.md:7: duplicate field 'sessions' (first given on line 5)");
	refused("---\ntitle: T\ntechnician: j\naccount: a\nsessions:\n  - s1\n  - s2\n  - s1\n---\n" BODY,
		"case.md:8: session 's1' is listed twice (first on line 6)");
}
END_TEST

START_TEST(refuses_yaml_syntax_errors_with_their_line)
{
	refused("---\ntitle: T\ntechnician j\naccount: a\n---\n",
		"case.md:4: bad YAML: could not find expected ':', while scanning a simple key that starts on line 3");
	refused("---\ntitle: T\n technician: j\n---\n",
		"case.md:3: bad YAML: mapping values are not allowed in this context");
	refused("---\ntitle: \"unterminated\n---\n" BODY,
		"case.md:3: bad YAML: found unexpected end of stream, while scanning a quoted scalar that starts on line 2");
	refused("---\ntitle: T\n...\ntitle: U\n---\n",
		"case.md:4: bad YAML: did not find expected <document start>");
	refused("---\n\ttitle: T\n---\n",
		"case.md:2: bad YAML: found character that cannot start any token, while scanning for the next token that starts on line 2");
	/* libyaml counts LINE and PARAGRAPH SEPARATOR (U+2028, U+2029) as line breaks; the lines
	 * named are still the file's (fuzz_frontmatter found them one line too far for each). */
	refused("---\ntitle: \"a\xE2\x80\xA8" "b\xE2\x80\xA9\"\n\ttechnician: j\n---\n",
		"case.md:3: bad YAML: found character that cannot start any token, while scanning for the next token that starts on line 3");
	refused("---\ntitle: \"a\xE2\x80\xA9" "b\"\ntitle: U\n---\n",
		"case.md:3: duplicate field 'title' (first given on line 2)");
}
END_TEST

START_TEST(refuses_bodies_without_their_sections)
{
	refused(FRONT_HEAD "---\n\n## Situation\n\nS.\n\n## Actions\n\nA.\n",
		"case.md:15: the body has no '## Outcome' section");
	/* Without a final line feed the last line is still line 15, and a file ending with its
	 * closing '---' ends on that line (fuzz_frontmatter found both one line too far). */
	refused(FRONT_HEAD "---\n\n## Situation\n\nS.\n\n## Actions\n\nA.",
		"case.md:15: the body has no '## Outcome' section");
	refused(FRONT_HEAD "---", "case.md:7: the body has no '## Situation' section");
	refused(FRONT_HEAD "---\r\n", "case.md:7: the body has no '## Situation' section");
	refused(FRONT_HEAD "---\n\n## Situation\n\nS.\n\n## Situation\n",
		"case.md:13: second '## Situation' section (the first is on line 9)");
	refused(FRONT_HEAD "---\n## Situation\n\n## Actions\nA\n## Outcome\nO\n",
		"case.md:8: the '## Situation' section is empty");
	refused(FRONT_HEAD "---\n## Situation\n~~~\n## Actions\nA\n## Outcome\nO\n",
		"case.md:9: the code block opened here is never closed");
	refused(FRONT_HEAD "---\n##\n", "case.md:8: a '##' heading needs a name");
}
END_TEST

/* Parses DOC with an extra section under `heading_line`, checks its heading, and that the
 * writer writes it as `written` and reads that back as the same document. */
static void extra_heading_round_trip(const char *heading_line, const char *heading,
				     const char *written)
{
	cb_case_doc d, again;
	cb_buf text = CB_BUF_INIT;
	char *out;

	cb_buf_printf(&text, "%s\n%s\n\nIt compiles.\n", DOC(""), heading_line);
	ck_assert_msg(parse(cb_buf_cstr(&text), &d) == 0, "%s", cb_error_last());
	ck_assert_uint_eq(d.n_extra, 1);
	ck_assert_str_eq(d.extra[0].heading, heading);
	out = render(&d);
	cb_buf_clear(&text);
	cb_buf_printf(&text, "\n%s\n\nIt compiles.\n", written);
	ck_assert_msg(cbt_has(out, cb_buf_cstr(&text)), "%s", out);
	ck_assert_int_eq(parse(out, &again), 0);
	assert_same_doc(&d, &again);
	free(out);
	cb_buf_free(&text);
	cb_frontmatter_clear(&d);
	cb_frontmatter_clear(&again);
}

START_TEST(every_heading_read_is_written_back)
{
	cb_case_doc d;
	cb_buf b = CB_BUF_INIT;

	/* A closing run of '#' needs a blank before it, so "C#" keeps its '#'; one after a
	 * blank needs a closing run to be written back. The writer refused both, so such a
	 * document could not be rewritten (fuzz_frontmatter found them). */
	extra_heading_round_trip("## Notes on C#", "Notes on C#", "## Notes on C#");
	extra_heading_round_trip("## Notes on C # ##", "Notes on C #", "## Notes on C # ##");
	extra_heading_round_trip("## actions #\t#", "actions #", "## actions # ##");
	extra_heading_round_trip("## # ##", "#", "## # ##");
	/* What no line reads back as is still refused. */
	ck_assert_int_eq(parse(DOC(""), &d), 0);
	d.extra = calloc(1, sizeof(*d.extra));
	ck_assert_ptr_nonnull(d.extra);
	d.n_extra = 1;
	d.extra[0].heading = xstrdup(" Notes");
	d.extra[0].text = xstrdup("N.");
	ck_assert_int_eq(cb_frontmatter_render(&d, &b), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "heading ' Notes' cannot be written as another section");
	free(d.extra[0].heading);
	d.extra[0].heading = xstrdup("Notes\t");
	ck_assert_int_eq(cb_frontmatter_render(&d, &b), CB_EINVALID);
	free(d.extra[0].heading);
	d.extra[0].heading = xstrdup("outcome");
	ck_assert_int_eq(cb_frontmatter_render(&d, &b), CB_EINVALID);
	ck_assert_uint_eq(b.len, 0);
	cb_frontmatter_clear(&d);
}
END_TEST

START_TEST(the_writer_refuses_what_would_not_read_back)
{
	cb_case_doc d;
	cb_buf b = CB_BUF_INIT;

	ck_assert_int_eq(parse(DOC(""), &d), 0);
	free(d.actions);
	d.actions = xstrdup("A\n## Sneaky heading");
	ck_assert_int_eq(cb_frontmatter_render(&d, &b), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(),
			 "actions holds a line starting with '##', which would begin a new section");
	ck_assert_uint_eq(b.len, 0);
	free(d.actions);
	d.actions = xstrdup("```\nopen fence");
	ck_assert_int_eq(cb_frontmatter_render(&d, &b), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "actions opens a code block that it never closes");
	free(d.actions);
	d.actions = xstrdup("A");
	free(d.title);
	d.title = xstrdup("two\nlines");
	ck_assert_int_eq(cb_frontmatter_render(&d, &b), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "title must be one line");
	free(d.title);
	d.title = xstrdup("T");
	free(d.account);
	d.account = xstrdup("../etc");
	ck_assert_int_eq(cb_frontmatter_render(&d, &b), CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "account key '../etc' may hold only"));
	free(d.account);
	d.account = xstrdup("a");
	d.n_claims = 1;
	d.claims = calloc(1, sizeof(cb_case_claim));
	d.claims[0].kpi = xstrdup("nps");
	d.claims[0].before = NAN;
	d.claims[0].from = d.claims[0].to = cb_date_from_civil(2025, 1, 1);
	ck_assert_int_eq(cb_frontmatter_render(&d, &b), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "claim 1 (nps): before and after must be numbers within 1e15 either way");
	d.claims[0].before = 2e15;
	ck_assert_int_eq(cb_frontmatter_render(&d, &b), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "claim 1 (nps): before and after must be numbers within 1e15 either way");
	d.claims[0].before = 1;
	ck_assert_int_eq(cb_frontmatter_render(&d, &b), 0);
	ck_assert(cbt_has(b.ptr, "  - kpi: nps\n    before: 1\n    after: 0\n    period: 2025-01-01..2025-01-01\n"));
	cb_buf_free(&b);
	cb_frontmatter_clear(&d);
}
END_TEST

/* ---- the shipped documents ---- */

static char *read_source(const char *rel, size_t *len)
{
	char path[4096];
	FILE *f;
	char *p;
	long n;

	snprintf(path, sizeof(path), "%s/%s", CASEBOOK_SOURCE_DIR, rel);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	ck_assert_int_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

START_TEST(the_template_and_examples_parse_and_round_trip)
{
	char *list = cbt_sh(NULL, "ls '%s/casestudies/examples/'*.md", CASEBOOK_SOURCE_DIR);
	int examples = 0;
	size_t len;
	char *text, *out;
	cb_case_doc d;

	/* the template's '#' guidance is YAML comments, which the canonical
	 * form leaves out; its body guidance survives as HTML comments */
	text = read_source("casestudies/TEMPLATE.md", &len);
	out = assert_round_trip("TEMPLATE.md", text, len);
	ck_assert(cbt_has(out, "title: Condition monitoring at Nordmill"));
	ck_assert(cbt_has(out, "## Actions\n\n<!-- What did you do, step by step"));
	ck_assert(!cbt_has(out, "# Your person key"));
	free(out);
	free(text);
	for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
		const char *rel = strstr(line, "casestudies/examples/");

		ck_assert_ptr_nonnull(rel);
		text = read_source(rel, &len);
		ck_assert_msg(cb_frontmatter_parse(rel, text, len, &d) == 0, "%s", cb_error_last());
		ck_assert_uint_ge(d.n_claims, 1);       /* every example claims a KPI change */
		ck_assert_uint_ge(d.n_principles, 1);
		ck_assert_uint_ge(strlen(d.actions), 200); /* and tells a real story */
		cb_frontmatter_clear(&d);
		out = assert_round_trip(rel, text, len);
		ck_assert_str_eq(out, text);
		free(out);
		free(text);
		examples++;
	}
	ck_assert_int_ge(examples, 3);
	free(list);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("format/frontmatter");
	TCase *tc = tcase_create("frontmatter");

	tcase_add_test(tc, parses_every_field);
	tcase_add_test(tc, canonical_text_round_trips_byte_for_byte);
	tcase_add_test(tc, other_spellings_reach_a_stable_canonical_form);
	tcase_add_test(tc, written_documents_read_back_equal);
	tcase_add_test(tc, numbers_are_finite_decimals);
	tcase_add_test(tc, refuses_anchors_and_aliases);
	tcase_add_test(tc, refuses_tags);
	tcase_add_test(tc, refuses_duplicate_keys);
	tcase_add_test(tc, refuses_unknown_keys_with_a_suggestion);
	tcase_add_test(tc, refuses_wrong_types);
	tcase_add_test(tc, refuses_text_that_is_not_utf8);
	tcase_add_test(tc, refuses_nul_bytes);
	tcase_add_test(tc, refuses_control_characters);
	tcase_add_test(tc, refuses_an_unclosed_front_matter);
	tcase_add_test(tc, refuses_documents_over_the_size_limit);
	tcase_add_test(tc, refuses_too_many_claims_and_sessions);
	tcase_add_test(tc, refuses_numbers_that_are_not_finite_decimals);
	tcase_add_test(tc, refuses_bad_periods);
	tcase_add_test(tc, refuses_missing_fields);
	tcase_add_test(tc, refuses_bad_keys_and_repeats);
	tcase_add_test(tc, refuses_yaml_syntax_errors_with_their_line);
	tcase_add_test(tc, refuses_bodies_without_their_sections);
	tcase_add_test(tc, every_heading_read_is_written_back);
	tcase_add_test(tc, the_writer_refuses_what_would_not_read_back);
	tcase_add_test(tc, the_template_and_examples_parse_and_round_trip);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
