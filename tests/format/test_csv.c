/* The CSV reader on in-memory files: RFC 4180 cases, line numbers across
 * quoted line breaks, blank lines and read-chunk boundaries, the header,
 * and every refusal with its line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "format/csv.h"
#include "testlib.h"

typedef struct reading {
	FILE *f;
	cb_csv_reader *r;
} reading;

static reading open_text(const char *text, size_t len)
{
	reading rd;

	rd.f = fmemopen((void *)text, len, "r");
	ck_assert_ptr_nonnull(rd.f);
	ck_assert_int_eq(cb_csv_open(rd.f, "t.csv", &rd.r), 0);
	return rd;
}

static void close_reading(reading *rd)
{
	cb_csv_close(rd->r);
	fclose(rd->f);
}

/* Reads the next record and checks its line and fields ("|" between
 * fields in `want`). */
static void expect_record(reading *rd, long line, const char *want)
{
	const cb_csv_record *rec;
	char got[512] = "";
	int rc = cb_csv_next(rd->r, &rec);

	ck_assert_msg(rc == 1, "want a record at line %ld, got %d: %s", line, rc, cb_error_last());
	for (size_t i = 0; i < rec->n; i++) {
		ck_assert_uint_eq(strlen(rec->fields[i]), rec->lens[i]);
		strncat(got, i ? "|" : "", sizeof(got) - strlen(got) - 1);
		strncat(got, rec->fields[i], sizeof(got) - strlen(got) - 1);
	}
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(rec->line, line);
}

static void expect_end(reading *rd)
{
	const cb_csv_record *rec;

	ck_assert_int_eq(cb_csv_next(rd->r, &rec), 0);
	ck_assert_ptr_null(rec);
	ck_assert_int_eq(cb_csv_next(rd->r, &rec), 0); /* and stays there */
}

#define READ(text) open_text(text, sizeof(text) - 1)

START_TEST(plain_records)
{
	reading rd = READ("key,name\nacme,ACME GmbH\nglobex,Globex\n");

	expect_record(&rd, 1, "key|name");
	expect_record(&rd, 2, "acme|ACME GmbH");
	expect_record(&rd, 3, "globex|Globex");
	expect_end(&rd);
	close_reading(&rd);
}
END_TEST

START_TEST(quoted_commas_and_doubled_quotes)
{
	reading rd = READ("a,b,c\n"
			  "1,\"x, y\",\"say \"\"hi\"\"\"\n"
			  "\"\",,\"\"\"\"\n");

	expect_record(&rd, 1, "a|b|c");
	expect_record(&rd, 2, "1|x, y|say \"hi\"");
	expect_record(&rd, 3, "||\""); /* empty quoted, empty, one quote */
	expect_end(&rd);
	close_reading(&rd);
}
END_TEST

START_TEST(quoted_line_breaks_keep_line_numbers)
{
	reading rd = READ("a,b\n"
			  "1,\"two\nlines\"\n"
			  "2,\"three\r\n\r\nlines\"\n"
			  "3,after\n"
			  "4,\"a,\n\"\"quoted\"\"\nfield\"\n"
			  "5,last\n");

	expect_record(&rd, 1, "a|b");
	expect_record(&rd, 2, "1|two\nlines");
	expect_record(&rd, 4, "2|three\r\n\r\nlines");
	expect_record(&rd, 7, "3|after");
	expect_record(&rd, 8, "4|a,\n\"quoted\"\nfield");
	expect_record(&rd, 11, "5|last");
	expect_end(&rd);
	close_reading(&rd);
}
END_TEST

START_TEST(crlf_bom_and_no_final_newline)
{
	reading rd = READ("\xEF\xBB\xBF"
			  "a,b\r\n"
			  "1,2\r\n"
			  "3, spaced \r\n"
			  "4,last");

	expect_record(&rd, 1, "a|b"); /* the BOM is gone */
	expect_record(&rd, 2, "1|2");
	expect_record(&rd, 3, "3|spaced"); /* unquoted fields are trimmed */
	expect_record(&rd, 4, "4|last");
	expect_end(&rd);
	close_reading(&rd);
}
END_TEST

