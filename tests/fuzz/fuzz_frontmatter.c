/*
 * libFuzzer harness for the case-study reader (core/format/frontmatter.c); scripts/fuzz builds
 * and runs it. Each input is parsed as a whole case.md: an accepted document is walked field by
 * field, validated, rendered, and must read back as itself; a refused one must be left empty.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "base/text.h"
#include "format/frontmatter.h"

#define CHECK(cond) ((cond) ? (void)0 : check_failed(#cond, __LINE__))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_failed(const char *cond, int line)
{
	fprintf(stderr, "fuzz_frontmatter.c:%d: invariant broken: %s (last error: '%s')\n", line,
		cond, cb_error_last());
	abort();
}

/* A text of the document: valid UTF-8 of 1..max bytes (strlen walks to its NUL), on one line
 * unless `multiline`. */
static void check_string(const char *s, size_t max, int multiline)
{
	size_t len;

	CHECK(s);
	len = strlen(s);
	CHECK(len >= 1 && len <= max);
	CHECK(cb_utf8_invalid_at(s, len) == (size_t)-1);
	CHECK(multiline || !strchr(s, '\n'));
	CHECK(!strchr(s, '\r'));
}

static void check_key(const char *s)
{
	CHECK(s && cb_key_check("key", s) == 0);
}

static void check_line(int line, int lines)
{
	CHECK(line >= 2 && line <= lines);
}

/* Walks everything a parsed document holds, as the rest of Casebook reads it. `lines` is the
 * input's line count. */
static void walk(const cb_case_doc *d, int lines)
{
	check_string(d->title, CB_NAME_MAX, 0);
	check_key(d->technician);
	check_key(d->account);
	check_line(d->title_line, lines);
	check_line(d->technician_line, lines);
	check_line(d->account_line, lines);
	CHECK(d->n_sessions >= 1 && d->n_sessions <= CB_FM_SESSIONS_MAX);
	CHECK(d->sessions && d->session_lines);
	for (size_t i = 0; i < d->n_sessions; i++) {
		check_key(d->sessions[i]);
		check_line(d->session_lines[i], lines);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(d->sessions[i], d->sessions[j]) != 0);
	}
	CHECK(d->n_principles <= CB_FM_PRINCIPLES_MAX);
	for (size_t i = 0; i < d->n_principles; i++)
		check_string(d->principles[i], CB_FM_PRINCIPLE_MAX, 0);
	CHECK(d->n_claims <= CB_FM_CLAIMS_MAX);
	for (size_t i = 0; i < d->n_claims; i++) {
		const cb_case_claim *c = &d->claims[i];

		check_key(c->kpi);
		CHECK(isfinite(c->before) && fabs(c->before) <= CB_NUMBER_MAX);
		CHECK(isfinite(c->after) && fabs(c->after) <= CB_NUMBER_MAX);
		CHECK(c->from >= cb_date_from_civil(1900, 1, 1) && c->from <= c->to &&
		      c->to <= cb_date_from_civil(2999, 12, 31));
		if (c->note)
			check_string(c->note, CB_NOTE_MAX, 1);
		check_line(c->line, lines);
	}
	if (d->preamble)
		check_string(d->preamble, CB_FM_SIZE_MAX, 1);
	check_string(d->situation, CB_FM_SIZE_MAX, 1);
	check_string(d->actions, CB_FM_SIZE_MAX, 1);
	check_string(d->outcome, CB_FM_SIZE_MAX, 1);
	CHECK(!d->n_extra || d->extra);
	for (size_t i = 0; i < d->n_extra; i++) {
		check_string(d->extra[i].heading, CB_NAME_MAX, 0);
		CHECK(d->extra[i].text);
		if (*d->extra[i].text)
			check_string(d->extra[i].text, CB_FM_SIZE_MAX, 1);
	}
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Whether two documents hold the same content; their line numbers may differ. */
static int same_doc(const cb_case_doc *a, const cb_case_doc *b)
{
	if (!same_str(a->title, b->title) || !same_str(a->technician, b->technician) ||
	    !same_str(a->account, b->account) || a->n_sessions != b->n_sessions ||
	    a->n_principles != b->n_principles || a->n_claims != b->n_claims ||
	    !same_str(a->preamble, b->preamble) || !same_str(a->situation, b->situation) ||
	    !same_str(a->actions, b->actions) || !same_str(a->outcome, b->outcome) ||
	    a->n_extra != b->n_extra)
		return 0;
	for (size_t i = 0; i < a->n_sessions; i++)
		if (strcmp(a->sessions[i], b->sessions[i]) != 0)
			return 0;
	for (size_t i = 0; i < a->n_principles; i++)
		if (strcmp(a->principles[i], b->principles[i]) != 0)
			return 0;
	for (size_t i = 0; i < a->n_claims; i++) {
		const cb_case_claim *x = &a->claims[i], *y = &b->claims[i];

		if (strcmp(x->kpi, y->kpi) != 0 || x->before != y->before || x->after != y->after ||
		    x->from != y->from || x->to != y->to || !same_str(x->note, y->note))
			return 0;
	}
	for (size_t i = 0; i < a->n_extra; i++)
		if (strcmp(a->extra[i].heading, b->extra[i].heading) != 0 ||
		    strcmp(a->extra[i].text, b->extra[i].text) != 0)
			return 0;
	return 1;
}

