/* Customer accounts in the store. */
#ifndef CB_STORE_ACCOUNT_H
#define CB_STORE_ACCOUNT_H

#include <stdint.h>

#include "store/store.h"

typedef struct cb_account {
	int64_t id;
	char *key;      /* stable short identifier, e.g. "acme" */
	char *name;     /* display name */
	char *industry; /* optional */
	char *region;   /* optional */
	char *created_at;
} cb_account;

/* Frees the strings of an account filled by the store (not the struct). */
void cb_account_clear(cb_account *a);

/* Inserts `a` (id and created_at are ignored). CB_EEXISTS when the key is
 * taken. */
int cb_store_account_insert(cb_store *s, const cb_account *a);

/* Fills `out` with the account `key`; caller clears it with
 * cb_account_clear. CB_ENOTFOUND suggests a close key. */
int cb_store_account_get(cb_store *s, const char *key, cb_account *out);

/* The id of account `key`; CB_ENOTFOUND suggests a close key. */
int cb_store_account_id(cb_store *s, const char *key, int64_t *id);

/* Writes every field of `a` to the row with id a->id. */
int cb_store_account_update(cb_store *s, const cb_account *a);

/* Calls fn for each account in key order; stops at the first non-zero
 * return, which it returns. The account is borrowed for the call. */
typedef int (*cb_account_fn)(const cb_account *a, void *ctx);
int cb_store_account_each(cb_store *s, cb_account_fn fn, void *ctx);

/* One session that served an account (linked to it when recorded). */
typedef struct cb_account_session {
	const char *session, *title, *format, *starts_on, *status; /* borrowed */
} cb_account_session;

typedef int (*cb_account_session_fn)(const cb_account_session *as, void *ctx);

/* Calls fn for each session linked to account `id`, by start date. */
int cb_store_account_sessions(cb_store *s, int64_t id, cb_account_session_fn fn, void *ctx);

#endif
