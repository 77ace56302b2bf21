/*
 * Reading and writing case-study documents (casestudies/FORMAT.md). The
 * text is checked as a whole first (size, NUL, UTF-8, control characters),
 * the front matter is then walked event by event with libyaml, accepting
 * only the documented subset, and the body is cut into its sections.
 */
#include "format/frontmatter.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "base/date.h"
#include "base/error.h"
#include "base/text.h"

enum field { F_TITLE, F_TECHNICIAN, F_ACCOUNT, F_SESSIONS, F_PRINCIPLES, F_CLAIMS, F_COUNT };

static const char *const field_names[F_COUNT] = {
	"title", "technician", "account", "sessions", "principles", "claims",
};

enum claim_field { C_KPI, C_BEFORE, C_AFTER, C_PERIOD, C_NOTE, C_COUNT };

static const char *const claim_names[C_COUNT] = {
	"kpi", "before", "after", "period", "note",
};

/* The body's three known sections, as written by the writer. */
static const char *const section_names[3] = {"Situation", "Actions", "Outcome"};

typedef struct fm_parser {
	const char *name; /* labels messages */
	yaml_parser_t yp;
	yaml_event_t ev; /* the current event, valid when have_ev */
	int have_ev;
	cb_case_doc *doc;
	/* The YAML text, and how far mark_line has counted into it: characters, bytes, line. */
	const char *yaml;
	size_t yaml_len, seen_chars, seen_bytes;
	int seen_line;
} fm_parser;

/* The front matter's YAML text begins on the document's second line. */
#define YAML_FIRST_LINE 2

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int oom(void)
{
	return cb_error_set(CB_ENOMEM, "out of memory");
}

static int fail(const fm_parser *p, int line, const char *fmt, ...) CB_PRINTF(3, 4);

static int fail(const fm_parser *p, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cb_error_set(CB_EINVALID, "%s:%d: %s", p->name, line, msg);
}

/* Puts "name:line: " before the message a checker has just set. */
static int located(const fm_parser *p, int line)
{
	return cb_error_prefix("%s:%d", p->name, line);
}

static int line_at(const char *s, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off; i++)
		line += s[i] == '\n';
	return line;
}

static int blank_line(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* Narrows [*start, *start + *len) to drop leading and trailing blank
 * lines and the final line break. */
static void trim_blank_lines(const char *s, size_t *start, size_t *len)
{
	size_t b = *start, e = *start + *len;

	for (;;) { /* leading: whole blank lines */
		const char *nl = memchr(s + b, '\n', e - b);

		if (!nl || !blank_line(s + b, (size_t)(nl - s) - b))
			break;
		b = (size_t)(nl - s) + 1;
	}
	while (e > b) { /* trailing: line breaks and blank last lines */
		size_t ls = e;

		if (s[e - 1] == '\n') {
			e--;
			continue;
		}
		while (ls > b && s[ls - 1] != '\n')
			ls--;
		if (!blank_line(s + ls, e - ls))
			break;
		e = ls;
	}
	*start = b;
	*len = e - b;
}

/* ------------------------------------------------------------------ */
/* Checks shared by the parser and cb_frontmatter_validate. Messages name
 * the field; the parser puts the file and line in front.                */

/* A C1 control (U+0080..U+009F) is encoded as C2 80..C2 9F. */
static int c1_at(const unsigned char *s, size_t len, size_t i)
{
	return s[i] == 0xC2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F;
}

static int check_text(const char *what, const char *s, size_t len, size_t max,
		      int required, int multiline)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		if (u[i] == 0)
			return cb_error_set(CB_EINVALID,
					    "%s contains control character 0x00 at offset %zu",
					    what, i);
		if (u[i] == '\n' && !multiline)
			return cb_error_set(CB_EINVALID, "%s must be one line", what);
		if (u[i] == '\r') /* read back as a line end, or refused */
			return cb_error_set(CB_EINVALID,
					    "%s contains control character 0x0D at offset %zu",
					    what, i);
		if (c1_at(u, len, i))
			return cb_error_set(CB_EINVALID,
					    "%s contains control character U+%04X at offset %zu",
					    what, u[i + 1], i);
	}
	return cb_text_check(what, s, max, required, multiline);
}

static int check_key(const char *what, const char *s, size_t len)
{
	if (strlen(s) != len)
		return cb_error_set(CB_EINVALID, "%s contains control character 0x00", what);
	return cb_key_check(what, s);
}

static int match_section(const char *heading)
{
	for (int i = 0; i < 3; i++)
		if (strcasecmp(heading, section_names[i]) == 0)
			return i;
	return -1;
}

/* Fenced code blocks (``` or ~~~) hide "## " lines from the section
 * scanner. Returns 1 when the line opens or closes a fence, updating
 * *fence_char and *fence_len (0 when outside a fence). */
static int fence_step(const char *line, size_t len, char *fence_char, size_t *fence_len)
{
	size_t i = 0, run = 0;
	char c;

	while (i < len && i < 3 && line[i] == ' ')
		i++;
	if (i >= len || (line[i] != '`' && line[i] != '~'))
		return 0;
	c = line[i];
	while (i + run < len && line[i + run] == c)
		run++;
	if (run < 3)
		return 0;
	if (!*fence_len) {
		*fence_char = c;
		*fence_len = run;
		return 1;
	}
	if (c == *fence_char && run >= *fence_len && blank_line(line + i + run, len - i - run)) {
		*fence_len = 0;
		return 1;
	}
	return 0;
}

/* A "## " heading line (level 2 only, at the start of the line). */
static int heading_line(const char *line, size_t len)
{
	return len >= 2 && line[0] == '#' && line[1] == '#' &&
	       (len == 2 || line[2] == ' ' || line[2] == '\t');
}

/* Body text held in one field of a document built in memory must not
 * begin a new section or leave a code block open, or it would not read
 * back as the same field. */