START_TEST(lone_cr_ends_a_line)
{
	reading rd = READ("a,b\r1,2\r\r3,4\r");

	expect_record(&rd, 1, "a|b");
	expect_record(&rd, 2, "1|2");
	expect_record(&rd, 4, "3|4");
	expect_end(&rd);
	close_reading(&rd);
}
END_TEST

START_TEST(blank_lines_are_skipped)
{
	reading rd = READ("\n\r\na,b\n\n   \n\t \r\n1,2\n\n\n2,3\n\n");

	expect_record(&rd, 3, "a|b");
	expect_record(&rd, 7, "1|2"); /* lines of spaces and tabs are blank too */
	expect_record(&rd, 10, "2|3");
	expect_end(&rd);
	close_reading(&rd);
}
END_TEST

START_TEST(blank_lines_do_not_count_toward_the_limit)
{
	size_t n = 10000;
	char *text = malloc(n + 32);
	reading rd;

	strcpy(text, "a,b\n");
	memset(text + 4, '\n', n);
	strcpy(text + 4 + n, "1,2\n");
	rd = open_text(text, strlen(text));
	cb_csv_set_limit(rd.r, 100);
	expect_record(&rd, 1, "a|b");
	expect_record(&rd, 10002, "1|2");
	expect_end(&rd);
	close_reading(&rd);
	free(text);
}
END_TEST

START_TEST(field_lengths_and_skip_rest)
{
	reading rd = READ("a,b\n\"x\"\"y\",\n1,2\n\n3,4\n5,6");
	const cb_csv_record *rec;
	long left;

	expect_record(&rd, 1, "a|b");
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), 1);
	ck_assert_uint_eq(rec->n, 2);
	ck_assert_uint_eq(rec->lens[0], 3);
	ck_assert_uint_eq(rec->lens[1], 0);
	ck_assert_int_eq(cb_csv_skip_rest(rd.r, &left), 0);
	ck_assert_int_eq(left, 4); /* "1,2", "", "3,4" and the unterminated "5,6" */
	expect_end(&rd);
	close_reading(&rd);
}
END_TEST

/* Builds `rows` records where each one's first field is the line it starts
 * on, mixing LF, CRLF and lone CR, blank lines and quoted line breaks, and
 * checks every record's line, the count and the last line. */
static void check_every_line(int rows)
{
	size_t cap = (size_t)rows * 64 + 1024, len = 0;
	char *text = malloc(cap);
	static const char *const ends[3] = {"\n", "\r\n", "\r"};
	const cb_csv_record *rec;
	reading rd;
	long line = 2, n = 0, last = 0, want_last = 0;

	ck_assert_ptr_nonnull(text);
	len += (size_t)sprintf(text, "line,v\n");
	for (int i = 0; i < rows; i++) {
		const char *end = ends[i % 3];

		want_last = line;
		if (i % 97 == 0) {
			len += (size_t)sprintf(text + len, "%ld,\"q%d%sstill%s\"%s", line, i, end, end, end);
			line += 3;
		} else {
			len += (size_t)sprintf(text + len, "%ld,v%d%s", line, i, end);
			line += 1;
		}
		if (i % 89 == 0) {
			len += (size_t)sprintf(text + len, "%s", end);
			line++;
		}
	}
	rd = open_text(text, len);
	ck_assert_int_eq(cb_csv_header(rd.r, (const char *const[]){"line", "v", NULL}, NULL,
				       &(cb_csv_columns){0}),
			 0);
	while (cb_csv_next(rd.r, &rec) == 1) {
		ck_assert_msg(atol(rec->fields[0]) == rec->line, "record of line %s read at line %ld",
			      rec->fields[0], rec->line);
		n++;
		last = rec->line;
	}
	ck_assert_str_eq(cb_error_last(), "");
	ck_assert_int_eq(n, rows);
	ck_assert_int_eq(last, want_last);
	close_reading(&rd);
	free(text);
}

