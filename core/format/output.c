/*
 * Table, CSV and JSON writers for command output. Column widths count UTF-8
 * code points (each taken as one column wide); long cells are cut with "…"
 * in tables only.
 */
#include "format/output.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"

#define CELL_MAX 4096   /* bytes of one rendered cell */
#define COLUMN_MAX 48   /* display width at which a table cell is cut */

static size_t display_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

/* Byte length of the first `cols` code points of s. */
static size_t prefix_bytes(const char *s, size_t cols)
{
	size_t i = 0, w = 0;

	while (s[i]) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (w == cols)
				break;
			w++;
		}
		i++;
	}
	return i;
}

static void scalar_into(const json_t *v, cb_buf *b)
{
	char num[64];

	switch (json_typeof(v)) {
	case JSON_STRING:
		cb_buf_append(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		cb_buf_puts(b, num);
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.6g", json_real_value(v));
		cb_buf_puts(b, num);
		break;
	case JSON_TRUE:
		cb_buf_puts(b, "true");
		break;
	case JSON_FALSE:
		cb_buf_puts(b, "false");
		break;
	case JSON_NULL:
		cb_buf_puts(b, "-");
		break;
	case JSON_ARRAY: {
		size_t i;
		json_t *item;

		if (json_array_size(v) == 0)
			cb_buf_puts(b, "-");
		json_array_foreach(v, i, item) {
			if (i)
				cb_buf_puts(b, ", ");
			if (json_is_object(item) || json_is_array(item))
				cb_buf_puts(b, "…");
			else
				scalar_into(item, b);
		}
		break;
	}
	case JSON_OBJECT:
		cb_buf_puts(b, "…");
		break;
	}
}

void cb_output_scalar_text(const json_t *v, char *out, size_t outlen)
{
	cb_buf b = CB_BUF_INIT;

	if (!outlen)
		return;
	scalar_into(v, &b);
	snprintf(out, outlen, "%s", cb_buf_cstr(&b));
	cb_buf_free(&b);
}

void cb_output_csv_field(FILE *f, const char *s)
{
	size_t len = strlen(s);
	int quote = len && (s[0] == ' ' || s[len - 1] == ' ');

	if (!quote && strpbrk(s, ",\"\r\n"))
		quote = 1;
	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int is_list(const json_t *v)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, item) if (!json_is_object(item)) return 0;
	return 1;
}

/* Collects the column names: the first row's keys, then any new ones. */
static int list_columns(const json_t *rows, const char ***cols, size_t *ncols)
{
	size_t i, cap = 0;
	json_t *row;

	*cols = NULL;
	*ncols = 0;
	json_array_foreach(rows, i, row) {
		const char *key;
		json_t *val;

		json_object_foreach((json_t *)row, key, val) {
			size_t k;

			(void)val;
			for (k = 0; k < *ncols; k++)
				if (strcmp((*cols)[k], key) == 0)
					break;
			if (k < *ncols)
				continue;
			if (*ncols == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				const char **c = realloc(*cols, ncap * sizeof(*c));

				if (!c)
					return cb_error_set(CB_ENOMEM, "out of memory");
				*cols = c;
				cap = ncap;
			}
			(*cols)[(*ncols)++] = key;
		}
	}
	return 0;
}

