/*
 * Standard error through a filter that makes control characters visible
 * (cb_text_escape_controls): a message quoting input (a CSV field, a file
 * name, an argument) can then never move the cursor, recolour the
 * terminal or rewrite its title. glibc's fopencookie makes the filter a
 * FILE, so every fprintf to cli->err passes through it, present and
 * future. It works a line at a time, so that a UTF-8 sequence is never
 * cut between two writes.
 */
#define _GNU_SOURCE
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/text.h"

#define PENDING_MAX 4096 /* a line longer than this is written in pieces */

typedef struct escaper {
	FILE *to;
	cb_buf pending; /* bytes after the last line feed */
} escaper;

static void write_escaped(escaper *e, const char *s, size_t len)
{
	cb_buf b = CB_BUF_INIT;

	if (cb_text_escape_controls(&b, s, len) == 0 && b.len)
		fwrite(b.ptr, 1, b.len, e->to);
	cb_buf_free(&b);
}

static ssize_t escaper_write(void *cookie, const char *buf, size_t size)
{
	escaper *e = cookie;
	const char *nl;

	if (cb_buf_append(&e->pending, buf, size) < 0)
		return -1;
	nl = memrchr(e->pending.ptr, '\n', e->pending.len);
	if (nl || e->pending.len > PENDING_MAX) {
		size_t upto = nl ? (size_t)(nl - e->pending.ptr) + 1 : e->pending.len;
		size_t rest = e->pending.len - upto;

		write_escaped(e, e->pending.ptr, upto);
		memmove(e->pending.ptr, e->pending.ptr + upto, rest);
		e->pending.len = rest;
		e->pending.ptr[rest] = '\0';
		fflush(e->to);
	}
	return (ssize_t)size;
}

static int escaper_close(void *cookie)
{
	escaper *e = cookie;

	if (e->pending.len)
		write_escaped(e, e->pending.ptr, e->pending.len);
	fflush(e->to);
	cb_buf_free(&e->pending);
	free(e);
	return 0;
}

static FILE *opened;

static void close_at_exit(void)
{
	if (opened)
		fclose(opened);
	opened = NULL;
}

FILE *cb_cli_escaping_stderr(void)
{
	cookie_io_functions_t io = {NULL, escaper_write, NULL, escaper_close};
	escaper *e;

	if (opened)
		return opened;
	if (!(e = calloc(1, sizeof(*e))))
		return stderr;
	e->to = stderr;
	if (!(opened = fopencookie(e, "w", io))) {
		free(e);
		return stderr;
	}
	setvbuf(opened, NULL, _IONBF, 0);
	atexit(close_at_exit);
	return opened;
}
