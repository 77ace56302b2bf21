/* The pages around the person: the frame, sign-in and sign-out, setting a
 * password from an invitation, and the home page of each role. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app/auth.h"
#include "base/error.h"
#include "format/html.h"
#include "serve/pages.h"
#include "store/case.h"
#include "store/person.h"
#include "store/program.h"
#include "store/session.h"
#include "view/page.h"
#include "view/style.h"

#define PRE_COOKIE "cb_pre" /* the sign-in form's token, before any session */
#define SESSION_COOKIE CB_SERVE_SESSION_COOKIE

int cb_serve_allowed(cb_serve_request *rq, int action, const cb_rights_object *obj)
{
	if (cb_rights_check(&rq->actor, action, obj) == 0)
		return 0;
	cb_serve_error_page(rq, 403, cb_error_last());
	return 1;
}

static const unsigned all_roles[] = {CB_ROLE_TECHNICIAN, CB_ROLE_TRAINER, CB_ROLE_CONSULTANT,
				     CB_ROLE_MANAGER, CB_ROLE_ADMIN};
#define NROLES (sizeof(all_roles) / sizeof(all_roles[0]))

int cb_serve_page_open(cb_serve_request *rq, const char *title, const char *current,
		       const char *flash, int flash_error)
{
	cb_view_nav_item nav[6];
	const char *roles[NROLES];
	size_t n = 0, nroles = 0;
	cb_view_page p = {0};

	if (rq->signed_in) {
		nav[n++] = (cb_view_nav_item){"Home", "/", current && !strcmp(current, "/")};
		nav[n++] = (cb_view_nav_item){"Sessions", "/sessions",
					      current && !strcmp(current, "/sessions")};
		nav[n++] = (cb_view_nav_item){"Case studies", "/cases",
					      current && !strcmp(current, "/cases")};
		if (cb_rights_may(&rq->actor, CB_ACT_IMPACT_READ, NULL))
			nav[n++] = (cb_view_nav_item){"Impact", "/impact",
						      current && !strcmp(current, "/impact")};
		if (cb_rights_may(&rq->actor, CB_ACT_INVITE, NULL))
			nav[n++] = (cb_view_nav_item){"People", "/people",
						      current && !strcmp(current, "/people")};
		if (cb_rights_may(&rq->actor, CB_ACT_DATA_IMPORT, NULL))
			nav[n++] = (cb_view_nav_item){"KPI data", "/data/import",
						      current && !strcmp(current, "/data/import")};
		for (size_t i = 0; i < NROLES; i++)
			if (rq->actor.roles & all_roles[i])
				roles[nroles++] = cb_role_name(all_roles[i]);
		p.person = rq->actor.key;
		p.roles = roles;
		p.nroles = nroles;
		p.sign_out = "/signout";
		p.csrf_token = rq->auth.csrf;
	}
	p.title = title;
	p.nav = nav;
	p.nnav = n;
	p.flash = flash;
	p.flash_kind = flash_error ? CB_VIEW_FLASH_ERROR : CB_VIEW_FLASH_INFO;
	rq->content_type = "text/html; charset=utf-8";
	return cb_view_page_open(&rq->body, &p);
}

int cb_serve_page_close(cb_serve_request *rq)
{
	return cb_view_page_close(&rq->body);
}

int cb_serve_error_html(cb_serve_request *rq, unsigned status, const char *message)
{
	static const struct {
		unsigned status;
		const char *title;
	} titles[] = {{400, "That did not work"}, {401, "Sign in first"},
		      {403, "Not allowed"},       {404, "Not found"},
		      {405, "Not here"},          {413, "Too large"},
		      {429, "Too many attempts"}, {500, "Something went wrong"}};
	const char *title = "Error";

	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (titles[i].status == status)
			title = titles[i].title;
	rq->status = status;
	cb_buf_clear(&rq->body);
	cb_serve_page_open(rq, title, NULL, message, 1);
	cb_buf_puts(&rq->body, "<p><a href=\"/\">Back to the start page</a></p>\n");
	return cb_serve_page_close(rq);
}