static int check_body_text(const char *what, const char *s, int required)
{
	size_t flen = 0, pos = 0, len = strlen(s);
	char fch = 0;
	int rc;

	if ((rc = check_text(what, s, len, CB_FM_SIZE_MAX, required, 1)) < 0)
		return rc;
	while (pos < len) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - s) - pos : len - pos;

		if (!fence_step(s + pos, ll, &fch, &flen) && !flen &&
		    heading_line(s + pos, ll))
			return cb_error_set(CB_EINVALID,
					    "%s holds a line starting with '##', which would begin a new section",
					    what);
		pos += ll + 1;
	}
	if (flen)
		return cb_error_set(CB_EINVALID,
				    "%s opens a code block that it never closes", what);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Numbers and periods                                                  */

int cb_frontmatter_number_parse(const char *text, double *out)
{
	int rc;

	if (strlen(text) > CB_FM_NUMBER_MAX)
		return cb_error_set(CB_EINVALID, "'%.40s...' is too long for a number", text);
	if ((rc = cb_decimal_parse(text, out)) == -1)
		return cb_error_set(CB_EINVALID,
				    "'%s' is not a number (write a decimal such as 12, -3.5 or 1e3)",
				    text);
	if (rc == -2)
		return cb_error_set(CB_EINVALID,
				    "%s is out of range for a claim (at most " CB_NUMBER_MAX_TEXT
				    " either way)",
				    text);
	return 0;
}

void cb_frontmatter_number_format(double v, char out[32])
{
	char sci[40];
	int p, e;

	if (!isfinite(v)) {
		snprintf(out, 32, "%s", "nan");
		return;
	}
	if (v == 0) {
		snprintf(out, 32, "%s", "0");
		return;
	}
	for (p = 1; p < 17; p++) {
		snprintf(sci, sizeof(sci), "%.*e", p - 1, v);
		if (strtod(sci, NULL) == v)
			break;
	}
	snprintf(sci, sizeof(sci), "%.*e", p - 1, v);
	e = atoi(strchr(sci, 'e') + 1);
	if (e >= -5 && e < 17) {
		int decimals = p - 1 - e;

		snprintf(out, 32, "%.*f", decimals > 0 ? decimals : 0, v);
		if (strtod(out, NULL) == v)
			return;
	}
	/* 1.25e-07 -> 1.25e-7, 1e+20 -> 1e20 */
	{
		char *x = strchr(sci, 'e'), *d = out;
		const char *q;

		memcpy(d, sci, (size_t)(x - sci) + 1);
		d += x - sci + 1;
		q = x + 1;
		if (*q == '-')
			*d++ = *q++;
		else if (*q == '+')
			q++;
		while (*q == '0' && q[1])
			q++;
		snprintf(d, (size_t)(out + 32 - d), "%s", q);
	}
}

static int period_parse(const char *text, int32_t *from, int32_t *to)
{
	const char *sep = strstr(text, "..");
	char a[CB_DATE_LEN];

	if (!sep || sep - text != CB_DATE_LEN - 1 || strlen(sep + 2) != CB_DATE_LEN - 1)
		return cb_error_set(CB_EINVALID,
				    "period '%.60s' must be two dates written FROM..TO (e.g. 2025-01-01..2025-06-30)",
				    text);
	memcpy(a, text, CB_DATE_LEN - 1);
	a[CB_DATE_LEN - 1] = '\0';
	if (cb_date_parse(a, from) < 0 || cb_date_parse(sep + 2, to) < 0)
		return cb_error_prefix("period");
	if (*from > *to)
		return cb_error_set(CB_EINVALID, "period %s ends before it starts", text);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The YAML walk                                                        */

/* The file's line at a libyaml mark. Not mark.line: libyaml counts U+2028 and U+2029 (LINE
 * and PARAGRAPH SEPARATOR) as line breaks too; mark.index counts characters, and the line
 * feeds among the first that many are counted here. The count goes on from the last mark
 * asked about, so walking the events forward reads the text once. */
static int mark_line(fm_parser *p, const yaml_mark_t *m)
{
	if (m->index < p->seen_chars) {
		p->seen_chars = p->seen_bytes = 0;
		p->seen_line = YAML_FIRST_LINE;
	}
	while (p->seen_chars < m->index && p->seen_bytes < p->yaml_len) {
		p->seen_line += p->yaml[p->seen_bytes++] == '\n';
		while (p->seen_bytes < p->yaml_len && (p->yaml[p->seen_bytes] & 0xC0) == 0x80)
			p->seen_bytes++; /* the rest of a UTF-8 character */
		p->seen_chars++;
	}
	return p->seen_line;
}

static int ev_line(fm_parser *p)
{
	return mark_line(p, &p->ev.start_mark);
}

static const char *ev_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SCALAR_EVENT:
		return "a text";
	default:
		return "nothing";
	}
}

/* Moves to the next event, refusing what the subset leaves out. */
static int next_event(fm_parser *p)
{
	const char *anchor = NULL, *tag = NULL;

	if (p->have_ev) {
		yaml_event_delete(&p->ev);
		p->have_ev = 0;
	}
	if (!yaml_parser_parse(&p->yp, &p->ev)) {
		const char *problem = p->yp.problem ? p->yp.problem : "unreadable YAML";

		int line = mark_line(p, &p->yp.problem_mark);

		if (p->yp.context)
			return fail(p, line, "bad YAML: %s, %s that starts on line %d", problem,
				    p->yp.context, mark_line(p, &p->yp.context_mark));
		return fail(p, line, "bad YAML: %s", problem);
	}
	p->have_ev = 1;
	switch (p->ev.type) {
	case YAML_ALIAS_EVENT:
		return fail(p, ev_line(p), "aliases (*%s) are not allowed in case studies",
			    (const char *)p->ev.data.alias.anchor);
	case YAML_SCALAR_EVENT:
		anchor = (const char *)p->ev.data.scalar.anchor;
		tag = (const char *)p->ev.data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = (const char *)p->ev.data.sequence_start.anchor;
		tag = (const char *)p->ev.data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = (const char *)p->ev.data.mapping_start.anchor;
		tag = (const char *)p->ev.data.mapping_start.tag;
		break;
	case YAML_DOCUMENT_START_EVENT:
		if (p->ev.data.document_start.version_directive ||
		    p->ev.data.document_start.tag_directives.start !=
			    p->ev.data.document_start.tag_directives.end)
			return fail(p, ev_line(p), "YAML directives are not allowed in case studies");
		break;
	default:
		break;
	}
	if (anchor)
		return fail(p, ev_line(p), "anchors (&%s) are not allowed in case studies", anchor);
	if (tag)
		return fail(p, ev_line(p), "tags (%s) are not allowed in case studies", tag);
	return 0;
}

