/*
 * Signing in (app/auth.h): invitations, passwords, web sessions, API
 * tokens and the throttle. The only file that hashes passwords and makes
 * tokens; the store sees only their hashes.
 */
#include "app/auth.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/error.h"
#include "base/text.h"
#include "store/person.h"

#define TOKEN_BYTES 32

_Static_assert(CB_STORE_PWHASH_MAX >= crypto_pwhash_STRBYTES, "room for an Argon2id string");
_Static_assert(CB_AUTH_TOKEN_SIZE > sizeof(CB_AUTH_API_PREFIX) + 43, "room for a token");

#define PW_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

/* What a wrong password, an unknown person and a person without a
 * password all get, word for word. */
#define WRONG_PASSWORD "wrong person key or password"

/* An Argon2id hash of a random password nobody knows, with the limits
 * above: an unknown person's sign-in verifies against it, so that it
 * takes as long as a known person's. */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
	"$argon2id$v=19$m=65536,t=2,p=1$2rXq6wUjA4isyrxQeEXYJg$"
	"xyg1GLU9yfu1qv19QDEwlKlNhHV59fKhHe7wcpE4Tf8";

int64_t cb_auth_now(const cb_workspace *ws)
{
	return ws->clock ? ws->clock() : (int64_t)time(NULL);
}

/* "2025-03-04 10:00 UTC" into buf. */
static const char *when(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, 32, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, 32, "%lld", (long long)t);
	return buf;
}

/* A new token: `prefix` and 32 random bytes in URL-safe base64. */
static void token_make(char out[CB_AUTH_TOKEN_SIZE], const char *prefix)
{
	unsigned char raw[TOKEN_BYTES];
	size_t n = strlen(prefix);

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, prefix, n);
	sodium_bin2base64(out + n, CB_AUTH_TOKEN_SIZE - n, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

/* The stored form of a token's text; -1 for what cannot be a token. */
static int token_hash(const char *token, unsigned char h[CB_STORE_TOKEN_HASH])
{
	size_t len;

	if (!token || !(len = strnlen(token, CB_AUTH_TOKEN_SIZE)) || len >= CB_AUTH_TOKEN_SIZE)
		return -1;
	crypto_generichash(h, CB_STORE_TOKEN_HASH, (const unsigned char *)token, len, NULL, 0);
	return 0;
}

static void actor_from(const cb_person *p, cb_actor *a)
{
	*a = (cb_actor){0};
	a->person_id = p->id;
	snprintf(a->key, sizeof(a->key), "%s", p->key);
	a->roles = p->roles;
}

int cb_auth_actor_of(cb_workspace *ws, const char *key, cb_actor *out)
{
	cb_person p;
	int rc;

	*out = (cb_actor){0};
	if ((rc = cb_store_person_get(ws->store, key, &p)) < 0)
		return rc;
	actor_from(&p, out);
	cb_person_clear(&p);
	return 0;
}

static int actor_of_id(cb_workspace *ws, int64_t id, cb_actor *out)
{
	cb_person p;
	int rc;

	*out = (cb_actor){0};
	if ((rc = cb_store_person_get_id(ws->store, id, &p)) < 0)
		return rc;
	actor_from(&p, out);
	cb_person_clear(&p);
	return 0;
}

/* ---- Invitations and passwords ---- */

int cb_auth_invite(cb_workspace *ws, const char *person_key, int64_t ttl_seconds,
		   char token_out[CB_AUTH_TOKEN_SIZE], int64_t *expires_at)
{
	unsigned char h[CB_STORE_TOKEN_HASH];
	int64_t now = cb_auth_now(ws), id;
	int rc;

	token_out[0] = '\0';
	if ((rc = cb_rights_require(ws, CB_ACT_INVITE, NULL)) < 0)
		return rc;
	if (ttl_seconds < 1 || ttl_seconds > CB_AUTH_INVITE_TTL_MAX)
		return cb_error_set(CB_EINVALID,
				    "an invitation is valid from 1 second to %d hours, not %lld seconds",
				    CB_AUTH_INVITE_TTL_MAX / 3600, (long long)ttl_seconds);
	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_store_person_id(ws->store, person_key, &id)) < 0)
		goto fail;
	token_make(token_out, "");
	token_hash(token_out, h);
	if ((rc = cb_store_invitation_drop_unused(ws->store, id)) < 0 ||
	    (rc = cb_store_invitation_insert(ws->store, h, id, now, now + ttl_seconds)) < 0 ||
	    (rc = cb_store_commit(ws->store)) < 0) {
		sodium_memzero(token_out, CB_AUTH_TOKEN_SIZE);
		goto fail;
	}
	if (expires_at)
		*expires_at = now + ttl_seconds;
	return 0;