/* Browsers ask for /favicon.ico on every first visit: "nothing", not a
 * 404 page in the log each time. */
int cb_serve_page_favicon(cb_serve_request *rq, const char *const *arg)
{
	(void)arg;
	rq->status = 204;
	rq->content_type = "image/x-icon";
	return 0;
}

int cb_serve_page_css(cb_serve_request *rq, const char *const *arg)
{
	rq->content_type = "text/css; charset=utf-8";
	return cb_buf_puts(&rq->body, cb_view_stylesheet());
}

/* --- sign-in --------------------------------------------------------------- */

static int signin_form(cb_serve_request *rq, const char *key, const char *flash, int error)
{
	unsigned char raw[32];
	char token[65], cookie[160];

	/* A token in a cookie and in the form: a page of another site can
	 * send the form but cannot read the cookie to fill it in. */
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
	snprintf(cookie, sizeof(cookie), PRE_COOKIE "=%s; Path=/signin; HttpOnly; SameSite=Strict%s",
		 token, rq->tls ? "; Secure" : "");
	cb_serve_add_header(rq, "Set-Cookie", cookie);
	cb_serve_page_open(rq, "Sign in to Casebook", NULL, flash, error);
	cb_view_form_open(&rq->body, "/signin", CB_VIEW_POST, token);
	cb_view_input(&rq->body, &(cb_view_field){.label = "Your name in Casebook",
						  .name = "key",
						  .value = key,
						  .required = 1,
						  .autocomplete = "username",
						  .hint = "The short name you were invited with, as jdoe"});
	cb_view_input(&rq->body, &(cb_view_field){.label = "Password",
						  .name = "password",
						  .type = "password",
						  .required = 1,
						  .autocomplete = "current-password"});
	cb_view_button(&rq->body, "Sign in", NULL, NULL);
	cb_view_form_close(&rq->body);
	return cb_serve_page_close(rq);
}

int cb_serve_page_signin(cb_serve_request *rq, const char *const *arg)
{
	if (rq->signed_in)
		return cb_serve_redirect(rq, "/");
	return signin_form(rq, NULL, cb_serve_arg(rq, "done") ? "Your password is set: sign in."
							      : NULL,
			   0);
}

int cb_serve_post_signin(cb_serve_request *rq, const char *const *arg)
{
	const char *key = cb_serve_field_get(rq, "key"), *pw = cb_serve_field_get(rq, "password");
	const char *pre = cb_serve_cookie(rq, PRE_COOKIE);
	const char *given = cb_serve_field_get(rq, CB_VIEW_CSRF_FIELD);
	cb_auth_session sess;
	char cookie[200];
	int rc;

	if (!pre || !given || strlen(pre) != 64 || strlen(given) != 64 ||
	    sodium_memcmp(pre, given, 64) != 0)
		return cb_serve_error_page(rq, 403, "this sign-in form has expired or was not sent by "
						    "this site: reload the page and sign in again");
	if (!key || !pw || !*key || !*pw) {
		rq->status = 400;
		return signin_form(rq, key, "Give your name and your password.", 1);
	}
	rc = cb_auth_signin(rq->ws, key, pw, rq->remote, &sess);
	if (rc == CB_ETHROTTLED) {
		char after[16], msg[160];

		snprintf(after, sizeof(after), "%d", sess.retry_after);
		cb_serve_add_header(rq, "Retry-After", after);
		snprintf(msg, sizeof(msg), "Too many wrong passwords: try again in %d seconds.",
			 sess.retry_after);
		rq->status = 429;
		return signin_form(rq, key, msg, 1);
	}
	if (rc == CB_EAUTH || rc == CB_EINVALID || rc == CB_ENOTFOUND) {
		rq->status = 401;
		return signin_form(rq, key, cb_error_last(), 1);
	}
	if (rc < 0)
		return rc;
	/* A new token at every sign-in: one fixed before cannot be reused. */
	snprintf(cookie, sizeof(cookie),
		 SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", sess.token,
		 CB_AUTH_SESSION_MAX, rq->tls ? "; Secure" : "");
	cb_serve_add_header(rq, "Set-Cookie", cookie);
	cb_serve_add_header(rq, "Set-Cookie", PRE_COOKIE "=; Path=/signin; HttpOnly; SameSite=Strict; Max-Age=0");
	sodium_memzero(&sess, sizeof(sess));
	sodium_memzero(cookie, sizeof(cookie));
	return cb_serve_redirect(rq, "/");
}