/* Everything a reading hands out, as text: each record's line and fields
 * (with their lengths), then how it ended and its message. */
static char *read_all(const char *text, size_t len, int plain, int header)
{
	reading rd = open_text(text, len);
	const cb_csv_record *rec;
	size_t cap = 4 * len + 256, n = 0;
	char *out = malloc(cap);
	int rc;

	ck_assert_ptr_nonnull(out);
	cb_csv_set_plain(rd.r, plain);
	if (header) {
		cb_csv_columns cols;

		rc = cb_csv_header(rd.r, (const char *const[]){"a", "b", "c", NULL}, NULL, &cols);
		n += (size_t)snprintf(out + n, cap - n, "header %d %s\n", rc,
				      rc < 0 ? cb_error_last() : "");
		if (rc < 0)
			goto done;
	}
	while ((rc = cb_csv_next(rd.r, &rec)) == 1) {
		n += (size_t)snprintf(out + n, cap - n, "%ld:", rec->line);
		for (size_t i = 0; i < rec->n; i++) {
			ck_assert_uint_eq(strlen(rec->fields[i]), rec->lens[i]);
			n += (size_t)snprintf(out + n, cap - n, "[%s]", rec->fields[i]);
		}
		n += (size_t)snprintf(out + n, cap - n, "\n");
	}
	n += (size_t)snprintf(out + n, cap - n, "end %d %s\n", rc, rc < 0 ? cb_error_last() : "");
done:
	close_reading(&rd);
	return out;
}

/* Lines split by the reader (no quote in them) and lines libcsv splits
 * come out the same: random files of spaces, tabs, commas, empty fields,
 * UTF-8 and bytes that are not, every kind of line break, blank lines,
 * quoted fields now and then (on one line or across lines) and stray
 * quotes, with and without a header that fixes the field count. */
START_TEST(plain_lines_split_as_libcsv_splits_them)
{
	static const char *const bits[] = {"a", "b", "xyz", " ", "\t", ",", ",", ",", "\xC3\xA9",
					    "\xE2\x82\xAC", "1.5", "\n", "\r\n", "\r", "\n\n",
					    " \t \n", "\"q\"", "\"x,\ny\"", "\"", "\xFF", "\xC3"};
	uint64_t x = 0x9E3779B97F4A7C15u;
	char text[2048];

	for (int file = 0; file < 20000; file++) {
		size_t len = 0;
		int header = file % 2;
		char *a, *b;

		if (header)
			len += (size_t)sprintf(text, "a,b,c\n");
		for (int k = 0; k < 60; k++) {
			size_t pick;
			const char *bit;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			pick = (size_t)(x % 1000);
			/* mostly plain text; quotes, bad bytes and NULs rare */
			if (pick < 940)
				bit = bits[pick % 16];
			else if (pick < 985)
				bit = bits[16 + pick % 3];
			else
				bit = bits[19 + pick % 2];
			len += (size_t)sprintf(text + len, "%s", bit);
		}
		if (file % 7 == 0)
			text[len++] = '\0'; /* a NUL at the end */
		a = read_all(text, len, 1, header);
		b = read_all(text, len, 0, header);
		ck_assert_msg(strcmp(a, b) == 0, "file %d:\n%.*s\nsplit here:\n%s\nby libcsv:\n%s",
			      file, (int)len, text, a, b);
		free(a);
		free(b);
	}
}
END_TEST

START_TEST(every_line_number_across_read_chunks)
{
	cb_error_clear();
	check_every_line(50000);
}
END_TEST

