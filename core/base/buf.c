/* The growable buffer behind every string the core builds. */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cb_buf_grow(cb_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > (size_t)-1 - b->len - 1)
		return cb_error_set(CB_ENOMEM, "out of memory");
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	p = realloc(b->ptr, cap);
	if (!p)
		return cb_error_set(CB_ENOMEM, "out of memory");
	if (!b->ptr)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int cb_array_reserve(void *items, size_t *cap, size_t n, size_t size, size_t first)
{
	void *old, *grown;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : first;
	if (ncap < *cap || size == 0 || ncap > (size_t)-1 / size)
		return cb_error_set(CB_ENOMEM, "out of memory");
	/* items points at a T *; read and write it as the pointer it is */
	memcpy(&old, items, sizeof(old));
	if (!(grown = realloc(old, ncap * size)))
		return cb_error_set(CB_ENOMEM, "out of memory");
	memcpy(items, &grown, sizeof(grown));
	*cap = ncap;
	return 0;
}

int cb_buf_append(cb_buf *b, const void *data, size_t len)
{
	if (cb_buf_grow(b, len) < 0)
		return CB_ENOMEM;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int cb_buf_puts(cb_buf *b, const char *s)
{
	return cb_buf_append(b, s, strlen(s));
}

int cb_buf_putc(cb_buf *b, char c)
{
	return cb_buf_append(b, &c, 1);
}

int cb_buf_printf(cb_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return cb_error_set(CB_ERROR, "bad format string");
	if (cb_buf_grow(b, (size_t)n) < 0)
		return CB_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void cb_buf_clear(cb_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

const char *cb_buf_cstr(const cb_buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *cb_buf_detach(cb_buf *b)
{
	char *s = b->ptr;

	if (!s)
		s = calloc(1, 1);
	b->ptr = NULL;
	b->len = b->cap = 0;
	return s;
}

void cb_buf_free(cb_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}
