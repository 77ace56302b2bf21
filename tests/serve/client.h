/*
 * What the serve suites share: a real `casebook serve` started as a child
 * process on 127.0.0.1 (a free port), a small HTTP client on libcurl that
 * keeps its own cookies and sends this server's Origin with a POST (as a
 * browser does), and a workspace with one person of each role, sessions,
 * case studies and KPI data, made with the command line as a user would.
 */
#ifndef CB_TEST_SERVE_CLIENT_H
#define CB_TEST_SERVE_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

#include "testlib.h"

typedef struct cbs_server {
	pid_t pid;
	char url[96];   /* "http://127.0.0.1:PORT" (or https), no trailing slash */
	int port;
	char err[4200]; /* the server's stderr file */
} cbs_server;

/* Starts `casebook -C ws serve --listen 127.0.0.1:0 --json` and waits
 * (at most 60 s) for the address it prints. */
void cbs_start(cbs_server *s, const char *ws);
/* The same with more arguments for serve (NULL-terminated): --log FILE,
 * --tls-cert FILE --tls-key FILE (the address is then https://). */
void cbs_start_args(cbs_server *s, const char *ws, const char *const *extra);
/* Stops it with SIGTERM and fails the test on any sanitizer report (a
 * leak shows when the server exits). */
void cbs_stop(cbs_server *s);
/* A plain TCP connection to s, from address `source` (NULL: any); the
 * socket. */
int cbs_connect(const cbs_server *s, const char *source);

/* Whether the server's process still runs. */
int cbs_alive(const cbs_server *s);

#define CBS_MAX_COOKIES 8

typedef struct cbs_client {
	const cbs_server *srv;
	char cookie[CBS_MAX_COOKIES][2][256]; /* name, value */
	size_t ncookies;
	const char *origin; /* sent with every POST; NULL: no Origin */
	const char *bearer; /* "Authorization: Bearer" when set */
	const char *source; /* the address it connects from (127.0.0.2 is
			     * another client on loopback); NULL: any */
} cbs_client;

typedef struct cbs_resp {
	long status;
	char *head; /* every header line, as received */
	char *body;
	size_t len;
} cbs_resp;

/* A client of s without cookies, its POSTs from s's own origin. */
void cbs_client_init(cbs_client *c, const cbs_server *s);
/* The cookie `name` the client holds, NULL when none. */
const char *cbs_cookie(const cbs_client *c, const char *name);
void cbs_cookie_set(cbs_client *c, const char *name, const char *value);

/* One request: method "GET", "HEAD" or "POST" (body: a urlencoded form,
 * or NULL), path sent as it is (no normalisation); extra headers
 * (NULL-terminated, may be NULL). Updates the client's cookies from
 * Set-Cookie. Fails the test when no HTTP answer comes. A body goes
 * without "Expect: 100-continue" unless a header asks for it. */
void cbs_request(cbs_client *c, const char *method, const char *path, const char *body,
		 const char *const *headers, cbs_resp *r);
void cbs_get(cbs_client *c, const char *path, cbs_resp *r);
void cbs_post(cbs_client *c, const char *path, const char *body, cbs_resp *r);
void cbs_resp_free(cbs_resp *r);

/* The value of the first header `name` (any case), NULL when absent;
 * caller frees. */
char *cbs_header(const cbs_resp *r, const char *name);
/* The whole Set-Cookie line for cookie `name`, NULL when none; caller
 * frees. */
char *cbs_set_cookie(const cbs_resp *r, const char *name);
/* The value of the hidden form field `name` (the first), NULL when
 * none; caller frees. */
char *cbs_hidden(const char *body, const char *name);

/* A urlencoded form from name, value pairs ending with NULL; caller
 * frees. */
char *cbs_form(const char *name, ...) __attribute__((sentinel));

/* GET /signin then POST it: the answer's status (303 when signed in). */
long cbs_signin(cbs_client *c, const char *key, const char *password);
/* The same, asserted to succeed. */
void cbs_signin_ok(cbs_client *c, const char *key, const char *password);
/* The CSRF token of the client's session, read from its home page. */
char *cbs_csrf(cbs_client *c);

/* An invitation for `key` from the command line: its path "/invite/T".
 * Caller frees. */
char *cbs_invite(const char *ws, const char *key);
/* Sets the password of `key` through an invitation, in the browser's
 * way (GET the form, POST it). */
void cbs_set_password(const cbs_server *s, const char *ws, const char *key, const char *pw);
/* A new API token of `key` named `name`. Caller frees. */
char *cbs_api_token(const char *ws, const char *key, const char *name);

/* The markup the pages must show as text. */
#define CBS_XSS1 "<script>alert(1)</script>"
#define CBS_XSS2 "\"'><img src=x onerror=alert(1)>"

/* The people of cbs_fixture: key, roles and name; every one's password
 * is cbs_password(key). A name may not hold '<' or '>' (git's author
 * line), so tina's and tess's hold quotes and '&' instead. */
typedef struct cbs_person {
	const char *key, *roles, *name;
} cbs_person;
extern const cbs_person cbs_people[];
extern const size_t cbs_npeople;
const char *cbs_password(const char *key);

/* Makes the workspace: accounts north and south; program tco; the
 * people above, each with their password; sessions s1 (trainer tina,
 * attendees tom and tess, its title holding CBS_XSS1), s2 (trent; tess)
 * and s3 (tara; tom); case studies tom-pump (tom, citing s1, submitted,
 * its title and text holding both markups), tom-spare (tom, s1,
 * submitted), tom-pub (tom, s1, published), tess-draft (tess, s2,
 * submitted) and tara-own (tara, citing her own s3, submitted); KPI
 * observations for north and south. A server is started and stopped on
 * it to set the passwords. */
void cbs_fixture(const char *ws);

/* What every serve suite shares: the workspace cbs_fixture makes, once per
 * suite (cbs_suite_setup/teardown, Check's unchecked fixture), and a
 * server of its own on it for each test (cbs_test_start/stop). */
extern char *cbs_ws;
extern cbs_server cbs_srv;
void cbs_suite_setup(void);
void cbs_suite_teardown(void);
void cbs_test_start(void);
void cbs_test_stop(void);

#endif
