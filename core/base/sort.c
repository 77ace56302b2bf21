/* The radix sort of base/sort.h: one counting pass over the keys for all
 * eight bytes, then a scatter pass per byte that varies. */
#include "base/sort.h"

#include <string.h>

void cb_sort_radix(cb_sort_item *items, cb_sort_item *scratch, size_t n)
{
	size_t count[8][256];
	cb_sort_item *from = items, *to = scratch;

	if (n < 2)
		return;
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++) {
		uint64_t k = items[i].key;

		for (int d = 0; d < 8; d++)
			count[d][(k >> (8 * d)) & 0xff]++;
	}
	for (int d = 0; d < 8; d++) {
		size_t *c = count[d], sum = 0;
		int shift = 8 * d;

		/* A byte every key shares moves nothing. */
		if (c[(items[0].key >> shift) & 0xff] == n)
			continue;
		for (int b = 0; b < 256; b++) {
			size_t here = c[b];

			c[b] = sum;
			sum += here;
		}
		for (size_t i = 0; i < n; i++)
			to[c[(from[i].key >> shift) & 0xff]++] = from[i];
		cb_sort_item *t = from;
		from = to;
		to = t;
	}
	if (from != items)
		memcpy(items, from, n * sizeof(*items));
}