fail:
	cb_store_rollback(ws->store);
	token_out[0] = '\0';
	return rc;
}

int cb_auth_password_check(const cb_person *p, const char *password)
{
	size_t len = password ? strnlen(password, CB_AUTH_PASSWORD_MAX + 1) : 0;

	if (len < CB_AUTH_PASSWORD_MIN)
		return cb_error_set(CB_EINVALID, "the password is %zu bytes long; it needs at least %d",
				    len, CB_AUTH_PASSWORD_MIN);
	if (len > CB_AUTH_PASSWORD_MAX)
		return cb_error_set(CB_EINVALID, "the password is longer than %d bytes",
				    CB_AUTH_PASSWORD_MAX);
	if (p->key && strcasecmp(password, p->key) == 0)
		return cb_error_set(CB_EINVALID, "the password must not be the person's key");
	if (p->email && *p->email && strcasecmp(password, p->email) == 0)
		return cb_error_set(CB_EINVALID, "the password must not be the person's email address");
	return 0;
}

/* Invitation `token` if it may still be used (its hash in h, it in *inv),
 * else CB_EAUTH saying why and what to do. */
static int invitation_usable(cb_workspace *ws, const char *token, int64_t now,
			     unsigned char h[CB_STORE_TOKEN_HASH], cb_invitation *inv)
{
	char at[32];
	int found = 0, rc;

	if (token_hash(token, h) == 0 && (rc = cb_store_invitation_get(ws->store, h, inv, &found)) < 0)
		return rc;
	if (!found)
		return cb_error_set(CB_EAUTH,
				    "this invitation link is not known: mistyped, or replaced by a newer "
				    "one; ask an administrator for a new one");
	if (inv->used_at)
		return cb_error_set(CB_EAUTH,
				    "this invitation link was already used, on %s; it works once. Sign in "
				    "with the password set then, or ask an administrator for a new link",
				    when(inv->used_at, at));
	if (now >= inv->expires_at)
		return cb_error_set(CB_EAUTH,
				    "this invitation link expired on %s; ask an administrator for a new "
				    "one ('casebook person invite KEY')",
				    when(inv->expires_at, at));
	return 0;
}

int cb_auth_invitation_person(cb_workspace *ws, const char *token, char key[CB_KEY_MAX + 1])
{
	unsigned char h[CB_STORE_TOKEN_HASH];
	cb_invitation inv;
	cb_person p = {0};
	int rc;

	key[0] = '\0';
	if ((rc = invitation_usable(ws, token, cb_auth_now(ws), h, &inv)) < 0)
		return rc;
	if ((rc = cb_store_person_get_id(ws->store, inv.person_id, &p)) < 0)
		return rc;
	snprintf(key, CB_KEY_MAX + 1, "%s", p.key);
	cb_person_clear(&p);
	return 0;
}