static void cell_text(const json_t *row, const char *col, char *out, size_t outlen)
{
	const json_t *v = json_object_get(row, col);

	if (!v) {
		snprintf(out, outlen, "-");
		return;
	}
	cb_output_scalar_text(v, out, outlen);
	/* One line per row in a table. */
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

static int render_table(FILE *f, const json_t *rows, const char *indent)
{
	const char **cols;
	size_t ncols, *width, i, c;
	char *cell;
	json_t *row;
	int rc;

	if ((rc = list_columns(rows, &cols, &ncols)) < 0)
		return rc;
	if (json_array_size(rows) == 0) {
		fprintf(f, "%s(none)\n", indent);
		free(cols);
		return 0;
	}
	width = calloc(ncols ? ncols : 1, sizeof(*width));
	cell = malloc(CELL_MAX);
	if (!width || !cell) {
		free(width), free(cell), free(cols);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	for (c = 0; c < ncols; c++)
		width[c] = display_width(cols[c]);
	json_array_foreach(rows, i, row) {
		for (c = 0; c < ncols; c++) {
			size_t w;

			cell_text(row, cols[c], cell, CELL_MAX);
			w = display_width(cell);
			if (w > COLUMN_MAX)
				w = COLUMN_MAX;
			if (w > width[c])
				width[c] = w;
		}
	}
	fputs(indent, f);
	for (c = 0; c < ncols; c++) {
		if (c + 1 < ncols)
			fprintf(f, "%-*s  ", (int)width[c], cols[c]);
		else
			fputs(cols[c], f);
	}
	fputc('\n', f);
	json_array_foreach(rows, i, row) {
		fputs(indent, f);
		for (c = 0; c < ncols; c++) {
			size_t w, bytes;

			cell_text(row, cols[c], cell, CELL_MAX);
			w = display_width(cell);
			if (w > COLUMN_MAX) {
				bytes = prefix_bytes(cell, COLUMN_MAX - 1);
				fwrite(cell, 1, bytes, f);
				fputs("…", f);
				w = COLUMN_MAX;
			} else {
				fputs(cell, f);
			}
			if (c + 1 < ncols)
				fprintf(f, "%*s", (int)(width[c] - w + 2), "");
		}
		fputc('\n', f);
	}
	free(width), free(cell), free(cols);
	return 0;
}

static int render_record(FILE *f, const json_t *obj)
{
	const char *key;
	json_t *val;
	size_t keyw = 0;
	char *cell = malloc(CELL_MAX);
	int rc = 0;

	if (!cell)
		return cb_error_set(CB_ENOMEM, "out of memory");
	json_object_foreach((json_t *)obj, key, val) {
		if (!(is_list(val) && json_array_size(val) > 0) && strlen(key) > keyw)
			keyw = strlen(key);
	}
	json_object_foreach((json_t *)obj, key, val) {
		if (is_list(val) && json_array_size(val) > 0)
			continue;
		cb_output_scalar_text(val, cell, CELL_MAX);
		fprintf(f, "%-*s  %s\n", (int)keyw + 1, key, cell);
	}
	json_object_foreach((json_t *)obj, key, val) {
		if (!(is_list(val) && json_array_size(val) > 0))
			continue;
		fprintf(f, "\n%s:\n", key);
		if ((rc = render_table(f, val, "  ")) < 0)
			break;
	}
	free(cell);
	return rc;
}

static int render_csv(FILE *f, const json_t *rows)
{
	const char **cols;
	size_t ncols, i, c;
	char *cell;
	json_t *row;
	int rc;

	if (!is_list(rows))
		return cb_error_set(CB_EUSAGE, "--csv needs a list; use --json for a single record");
	if ((rc = list_columns(rows, &cols, &ncols)) < 0)
		return rc;
	cell = malloc(CELL_MAX);
	if (!cell) {
		free(cols);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	for (c = 0; c < ncols; c++) {
		if (c)
			fputc(',', f);
		cb_output_csv_field(f, cols[c]);
	}
	fputs("\r\n", f);
	json_array_foreach(rows, i, row) {
		for (c = 0; c < ncols; c++) {
			const json_t *v = json_object_get(row, cols[c]);

			if (c)
				fputc(',', f);
			if (!v || json_is_null(v))
				continue;
			if (json_is_array(v)) {
				/* Lists inside a cell are ';'-separated, as
				 * the importers read them. */
				cb_buf b = CB_BUF_INIT;
				size_t k;
				json_t *item;

				json_array_foreach(v, k, item) {
					if (k)
						cb_buf_putc(&b, ';');
					scalar_into(item, &b);
				}
				cb_output_csv_field(f, cb_buf_cstr(&b));
				cb_buf_free(&b);
				continue;
			}
			cb_output_scalar_text(v, cell, CELL_MAX);
			cb_output_csv_field(f, cell);
		}
		fputs("\r\n", f);
	}
	free(cell);
	free(cols);
	return 0;
}

int cb_output_render(FILE *f, const json_t *value, cb_output_mode mode)
{
	int rc = 0;

	switch (mode) {
	case CB_OUTPUT_JSON:
		/* 15 significant digits: 0.95 prints as 0.95, not as its
		 * nearest binary double spelled out. */
		if (json_dumpf(value, f, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) < 0)
			return cb_error_set(CB_EIO, "cannot write output");
		fputc('\n', f);
		break;
	case CB_OUTPUT_CSV:
		rc = render_csv(f, value);
		break;
	case CB_OUTPUT_TEXT:
		if (is_list(value))
			rc = render_table(f, value, "");
		else if (json_is_object(value))
			rc = render_record(f, value);
		else {
			char cell[CELL_MAX];

			cb_output_scalar_text(value, cell, sizeof(cell));
			fprintf(f, "%s\n", cell);
		}
		break;
	}
	if (rc == 0 && (fflush(f) != 0 || ferror(f)))
		return cb_error_set(CB_EIO, "cannot write output");
	return rc;
}
