/*
 * Errors: every library function returns 0 or a negative CB_E* code and
 * records one message saying what went wrong and where. The message is kept
 * per thread, like libgit2's git_error_last(); the command line decides what
 * the user sees.
 */
#ifndef CB_BASE_ERROR_H
#define CB_BASE_ERROR_H

enum {
	CB_OK = 0,
	CB_ERROR = -1,        /* generic failure */
	CB_ENOTFOUND = -2,    /* a named record does not exist */
	CB_EEXISTS = -3,      /* a record with that key already exists */
	CB_EINVALID = -4,     /* bad input: a value, a date, a file */
	CB_EUSAGE = -5,       /* bad command line */
	CB_ENOMEM = -6,       /* out of memory */
	CB_EIO = -7,          /* a file could not be read or written */
	CB_EDB = -8,          /* the database failed */
	CB_EREPO = -9,        /* the git repository failed */
	CB_EREADONLY = -10,   /* the workspace cannot be written */
	CB_ENOWORKSPACE = -11, /* no workspace was found */
	CB_EAUTH = -12,       /* not signed in: a wrong password, an unknown,
			       * expired or used token (a server's 401) */
	CB_EFORBIDDEN = -13,  /* signed in, but the rights refuse it (403) */
	CB_ETHROTTLED = -14   /* too many failed sign-ins: wait (429) */
};

#if defined(__GNUC__)
#define CB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CB_PRINTF(f, a)
#endif

/* Records `code` and a printf-style message; returns `code` so that callers
 * can write `return cb_error_set(CB_EINVALID, "...")`. */
int cb_error_set(int code, const char *fmt, ...) CB_PRINTF(2, 3);

/* Prefixes the current message with "prefix: " (e.g. a file name), keeping
 * the code. Returns the current code. */
int cb_error_prefix(const char *fmt, ...) CB_PRINTF(1, 2);

/* The last message set in this thread; never NULL ("" when none).
 * Borrowed: valid until the next cb_error_* call in this thread. */
const char *cb_error_last(void);

/* The code of the last error set in this thread (CB_OK when none). */
int cb_error_code(void);

void cb_error_clear(void);

#endif