START_TEST(two_hundred_thousand_rows)
{
	/* A quoted field that straddles the 64 KiB read boundary, and
	 * 200,000 records after it: the count and the last line are right. */
	size_t cap = 8u << 20, len = 0;
	char *text = malloc(cap);
	reading rd;
	const cb_csv_record *rec;
	long n = 0, last = 0;

	len += (size_t)sprintf(text, "k,v\n");
	len += (size_t)sprintf(text + len, "long,\"");
	memset(text + len, 'q', 70000);
	len += 70000;
	len += (size_t)sprintf(text + len, "\nstill quoted\"\n");
	for (int i = 0; i < 200000; i++)
		len += (size_t)sprintf(text + len, "k%d,%d\n", i, i);
	rd = open_text(text, len);
	ck_assert_int_eq(cb_csv_header(rd.r, (const char *const[]){"k", "v", NULL}, NULL,
				       &(cb_csv_columns){0}),
			 0);
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), 1);
	ck_assert_uint_eq(rec->lens[1], 70000 + 13);
	ck_assert_int_eq(rec->line, 2);
	while (cb_csv_next(rd.r, &rec) == 1) {
		n++;
		last = rec->line;
		ck_assert_str_eq(rec->fields[0] + 1, rec->fields[1]);
	}
	ck_assert_int_eq(n, 200000);
	ck_assert_int_eq(last, 200003);
	close_reading(&rd);
	free(text);
}
END_TEST

START_TEST(line_longer_than_the_buffer_ending_in_crlf_on_its_edge)
{
	/* The CR of a 65,537-byte line is the last byte of a full buffer:
	 * the CRLF after it still counts as one line end. */
	size_t pad = 65530, len = 0;
	char *text = malloc(pad + 64);
	reading rd;
	const cb_csv_record *rec;

	len += (size_t)sprintf(text, "k,v\n" "long,");
	memset(text + len, 'p', pad);
	len += pad;
	len += (size_t)sprintf(text + len, "\r\nafter,x\r\n");
	rd = open_text(text, len);
	expect_record(&rd, 1, "k|v");
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), 1);
	ck_assert_uint_eq(rec->lens[1], pad);
	ck_assert_int_eq(rec->line, 2);
	expect_record(&rd, 3, "after|x");
	expect_end(&rd);
	close_reading(&rd);
	free(text);
}
END_TEST

/* Reads `text` to its end (through the header a,b[,c] when with_header)
 * and expects CB_EINVALID with exactly `message`. */
static void refused(const char *text, size_t len, int with_header, const char *message)
{
	reading rd = open_text(text, len);
	const cb_csv_record *rec;
	cb_csv_columns cols;
	int rc = 0, by_reader = 0;

	if (with_header)
		rc = cb_csv_header(rd.r, (const char *const[]){"a", "b", NULL},
				   (const char *const[]){"c", NULL}, &cols);
	if (rc == 0) {
		by_reader = 1;
		while ((rc = cb_csv_next(rd.r, &rec)) == 1)
			;
	}
	ck_assert_msg(rc == CB_EINVALID, "accepted (%d): want '%s'", rc, message);
	ck_assert_str_eq(cb_error_last(), message);
	if (by_reader) /* after an error the reader stays failed */
		ck_assert_int_eq(cb_csv_next(rd.r, &rec), CB_EINVALID);
	close_reading(&rd);
}

#define REFUSED(text, header, message) refused(text, sizeof(text) - 1, header, message)

START_TEST(open_quote_at_end_of_file)
{
	REFUSED("a,b\n1,\"open\n2,3\n", 1,
		"t.csv:2: a quoted field is never closed: the quote opening field 2 runs to the "
		"end of the file (line 3)");
	REFUSED("a,b\n1,\"open", 1,
		"t.csv:2: a quoted field is never closed: the quote opening field 2 runs to the "
		"end of the file");
	/* The record starts on line 2; the quote left open is on line 3. */
	REFUSED("a,b\n1,\"x\ny\",\"open\nz", 0,
		"t.csv:3: a quoted field is never closed: the quote opening field 3 runs to the "
		"end of the file (line 4)");
	/* A closed quote at the very end is fine. */
	{
		reading rd = READ("a,b\n1,\"x\"");

		expect_record(&rd, 1, "a|b");
		expect_record(&rd, 2, "1|x");
		expect_end(&rd);
		close_reading(&rd);
	}
}
END_TEST