int cb_auth_invitation_accept(cb_workspace *ws, const char *token, const char *password,
			      cb_actor *who)
{
	unsigned char h[CB_STORE_TOKEN_HASH];
	char hash[crypto_pwhash_STRBYTES];
	cb_invitation inv;
	cb_person p = {0};
	int64_t now = cb_auth_now(ws);
	int used = 0, rc;

	if (who)
		*who = (cb_actor){0};
	if ((rc = invitation_usable(ws, token, now, h, &inv)) < 0)
		return rc;
	if ((rc = cb_store_person_get_id(ws->store, inv.person_id, &p)) < 0)
		return rc;
	if ((rc = cb_auth_password_check(&p, password)) < 0)
		goto done;
	/* Hashed before the write lock: it takes a tenth of a second. */
	if (crypto_pwhash_str_alg(hash, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		rc = cb_error_set(CB_ENOMEM, "not enough memory to hash the password (Argon2id needs %zu MiB)",
				  (size_t)(PW_MEMLIMIT >> 20));
		goto done;
	}
	if ((rc = cb_store_begin(ws->store)) < 0)
		goto done;
	if ((rc = cb_store_invitation_use(ws->store, h, now, &used)) < 0)
		goto rollback;
	if (!used) { /* another request used it meanwhile */
		rc = cb_error_set(CB_EAUTH, "this invitation link was already used; it works once");
		goto rollback;
	}
	if ((rc = cb_store_credential_set(ws->store, p.id, hash, now)) < 0 ||
	    (rc = cb_store_web_session_delete_person(ws->store, p.id)) < 0)
		goto rollback;
	if ((rc = cb_store_commit(ws->store)) < 0)
		goto done;
	if (who)
		actor_from(&p, who);
	goto done;
rollback:
	cb_store_rollback(ws->store);
done:
	cb_person_clear(&p);
	return rc;
}

/* ---- Signing in ---- */

/* The throttle's count of failures in a row, walked oldest first: a
 * failure more than CB_AUTH_THROTTLE_WINDOW after the end of the wait
 * the one before it imposed starts a new row. */
typedef struct failure_row {
	int64_t n, last;
} failure_row;

/* The wait after the n-th failure in a row (0 while n is below the free
 * ones): CB_AUTH_THROTTLE_FIRST, doubled for each failure more, capped. */
static int64_t throttle_delay(int64_t n)
{
	int64_t delay;

	if (n < CB_AUTH_THROTTLE_FREE)
		return 0;
	if (n - CB_AUTH_THROTTLE_FREE >= 10)
		return CB_AUTH_THROTTLE_CAP;
	delay = (int64_t)CB_AUTH_THROTTLE_FIRST << (n - CB_AUTH_THROTTLE_FREE);
	return delay < CB_AUTH_THROTTLE_CAP ? delay : CB_AUTH_THROTTLE_CAP;
}

static int add_failure(int64_t at, void *ctx)
{
	failure_row *r = ctx;

	if (r->n && at - (r->last + throttle_delay(r->n)) > CB_AUTH_THROTTLE_WINDOW)
		r->n = 0;
	r->n++;
	r->last = at;
	return 0;
}

/* How long `who` must still wait before another attempt (0: not at all). */
static int throttle_wait(cb_store *s, const char *who, int64_t now, int64_t *wait)
{
	failure_row r = {0, 0};
	int rc;

	*wait = 0;
	if ((rc = cb_store_signin_failure_each(s, who, now - CB_AUTH_THROTTLE_MEMORY, add_failure,
					       &r)) < 0)
		return rc;
	if (r.n && r.last + throttle_delay(r.n) > now)
		*wait = r.last + throttle_delay(r.n) - now;
	return 0;
}

/* A new web session of person p into *out, in the caller's transaction. */
static int session_new(cb_workspace *ws, const cb_person *p, int64_t now, cb_auth_session *out)
{
	unsigned char h[CB_STORE_TOKEN_HASH];
	cb_web_session w = {0};
	int rc;

	token_make(out->token, "");
	token_make(out->csrf, "");
	token_hash(out->token, h);
	w.person_id = p->id;
	snprintf(w.csrf, sizeof(w.csrf), "%s", out->csrf);
	w.created_at = w.last_seen = now;
	w.expires_at = now + CB_AUTH_SESSION_MAX;
	if ((rc = cb_store_web_session_insert(ws->store, h, &w)) < 0)
		return rc;
	actor_from(p, &out->actor);
	out->expires_at = w.expires_at;
	out->idle_expires_at = now + CB_AUTH_SESSION_IDLE;
	return 0;
}

int cb_auth_signin(cb_workspace *ws, const char *key, const char *password,
		   const char *remote_addr, cb_auth_session *out)
{
	cb_store *s = ws->store;
	char who_person[CB_KEY_MAX + 16] = "", who_addr[96], hash[CB_STORE_PWHASH_MAX] = "",
	     rehashed[crypto_pwhash_STRBYTES] = "";
	cb_person p = {0};
	int64_t now = cb_auth_now(ws), wait_person = 0, wait_addr = 0, addr_failure = 0, id = 0;
	int have_hash = 0, verified, rc;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (!password)
		password = "";
	len = strnlen(password, CB_AUTH_PASSWORD_MAX + 1);
	snprintf(who_addr, sizeof(who_addr), "addr:%.64s",
		 remote_addr && *remote_addr ? remote_addr : "unknown");
	/* A key that cannot be one names nobody: only the address counts. */
	if (key && cb_key_check("person key", key) == 0)
		snprintf(who_person, sizeof(who_person), "person:%s", key);
	cb_error_clear();

	/* Under the write lock: the throttle, then this attempt counted as a
	 * failure until its password is verified, so that attempts made at
	 * once cannot slip past the count. */
	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = throttle_wait(s, who_addr, now, &wait_addr)) < 0 ||
	    (who_person[0] && (rc = throttle_wait(s, who_person, now, &wait_person)) < 0))
		goto rollback;
	if (wait_addr || wait_person) {
		out->retry_after = (int)(wait_addr > wait_person ? wait_addr : wait_person);
		cb_store_rollback(s);
		return cb_error_set(CB_ETHROTTLED,
				    "too many failed sign-ins for this person or from this address; try "
				    "again in %d s",
				    out->retry_after);
	}
	if ((rc = cb_store_signin_failure_add(s, who_addr, now, &addr_failure)) < 0 ||
	    (who_person[0] && (rc = cb_store_signin_failure_add(s, who_person, now, NULL)) < 0))
		goto rollback;
	if (who_person[0]) {
		rc = cb_store_person_id(s, key, &id);
		if (rc == CB_ENOTFOUND) {
			cb_error_clear();
			rc = 0;
			id = 0;
		}
		if (rc < 0 || (id && (rc = cb_store_credential_get(s, id, hash, sizeof(hash),
								   &have_hash)) < 0))
			goto rollback;
	}
	if ((rc = cb_store_commit(s)) < 0)
		return rc;

	/* The same work whoever it is: a person without a password verifies
	 * against the dummy hash as an unknown one does. */
	assert(crypto_pwhash_str_needs_rehash(dummy_hash, PW_OPSLIMIT, PW_MEMLIMIT) == 0);
	verified = len <= CB_AUTH_PASSWORD_MAX &&
		   crypto_pwhash_str_verify(have_hash ? hash : dummy_hash, password, len) == 0 &&
		   have_hash;
	if (!verified)
		return cb_error_set(CB_EAUTH, WRONG_PASSWORD);
	/* Hashes made with weaker limits than today's are made anew. */
	if (crypto_pwhash_str_needs_rehash(hash, PW_OPSLIMIT, PW_MEMLIMIT) != 0 &&
	    crypto_pwhash_str_alg(rehashed, password, len, PW_OPSLIMIT, PW_MEMLIMIT,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		rehashed[0] = '\0';

	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = cb_store_person_get_id(s, id, &p)) < 0 ||
	    (rc = cb_store_signin_failure_remove(s, addr_failure)) < 0 ||
	    (rc = cb_store_signin_failure_clear(s, who_person)) < 0 ||
	    (rc = cb_store_signin_failure_prune(s, now - CB_AUTH_THROTTLE_MEMORY)) < 0 ||
	    (rc = cb_store_web_session_prune(s, now, now - CB_AUTH_SESSION_IDLE)) < 0 ||
	    (rehashed[0] && (rc = cb_store_credential_set(s, id, rehashed, now)) < 0) ||
	    (rc = session_new(ws, &p, now, out)) < 0)
		goto rollback;
	if ((rc = cb_store_commit(s)) < 0)
		goto fail;
	cb_person_clear(&p);
	return 0;
