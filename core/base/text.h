/*
 * Text checks shared by every input path: UTF-8 validity, control
 * characters, length limits, record keys, and "did you mean" suggestions.
 */
#ifndef CB_BASE_TEXT_H
#define CB_BASE_TEXT_H

#include <stddef.h>

#include "base/buf.h"

#define CB_KEY_MAX 64    /* bytes in a record key */
#define CB_NAME_MAX 200  /* bytes in a name or title */
#define CB_NOTE_MAX 4000 /* bytes in free text (notes, descriptions) */

/* Returns the byte offset of the first invalid UTF-8 sequence in s[0..len),
 * or (size_t)-1 when all of it is valid (overlongs, surrogates and code
 * points past U+10FFFF are invalid). */
size_t cb_utf8_invalid_at(const char *s, size_t len);

/* Checks a field of free text: valid UTF-8, no control characters (C0,
 * DEL or C1; tab and, when `multiline`, newlines allowed), at most `max` bytes, and, when
 * `required`, not empty or blank. `what` names the field in the message
 * ("name", "location"). Returns 0 or CB_EINVALID. */
int cb_text_check(const char *what, const char *s, size_t max, int required,
		  int multiline);

/* Appends s[0..len) to `out` fit to print on a terminal: control
 * characters other than line feed and tab (C0, DEL, and the C1 controls
 * U+0080..U+009F, which some terminals obey too) written as \xNN (\u00NN
 * for C1), and each byte that is not part of valid UTF-8 as \xNN; all else
 * as it is. Returns 0 or CB_ENOMEM. */
int cb_text_escape_controls(cb_buf *out, const char *s, size_t len);

/* Appends s[0..len) to `out` on one line: line feed and carriage return
 * written as \n and \r, so that a quoted value never starts a line of its
 * own in a list of one error a line. Returns 0 or CB_ENOMEM. */
int cb_text_one_line(cb_buf *out, const char *s, size_t len);

/* Checks a record key: 1..CB_KEY_MAX bytes of ASCII letters, digits, '.',
 * '_' and '-', starting with a letter or digit. `what` names the record
 * ("account key"). Returns 0 or CB_EINVALID. */
int cb_key_check(const char *what, const char *key);

/* Levenshtein distance, capped: returns at most `cap` + 1. */
size_t cb_text_distance(const char *a, const char *b, size_t cap);

/* The candidate closest to `word` when it is close enough to be a likely
 * typo, else NULL. Borrowed from `candidates`. */
const char *cb_text_suggest(const char *word, const char *const *candidates,
			    size_t n);

/* The largest magnitude of a number Casebook takes from a user (a cost, a
 * claim, an observation, a target, a money value): sums over millions of
 * them, and products of a few, stay finite, so no infinity ever reaches
 * an output. */
#define CB_NUMBER_MAX 1e15
#define CB_NUMBER_MAX_TEXT "1e15" /* as messages write it */

/* Parses a decimal number as people write one: an optional sign, digits
 * with an optional fraction, an optional exponent ("12", "-3.5", ".5",
 * "1e3"); nothing else (no hexadecimal, "inf" or "nan", no blanks around
 * it). Returns 0, -1 when `s` is not such a number, or -2 when its
 * magnitude exceeds CB_NUMBER_MAX. Sets no error message: the caller
 * names the field. */
int cb_decimal_parse(const char *s, double *out);

/* cb_decimal_parse for a field named `what`, within [min, max] (which lie
 * within +-CB_NUMBER_MAX); CB_EINVALID says which rule `text` breaks. */
int cb_decimal_field(const char *what, const char *text, double min, double max, double *out);

/* The ASCII lowercase copy of s written into out (at most outlen bytes). */
void cb_text_lower(char *out, size_t outlen, const char *s);

#endif