int cb_serve_post_signout(cb_serve_request *rq, const char *const *arg)
{
	int rc = cb_auth_signout(rq->ws, rq->session);

	if (rc < 0)
		return rc;
	cb_serve_add_header(rq, "Set-Cookie",
			    SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	return cb_serve_redirect(rq, "/signin");
}

/* --- invitations ------------------------------------------------------------ */

static int invite_form(cb_serve_request *rq, const char *token, const char *flash)
{
	char action[120], key[CB_KEY_MAX + 1];
	unsigned char raw[32];
	char pre[65], cookie[200];
	int rc = cb_auth_invitation_person(rq->ws, token, key);

	/* A link already used, expired or unknown says so at once, not
	 * after the person has chosen a password. */
	if (rc == CB_EAUTH)
		return cb_serve_error_page(rq, 400, cb_error_last());
	if (rc < 0)
		return rc;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(pre, sizeof(pre), raw, sizeof(raw));
	snprintf(cookie, sizeof(cookie), PRE_COOKIE "=%s; Path=/invite; HttpOnly; SameSite=Strict%s",
		 pre, rq->tls ? "; Secure" : "");
	cb_serve_add_header(rq, "Set-Cookie", cookie);
	snprintf(action, sizeof(action), "/invite/%.64s", token);
	cb_serve_page_open(rq, "Set your password", NULL, flash, flash != NULL);
	cb_buf_puts(&rq->body, "<p>You sign in as <strong>");
	cb_html_text(&rq->body, key);
	cb_buf_puts(&rq->body, "</strong>. Choose a password of at least 10 characters. This link "
			       "works once.</p>\n");
	cb_view_form_open(&rq->body, action, CB_VIEW_POST, pre);
	/* The name the password goes with, for a password manager to save
	 * them together (Chromium warns of a password form without one);
	 * the server ignores it: the invitation says who it is. */
	cb_buf_puts(&rq->body, "<input type=\"text\" name=\"username\" autocomplete=\"username\" "
			       "hidden readonly value=\"");
	cb_html_attr(&rq->body, key);
	cb_buf_puts(&rq->body, "\">\n");
	cb_view_input(&rq->body, &(cb_view_field){.label = "New password",
						  .name = "password",
						  .type = "password",
						  .required = 1,
						  .autocomplete = "new-password",
						  .hint = "At least 10 characters; not your name or email"});
	cb_view_input(&rq->body, &(cb_view_field){.label = "The same password again",
						  .name = "again",
						  .type = "password",
						  .required = 1,
						  .autocomplete = "new-password"});
	cb_view_button(&rq->body, "Set the password", NULL, NULL);
	cb_view_form_close(&rq->body);
	return cb_serve_page_close(rq);
}

int cb_serve_page_invite(cb_serve_request *rq, const char *const *arg)
{
	return invite_form(rq, arg[0], NULL);
}

int cb_serve_post_invite(cb_serve_request *rq, const char *const *arg)
{
	const char *pw = cb_serve_field_get(rq, "password"), *again = cb_serve_field_get(rq, "again");
	const char *pre = cb_serve_cookie(rq, PRE_COOKIE);
	const char *given = cb_serve_field_get(rq, CB_VIEW_CSRF_FIELD);
	cb_actor who;
	int rc;

	if (!pre || !given || strlen(pre) != 64 || strlen(given) != 64 ||
	    sodium_memcmp(pre, given, 64) != 0)
		return cb_serve_error_page(rq, 403, "this form has expired or was not sent by this "
						    "site: open the invitation link again");
	if (!pw || !again || strcmp(pw, again) != 0) {
		rq->status = 400;
		return invite_form(rq, arg[0], "The two passwords differ.");
	}
	rc = cb_auth_invitation_accept(rq->ws, arg[0], pw, &who);
	if (rc == CB_EINVALID || rc == CB_ENOTFOUND || rc == CB_EAUTH) {
		rq->status = 400;
		return invite_form(rq, arg[0], cb_error_last());
	}
	if (rc < 0)
		return rc;
	return cb_serve_redirect(rq, "/signin?done=1");
}

/* --- home --------------------------------------------------------------------- */

typedef struct case_rows {
	cb_serve_request *rq;
	const char *only_status; /* NULL: any */
	int reviewable;          /* only those the person may review */
	size_t n;
} case_rows;

static int case_row(const cb_case_index *c, void *ctx)
{
	case_rows *cr = ctx;
	char href[300];
	cb_view_cell cells[4];

	if (cr->only_status && strcmp(c->status, cr->only_status) != 0)
		return 0;
	if (cr->reviewable) {
		cb_rights_object obj = {0};

		if (cb_serve_case_object(cr->rq, c, &obj) < 0)
			return -1;
		if (!cb_rights_may(&cr->rq->actor, CB_ACT_CASE_REVIEW, &obj))
			return 0;
	}
	snprintf(href, sizeof(href), "/cases/%s", c->slug);
	cells[0] = (cb_view_cell){c->title, href, 0};
	cells[1] = (cb_view_cell){c->technician, NULL, 0};
	cells[2] = (cb_view_cell){c->account, NULL, 0};
	cells[3] = (cb_view_cell){c->status, NULL, 0};
	cr->n++;
	return cb_view_table_row(&cr->rq->body, cells, 4);
}

static int case_table(cb_serve_request *rq, const char *caption, const cb_case_filter *f,
		      const char *only_status, int reviewable)
{
	static const char *const head[] = {"Case study", "Technician", "Account", "Status"};
	case_rows cr = {rq, only_status, reviewable, 0};
	int rc;

	cb_view_table_open(&rq->body, caption, head, 4);
	rc = cb_store_case_each(rq->ws->store, f, case_row, &cr);
	cb_view_table_close(&rq->body);
	if (rc == 0 && cr.n == 0)
		cb_buf_puts(&rq->body, "<p class=\"muted\">None.</p>\n");
	return rc;
}

int cb_serve_page_home(cb_serve_request *rq, const char *const *arg)
{
	unsigned roles = rq->actor.roles;
	int rc = 0;

	cb_serve_page_open(rq, "Home", "/", NULL, 0);
	if (roles & CB_ROLE_TECHNICIAN) {
		cb_case_filter f = {.technician = rq->actor.key};

		cb_buf_puts(&rq->body, "<h2>My case studies</h2>\n<p><a href=\"/cases/new\">Write "
				       "a case study</a></p>\n");
		if ((rc = case_table(rq, "My case studies", &f, NULL, 0)) < 0)
			return rc;
	}
	if (roles & (CB_ROLE_TRAINER | CB_ROLE_CONSULTANT)) {
		cb_buf_puts(&rq->body, "<h2>To review</h2>\n");
		if ((rc = case_table(rq, "Case studies waiting for my review", NULL, "submitted", 1)) <
		    0)
			return rc;
	}
	if (roles & CB_ROLE_TRAINER)
		cb_buf_puts(&rq->body, "<h2>My sessions</h2>\n<p><a href=\"/sessions?mine=1\">The "
				       "sessions I train</a>: attendance, reactions and scores.</p>\n");
	if (cb_rights_may(&rq->actor, CB_ACT_INVITE, NULL) ||
	    cb_rights_may(&rq->actor, CB_ACT_DATA_IMPORT, NULL))
		cb_buf_puts(&rq->body, "<h2>The workspace</h2>\n<ul>\n<li><a href=\"/people\">People"
				       "</a>: invite them to sign in</li>\n<li><a href=\"/data/"
				       "import\">KPI data</a>: import a CSV file of customer KPIs"
				       "</li>\n</ul>\n");
	if (cb_rights_may(&rq->actor, CB_ACT_IMPACT_READ, NULL) &&
	    (rc = cb_serve_dashboard(rq)) < 0)
		return rc;
	return cb_serve_page_close(rq);
}