rollback:
	cb_store_rollback(s);
fail:
	cb_person_clear(&p);
	sodium_memzero(out, sizeof(*out));
	return rc;
}

/* Notes that a sign-in (hash) or an API token (id) was used now: 0, or 1
 * when it was not noted. This is bookkeeping for the idle clock and
 * `person token --list`, written on a read: when another writer holds
 * the database or waits for it (a server's threads queue there), the
 * read goes on without it, to be noted at a later request, rather than
 * wait behind the writes or fail a page that had nothing to write. */
static int touch(cb_workspace *ws, const unsigned char *hash, int64_t id, int64_t now)
{
	int rc;

	if ((rc = cb_store_begin_if_free(ws->store)) <= 0)
		return 1;
	rc = hash ? cb_store_web_session_touch(ws->store, hash, now)
		  : cb_store_api_token_touch(ws->store, id, now);
	if (rc < 0) {
		cb_store_rollback(ws->store);
		return 1;
	}
	return cb_store_commit(ws->store) < 0;
}

int cb_auth_session_get(cb_workspace *ws, const char *token, cb_auth_session *out)
{
	unsigned char h[CB_STORE_TOKEN_HASH];
	cb_web_session w;
	int64_t now = cb_auth_now(ws);
	int found = 0, rc;

	memset(out, 0, sizeof(*out));
	if (token_hash(token, h) < 0)
		return cb_error_set(CB_EAUTH, "not signed in");
	if ((rc = cb_store_web_session_get(ws->store, h, &w, &found)) < 0)
		return rc;
	if (!found)
		return cb_error_set(CB_EAUTH, "not signed in: this sign-in is unknown or was ended; "
					      "sign in again");
	if (now >= w.expires_at || now - w.last_seen > CB_AUTH_SESSION_IDLE) {
		if ((rc = cb_store_web_session_delete(ws->store, h, NULL)) < 0)
			return rc;
		return cb_error_set(CB_EAUTH, "this sign-in expired (%s); sign in again",
				    now >= w.expires_at ? "7 days after signing in"
							: "12 hours without a request");
	}
	if (now - w.last_seen >= CB_AUTH_TOUCH_EVERY && touch(ws, h, 0, now) == 0)
		w.last_seen = now;
	if ((rc = actor_of_id(ws, w.person_id, &out->actor)) < 0)
		return rc;
	snprintf(out->csrf, sizeof(out->csrf), "%s", w.csrf);
	out->expires_at = w.expires_at;
	out->idle_expires_at = w.last_seen + CB_AUTH_SESSION_IDLE;
	if (out->idle_expires_at > w.expires_at)
		out->idle_expires_at = w.expires_at;
	return 0;
}

