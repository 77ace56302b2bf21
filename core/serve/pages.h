/* The server's pages and API answers, one handler per route (routes.c).
 * arg[] holds the path's "*" segments. */
#ifndef CB_SERVE_PAGES_H
#define CB_SERVE_PAGES_H

#include "serve/internal.h"

typedef int cb_serve_handler(cb_serve_request *rq, const char *const *arg);

/* pages_account.c: the stylesheet, sign-in, sign-out, invitations, home */
cb_serve_handler cb_serve_page_css, cb_serve_page_favicon, cb_serve_page_signin, cb_serve_post_signin,
	cb_serve_post_signout, cb_serve_page_invite, cb_serve_post_invite, cb_serve_page_home;
/* pages_session.c: sessions and the class's attendance, reactions, scores */
cb_serve_handler cb_serve_page_sessions, cb_serve_page_session_new, cb_serve_post_session_new,
	cb_serve_page_session, cb_serve_post_attendance;
/* pages_case.c: case studies, the form that writes one, reviews */
cb_serve_handler cb_serve_page_cases, cb_serve_page_case, cb_serve_page_case_new,
	cb_serve_post_case_new, cb_serve_page_case_edit, cb_serve_post_case_edit,
	cb_serve_page_case_diff, cb_serve_post_review, cb_serve_post_publish, cb_serve_post_withdraw;
/* pages_people.c: the people and their invitations (admins) */
cb_serve_handler cb_serve_page_people, cb_serve_post_invite_person;
/* pages_data.c: uploading KPI data */
cb_serve_handler cb_serve_page_data_import, cb_serve_post_data_import;
/* pages_impact.c: the live report and the JSON API */
cb_serve_handler cb_serve_page_impact, cb_serve_api_sessions, cb_serve_api_cases,
	cb_serve_api_impact;

/* The program dashboard: each program's verdict in words (cached), with
 * its report and downloads (pages_impact.c). */
int cb_serve_dashboard(cb_serve_request *rq);

/* The page frame for rq's person (pages_account.c): the nav with
 * `current` marked, the flash message when given. */
int cb_serve_page_open(cb_serve_request *rq, const char *title, const char *current,
		       const char *flash, int flash_error);
int cb_serve_page_close(cb_serve_request *rq);

struct cb_case_index;
/* What the rights need to know of case `c` for rq's person: its author,
 * whether it cites a session the person trains, whether published. */
int cb_serve_case_object(cb_serve_request *rq, const struct cb_case_index *c,
			 cb_rights_object *obj);

/* Whether rq's person may read case c (obj from cb_serve_case_object). */
int cb_serve_may_read_case(cb_serve_request *rq, const struct cb_case_index *c,
			   const cb_rights_object *obj);

/* 0 when rq's person may do `action` on `obj`; else answers 403 with the
 * rule's message and returns 1 (the handler returns 0 then). */
int cb_serve_allowed(cb_serve_request *rq, int action, const cb_rights_object *obj);

#endif
