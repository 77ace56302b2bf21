/* The radix sort (base/sort.h) against a comparison sort of the same
 * items by (key, index), which is what a stable sort gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sort.h"
#include "testlib.h"

static uint64_t state = 0x9E3779B97F4A7C15u;

static uint64_t next_random(void) /* xorshift64 */
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static int by_key_then_index(const void *pa, const void *pb)
{
	const cb_sort_item *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

/* Sorts n items of keys `mask & random | fixed` both ways and compares. */
static void check(size_t n, uint64_t mask, uint64_t fixed)
{
	cb_sort_item *items = malloc((n + 1) * sizeof(*items));
	cb_sort_item *want = malloc((n + 1) * sizeof(*want));
	cb_sort_item *scratch = malloc((n + 1) * sizeof(*scratch));

	ck_assert(items && want && scratch);
	for (size_t i = 0; i < n; i++)
		items[i] = (cb_sort_item){(next_random() & mask) | fixed, (uint32_t)i};
	memcpy(want, items, n * sizeof(*items));
	qsort(want, n, sizeof(*want), by_key_then_index);
	cb_sort_radix(items, scratch, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(items[i].key == want[i].key && items[i].index == want[i].index,
			      "n %zu mask %llx: item %zu is (%llx, %u), not (%llx, %u)", n,
			      (unsigned long long)mask, i, (unsigned long long)items[i].key,
			      items[i].index, (unsigned long long)want[i].key, want[i].index);
	}
	free(items);
	free(want);
	free(scratch);
}

START_TEST(sorts_like_a_stable_comparison_sort)
{
	check(0, ~0ull, 0);
	check(1, ~0ull, 0);
	check(2, ~0ull, 0);
	check(1000, ~0ull, 0);             /* every byte varies: eight passes */
	check(5000, 0xff, 0);              /* many equal keys: stability */
	check(5000, 0x3, 0xAB00000000ull); /* four keys, a high byte fixed */
	check(4097, 0xffffff, 0);          /* three passes, an odd count */
	check(3000, 0xff00ff0000ff0000ull, 0x0100000000000001ull); /* bytes skipped between */
	check(100, 0, 42);                 /* all the same: no pass, order kept */
}
END_TEST

START_TEST(already_sorted_and_reversed_keys)
{
	cb_sort_item items[3000], scratch[3000];

	for (uint32_t i = 0; i < 3000; i++)
		items[i] = (cb_sort_item){3000 - i / 2, i};
	cb_sort_radix(items, scratch, 3000);
	for (uint32_t i = 0; i < 3000; i++) {
		/* pairs of equal keys, descending in the input: each pair keeps
		 * its order */
		ck_assert_uint_eq(items[i].key, 1501 + i / 2);
		ck_assert_uint_eq(items[i].index, 2998 - 2 * (i / 2) + i % 2);
	}
	cb_sort_radix(items, scratch, 3000);
	for (uint32_t i = 1; i < 3000; i++)
		ck_assert(by_key_then_index(&items[i - 1], &items[i]) < 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("base/sort");
	TCase *tc = tcase_create("radix");

	tcase_add_test(tc, sorts_like_a_stable_comparison_sort);
	tcase_add_test(tc, already_sorted_and_reversed_keys);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