int cb_auth_signout(cb_workspace *ws, const char *token)
{
	unsigned char h[CB_STORE_TOKEN_HASH];

	if (token_hash(token, h) < 0)
		return 0;
	return cb_store_web_session_delete(ws->store, h, NULL);
}

int cb_auth_csrf_check(const cb_auth_session *session, const char *given)
{
	size_t want = strlen(session->csrf);

	if (want && given && strnlen(given, want + 1) == want &&
	    sodium_memcmp(session->csrf, given, want) == 0)
		return 0;
	return cb_error_set(CB_EFORBIDDEN,
			    "the form's CSRF token does not match this sign-in; reload the page and "
			    "send the form again");
}

/* ---- API tokens ---- */

/* Needs CB_ACT_TOKEN_MANAGE for the tokens of person `key`. */
static int may_manage_tokens(cb_workspace *ws, const char *key)
{
	cb_rights_object obj = {0};

	snprintf(obj.owner, sizeof(obj.owner), "%s", key ? key : "");
	snprintf(obj.what, sizeof(obj.what), "the API tokens of '%s'", key ? key : "");
	return cb_rights_require(ws, CB_ACT_TOKEN_MANAGE, &obj);
}

int cb_auth_token_create(cb_workspace *ws, const char *person_key, const char *name,
			 char token_out[CB_AUTH_TOKEN_SIZE])
{
	unsigned char h[CB_STORE_TOKEN_HASH];
	int64_t id;
	int rc;

	token_out[0] = '\0';
	if ((rc = may_manage_tokens(ws, person_key)) < 0 ||
	    (rc = cb_key_check("token name", name)) < 0)
		return rc;
	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_store_person_id(ws->store, person_key, &id)) < 0)
		goto fail;
	token_make(token_out, CB_AUTH_API_PREFIX);
	token_hash(token_out, h);
	rc = cb_store_api_token_insert(ws->store, id, name, h, cb_auth_now(ws));
	if (rc == CB_EEXISTS)
		rc = cb_error_set(CB_EEXISTS,
				  "person '%s' already has an API token named '%s'; revoke it first "
				  "('casebook person token %s --revoke %s') or choose another --name",
				  person_key, name, person_key, name);
	if (rc < 0 || (rc = cb_store_commit(ws->store)) < 0)
		goto fail;
	return 0;
