/* What the server's files share: one request as the routes see it. */
#ifndef CB_SERVE_INTERNAL_H
#define CB_SERVE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "app/auth.h"
#include "app/rights.h"
#include "app/workspace.h"
#include "base/buf.h"
#include "serve/serve.h"

struct MHD_Connection;

#define CB_SERVE_MAX_FIELDS 256
#define CB_SERVE_SESSION_COOKIE "cb_session"
#define CB_SERVE_MAX_HEADERS 8

typedef struct cb_serve_field {
	char *name, *value;
	size_t len;
	char *filename; /* an uploaded file's name as the browser gave it; NULL: none */
} cb_serve_field;

typedef struct cb_serve_request {
	struct MHD_Connection *conn;
	const cb_serve_options *o;
	const char *method, *path; /* borrowed from libmicrohttpd */
	int post;                  /* POST (else GET or HEAD) */
	int api;                   /* under /api/v1/: a bearer token, JSON */
	int tls;
	char remote[64];           /* the client's address, for throttling */
	cb_serve_field fields[CB_SERVE_MAX_FIELDS]; /* the form, decoded */
	size_t nfields;
	cb_workspace *ws;          /* open for the request's length */
	int signed_in;
	cb_actor actor;            /* when signed in */
	char session[CB_AUTH_TOKEN_SIZE]; /* the session token (the cookie) */
	cb_auth_session auth;      /* the session: its CSRF token */
	const char *csp;           /* a page's own Content-Security-Policy; NULL: the default */
	/* the answer */
	unsigned status;
	const char *content_type;  /* static */
	cb_buf body;
	char *headers[CB_SERVE_MAX_HEADERS][2]; /* owned */
	size_t nheaders;
} cb_serve_request;

/* A query argument or form field, NULL when absent. Borrowed. */
const char *cb_serve_arg(cb_serve_request *rq, const char *name);
const char *cb_serve_field_get(cb_serve_request *rq, const char *name);
/* Every value of a repeated form field (checkboxes, multiple selects):
 * up to max into out[]; returns how many. Borrowed. */
size_t cb_serve_field_all(cb_serve_request *rq, const char *name, const char **out, size_t max);
/* An uploaded file's field: its bytes and the name the browser gave it;
 * NULL when absent. Borrowed. */
const cb_serve_field *cb_serve_upload(cb_serve_request *rq, const char *name);
/* A cookie the request carries, NULL when absent. Borrowed. */
const char *cb_serve_cookie(cb_serve_request *rq, const char *name);
/* A request header, NULL when absent. Borrowed. */
const char *cb_serve_header(cb_serve_request *rq, const char *name);
/* Adds a header to the answer (copies both). 0 or CB_ENOMEM. */
int cb_serve_add_header(cb_serve_request *rq, const char *name, const char *value);
/* A 303 to `location` (a path on this server). */
int cb_serve_redirect(cb_serve_request *rq, const char *location);
/* An error page (or JSON under /api/) with `status` and the message. */
int cb_serve_error_page(cb_serve_request *rq, unsigned status, const char *message);
/* The answer for a failed app call: 404 for CB_ENOTFOUND, 403 for
 * CB_EFORBIDDEN, 400 for bad input, 500 for the rest, with the message. */
int cb_serve_fail(cb_serve_request *rq, int rc);

/* An HTML error page (pages.c). */
int cb_serve_error_html(cb_serve_request *rq, unsigned status, const char *message);

/* The routes (routes.c): answers the request in rq. */
int cb_serve_route(cb_serve_request *rq);

#endif
