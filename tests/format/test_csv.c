/* The CSV reader on in-memory files: RFC 4180 cases, line numbers across
 * quoted line breaks and read-chunk boundaries, and every refusal. */
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

START_TEST(quoted_fields_and_line_numbers)
{
	static const char text[] = "\xEF\xBB\xBF" "a,b,c\r\n"
				   "1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
				   "\n"
				   "2,\"two\nlines\",z\n"
				   "3, spaced ,last";
	reading rd = open_text(text, sizeof(text) - 1);
	const cb_csv_record *rec;

	ck_assert_int_eq(cb_csv_next(rd.r, &rec), 1);
	ck_assert_uint_eq(rec->n, 3);
	ck_assert_str_eq(rec->fields[0], "a"); /* the BOM is gone */
	ck_assert_int_eq(rec->line, 1);
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), 1);
	ck_assert_str_eq(rec->fields[1], "x, y");
	ck_assert_str_eq(rec->fields[2], "say \"hi\"");
	ck_assert_int_eq(rec->line, 2);
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), 1); /* the blank line is skipped */
	ck_assert_str_eq(rec->fields[1], "two\nlines");
	ck_assert_int_eq(rec->line, 4);
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), 1);
	ck_assert_int_eq(rec->line, 6); /* after a record spanning two lines */
	ck_assert_str_eq(rec->fields[1], "spaced");
	ck_assert_str_eq(rec->fields[2], "last"); /* no final newline */
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), 0);
	ck_assert_int_eq(cb_csv_next(rd.r, &rec), 0);
	close_reading(&rd);
}
END_TEST

START_TEST(records_across_read_chunks)
{
	/* A quoted field that straddles the 64 KiB read boundary, and 200,000
	 * records after it: counts and line numbers stay right. */
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
	}
	ck_assert_int_eq(n, 200000);
	ck_assert_int_eq(last, 200003);
	close_reading(&rd);
	free(text);
}
END_TEST

/* Reads `text` to its end and expects the error `message`. */
static void refused(const char *text, size_t len, int with_header, const char *message)
{
	reading rd = open_text(text, len);
	const cb_csv_record *rec;
	cb_csv_columns cols;
	int rc = 0;

	if (with_header)
		rc = cb_csv_header(rd.r, (const char *const[]){"a", "b", NULL},
				   (const char *const[]){"c", NULL}, &cols);
	while (rc == 0 && (rc = cb_csv_next(rd.r, &rec)) == 1)
		;
	ck_assert_msg(rc == CB_EINVALID, "accepted: want '%s'", message);
	ck_assert_msg(strstr(cb_error_last(), message), "want '%s', got '%s'", message,
		      cb_error_last());
	close_reading(&rd);
}

START_TEST(refusals)
{
	static const char nul[] = "a,b\n1,2\0\n";

	refused("", 0, 1, "t.csv: the file is empty");
	refused("a,b\n1,\"open\n2,3\n", 15, 1, "t.csv:2: a quoted field is never closed");
	refused("a,b\n1,x\"y\n", 10, 1, "t.csv:2: malformed quotes");
	refused("a,b\n1,\"x\"y\n", 11, 1, "t.csv:2: malformed quotes");
	refused("a,b\n1,2,3\n", 10, 1, "t.csv:2: 3 fields, the header has 2");
	refused(nul, sizeof(nul) - 1, 1, "t.csv:2: NUL byte");
	refused("a,b\n1,\xC3\x28\n", 9, 1, "t.csv:2: not valid UTF-8 (byte 0xC3 in field 2)");
	refused("a\n1\n", 4, 1, "t.csv:1: missing column 'b' (the header has: a)");
	refused("a,b,d\n", 6, 1, "t.csv:1: unknown column 'd'");
	refused("a,b,A\n", 6, 1, "t.csv:1: column 'a' appears twice");
	refused("a,b,cc\n", 7, 1, "unknown column 'cc' (did you mean 'c'?)");
}
END_TEST

START_TEST(record_limit_stops_early)
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

int main(void)
{
	Suite *s = suite_create("format/csv");
	TCase *tc = tcase_create("csv");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, quoted_fields_and_line_numbers);
	tcase_add_test(tc, records_across_read_chunks);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, record_limit_stops_early);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