fail:
	cb_store_rollback(ws->store);
	sodium_memzero(token_out, CB_AUTH_TOKEN_SIZE);
	return rc;
}

int cb_auth_token_check(cb_workspace *ws, const char *token, cb_actor *out)
{
	unsigned char h[CB_STORE_TOKEN_HASH];
	cb_api_token t;
	int64_t now = cb_auth_now(ws);
	int found = 0, rc;

	*out = (cb_actor){0};
	if (token_hash(token, h) < 0)
		return cb_error_set(CB_EAUTH, "no API token given");
	if ((rc = cb_store_api_token_by_hash(ws->store, h, &t, &found)) < 0)
		return rc;
	if (!found || t.revoked_at)
		return cb_error_set(CB_EAUTH, "unknown or revoked API token");
	if (now - t.last_used_at >= CB_AUTH_TOUCH_EVERY)
		touch(ws, NULL, t.id, now);
	return actor_of_id(ws, t.person_id, out);
}

int cb_auth_token_revoke(cb_workspace *ws, const char *person_key, const char *name)
{
	int64_t id;
	int found = 0, rc;

	if ((rc = may_manage_tokens(ws, person_key)) < 0 ||
	    (rc = cb_key_check("token name", name)) < 0)
		return rc;
	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_store_person_id(ws->store, person_key, &id)) < 0 ||
	    (rc = cb_store_api_token_revoke(ws->store, id, name, cb_auth_now(ws), &found)) < 0)
		goto fail;
	if (!found) {
		rc = cb_error_set(CB_ENOTFOUND,
				  "person '%s' has no live API token named '%s' ('casebook person token "
				  "%s --list')",
				  person_key, name, person_key);
		goto fail;
	}
	return cb_store_commit(ws->store);
fail:
	cb_store_rollback(ws->store);
	return rc;
}

int cb_auth_token_list(cb_workspace *ws, const char *person_key, cb_api_token_fn fn, void *ctx)
{
	int64_t id;
	int rc;

	if ((rc = may_manage_tokens(ws, person_key)) < 0 ||
	    (rc = cb_store_person_id(ws->store, person_key, &id)) < 0)
		return rc;
	return cb_store_api_token_each(ws->store, id, fn, ctx);
}
