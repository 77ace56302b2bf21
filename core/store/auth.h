/*
 * What signing in keeps in the store (schema migration 7): a password hash
 * per person, one-time invitations, web sessions, API tokens and failed
 * sign-ins. Tokens arrive here already hashed (CB_STORE_TOKEN_HASH bytes,
 * BLAKE2b-256 of the token's text, made by app/auth.c): the store never
 * sees a password, nor a token but a session's CSRF token (worth nothing
 * without the session's cookie). Times are Unix seconds, UTC.
 */
#ifndef CB_STORE_AUTH_H
#define CB_STORE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "base/text.h"
#include "store/store.h"

#define CB_STORE_TOKEN_HASH 32 /* bytes of a stored token hash */
#define CB_STORE_CSRF_MAX 64   /* room for a CSRF token's text and its NUL */
#define CB_STORE_PWHASH_MAX 128 /* room for an Argon2id string (crypto_pwhash_STRBYTES) */

/* ---- Credentials ---- */

/* Sets (or replaces) person `person_id`'s password hash, in the caller's
 * transaction. */
int cb_store_credential_set(cb_store *s, int64_t person_id, const char *hash, int64_t now);

/* Person `person_id`'s password hash into hash[0..hashlen); *found says
 * whether they have one. */
int cb_store_credential_get(cb_store *s, int64_t person_id, char *hash, size_t hashlen,
			    int *found);

/* ---- Invitations ---- */

typedef struct cb_invitation {
	int64_t person_id;
	int64_t created_at, expires_at;
	int64_t used_at; /* 0: not used yet */
} cb_invitation;

int cb_store_invitation_insert(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			       int64_t person_id, int64_t created_at, int64_t expires_at);
int cb_store_invitation_get(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			    cb_invitation *out, int *found);
/* Marks the invitation used at `now` unless it already was: *used says
 * whether this call did (one of two racing accepts wins). */
int cb_store_invitation_use(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			    int64_t now, int *used);
/* Removes the person's invitations not used yet (a new one replaces them). */
int cb_store_invitation_drop_unused(cb_store *s, int64_t person_id);

/* ---- Web sessions ---- */

typedef struct cb_web_session {
	int64_t person_id;
	char csrf[CB_STORE_CSRF_MAX];
	int64_t created_at, expires_at, last_seen;
} cb_web_session;

int cb_store_web_session_insert(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
				const cb_web_session *w);
int cb_store_web_session_get(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			     cb_web_session *out, int *found);
int cb_store_web_session_touch(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			       int64_t now);
/* *found (may be NULL) says whether there was one to delete. */
int cb_store_web_session_delete(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
				int *found);
/* Ends every web session of the person (a new password). */
int cb_store_web_session_delete_person(cb_store *s, int64_t person_id);
/* Removes the sessions past their absolute expiry or idle since `idle_before`. */
int cb_store_web_session_prune(cb_store *s, int64_t now, int64_t idle_before);

/* ---- API tokens ---- */

typedef struct cb_api_token {
	int64_t id, person_id;
	char name[CB_KEY_MAX + 1];
	int64_t created_at;
	int64_t last_used_at; /* 0: never */
	int64_t revoked_at;   /* 0: live */
} cb_api_token;

/* A new live token `name` of the person; CB_EEXISTS when the person has a
 * live one by that name. */
int cb_store_api_token_insert(cb_store *s, int64_t person_id, const char *name,
			      const unsigned char hash[CB_STORE_TOKEN_HASH], int64_t now);
int cb_store_api_token_by_hash(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			       cb_api_token *out, int *found);
int cb_store_api_token_touch(cb_store *s, int64_t id, int64_t now);
/* Revokes the person's live token `name`; *found says whether there was one. */
int cb_store_api_token_revoke(cb_store *s, int64_t person_id, const char *name, int64_t now,
			      int *found);
/* Calls fn for each token of the person, live and revoked, by name then
 * creation; stops at the first non-zero return. */
typedef int (*cb_api_token_fn)(const cb_api_token *t, void *ctx);
int cb_store_api_token_each(cb_store *s, int64_t person_id, cb_api_token_fn fn, void *ctx);

/* ---- Failed sign-ins (the throttle) ---- */

/* `who` is "person:KEY" or "addr:IP". *id (may be NULL) gets the row's
 * id, for cb_store_signin_failure_remove: a sign-in counts as failed
 * until its password is verified. */
int cb_store_signin_failure_add(cb_store *s, const char *who, int64_t at, int64_t *id);
int cb_store_signin_failure_remove(cb_store *s, int64_t id);
/* How many failures of `who` since `since` (inclusive), and the time of
 * the last (0 when none). */
int cb_store_signin_failure_count(cb_store *s, const char *who, int64_t since, int64_t *count,
				  int64_t *last);
/* Calls fn with the time of each failure of `who` since `since`, oldest
 * first; stops at the first non-zero return. */
int cb_store_signin_failure_each(cb_store *s, const char *who, int64_t since,
				 int (*fn)(int64_t at, void *ctx), void *ctx);
int cb_store_signin_failure_clear(cb_store *s, const char *who);
/* Forgets every failure before `before`. */
int cb_store_signin_failure_prune(cb_store *s, int64_t before);

#endif