static const char *scalar(const fm_parser *p, size_t *len)
{
	*len = p->ev.data.scalar.length;
	return (const char *)p->ev.data.scalar.value;
}

static int empty_plain(const fm_parser *p)
{
	return p->ev.type == YAML_SCALAR_EVENT && p->ev.data.scalar.length == 0 &&
	       p->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* Reads the next event as a text value of field `what`. */
static int read_text(fm_parser *p, const char *what, size_t max, int required,
		     int multiline, char **out, int *line)
{
	const char *v;
	size_t len;
	int rc;

	if ((rc = next_event(p)) < 0)
		return rc;
	if (p->ev.type != YAML_SCALAR_EVENT)
		return fail(p, ev_line(p), "'%s' must be a text, not %s", what, ev_kind(&p->ev));
	v = scalar(p, &len);
	if (line)
		*line = ev_line(p);
	if (check_text(what, v, len, max, required, multiline) < 0)
		return located(p, ev_line(p));
	if (!required && len == 0)
		return 0;
	if (!(*out = dup_n(v, len)))
		return oom();
	return 0;
}

/* Reads the next event as a record key; `what` names it ("account key"). */
static int read_key(fm_parser *p, const char *field, const char *what, char **out,
		    int *line)
{
	const char *v;
	size_t len;
	int rc;

	if ((rc = next_event(p)) < 0)
		return rc;
	if (p->ev.type != YAML_SCALAR_EVENT)
		return fail(p, ev_line(p), "'%s' must be a %s, not %s", field, what,
			    ev_kind(&p->ev));
	v = scalar(p, &len);
	if (line)
		*line = ev_line(p);
	if (check_key(what, v, len) < 0)
		return located(p, ev_line(p));
	if (!(*out = dup_n(v, len)))
		return oom();
	return 0;
}

/* Reads the next event as the start of a list. Returns 1 when a list
 * starts, 0 when the value is empty (`field:` alone), or an error. */
static int begin_list(fm_parser *p, const char *field, const char *of)
{
	int rc;

	if ((rc = next_event(p)) < 0)
		return rc;
	if (p->ev.type == YAML_SEQUENCE_START_EVENT)
		return 1;
	if (empty_plain(p))
		return 0;
	return fail(p, ev_line(p), "'%s' must be a list of %s (one '- ' line each), not %s",
		    field, of, ev_kind(&p->ev));
}

static int read_sessions(fm_parser *p, int field_line)
{
	cb_case_doc *d = p->doc;
	int rc;

	if ((rc = begin_list(p, "sessions", "session keys")) < 0)
		return rc;
	while (rc == 1) {
		char **keys;
		int *lines, line;

		if ((rc = next_event(p)) < 0)
			return rc;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		line = ev_line(p);
		if (d->n_sessions == CB_FM_SESSIONS_MAX)
			return fail(p, line, "more than %d sessions", CB_FM_SESSIONS_MAX);
		if (p->ev.type != YAML_SCALAR_EVENT)
			return fail(p, line, "each session must be a session key, not %s",
				    ev_kind(&p->ev));
		keys = realloc(d->sessions, (d->n_sessions + 1) * sizeof(*keys));
		if (!keys)
			return oom();
		d->sessions = keys;
		lines = realloc(d->session_lines, (d->n_sessions + 1) * sizeof(*lines));
		if (!lines)
			return oom();
		d->session_lines = lines;
		{
			size_t len;
			const char *v = scalar(p, &len);

			if ((rc = check_key("session key", v, len)) < 0)
				return located(p, line);
			for (size_t i = 0; i < d->n_sessions; i++)
				if (strcmp(d->sessions[i], v) == 0)
					return fail(p, line,
						    "session '%s' is listed twice (first on line %d)",
						    v, d->session_lines[i]);
			if (!(keys[d->n_sessions] = dup_n(v, len)))
				return oom();
		}
		lines[d->n_sessions++] = line;
		rc = 1;
	}
	if (d->n_sessions == 0)
		return fail(p, field_line, "'sessions' must list at least one session key");
	return 0;
}

static int read_principles(fm_parser *p)
{
	cb_case_doc *d = p->doc;
	int rc;

	if ((rc = begin_list(p, "principles", "short texts")) < 0)
		return rc;
	while (rc == 1) {
		char **list;
		size_t len;
		const char *v;
		int line;

		if ((rc = next_event(p)) < 0)
			return rc;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		line = ev_line(p);
		if (d->n_principles == CB_FM_PRINCIPLES_MAX)
			return fail(p, line, "more than %d principles", CB_FM_PRINCIPLES_MAX);
		if (p->ev.type != YAML_SCALAR_EVENT)
			return fail(p, line, "each principle must be a short text, not %s",
				    ev_kind(&p->ev));
		v = scalar(p, &len);
		if ((rc = check_text("principle", v, len, CB_FM_PRINCIPLE_MAX, 1, 0)) < 0)
			return located(p, line);
		list = realloc(d->principles, (d->n_principles + 1) * sizeof(*list));
		if (!list)
			return oom();
		d->principles = list;
		if (!(list[d->n_principles] = dup_n(v, len)))
			return oom();
		d->n_principles++;
		rc = 1;
	}
	return 0;
}

static int read_number(fm_parser *p, const char *field, double *out)
{
	const char *v;
	size_t len;
	int rc;

	if ((rc = next_event(p)) < 0)
		return rc;
	if (p->ev.type != YAML_SCALAR_EVENT)
		return fail(p, ev_line(p), "claim '%s' must be a number, not %s", field,
			    ev_kind(&p->ev));
	v = scalar(p, &len);
	if (p->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return fail(p, ev_line(p),
			    "claim '%s' must be a number, not quoted text (write it without quotes)",
			    field);
	if (len == 0)
		return fail(p, ev_line(p), "claim '%s' is empty; write a number", field);
	if (cb_frontmatter_number_parse(v, out) < 0) /* plain: no escapes, no NUL */
		return cb_error_prefix("%s:%d: claim '%s'", p->name, ev_line(p), field);
	return 0;
}

/* One claim; the mapping has just started. */
static int read_claim(fm_parser *p, cb_case_claim *c)
{
	int seen[C_COUNT] = {0};
	int rc;

	c->line = ev_line(p);
	for (;;) {
		const char *key;
		size_t len;
		int idx = -1, line;

		if ((rc = next_event(p)) < 0)
			return rc;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		line = ev_line(p);
		if (p->ev.type != YAML_SCALAR_EVENT)
			return fail(p, line, "claim field names must be plain text, not %s",
				    ev_kind(&p->ev));
		key = scalar(p, &len);
		for (int i = 0; i < C_COUNT; i++)
			if (strlen(key) == len && strcmp(key, claim_names[i]) == 0)
				idx = i;
		if (idx < 0) {
			const char *hint = strlen(key) == len
						   ? cb_text_suggest(key, claim_names, C_COUNT)
						   : NULL;

			if (check_text("claim field name", key, len, 64, 1, 0) < 0)
				return located(p, line);
			if (hint)
				return fail(p, line, "unknown claim field '%s' (did you mean '%s'?)",
					    key, hint);
			return fail(p, line,
				    "unknown claim field '%s' (claim fields: kpi, before, after, period, note)",
				    key);
		}
		if (seen[idx])
			return fail(p, line, "duplicate claim field '%s' (first given on line %d)",
				    claim_names[idx], seen[idx]);
		seen[idx] = line;
		switch (idx) {
		case C_KPI:
			rc = read_key(p, "kpi", "KPI key", &c->kpi, NULL);
			break;
		case C_BEFORE:
			rc = read_number(p, "before", &c->before);
			break;
		case C_AFTER:
			rc = read_number(p, "after", &c->after);
			break;
		case C_PERIOD: {
			char *text = NULL;

			rc = read_text(p, "period", 64, 1, 0, &text, &line);
			if (rc == 0 && period_parse(text, &c->from, &c->to) < 0)
				rc = located(p, line);
			free(text);
			break;
		}
		default:
			rc = read_text(p, "note", CB_NOTE_MAX, 0, 1, &c->note, NULL);
			break;
		}
		if (rc < 0)
			return rc;
	}
	for (int i = 0; i < C_NOTE; i++)
		if (!seen[i])
			return fail(p, c->line, "claim lacks '%s'", claim_names[i]);
	return 0;
}

static int read_claims(fm_parser *p)
{
	cb_case_doc *d = p->doc;
	int rc;

	if ((rc = begin_list(p, "claims", "claims")) < 0)
		return rc;
	while (rc == 1) {
		cb_case_claim *list;

		if ((rc = next_event(p)) < 0)
			return rc;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (d->n_claims == CB_FM_CLAIMS_MAX)
			return fail(p, ev_line(p), "more than %d claims", CB_FM_CLAIMS_MAX);
		if (p->ev.type != YAML_MAPPING_START_EVENT)
			return fail(p, ev_line(p),
				    "each claim must be a mapping of kpi, before, after, period and note, not %s",
				    ev_kind(&p->ev));
		list = realloc(d->claims, (d->n_claims + 1) * sizeof(*list));
		if (!list)
			return oom();
		d->claims = list;
		memset(&list[d->n_claims], 0, sizeof(*list));
		d->n_claims++;
		if ((rc = read_claim(p, &list[d->n_claims - 1])) < 0)
			return rc;
		rc = 1;
	}
	return 0;
}

static int read_field(fm_parser *p, int idx, int line)
{
	cb_case_doc *d = p->doc;

	switch (idx) {
	case F_TITLE:
		return read_text(p, "title", CB_NAME_MAX, 1, 0, &d->title, &d->title_line);
	case F_TECHNICIAN:
		return read_key(p, "technician", "person key", &d->technician,
				&d->technician_line);
	case F_ACCOUNT:
		return read_key(p, "account", "account key", &d->account, &d->account_line);
	case F_SESSIONS:
		return read_sessions(p, line);
	case F_PRINCIPLES:
		return read_principles(p);
	default:
		return read_claims(p);
	}
}

static int unknown_field(fm_parser *p, int line, const char *key, size_t len)
{
	const char *hint;

	if (check_text("field name", key, len, 64, 1, 0) < 0)
		return located(p, line);
	for (int i = 0; i < 3; i++) {
		char lower[16];

		cb_text_lower(lower, sizeof(lower), section_names[i]);
		if (strcmp(key, lower) == 0)
			return fail(p, line,
				    "'%s' belongs in the body, under a '## %s' heading",
				    key, section_names[i]);
	}
	hint = cb_text_suggest(key, field_names, F_COUNT);
	if (hint)
		return fail(p, line, "unknown field '%s' (did you mean '%s'?)", key, hint);
	return fail(p, line,
		    "unknown field '%s' (fields: title, technician, account, sessions, principles, claims)",
		    key);
}

static int read_front_matter(fm_parser *p, const char *yaml, size_t len)
{
	int seen[F_COUNT] = {0};
	int rc;

	/* A directive would need a '---' after it, which ends the front
	 * matter; say so plainly rather than as a YAML syntax error. */
	for (size_t pos = 0, line = YAML_FIRST_LINE; pos < len; line++) {
		const char *nl = memchr(yaml + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - yaml) - pos : len - pos;
		size_t i = 0;

		while (i < ll && (yaml[pos + i] == ' ' || yaml[pos + i] == '\t'))
			i++;
		if (i < ll && yaml[pos + i] != '#') {
			if (yaml[pos] == '%')
				return fail(p, (int)line,
					    "YAML directives (%%YAML, %%TAG) are not allowed in case studies");
			break;
		}
		pos += ll + 1;
	}
	p->yaml = yaml;
	p->yaml_len = len;
	p->seen_chars = p->seen_bytes = 0;
	p->seen_line = YAML_FIRST_LINE;
	if (!yaml_parser_initialize(&p->yp))
		return oom();
	yaml_parser_set_input_string(&p->yp, (const unsigned char *)yaml, len);
	if ((rc = next_event(p)) < 0 || (rc = next_event(p)) < 0) /* stream, document */
		goto done;
	if (p->ev.type == YAML_STREAM_END_EVENT) {
		rc = fail(p, 1, "the front matter is empty; it needs at least title, technician, account and sessions");
		goto done;
	}
	if ((rc = next_event(p)) < 0)
		goto done;
	if (p->ev.type != YAML_MAPPING_START_EVENT) {
		rc = empty_plain(p)
			     ? fail(p, 1, "the front matter is empty; it needs at least title, technician, account and sessions")
			     : fail(p, ev_line(p),
				    "the front matter must be a mapping of fields ('name: value' lines), not %s",
				    ev_kind(&p->ev));
		goto done;
	}
	for (;;) {
		const char *key;
		size_t klen;
		int idx = -1, line;

		if ((rc = next_event(p)) < 0)
			goto done;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		line = ev_line(p);
		if (p->ev.type != YAML_SCALAR_EVENT) {
			rc = fail(p, line, "field names must be plain text, not %s", ev_kind(&p->ev));
			goto done;
		}
		key = scalar(p, &klen);
		for (int i = 0; i < F_COUNT; i++)
			if (strlen(key) == klen && strcmp(key, field_names[i]) == 0)
				idx = i;
		if (idx < 0) {
			rc = unknown_field(p, line, key, klen);
			goto done;
		}
		if (seen[idx]) {
			rc = fail(p, line, "duplicate field '%s' (first given on line %d)",
				  field_names[idx], seen[idx]);
			goto done;
		}
		seen[idx] = line;
		if ((rc = read_field(p, idx, line)) < 0)
			goto done;
	}
	if ((rc = next_event(p)) < 0 || (rc = next_event(p)) < 0) /* document end, stream end */
		goto done;
	if (p->ev.type != YAML_STREAM_END_EVENT) {
		rc = fail(p, ev_line(p), "the front matter holds more than one YAML document");
		goto done;
	}
	for (int i = 0; i < F_COUNT; i++) {
		if (i == F_PRINCIPLES || i == F_CLAIMS || seen[i])
			continue;
		rc = fail(p, 1, "the front matter lacks the required field '%s'", field_names[i]);
		goto done;
	}
	rc = 0;
done:
	if (p->have_ev)
		yaml_event_delete(&p->ev);
	p->have_ev = 0;
	yaml_parser_delete(&p->yp);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The body                                                             */

typedef struct span {
	size_t start, len;   /* the content after the heading line */
	size_t hstart, hlen; /* the heading's name */
	int line;            /* the heading's line; 0 when absent */
} span;

static int take_span(const char *s, span sp, char **out)
{
	size_t start = sp.start, len = sp.len;

	trim_blank_lines(s, &start, &len);
	if (!(*out = dup_n(s + start, len)))
		return oom();
	return 0;
}

/* Heading text: after "##", without surrounding blanks or a closing run
 * of '#' (CommonMark's "## Outcome ##"). */
static void heading_text(const char *line, size_t len, size_t *start, size_t *hlen)
{
	size_t b = 2, e = len, h;

	while (b < e && (line[b] == ' ' || line[b] == '\t'))
		b++;
	while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t'))
		e--;
	h = e;
	while (h > b && line[h - 1] == '#')
		h--;
	if (h == b || line[h - 1] == ' ' || line[h - 1] == '\t') {
		e = h;
		while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t'))
			e--;
	}
	*start = b;
	*hlen = e - b;
}

#define EXTRA_MAX 64 /* "## " sections besides the known three */

/* Cuts the body s[pos..len), whose first line is `line`, into sections. */
static int read_body(fm_parser *p, const char *s, size_t pos, size_t len, int line)
{
	cb_case_doc *d = p->doc;
	span known[3] = {{0}}, pre = {0}, extra[EXTRA_MAX], *cur = &pre;
	char *name, **field[3] = {&d->situation, &d->actions, &d->outcome};
	size_t flen = 0, n_extra = 0;
	int fence_line = 0, rc, k;
	char fch = 0;

	pre.start = pos;
	while (pos < len) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - s) - pos : len - pos, next = pos + ll + (nl ? 1 : 0);
		size_t hs, hl;

		if (fence_step(s + pos, ll, &fch, &flen)) {
			fence_line = line;
		} else if (!flen && heading_line(s + pos, ll)) {
			heading_text(s + pos, ll, &hs, &hl);
			if (hl == 0)
				return fail(p, line, "a '##' heading needs a name");
			if (hl > CB_NAME_MAX)
				return fail(p, line, "heading is %zu bytes long; the limit is %d",
					    hl, CB_NAME_MAX);
			if (!(name = dup_n(s + pos + hs, hl)))
				return oom();
			k = match_section(name);
			free(name);
			cur->len = pos - cur->start;
			if (k >= 0 && known[k].line)
				return fail(p, line, "second '## %s' section (the first is on line %d)",
					    section_names[k], known[k].line);
			if (k < 0 && n_extra == EXTRA_MAX)
				return fail(p, line, "more than %d sections", EXTRA_MAX + 3);
			cur = k >= 0 ? &known[k] : &extra[n_extra++];
			cur->line = line;
			cur->hstart = pos + hs;
			cur->hlen = hl;
			cur->start = next;
		}
		pos = next;
		line++;
	}
	cur->len = len - cur->start;
	if (flen)
		return fail(p, fence_line, "the code block opened here is never closed");
	for (k = 0; k < 3; k++) {
		/* `line` is now one past the file's last line, whether that ends with a
		 * line feed or not; with an empty body, the last is the closing '---'. */
		if (!known[k].line)
			return fail(p, line - 1, "the body has no '## %s' section",
				    section_names[k]);
		if ((rc = take_span(s, known[k], field[k])) < 0)
			return rc;
		if (!**field[k])
			return fail(p, known[k].line, "the '## %s' section is empty",
				    section_names[k]);
	}
	if ((rc = take_span(s, pre, &d->preamble)) < 0)
		return rc;
	if (!*d->preamble) {
		free(d->preamble);
		d->preamble = NULL;
	}
	if (n_extra && !(d->extra = calloc(n_extra, sizeof(*d->extra))))
		return oom();
	for (size_t i = 0; i < n_extra; i++) {
		d->n_extra++;
		if (!(d->extra[i].heading = dup_n(s + extra[i].hstart, extra[i].hlen)) ||
		    take_span(s, extra[i], &d->extra[i].text) < 0)
			return oom();
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Whole-document checks and the entry point                           */

static int check_whole(const fm_parser *p, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *nul = memchr(s, '\0', len);
	size_t bad;

	if (nul)
		return fail(p, line_at(s, (size_t)(nul - s)),
			    "the file holds a NUL byte (is it a text file?)");
	bad = cb_utf8_invalid_at(s, len);
	if (bad != (size_t)-1)
		return fail(p, line_at(s, bad), "not valid UTF-8 (byte 0x%02X)", u[bad]);
	for (size_t i = 0; i < len; i++) {
		if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n') || u[i] == 0x7F)
			return fail(p, line_at(s, i), "control character 0x%02X", u[i]);
		if (c1_at(u, len, i))
			return fail(p, line_at(s, i), "control character U+%04X", u[i + 1]);
	}
	return 0;
}

int cb_frontmatter_parse(const char *name, const char *text, size_t len,
			 cb_case_doc *doc)
{
	fm_parser p = {0};
	char *s = NULL;
	size_t n = 0, pos, yaml_end = 0, body = 0;
	int rc, line, closed = 0;

	memset(doc, 0, sizeof(*doc));
	p.name = name;
	p.doc = doc;
	if (len > CB_FM_SIZE_MAX)
		return cb_error_set(CB_EINVALID,
				    "%s: the document is %zu bytes long; the limit is %d bytes (256 KiB)",
				    name, len, CB_FM_SIZE_MAX);
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		text += 3, len -= 3;
	/* CRLF line ends read as LF; a lone CR is a control character. */
	if (!(s = malloc(len + 1)))
		return oom();
	for (size_t i = 0; i < len; i++)
		if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
			s[n++] = text[i];
	s[n] = '\0';
	if ((rc = check_whole(&p, s, n)) < 0)
		goto done;
	if (n < 4 || memcmp(s, "---\n", 4) != 0) {
		rc = fail(&p, 1, "a case study must start with a '---' line that opens its front matter");
		goto done;
	}
	for (pos = 4, line = 2; pos < n; line++) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t ll = nl ? (size_t)(nl - s) - pos : n - pos;

		if (ll >= 3 && memcmp(s + pos, "---", 3) == 0 && blank_line(s + pos + 3, ll - 3)) {
			yaml_end = pos;
			body = pos + ll + (nl ? 1 : 0);
			closed = 1;
			break;
		}
		pos += ll + (nl ? 1 : 0);
	}
	if (!closed) {
		rc = fail(&p, 1, "the front matter opened here is never closed by a '---' line");
		goto done;
	}
	if ((rc = read_front_matter(&p, s + 4, yaml_end - 4)) < 0 ||
	    (rc = read_body(&p, s, body, n, line + 1)) < 0)
		goto done;
	rc = 0;
done:
	free(s);
	if (rc < 0) {
		/* keep the message: clearing the document sets none */
		cb_frontmatter_clear(doc);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Validation of a document built in memory                            */

/* Whether the heading h[0..hl), at most CB_NAME_MAX bytes, reads back as itself from the line
 * "## h", or, when `closed`, "## h ##": the closing run keeps a run of '#' that ends h from
 * being cut as one ("## Notes on C # ##"). Blanks around h are cut either way. */
static int heading_reads_back(const char *h, size_t hl, int closed)
{
	char line[CB_NAME_MAX + 6];
	size_t n = hl + 3, start, len;

	memcpy(line, "## ", 3);
	memcpy(line + 3, h, hl);
	if (closed) {
		memcpy(line + n, " ##", 3);
		n += 3;
	}
	heading_text(line, n, &start, &len);
	return start == 3 && len == hl;
}

int cb_frontmatter_validate(const cb_case_doc *d)
{
	int rc;

	if ((rc = check_text("title", d->title ? d->title : "",
			     d->title ? strlen(d->title) : 0, CB_NAME_MAX, 1, 0)) < 0)
		return rc;
	if ((rc = check_key("person key", d->technician ? d->technician : "",
			    d->technician ? strlen(d->technician) : 0)) < 0 ||
	    (rc = check_key("account key", d->account ? d->account : "",
			    d->account ? strlen(d->account) : 0)) < 0)
		return rc;
	if (d->n_sessions == 0)
		return cb_error_set(CB_EINVALID, "'sessions' must list at least one session key");
	if (d->n_sessions > CB_FM_SESSIONS_MAX)
		return cb_error_set(CB_EINVALID, "more than %d sessions", CB_FM_SESSIONS_MAX);
	for (size_t i = 0; i < d->n_sessions; i++) {
		if ((rc = check_key("session key", d->sessions[i], strlen(d->sessions[i]))) < 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(d->sessions[i], d->sessions[j]) == 0)
				return cb_error_set(CB_EINVALID, "session '%s' is listed twice",
						    d->sessions[i]);
	}
	if (d->n_principles > CB_FM_PRINCIPLES_MAX)
		return cb_error_set(CB_EINVALID, "more than %d principles", CB_FM_PRINCIPLES_MAX);
	for (size_t i = 0; i < d->n_principles; i++)
		if ((rc = check_text("principle", d->principles[i], strlen(d->principles[i]),
				     CB_FM_PRINCIPLE_MAX, 1, 0)) < 0)
			return rc;
	if (d->n_claims > CB_FM_CLAIMS_MAX)
		return cb_error_set(CB_EINVALID, "more than %d claims", CB_FM_CLAIMS_MAX);
	for (size_t i = 0; i < d->n_claims; i++) {
		const cb_case_claim *c = &d->claims[i];

		if ((rc = check_key("KPI key", c->kpi ? c->kpi : "", c->kpi ? strlen(c->kpi) : 0)) < 0)
			return rc;
		if (!isfinite(c->before) || !isfinite(c->after) || fabs(c->before) > CB_NUMBER_MAX ||
		    fabs(c->after) > CB_NUMBER_MAX)
			return cb_error_set(CB_EINVALID,
					    "claim %zu (%s): before and after must be numbers within "
					    CB_NUMBER_MAX_TEXT " either way",
					    i + 1, c->kpi);
		if (c->from < cb_date_from_civil(1900, 1, 1) || c->to > cb_date_from_civil(2999, 12, 31))
			return cb_error_set(CB_EINVALID, "claim %zu (%s): period is outside the years 1900-2999",
					    i + 1, c->kpi);
		if (c->from > c->to)
			return cb_error_set(CB_EINVALID, "claim %zu (%s): period ends before it starts",
					    i + 1, c->kpi);
		if (c->note && (rc = check_text("note", c->note, strlen(c->note), CB_NOTE_MAX, 0, 1)) < 0)
			return rc;
	}
	if ((d->preamble && (rc = check_body_text("preamble", d->preamble, 0)) < 0) ||
	    (rc = check_body_text("situation", d->situation ? d->situation : "", 1)) < 0 ||
	    (rc = check_body_text("actions", d->actions ? d->actions : "", 1)) < 0 ||
	    (rc = check_body_text("outcome", d->outcome ? d->outcome : "", 1)) < 0)
		return rc;
	if (d->n_extra > EXTRA_MAX)
		return cb_error_set(CB_EINVALID, "more than %d sections", EXTRA_MAX + 3);
	for (size_t i = 0; i < d->n_extra; i++) {
		const char *h = d->extra[i].heading ? d->extra[i].heading : "";
		size_t hl = strlen(h);

		if ((rc = check_text("heading", h, hl, CB_NAME_MAX, 1, 0)) < 0)
			return rc;
		if (match_section(h) >= 0 ||
		    (!heading_reads_back(h, hl, 0) && !heading_reads_back(h, hl, 1)))
			return cb_error_set(CB_EINVALID,
					    "heading '%s' cannot be written as another section", h);
		if ((rc = check_body_text(h, d->extra[i].text ? d->extra[i].text : "", 0)) < 0)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The writer                                                           */

static int special_word(const char *s)
{
	static const char *const words[] = {
		"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
		".inf", "-.inf", "+.inf", ".nan",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return 1;
	return 0;
}

/* Numbers, dates, times and the like, which YAML tools other than ours
 * would read as something other than text. */
static int number_like(const char *s)
{
	if (!strchr("0123456789+-.", s[0]))
		return 0;
	for (const char *c = s; *c; c++)
		if (!strchr("0123456789abcdefABCDEFxXoO+-.:_", *c))
			return 0;
	return 1;
}

/* Whether s can be written as a plain scalar that reads back as itself,
 * here and in other YAML tools. */
static int plain_ok(const char *s)
{
	size_t len = strlen(s);

	if (!len || special_word(s) || number_like(s))
		return 0;
	if (strchr("-?:,[]{}#&*!|>'\"%@` \t", s[0]) || s[len - 1] == ' ' || s[len - 1] == ':')
		return 0;
	if (strstr(s, ": ") || strstr(s, " #") || strchr(s, '\n') || strchr(s, '\t') ||
	    strchr(s, '\\') || strchr(s, '"'))
		return 0;
	/* YAML 1.1 reads NEL, LINE and PARAGRAPH SEPARATOR as line breaks */
	if (strstr(s, "\xC2\x85") || strstr(s, "\xE2\x80\xA8") || strstr(s, "\xE2\x80\xA9"))
		return 0;
	return 1;
}

static int put_scalar(cb_buf *b, const char *s)
{
	int rc;

	if (plain_ok(s))
		return cb_buf_puts(b, s);
	if ((rc = cb_buf_putc(b, '"')) < 0)
		return rc;
	for (const char *c = s; *c; c++) {
		const char *esc = NULL;

		switch (*c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			if (strncmp(c, "\xC2\x85", 2) == 0)
				esc = "\\N";
			else if (strncmp(c, "\xE2\x80\xA8", 3) == 0)
				esc = "\\L";
			else if (strncmp(c, "\xE2\x80\xA9", 3) == 0)
				esc = "\\P";
			break;
		}
		if (esc) {
			if ((rc = cb_buf_puts(b, esc)) < 0)
				return rc;
			if (esc[1] == 'N')
				c += 1;
			else if (esc[1] == 'L' || esc[1] == 'P')
				c += 2;
		} else if ((rc = cb_buf_putc(b, *c)) < 0) {
			return rc;
		}
	}
	return cb_buf_putc(b, '"');
}

static int put_field(cb_buf *b, const char *indent, const char *name, const char *value)
{
	int rc;

	if ((rc = cb_buf_printf(b, "%s%s: ", indent, name)) < 0 || (rc = put_scalar(b, value)) < 0)
		return rc;
	return cb_buf_putc(b, '\n');
}

static int put_text(cb_buf *b, const char *text)
{
	size_t start = 0, len = strlen(text);

	trim_blank_lines(text, &start, &len);
	return cb_buf_append(b, text + start, len);
}

/* A section; its heading, checked by cb_frontmatter_validate, gets a closing "##" when it
 * would not read back without one. */
static int put_section(cb_buf *b, const char *heading, const char *text)
{
	size_t start = 0, len = strlen(text);
	int rc, closed = !heading_reads_back(heading, strlen(heading), 0);

	trim_blank_lines(text, &start, &len);
	if ((rc = cb_buf_printf(b, "\n## %s%s\n", heading, closed ? " ##" : "")) < 0)
		return rc;
	if (!len)
		return 0;
	if ((rc = cb_buf_putc(b, '\n')) < 0 || (rc = put_text(b, text)) < 0)
		return rc;
	return cb_buf_putc(b, '\n');
}

static int render(const cb_case_doc *d, cb_buf *b)
{
	int rc;

	if ((rc = cb_buf_puts(b, "---\n")) < 0 || (rc = put_field(b, "", "title", d->title)) < 0 ||
	    (rc = put_field(b, "", "technician", d->technician)) < 0 ||
	    (rc = put_field(b, "", "account", d->account)) < 0 ||
	    (rc = cb_buf_puts(b, "sessions:\n")) < 0)
		return rc;
	for (size_t i = 0; i < d->n_sessions; i++)
		if ((rc = cb_buf_puts(b, "  - ")) < 0 || (rc = put_scalar(b, d->sessions[i])) < 0 ||
		    (rc = cb_buf_putc(b, '\n')) < 0)
			return rc;
	if (d->n_principles && (rc = cb_buf_puts(b, "principles:\n")) < 0)
		return rc;
	for (size_t i = 0; i < d->n_principles; i++)
		if ((rc = cb_buf_puts(b, "  - ")) < 0 || (rc = put_scalar(b, d->principles[i])) < 0 ||
		    (rc = cb_buf_putc(b, '\n')) < 0)
			return rc;
	if (d->n_claims && (rc = cb_buf_puts(b, "claims:\n")) < 0)
		return rc;
	for (size_t i = 0; i < d->n_claims; i++) {
		const cb_case_claim *c = &d->claims[i];
		char before[32], after[32], from[CB_DATE_LEN], to[CB_DATE_LEN];

		cb_frontmatter_number_format(c->before, before);
		cb_frontmatter_number_format(c->after, after);
		cb_date_format(c->from, from);
		cb_date_format(c->to, to);
		if ((rc = put_field(b, "  - ", "kpi", c->kpi)) < 0 ||
		    (rc = cb_buf_printf(b, "    before: %s\n    after: %s\n    period: %s..%s\n",
					before, after, from, to)) < 0 ||
		    (c->note && (rc = put_field(b, "    ", "note", c->note)) < 0))
			return rc;
	}
	if ((rc = cb_buf_puts(b, "---\n")) < 0)
		return rc;
	if (d->preamble && *d->preamble) {
		size_t start = 0, len = strlen(d->preamble);

		trim_blank_lines(d->preamble, &start, &len);
		if (len && ((rc = cb_buf_putc(b, '\n')) < 0 || (rc = put_text(b, d->preamble)) < 0 ||
			    (rc = cb_buf_putc(b, '\n')) < 0))
			return rc;
	}
	if ((rc = put_section(b, section_names[0], d->situation)) < 0 ||
	    (rc = put_section(b, section_names[1], d->actions)) < 0 ||
	    (rc = put_section(b, section_names[2], d->outcome)) < 0)
		return rc;
	for (size_t i = 0; i < d->n_extra; i++)
		if ((rc = put_section(b, d->extra[i].heading,
				      d->extra[i].text ? d->extra[i].text : "")) < 0)
			return rc;
	return 0;
}

int cb_frontmatter_render(const cb_case_doc *doc, cb_buf *out)
{
	cb_buf b = CB_BUF_INIT;
	int rc;

	if ((rc = cb_frontmatter_validate(doc)) < 0)
		return rc;
	if ((rc = render(doc, &b)) < 0)
		goto done;
	if (b.len > CB_FM_SIZE_MAX) {
		rc = cb_error_set(CB_EINVALID,
				  "the document would be %zu bytes long; the limit is %d bytes (256 KiB)",
				  b.len, CB_FM_SIZE_MAX);
		goto done;
	}
	rc = cb_buf_append(out, b.ptr, b.len);
done:
	cb_buf_free(&b);
	return rc;
}

void cb_frontmatter_clear(cb_case_doc *d)
{
	free(d->title);
	free(d->technician);
	free(d->account);
	for (size_t i = 0; i < d->n_sessions; i++)
		free(d->sessions[i]);
	free(d->sessions);
	free(d->session_lines);
	for (size_t i = 0; i < d->n_principles; i++)
		free(d->principles[i]);
	free(d->principles);
	for (size_t i = 0; i < d->n_claims; i++) {
		free(d->claims[i].kpi);
		free(d->claims[i].note);
	}
	free(d->claims);
	free(d->preamble);
	free(d->situation);
	free(d->actions);
	free(d->outcome);
	for (size_t i = 0; i < d->n_extra; i++) {
		free(d->extra[i].heading);
		free(d->extra[i].text);
	}
	free(d->extra);
	memset(d, 0, sizeof(*d));
}