START_TEST(stray_quotes)
{
	REFUSED("a,b\n1,x\"y\n", 1,
		"t.csv:2: malformed quotes: a quote inside unquoted field 2 (byte 4 of the line); "
		"put the field in quotes and write each quote inside it twice");
	REFUSED("a,b\n1,\"x\"y\n", 1,
		"t.csv:2: malformed quotes: text after the closing quote of field 2 (byte 6 of the "
		"line); a quote inside a quoted field is written twice");
	/* On the second line of a record. */
	REFUSED("a,b\n1,\"x\ny\"z\n", 1,
		"t.csv:3: malformed quotes: text after the closing quote of field 2 (byte 3 of the "
		"line); a quote inside a quoted field is written twice");
}
END_TEST

START_TEST(nul_byte)
{
	REFUSED("a,b\n1,2\0\n", 1,
		"t.csv:2: NUL byte at byte 4 of the line (is this a UTF-16 or binary file?)");
	REFUSED("\xFF\xFE" "a\0,\0b\0", 0, "t.csv:1: the file is UTF-16; save it as UTF-8");
}
END_TEST

START_TEST(invalid_utf8)
{
	REFUSED("a,b\n1,\xC3\x28\n", 1,
		"t.csv:2: not valid UTF-8 (byte 0xC3 in field 2); save the file as UTF-8");
	REFUSED("a,b\n1,ok\n2,Caf\xE9\n", 1,
		"t.csv:3: not valid UTF-8 (byte 0xE9 in field 2); save the file as UTF-8");
	/* In a quoted field, on the line of the bad byte. */
	REFUSED("a,b\n1,\"one\ntw\xFF\nthree\"\n", 1,
		"t.csv:3: not valid UTF-8 (byte 0xFF in field 2); save the file as UTF-8");
	/* An overlong encoding of '/'. */
	REFUSED("a,b\n\xC0\xAF,1\n", 1,
		"t.csv:2: not valid UTF-8 (byte 0xC0 in field 1); save the file as UTF-8");
}
END_TEST

START_TEST(record_over_the_limit_stops_early)
{
	size_t len = 5u << 20;
	char *text = malloc(len);
	reading rd;
	const cb_csv_record *rec;

	memcpy(text, "a,b\n1,", 6);
	memset(text + 6, 'x', len - 6);
	rd = open_text(text, len);
	cb_csv_set_limit(rd.r, 4096);
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), 1);
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "t.csv:2: record longer than 4096 bytes");
	/* It stopped long before the end of the 5 MiB line. */
	ck_assert_int_lt(ftell(rd.f), 200000);
	close_reading(&rd);
	free(text);
}
END_TEST

START_TEST(record_over_the_limit_across_lines)
{
	/* A quoted field that never closes is refused at the limit, not at
	 * the end of the file, on the line its record starts. */
	size_t len = 0, cap = 4u << 20;
	char *text = malloc(cap);
	reading rd;
	const cb_csv_record *rec;

	len += (size_t)sprintf(text, "a,b\n1,2\n3,\"open");
	while (len < cap - 16)
		len += (size_t)sprintf(text + len, "\nmore text");
	rd = open_text(text, len);
	expect_record(&rd, 1, "a|b");
	expect_record(&rd, 2, "1|2");
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "t.csv:3: record longer than 1048576 bytes");
	ck_assert_int_lt(ftell(rd.f), 1200000);
	close_reading(&rd);
	free(text);
}
END_TEST

START_TEST(empty_files)
{
	REFUSED("", 0, "t.csv: the file is empty");
	REFUSED("\n\n  \r\n", 0, "t.csv: the file is empty");
	REFUSED("\xEF\xBB\xBF", 0, "t.csv: the file is empty");
	REFUSED("", 1, "t.csv: the file is empty; it needs a header line naming its columns");
}
END_TEST

