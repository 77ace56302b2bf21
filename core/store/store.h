/*
 * The SQLite store: opening a workspace's database, its schema (numbered
 * migrations tracked in PRAGMA user_version) and transactions. The store is
 * the only layer that speaks SQL; every query is a prepared statement with
 * bound parameters.
 */
#ifndef CB_STORE_STORE_H
#define CB_STORE_STORE_H

#include <stdint.h>

typedef struct cb_store cb_store;

enum {
	CB_STORE_CREATE = 1,  /* create the file; fail if it exists */
	CB_STORE_READONLY = 2 /* open for reading only */
};

/* The mark in a Casebook database's header (PRAGMA application_id):
 * "CBk1". */
#define CB_STORE_APPLICATION_ID 0x43426B31

/* Opens (or with CB_STORE_CREATE, creates) the database at `path`, turns on
 * WAL, foreign keys and a busy timeout, and brings the schema up to date
 * (not when read-only). An existing file must be a Casebook database: an
 * empty file, or an SQLite file of another program (another application
 * id, or no mark and none of Casebook's tables), is refused with CB_EDB
 * saying what was found, and left as it was. Caller frees with
 * cb_store_close. */
int cb_store_open(const char *path, int flags, cb_store **out);
void cb_store_close(cb_store *s);

/* The schema version this build writes, and the one the file holds. */
int cb_store_schema_latest(void);
int cb_store_schema_version(cb_store *s, int *version);

/* A number that grows with every change to what an impact or a report
 * reads (records, attendance, coverage, batches of observations, KPI
 * values, outcomes, case studies), kept by triggers (migration 8): equal
 * numbers, equal data. */
int cb_store_data_version(cb_store *s, int64_t *out);

/* How long a write waits for another writer's lock, in milliseconds
 * (default 10 s), unless that writer announced a long write: then it
 * waits while the announcing process lives. */
void cb_store_set_busy_timeout(cb_store *s, int ms);

/* Makes s wait for its turn, in the order they asked, behind the other
 * stores of this process that do the same before it begins a
 * transaction (cb_store_begin), and hold the turn until its outermost
 * transaction ends. For a server, whose many threads each open the
 * database: SQLite's busy handler polls, so among a process's own
 * writers the lock goes to whoever polls at the right moment, and
 * under load a writer waited past the busy timeout and failed while
 * the server was only busy with its own writes. In the queue a writer
 * waits as long as the writers before it take; the busy timeout then
 * only counts the waits for other processes. */
void cb_store_queue_writers(cb_store *s);

/* Begins a transaction as cb_store_begin does, but only when no writer
 * holds the lock or waits in the queue: 1 when begun, 0 when it would
 * have had to wait (nothing begun), or an error. For bookkeeping a read
 * may skip, which should not wait behind writes. */
int cb_store_begin_if_free(cb_store *s);

/* A long write (an import) says what it does, once it holds the write
 * lock: `what` ("importing obs.csv") goes with its process id and start
 * time into DATABASE-writer beside the database, which the store removes
 * when the outermost transaction ends. Another command waiting for the
 * lock reads it, waits as long as that process lives (not only the busy
 * timeout), and tells its user what it waits for. */
int cb_store_announce(cb_store *s, const char *what);

/* Called once per wait for the write lock that lasts over a second, with
 * a line saying what it waits for (the caller prints it). */
void cb_store_set_wait_notice(cb_store *s, void (*fn)(const char *message, void *ctx),
			      void *ctx);

/* Whether the store was opened read-only. */
int cb_store_is_readonly(const cb_store *s);

/* Transactions. cb_store_begin takes the write lock at once (BEGIN
 * IMMEDIATE), waiting up to the busy timeout for another writer. Calls
 * nest as savepoints: an inner rollback undoes only the inner work, and
 * nothing is durable before the outermost commit. */
int cb_store_begin(cb_store *s);
int cb_store_commit(cb_store *s);
int cb_store_rollback(cb_store *s);

/* Runs PRAGMA integrity_check and foreign_key_check. Returns 0 when both
 * pass, else CB_EDB with the first problem in the message. */
int cb_store_check(cb_store *s);

#endif
