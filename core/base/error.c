/*
 * The per-thread error message. Fixed-size storage: recording an error must
 * not itself fail for want of memory.
 */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CB_ERROR_MAX 16384 /* room for an import's 20 "FILE:LINE: what" lines */

static _Thread_local char error_message[CB_ERROR_MAX];
static _Thread_local int error_code;

int cb_error_set(int code, const char *fmt, ...)
{
	char message[sizeof(error_message)];
	va_list ap;

	/* Through a copy: a caller may quote the last message in the new one
	 * (cb_error_last() as an argument), and vsnprintf must not write
	 * where it reads. */
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	memcpy(error_message, message, sizeof(message));
	error_code = code;
	return code;
}

int cb_error_prefix(const char *fmt, ...)
{
	char prefix[512], old[CB_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, error_message, sizeof(old));
	snprintf(error_message, sizeof(error_message), "%s: %s", prefix, old);
	return error_code;
}

const char *cb_error_last(void)
{
	return error_message;
}

int cb_error_code(void)
{
	return error_code;
}

void cb_error_clear(void)
{
	error_message[0] = '\0';
	error_code = CB_OK;
}