START_TEST(header_columns)
{
	reading rd = READ("\xEF\xBB\xBF Name ,\"KEY\",Region\nAcme,acme,DACH\n");
	const cb_csv_record *rec;
	cb_csv_columns cols;

	ck_assert_int_eq(cb_csv_header(rd.r, (const char *const[]){"key", "name", NULL},
				       (const char *const[]){"industry", "region", NULL}, &cols),
			 0);
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), 1);
	ck_assert_str_eq(cb_csv_field(rec, &cols, "key"), "acme");
	ck_assert_str_eq(cb_csv_field(rec, &cols, "name"), "Acme");
	ck_assert_str_eq(cb_csv_field(rec, &cols, "region"), "DACH");
	ck_assert_str_eq(cb_csv_field(rec, &cols, "industry"), ""); /* absent */
	/* the same by columns looked up once */
	ck_assert_int_eq(cb_csv_column(&cols, "key"), 1);
	ck_assert_int_eq(cb_csv_column(&cols, "region"), 2);
	ck_assert_int_eq(cb_csv_column(&cols, "industry"), -1);
	ck_assert_int_eq(cb_csv_column(&cols, "unheard of"), -1);
	ck_assert_str_eq(cb_csv_field_at(rec, cb_csv_column(&cols, "name")), "Acme");
	ck_assert_str_eq(cb_csv_field_at(rec, -1), "");
	ck_assert_str_eq(cb_csv_field_at(rec, 3), ""); /* past the record */
	expect_end(&rd);
	close_reading(&rd);
}
END_TEST

START_TEST(header_refusals)
{
	REFUSED("a\n1\n", 1, "t.csv:1: missing column 'b' (the header has: a)");
	REFUSED("\nc, A\n1,2\n", 1, "t.csv:2: missing column 'b' (the header has: c, A)");
	REFUSED("a,b,colour\n", 1, "t.csv:1: unknown column 'colour'");
	REFUSED("a,b,cc\n", 1, "t.csv:1: unknown column 'cc' (did you mean 'c'?)");
	REFUSED("a,b,A\n", 1, "t.csv:1: column 'a' appears twice");
	REFUSED("a,b,\n", 1, "t.csv:1: column 3 of the header has no name");
}
END_TEST

START_TEST(ragged_rows)
{
	REFUSED("a,b\n1,2,3\n", 1, "t.csv:2: 3 fields, the header has 2");
	REFUSED("a,b,c\n1,2,3\n\n4,5\n", 1, "t.csv:4: 2 fields, the header has 3");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("format/csv");
	TCase *tc = tcase_create("csv");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, plain_records);
	tcase_add_test(tc, quoted_commas_and_doubled_quotes);
	tcase_add_test(tc, quoted_line_breaks_keep_line_numbers);
	tcase_add_test(tc, crlf_bom_and_no_final_newline);
	tcase_add_test(tc, lone_cr_ends_a_line);
	tcase_add_test(tc, blank_lines_are_skipped);
	tcase_add_test(tc, blank_lines_do_not_count_toward_the_limit);
	tcase_add_test(tc, field_lengths_and_skip_rest);
	tcase_add_test(tc, every_line_number_across_read_chunks);
	tcase_add_test(tc, two_hundred_thousand_rows);
	tcase_add_test(tc, plain_lines_split_as_libcsv_splits_them);
	tcase_add_test(tc, line_longer_than_the_buffer_ending_in_crlf_on_its_edge);
	tcase_add_test(tc, open_quote_at_end_of_file);
	tcase_add_test(tc, stray_quotes);
	tcase_add_test(tc, nul_byte);
	tcase_add_test(tc, invalid_utf8);
	tcase_add_test(tc, record_over_the_limit_stops_early);
	tcase_add_test(tc, record_over_the_limit_across_lines);
	tcase_add_test(tc, empty_files);
	tcase_add_test(tc, header_columns);
	tcase_add_test(tc, header_refusals);
	tcase_add_test(tc, ragged_rows);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
