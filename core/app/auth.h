/*
 * Signing in: one-time invitations with which a person sets a password,
 * passwords kept as Argon2id hashes, web sessions with a CSRF token each,
 * API tokens for scripts, and a throttle on wrong passwords. No printing,
 * no HTTP: the command line makes invitations and API tokens, the server
 * (built on this) signs people in and checks tokens.
 *
 * Every token is 32 random bytes (randombytes_buf) given out as text
 * (URL-safe base64 without padding; API tokens start "cbk_") and stored
 * only as the BLAKE2b-256 hash of that text (crypto_generichash), so a
 * copy of the database lets nobody sign in; only a session's CSRF token
 * is kept as it is, for every page to carry, being worth nothing without
 * the session's cookie. README's "Rights and signing in" has the numbers
 * below and why.
 */
#ifndef CB_APP_AUTH_H
#define CB_APP_AUTH_H

#include <stdint.h>

#include "app/rights.h"
#include "app/workspace.h"
#include "store/auth.h"
#include "store/person.h"

#define CB_AUTH_TOKEN_SIZE 64   /* room for any token's text and its NUL */
#define CB_AUTH_API_PREFIX "cbk_"

/* Passwords: 10 to 1024 bytes, neither the person's key nor their email
 * (in any case); Argon2id (crypto_pwhash_str_alg, ALG_ARGON2ID13) with
 * libsodium's INTERACTIVE limits: 2 passes over 64 MiB, about 0.1 s
 * here. */
#define CB_AUTH_PASSWORD_MIN 10
#define CB_AUTH_PASSWORD_MAX 1024

/* Invitations: valid 72 hours unless said otherwise, at most 720. */
#define CB_AUTH_INVITE_TTL_DEFAULT (72 * 3600)
#define CB_AUTH_INVITE_TTL_MAX (720 * 3600)

/* Web sessions end after 12 hours without a request, or 7 days after
 * signing in, whichever comes first; last_seen is written at most once a
 * minute. */
#define CB_AUTH_SESSION_IDLE (12 * 3600)
#define CB_AUTH_SESSION_MAX (7 * 24 * 3600)
#define CB_AUTH_TOUCH_EVERY 60

/* The throttle: after 5 failed sign-ins in a row for one person, or from
 * one address, each within 15 minutes of the one before, the next attempt
 * waits 30 s after the last failure, twice as long for each failure more,
 * at most 15 minutes; 15 minutes without a failure after the wait ends
 * the row, and so does a success (for the person). Failures are kept a
 * day. */
#define CB_AUTH_THROTTLE_FREE 5
#define CB_AUTH_THROTTLE_WINDOW (15 * 60)
#define CB_AUTH_THROTTLE_FIRST 30
#define CB_AUTH_THROTTLE_CAP (15 * 60)
#define CB_AUTH_THROTTLE_MEMORY (24 * 3600)

/* The time signing in goes by: ws->clock, else the system's. */
int64_t cb_auth_now(const cb_workspace *ws);

/* The actor of person `key` (their id, key and roles). */
int cb_auth_actor_of(cb_workspace *ws, const char *key, cb_actor *out);

/* Makes a one-time invitation for person `person_key`, valid
 * `ttl_seconds` (1 .. CB_AUTH_INVITE_TTL_MAX); any earlier invitation of
 * theirs not used yet stops working. The token goes into token_out, its
 * expiry (Unix seconds) into *expires_at (may be NULL). Needs
 * CB_ACT_INVITE. */
int cb_auth_invite(cb_workspace *ws, const char *person_key, int64_t ttl_seconds,
		   char token_out[CB_AUTH_TOKEN_SIZE], int64_t *expires_at);

/* Whether `password` may be person p's password: 0, or CB_EINVALID saying
 * which rule it breaks (never quoting it). */
int cb_auth_password_check(const cb_person *p, const char *password);

/* The key of the person invitation `token` is for, into key, while it may
 * still be used; else CB_EAUTH as cb_auth_invitation_accept says it. The
 * page that sets the password names whom one signs in as. */
int cb_auth_invitation_person(cb_workspace *ws, const char *token, char key[CB_KEY_MAX + 1]);

/* Sets the invited person's password with invitation `token`, once: an
 * unknown, used or expired invitation is CB_EAUTH saying which (and what
 * to do); a password against the rules is CB_EINVALID and leaves the
 * invitation usable. Ends every web session of the person. *who (may be
 * NULL) gets the person's actor, for the sign-in page that follows. */
int cb_auth_invitation_accept(cb_workspace *ws, const char *token, const char *password,
			      cb_actor *who);

/* A web session: what sign-in gives and a request's cookie finds. */
typedef struct cb_auth_session {
	char token[CB_AUTH_TOKEN_SIZE]; /* the cookie's value; cb_auth_signin only */
	char csrf[CB_AUTH_TOKEN_SIZE];  /* every form carries it back */
	cb_actor actor;
	int64_t expires_at;      /* the absolute end */
	int64_t idle_expires_at; /* the end unless another request comes first */
	int retry_after;         /* CB_ETHROTTLED: seconds to wait */
} cb_auth_session;

/* Signs person `key` in with `password` from `remote_addr` (the client's
 * IP, for the throttle; NULL when unknown): a new session, with a new
 * token and CSRF token every time (no session fixation). A wrong password,
 * an unknown person and a person without a password are the same CB_EAUTH
 * with the same message, after the same work (a dummy hash is verified).
 * While the person or the address is throttled the password is not even
 * verified: CB_ETHROTTLED, out->retry_after the seconds to wait. A
 * success forgets the person's failures. */
int cb_auth_signin(cb_workspace *ws, const char *key, const char *password,
		   const char *remote_addr, cb_auth_session *out);

/* The session of cookie `token`: its actor and CSRF token (out->token
 * stays empty), refreshing its last use. CB_EAUTH for an unknown, ended
 * or expired one (an expired one is removed). */
int cb_auth_session_get(cb_workspace *ws, const char *token, cb_auth_session *out);

/* Ends the session of cookie `token`; 0 also when there is none. */
int cb_auth_signout(cb_workspace *ws, const char *token);

/* Compares a form's CSRF token with the session's in constant time
 * (sodium_memcmp): 0, or CB_EFORBIDDEN. */
int cb_auth_csrf_check(const cb_auth_session *session, const char *given);

/* Makes API token `name` (a key: letters, digits, '.', '_', '-') for
 * person `person_key`; the token goes into token_out and is shown once,
 * never stored. CB_EEXISTS when the person has a live token by that name.
 * Needs CB_ACT_TOKEN_MANAGE for the person. */
int cb_auth_token_create(cb_workspace *ws, const char *person_key, const char *name,
			 char token_out[CB_AUTH_TOKEN_SIZE]);

/* The actor of API token `token` (a request's "Authorization: Bearer"),
 * noting its use; CB_EAUTH for an unknown or revoked one. */
int cb_auth_token_check(cb_workspace *ws, const char *token, cb_actor *out);

/* Revokes person `person_key`'s live API token `name`; CB_ENOTFOUND when
 * there is none. Needs CB_ACT_TOKEN_MANAGE for the person. */
int cb_auth_token_revoke(cb_workspace *ws, const char *person_key, const char *name);

/* Calls fn for each API token of the person, live and revoked (never the
 * token itself: only its name and times). Needs CB_ACT_TOKEN_MANAGE. */
int cb_auth_token_list(cb_workspace *ws, const char *person_key, cb_api_token_fn fn, void *ctx);

#endif
