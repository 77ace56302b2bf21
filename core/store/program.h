/* Training programs in the store: the curricula that sessions deliver. */
#ifndef CB_STORE_PROGRAM_H
#define CB_STORE_PROGRAM_H

#include <stdint.h>

#include "store/store.h"

typedef struct cb_program {
	int64_t id;
	char *key;           /* stable short identifier, e.g. "tco" */
	char *name;          /* display name */
	char *description;   /* optional, may span lines */
	char *created_at;
	int64_t session_count; /* sessions of the program; filled by reads */
} cb_program;

/* Frees the strings of a program filled by the store (not the struct). */
void cb_program_clear(cb_program *p);

/* Inserts `p` (id, created_at and session_count are ignored). CB_EEXISTS
 * when the key is taken. */
int cb_store_program_insert(cb_store *s, const cb_program *p);

/* Fills `out` with the program `key`; caller clears it with
 * cb_program_clear. CB_ENOTFOUND suggests a close key. */
int cb_store_program_get(cb_store *s, const char *key, cb_program *out);

/* The id of the program `key`. CB_ENOTFOUND suggests a close key. */
int cb_store_program_id(cb_store *s, const char *key, int64_t *id);

/* Calls fn for each program in key order; stops at the first non-zero
 * return, which it returns. The program is borrowed for the call. */
typedef int (*cb_program_fn)(const cb_program *p, void *ctx);
int cb_store_program_each(cb_store *s, cb_program_fn fn, void *ctx);

#endif
