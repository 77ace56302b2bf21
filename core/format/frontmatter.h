/*
 * Case-study documents: YAML front matter between two `---` lines, then a
 * Markdown body whose `## Situation`, `## Actions` and `## Outcome` sections
 * hold the narrative. casestudies/FORMAT.md is the specification; this is
 * its reader (libyaml's event API, a strict subset) and canonical writer.
 */
#ifndef CB_FORMAT_FRONTMATTER_H
#define CB_FORMAT_FRONTMATTER_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define CB_FM_SIZE_MAX (256 * 1024) /* bytes in a whole document */
#define CB_FM_SESSIONS_MAX 32       /* entries in `sessions` */
#define CB_FM_PRINCIPLES_MAX 20     /* entries in `principles` */
#define CB_FM_PRINCIPLE_MAX 120     /* bytes in one principle */
#define CB_FM_CLAIMS_MAX 50         /* entries in `claims` */
#define CB_FM_NUMBER_MAX 40         /* characters in a claim's number */

/* One claimed KPI change at the case's account. */
typedef struct cb_case_claim {
	char *kpi;     /* KPI key */
	double before; /* finite */
	double after;  /* finite */
	int32_t from;  /* period start, a day number (base/date.h) */
	int32_t to;    /* period end, inclusive; from <= to */
	char *note;    /* NULL when absent */
	int line;      /* where the claim starts in the parsed file; 0 when built in memory */
} cb_case_claim;

/* A level-2 section of the body other than the three known ones. */
typedef struct cb_case_section {
	char *heading; /* the text after "## " */
	char *text;    /* without leading or trailing blank lines */
} cb_case_section;

/* A whole case-study document. Every string is owned by the document and
 * freed by cb_frontmatter_clear; a document built by hand must use
 * malloc'd strings too. Initialise with `cb_case_doc d = {0};`. */
typedef struct cb_case_doc {
	char *title;      /* required, one line */
	char *technician; /* person key, required */
	char *account;    /* account key, required */
	char **sessions;  /* session keys, 1..CB_FM_SESSIONS_MAX, no repeats */
	size_t n_sessions;
	char **principles; /* short texts, 0..CB_FM_PRINCIPLES_MAX */
	size_t n_principles;
	cb_case_claim *claims; /* 0..CB_FM_CLAIMS_MAX */
	size_t n_claims;
	/* The body. */
	char *preamble;  /* text before the first "## " heading; NULL when none */
	char *situation; /* required: the `## Situation` section */
	char *actions;   /* required: the `## Actions` section */
	char *outcome;   /* required: the `## Outcome` section */
	cb_case_section *extra; /* other "## " sections, in file order */
	size_t n_extra;
	/* Lines in the parsed file, for later messages; 0 when built in memory. */
	int title_line, technician_line, account_line;
	int *session_lines; /* n_sessions entries, or NULL */
} cb_case_doc;

/* Parses the document text[0..len) into *doc (which the call
 * initialises; on failure it is left empty). `name` labels messages
 * ("case.md:7: unknown field 'titel' (did you mean 'title'?)").
 * A CRLF line end is read as LF. Returns 0 or CB_EINVALID (CB_ENOMEM). */
int cb_frontmatter_parse(const char *name, const char *text, size_t len,
			 cb_case_doc *doc);

/* Checks a document built in memory against the same rules the parser
 * applies, so that what cb_frontmatter_render writes always parses back to
 * an equal document. Returns 0 or CB_EINVALID naming the field. */
int cb_frontmatter_validate(const cb_case_doc *doc);

/* Appends the canonical text of `doc` to `out`: fields in the order of
 * FORMAT.md, scalars plain where that is unambiguous and double-quoted
 * otherwise, numbers in their shortest exact form, then the body with the
 * preamble, the three known sections and the others. Validates first;
 * returns 0 or CB_EINVALID (CB_ENOMEM) with `out` unchanged. */
int cb_frontmatter_render(const cb_case_doc *doc, cb_buf *out);

/* Writes a claim's number in its shortest form that reads back exactly
 * ("12", "-3.5", "1000", "1.25e-07") into out (32 bytes). */
void cb_frontmatter_number_format(double v, char out[32]);

/* Parses a claim number: an optional sign, digits with an optional
 * fraction, an optional exponent ("12", "-3.5", "1e3", ".5"); refuses
 * anything else and results that are not finite. Returns 0 or
 * CB_EINVALID with a message naming the text. */
int cb_frontmatter_number_parse(const char *text, double *out);

/* Frees everything the document holds and zeroes it. */
void cb_frontmatter_clear(cb_case_doc *doc);

#endif
