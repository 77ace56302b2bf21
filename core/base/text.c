/* Input text checks, one place for every command and importer. */
#include "base/text.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

size_t cb_utf8_invalid_at(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned cp, min;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n + 1;
	}
	return (size_t)-1;
}

int cb_text_check(const char *what, const char *s, size_t max, int required,
		  int multiline)
{
	size_t len = s ? strlen(s) : 0, bad;
	int blank = 1;

	if (len > max)
		return cb_error_set(CB_EINVALID,
				    "%s is %zu bytes long; the limit is %zu",
				    what, len, max);
	bad = cb_utf8_invalid_at(s ? s : "", len);
	if (bad != (size_t)-1)
		return cb_error_set(CB_EINVALID,
				    "%s is not valid UTF-8 (byte 0x%02X at offset %zu)",
				    what, (unsigned char)s[bad], bad);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\t' || (multiline && (c == '\n' || c == '\r')))
			continue;
		if (c < 0x20 || c == 0x7F)
			return cb_error_set(CB_EINVALID,
					    "%s contains control character 0x%02X at offset %zu",
					    what, c, i);
		/* the C1 controls, U+0080..U+009F (valid UTF-8 here) */
		if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] < 0xA0)
			return cb_error_set(CB_EINVALID,
					    "%s contains control character U+%04X at offset %zu",
					    what, (unsigned char)s[i + 1], i);
		if (c != ' ')
			blank = 0;
	}
	if (required && blank)
		return cb_error_set(CB_EINVALID, "%s is empty", what);
	return 0;
}

int cb_key_check(const char *what, const char *key)
{
	size_t len = key ? strlen(key) : 0;

	if (len == 0)
		return cb_error_set(CB_EINVALID, "%s is empty", what);
	if (len > CB_KEY_MAX)
		return cb_error_set(CB_EINVALID,
				    "%s is %zu bytes long; the limit is %d", what,
				    len, CB_KEY_MAX);
	for (size_t i = 0; i < len; i++) {
		char c = key[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return cb_error_set(CB_EINVALID,
					    "%s '%.*s' may hold only letters, digits, '.', '_' and '-', starting with a letter or digit",
					    what, (int)(len > 80 ? 80 : len), key);
	}
	return 0;
}

size_t cb_text_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), *row, result;

	if (la > lb ? la - lb > cap : lb - la > cap)
		return cap + 1;
	row = malloc((lb + 1) * sizeof(*row));
	if (!row)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best;

		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = diag + cost;

			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap) {
			free(row);
			return cap + 1;
		}
	}
	result = row[lb];
	free(row);
	return result > cap ? cap + 1 : result;
}

const char *cb_text_suggest(const char *word, const char *const *candidates,
			    size_t n)
{
	size_t len = strlen(word);
	size_t cap = len < 4 ? 1 : len < 8 ? 2 : 3;
	const char *best = NULL;
	size_t best_d = cap + 1;

	for (size_t i = 0; i < n; i++) {
		size_t d = cb_text_distance(word, candidates[i], cap);

		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best;
}

void cb_text_lower(char *out, size_t outlen, const char *s)
{
	size_t i = 0;

	if (!outlen)
		return;
	for (; s[i] && i + 1 < outlen; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	out[i] = '\0';
}

int cb_decimal_parse(const char *s, double *out)
{
	/* The powers of ten a double holds exactly. */
	static const double exact_tens[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
					    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
					    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	const char *p = s;
	char *end;
	size_t digits = 0, decimals = 0;
	uint64_t whole = 0; /* the digits as one number, while there are at most 19 */
	double v;

	if (*p == '+' || *p == '-')
		p++;
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		whole = whole * 10 + (uint64_t)(*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++, decimals++)
			whole = whole * 10 + (uint64_t)(*p - '0');
	if (!digits)
		return -1;
	if (!*p && digits <= 15) {
		/* The digits, below 2^53, and 10^decimals are exact doubles, and
		 * a division is rounded correctly: the same double strtod
		 * gives, without its general case. */
		v = (double)whole / exact_tens[decimals];
		if (*s == '-')
			v = -v;
		*out = v == 0 ? 0 : v; /* no -0 */
		return 0;
	}
	if (*p == 'e' || *p == 'E') {
		size_t exp_digits = 0;

		p++;
		if (*p == '+' || *p == '-')
			p++;
		while (*p >= '0' && *p <= '9')
			p++, exp_digits++;
		if (!exp_digits)
			return -1;
	}
	if (*p)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end || !isfinite(v) || fabs(v) > CB_NUMBER_MAX)
		return -2;
	*out = v == 0 ? 0 : v; /* no -0 */
	return 0;
}

/* A bound as messages write it: CB_NUMBER_MAX as CB_NUMBER_MAX_TEXT. */
static void bound_text(double v, char *out, size_t outlen)
{
	if (fabs(v) == CB_NUMBER_MAX)
		snprintf(out, outlen, "%s%s", v < 0 ? "-" : "", CB_NUMBER_MAX_TEXT);
	else
		snprintf(out, outlen, "%.15g", v);
}

int cb_decimal_field(const char *what, const char *text, double min, double max, double *out)
{
	double v;
	int rc = cb_decimal_parse(text, &v);

	if (rc == -1) {
		if (cb_text_check(what, text, 40, 0, 0) < 0)
			return CB_EINVALID; /* says which byte is wrong, without echoing it */
		return cb_error_set(CB_EINVALID,
				    "%s: '%s' is not a number (write a decimal such as 12, -3.5 or 1e3)",
				    what, text);
	}
	if (rc == -2 || v < min || v > max) {
		char lo[32], hi[32];

		bound_text(min, lo, sizeof(lo));
		bound_text(max, hi, sizeof(hi));
		return cb_error_set(CB_EINVALID, "%s: %.40s is out of range (%s to %s)", what, text,
				    lo, hi);
	}
	*out = v;
	return 0;
}

int cb_text_escape_controls(cb_buf *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	int rc = 0;

	while (i < len && rc == 0) {
		unsigned c = s[i];
		size_t bad, n;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
				rc = cb_buf_printf(out, "\\x%02X", c);
			else
				rc = cb_buf_putc(out, (char)c);
			i++;
			continue;
		}
		/* one sequence: its length when valid, else the lone byte */
		n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
		bad = n > len - i ? 0 : cb_utf8_invalid_at((const char *)s + i, n);
		if (n == 1 || bad != (size_t)-1) {
			rc = cb_buf_printf(out, "\\x%02X", c);
			i++;
		} else if (c == 0xC2 && s[i + 1] < 0xA0) {
			rc = cb_buf_printf(out, "\\u%04X", (unsigned)s[i + 1]);
			i += 2;
		} else {
			rc = cb_buf_append(out, s + i, n);
			i += n;
		}
	}
	return rc;
}

int cb_text_one_line(cb_buf *out, const char *s, size_t len)
{
	int rc = 0;

	for (size_t i = 0; i < len && rc == 0; i++)
		rc = s[i] == '\n'   ? cb_buf_puts(out, "\\n")
		     : s[i] == '\r' ? cb_buf_puts(out, "\\r")
				    : cb_buf_putc(out, s[i]);
	return rc;
}
