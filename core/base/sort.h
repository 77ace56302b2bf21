/*
 * Sorting by 64-bit keys in linear time: a stable least-significant-digit
 * radix sort of (key, index) items, for sorts of many rows whose order
 * packs into one unsigned key (the import's chunks, app/data.c).
 */
#ifndef CB_BASE_SORT_H
#define CB_BASE_SORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct cb_sort_item {
	uint64_t key;
	uint32_t index; /* the row the key belongs to */
} cb_sort_item;

/* Sorts items[0..n) by key, ascending; items of equal keys keep their
 * order (stable). `scratch` holds n items, its content lost. A pass is
 * made for each byte of the key that is not the same in every item, so
 * keys that use only their low bits cost only the passes those need. */
void cb_sort_radix(cb_sort_item *items, cb_sort_item *scratch, size_t n);

#endif
