/* What the store's files share and nothing outside core/store/ sees. */
#ifndef CB_STORE_INTERNAL_H
#define CB_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

struct cb_store {
	sqlite3 *db;
	char *path;
	int readonly;
	int depth;       /* transaction nesting */
	int busy_ms;     /* how long a write waits for an unannounced writer */
	int announced;   /* this store wrote the announcement (cb_store_announce) */
	int64_t waited;  /* when the current wait began (ms on a monotonic clock); 0: none */
	int told;        /* the current wait was announced to the user */
	void (*notice)(const char *message, void *ctx);
	void *notice_ctx;
	int queued;      /* takes its turn in the process's writer queue */
	int in_queue;    /* holds that turn: the outermost transaction is open */
	int no_wait;     /* the busy handler gives up at once (cb_store_begin_if_free) */
	int feed_module; /* casebook_observation_feed is registered (observation.c) */
};

/* Records the database's last error as a CB_E* code, `what` saying what was
 * being done. Maps a read-only or busy database and a uniqueness violation
 * to their own codes. */
int cb_store_fail(cb_store *s, const char *what);

/* Prepares `sql`; on failure records the error and returns it. */
int cb_store_prepare(cb_store *s, const char *sql, sqlite3_stmt **stmt);

/* Binds text, or NULL when `text` is NULL. */
int cb_store_bind_text(sqlite3_stmt *st, int i, const char *text);

/* A malloc'd copy of column i (NULL for SQL NULL); sets *oom on failure. */
char *cb_store_column_dup(sqlite3_stmt *st, int i, int *oom);

/* Looks up the id of the row of `table` with `key`. CB_ENOTFOUND names the
 * missing key as `noun` and suggests the closest existing key. `table` is
 * one of the store's own table names, never user text. */
int cb_store_id_by_key(cb_store *s, const char *table, const char *noun,
		       const char *key, int64_t *id);

/* The same by another unique column (the store's own names only). */
int cb_store_id_by_column(cb_store *s, const char *table, const char *column, const char *noun,
			  const char *key, int64_t *id);

/* Runs a statement that returns no rows. */
int cb_store_exec(cb_store *s, const char *sql);

#endif