/* A number written by cb_frontmatter_number_format reads back as itself. */
static void check_number_round_trip(double v)
{
	char text[32];
	double back;

	cb_frontmatter_number_format(v, text);
	CHECK(memchr(text, '\0', sizeof(text)));
	CHECK(cb_frontmatter_number_parse(text, &back) == 0 && back == v);
}

/* The number functions on the input's first line, as a claim's number would be. */
static void fuzz_numbers(const uint8_t *data, size_t size)
{
	char text[CB_FM_NUMBER_MAX + 8];
	size_t n = 0;
	double v;

	while (n < size && n < sizeof(text) - 1 && data[n] != '\n' && data[n] != '\0')
		n++;
	memcpy(text, data, n);
	text[n] = '\0';
	if (cb_frontmatter_number_parse(text, &v) == 0) {
		CHECK(isfinite(v) && fabs(v) <= CB_NUMBER_MAX);
		check_number_round_trip(v);
	} else {
		CHECK(cb_error_code() == CB_EINVALID && *cb_error_last());
	}
	if (size >= sizeof(v)) { /* any bit pattern in range, subnormals included */
		memcpy(&v, data, sizeof(v));
		if (isfinite(v) && fabs(v) <= CB_NUMBER_MAX)
			check_number_round_trip(v == 0 ? 0 : v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const cb_case_doc empty;
	cb_case_doc a, b;
	cb_buf once = CB_BUF_INIT, twice = CB_BUF_INIT;
	int rc, lines = 1;

	fuzz_numbers(data, size);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	cb_error_clear();
	rc = cb_frontmatter_parse("case.md", (const char *)data, size, &a);
	if (rc < 0) {
		const char *msg = cb_error_last();

		CHECK(rc == CB_EINVALID);
		CHECK(memcmp(&a, &empty, sizeof(a)) == 0);
		/* "case.md:LINE: what", LINE in the file, or "case.md: what" for its size */
		CHECK(strncmp(msg, "case.md:", 8) == 0);
		if (msg[8] != ' ') {
			long line = strtol(msg + 8, NULL, 10);

			CHECK(line >= 1 && line <= lines);
		}
		return 0;
	}
	walk(&a, lines);
	CHECK(cb_frontmatter_validate(&a) == 0);
	for (size_t i = 0; i < a.n_claims; i++) {
		check_number_round_trip(a.claims[i].before);
		check_number_round_trip(a.claims[i].after);
	}
	/* The canonical form reads back as the same document and is written again byte for byte. */
	CHECK(cb_frontmatter_render(&a, &once) == 0);
	CHECK(cb_frontmatter_parse("rendered.md", cb_buf_cstr(&once), once.len, &b) == 0);
	CHECK(same_doc(&a, &b));
	CHECK(cb_frontmatter_render(&b, &twice) == 0);
	CHECK(once.len == twice.len && memcmp(once.ptr, twice.ptr, once.len) == 0);
	cb_buf_free(&once);
	cb_buf_free(&twice);
	cb_frontmatter_clear(&a);
	cb_frontmatter_clear(&b);
	CHECK(memcmp(&a, &empty, sizeof(a)) == 0);
	return 0;
}
