/*
 * The routes: one table of (method, path pattern, handler, whether a
 * signed-in person is needed), and the session and CSRF checks every
 * route goes through before its handler runs. Rights are not decided
 * here: each handler asks cb_rights_check (app/rights.c) with what the
 * object is, and the app layer asks again before it writes.
 */
#include <string.h>

#include "app/auth.h"
#include "base/error.h"
#include "serve/internal.h"
#include "serve/pages.h"
#include "view/page.h"

#define SESSION_COOKIE CB_SERVE_SESSION_COOKIE

typedef struct route {
	const char *method;  /* "GET" (also answers HEAD) or "POST" */
	const char *pattern; /* segments; "*" matches one non-empty segment */
	int (*handler)(cb_serve_request *rq, const char *const *arg);
	int open;            /* answered without signing in */
} route;

static const route routes[] = {
	{"GET", "/static/casebook.css", cb_serve_page_css, 1},
	{"GET", "/favicon.ico", cb_serve_page_favicon, 1},
	{"GET", "/signin", cb_serve_page_signin, 1},
	{"POST", "/signin", cb_serve_post_signin, 1},
	{"POST", "/signout", cb_serve_post_signout, 0},
	{"GET", "/invite/*", cb_serve_page_invite, 1},
	{"POST", "/invite/*", cb_serve_post_invite, 1},
	{"GET", "/", cb_serve_page_home, 0},
	{"GET", "/sessions", cb_serve_page_sessions, 0},
	{"GET", "/sessions/new", cb_serve_page_session_new, 0},
	{"POST", "/sessions/new", cb_serve_post_session_new, 0},
	{"GET", "/sessions/*", cb_serve_page_session, 0},
	{"POST", "/sessions/*/attendance", cb_serve_post_attendance, 0},
	{"GET", "/cases", cb_serve_page_cases, 0},
	{"GET", "/cases/new", cb_serve_page_case_new, 0},
	{"POST", "/cases/new", cb_serve_post_case_new, 0},
	{"GET", "/cases/*", cb_serve_page_case, 0},
	{"GET", "/cases/*/edit", cb_serve_page_case_edit, 0},
	{"POST", "/cases/*/edit", cb_serve_post_case_edit, 0},
	{"GET", "/cases/*/diff", cb_serve_page_case_diff, 0},
	{"POST", "/cases/*/review", cb_serve_post_review, 0},
	{"POST", "/cases/*/publish", cb_serve_post_publish, 0},
	{"POST", "/cases/*/withdraw", cb_serve_post_withdraw, 0},
	{"GET", "/people", cb_serve_page_people, 0},
	{"POST", "/people/*/invite", cb_serve_post_invite_person, 0},
	{"GET", "/data/import", cb_serve_page_data_import, 0},
	{"POST", "/data/import", cb_serve_post_data_import, 0},
	{"GET", "/impact", cb_serve_page_impact, 0},
	{"GET", "/api/v1/sessions", cb_serve_api_sessions, 0},
	{"GET", "/api/v1/cases", cb_serve_api_cases, 0},
	{"GET", "/api/v1/impact", cb_serve_api_impact, 0},
};

#define ROUTE_COUNT (sizeof(routes) / sizeof(routes[0]))
#define MAX_ARGS 4
#define MAX_SEGMENT 200

/* Matches `path` against `pattern`; the segments matched by "*" go to
 * args (decoded by libmicrohttpd already; "." and ".." and anything with
 * a '/' never match, so that no name reaches a file path). */
static int match(const char *pattern, const char *path, char args[MAX_ARGS][MAX_SEGMENT + 1])
{
	int n = 0;

	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return 0;
		pattern++, path++;
		if (*pattern == '*') {
			size_t len = strcspn(path, "/");

			if (len == 0 || len > MAX_SEGMENT || n == MAX_ARGS)
				return 0;
			if ((len == 1 && path[0] == '.') || (len == 2 && !strncmp(path, "..", 2)))
				return 0;
			memcpy(args[n], path, len);
			args[n++][len] = '\0';
			pattern++, path += len;
		} else {
			size_t len = strcspn(pattern, "/");

			if (strncmp(pattern, path, len) != 0 || (path[len] && path[len] != '/'))
				return 0;
			pattern += len, path += len;
		}
	}
	return *pattern == '\0' && *path == '\0' ? 1 + n : 0;
}

/* Who sends the request: a bearer token under /api/, else the session
 * cookie. Leaves rq->signed_in 0 when neither is valid. */
static int identify(cb_serve_request *rq)
{
	int rc;

	if (rq->api) {
		const char *auth = cb_serve_header(rq, "Authorization");

		if (!auth || strncmp(auth, "Bearer ", 7) != 0)
			return 0;
		rc = cb_auth_token_check(rq->ws, auth + 7, &rq->actor);
	} else {
		const char *cookie = cb_serve_cookie(rq, SESSION_COOKIE);

		if (!cookie || !*cookie || strlen(cookie) >= sizeof(rq->session))
			return 0;
		snprintf(rq->session, sizeof(rq->session), "%s", cookie);
		rc = cb_auth_session_get(rq->ws, rq->session, &rq->auth);
		rq->actor = rq->auth.actor;
	}
	if (rc == CB_EAUTH || rc == CB_ENOTFOUND || rc == CB_EINVALID) {
		rq->session[0] = '\0';
		return 0;
	}
	if (rc < 0)
		return rc;
	rq->signed_in = 1;
	/* Every use case the handler calls acts as this person. */
	cb_workspace_set_actor(rq->ws, &rq->actor);
	return 0;
}

/* A form posted by a signed-in person carries the session's CSRF token. */
static int csrf_ok(cb_serve_request *rq)
{
	const char *given = cb_serve_field_get(rq, CB_VIEW_CSRF_FIELD);

	return given && cb_auth_csrf_check(&rq->auth, given) == 0;
}

int cb_serve_route(cb_serve_request *rq)
{
	const char *method = strcmp(rq->method, "HEAD") == 0 ? "GET" : rq->method;
	char args[MAX_ARGS][MAX_SEGMENT + 1];
	const char *argv[MAX_ARGS];
	int path_known = 0, rc;

	if ((rc = identify(rq)) < 0)
		return rc;
	for (size_t i = 0; i < ROUTE_COUNT; i++) {
		const route *r = &routes[i];
		int m = match(r->pattern, rq->path, args);

		if (!m)
			continue;
		path_known = 1;
		if (strcmp(r->method, method) != 0)
			continue;
		for (int k = 0; k < m - 1; k++)
			argv[k] = args[k];
		if (!r->open && !rq->signed_in) {
			if (rq->api)
				return cb_serve_error_page(rq, 401, "sign in: give 'Authorization: "
								    "Bearer TOKEN' (casebook person token)");
			return cb_serve_redirect(rq, "/signin");
		}
		if (rq->post && rq->signed_in && !rq->api && !csrf_ok(rq))
			return cb_serve_error_page(rq, 403, "this form has expired or was not sent by "
							    "this site: reload the page and send it again");
		return r->handler(rq, argv);
	}
	if (path_known)
		return cb_serve_error_page(rq, 405, "that method is not answered at this address");
	return cb_serve_error_page(rq, 404, "no such page");
}
