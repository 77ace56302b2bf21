/* Lists made while they are written (cb_output_stream): the bytes are those
 * of the same tree written whole, at any depth, empty or long enough to
 * cross the writer's buffer; a string that looks like a placeholder but
 * was not made by the stream is written as the data it is. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/output.h"
#include "testlib.h"

/* Item i of a list of ctx's size: an object with a nested array. */
static json_t *item(const void *ctx, size_t i)
{
	(void)ctx;
	return json_pack("{s:I, s:s, s:f, s:[i, {s:n}]}", "i", (json_int_t)i, "name",
			 i % 2 ? "odd \"one\"" : "even\n", "x", (double)i / 3.0, "deep", (int)i,
			 "none");
}

static json_t *whole(size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, item(NULL, i));
	return a;
}

/* What f holds, from its start. */
static char *contents(FILE *f)
{
	long len;
	char *s;

	fflush(f);
	len = ftell(f);
	ck_assert_int_ge(len, 0);
	s = malloc((size_t)len + 1);
	rewind(f);
	ck_assert_uint_eq(fread(s, 1, (size_t)len, f), (size_t)len);
	s[len] = '\0';
	return s;
}

/* The tree {"a": {"rows": LIST(n1), "b": [LIST(n2)]}, "tail": DATA} written
 * with streamed lists, and written whole. */
static void compare(size_t n1, size_t n2, const char *data)
{
	cb_output_stream s = CB_OUTPUT_STREAM_INIT;
	FILE *f1 = tmpfile(), *f2 = tmpfile();
	json_t *streamed, *tree;
	char *a, *b;

	streamed = json_pack("{s:{s:o, s:[o]}, s:s}", "a", "rows", cb_output_stream_list(&s, item, NULL, n1),
			     "b", cb_output_stream_list(&s, item, NULL, n2), "tail", data);
	tree = json_pack("{s:{s:o, s:[o]}, s:s}", "a", "rows", whole(n1), "b", whole(n2), "tail", data);
	ck_assert_ptr_nonnull(streamed);
	ck_assert_ptr_nonnull(tree);
	ck_assert_int_eq(cb_output_stream_render(f1, streamed, &s), 0);
	ck_assert_int_eq(cb_output_render(f2, tree, CB_OUTPUT_JSON), 0);
	a = contents(f1);
	b = contents(f2);
	ck_assert_uint_eq(strlen(a), strlen(b));
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	fclose(f1);
	fclose(f2);
	json_decref(streamed);
	json_decref(tree);
	cb_output_stream_free(&s);
}

START_TEST(streamed_lists_are_the_trees_bytes)
{
	compare(0, 0, "end");
	compare(1, 0, "end");
	compare(3, 2, "end");
	/* Far past the 64 KiB the writer holds at a time. */
	compare(20000, 7, "end");
}
END_TEST

START_TEST(a_forged_placeholder_is_data)
{
	/* A string that starts as placeholders do, with another number. */
	compare(2, 1, "\001cb-list-0000000000000001-0");
	/* One without the stream's number: taken for a list if the number
	 * were not part of the placeholder. */
	compare(2, 1, "\001cb-list-0");
	compare(2, 1, "\001cb-list-1");
	compare(2, 1, "\001cb-list-");
	compare(2, 1, "\001");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("output");

	tcase_add_test(tc, streamed_lists_are_the_trees_bytes);
	tcase_add_test(tc, a_forged_placeholder_is_data);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
