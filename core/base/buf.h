/*
 * A growable byte buffer, always NUL-terminated, for building strings.
 * Initialise with CB_BUF_INIT; free with cb_buf_free.
 */
#ifndef CB_BASE_BUF_H
#define CB_BASE_BUF_H

#include <stddef.h>

#include "base/error.h"

typedef struct cb_buf {
	char *ptr;  /* NUL-terminated; NULL until the first append */
	size_t len; /* bytes used, not counting the NUL */
	size_t cap; /* bytes allocated */
} cb_buf;

#define CB_BUF_INIT {NULL, 0, 0}

/* Each returns 0, or CB_ENOMEM with the buffer unchanged. */
int cb_buf_grow(cb_buf *b, size_t extra);
int cb_buf_append(cb_buf *b, const void *data, size_t len);
int cb_buf_puts(cb_buf *b, const char *s);
int cb_buf_putc(cb_buf *b, char c);
int cb_buf_printf(cb_buf *b, const char *fmt, ...) CB_PRINTF(2, 3);
void cb_buf_clear(cb_buf *b);

/*
 * Growable arrays, the other growable thing the core builds: makes room
 * for element n of the array `*items` (a T **, passed as void *) of
 * elements `size` bytes long, holding *cap: when n == *cap, reallocates it
 * to twice *cap (`first` the first time). Returns 0, or CB_ENOMEM with
 * *items and *cap unchanged. The one place the doubling is written.
 */
int cb_array_reserve(void *items, size_t *cap, size_t n, size_t size, size_t first);

/* The contents as a C string ("" when empty); borrowed from the buffer. */
const char *cb_buf_cstr(const cb_buf *b);

/* Hands the string to the caller, who frees it with free(); the buffer is
 * left empty. Returns NULL only when out of memory. */
char *cb_buf_detach(cb_buf *b);
void cb_buf_free(cb_buf *b);

#endif
