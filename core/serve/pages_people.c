/* The people of the workspace, for its administrators: who holds which
 * role, whether they have set a password, and a one-time invitation link
 * made in the browser (as `casebook person invite` makes one). */
#include <stdio.h>
#include <string.h>

#include "app/auth.h"
#include "base/date.h"
#include "base/error.h"
#include "format/html.h"
#include "serve/pages.h"
#include "store/person.h"
#include "view/page.h"

typedef struct people_ctx {
	cb_serve_request *rq;
	size_t n;
} people_ctx;

static void roles_text(unsigned roles, char *out, size_t size)
{
	static const unsigned all[] = {CB_ROLE_TECHNICIAN, CB_ROLE_TRAINER, CB_ROLE_CONSULTANT,
				       CB_ROLE_MANAGER, CB_ROLE_ADMIN};
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if ((roles & all[i]) && used < size)
			used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "",
						 cb_role_name(all[i]));
}

static int person_row(const cb_person *p, void *ctx)
{
	people_ctx *c = ctx;
	cb_buf *b = &c->rq->body;
	char roles[120], action[200];

	roles_text(p->roles, roles, sizeof(roles));
	snprintf(action, sizeof(action), "/people/%s/invite", p->key);
	c->n++;
	cb_buf_puts(b, "<tr><td>");
	cb_html_text(b, p->name);
	cb_buf_puts(b, "</td><td>");
	cb_html_text(b, p->key);
	cb_buf_puts(b, "</td><td>");
	cb_html_text(b, p->email ? p->email : "");
	cb_buf_puts(b, "</td><td>");
	cb_html_text(b, roles);
	cb_buf_puts(b, "</td><td>");
	cb_view_form_open(b, action, CB_VIEW_POST, c->rq->auth.csrf);
	cb_view_button(b, "Invite", NULL, NULL);
	cb_view_form_close(b);
	return cb_buf_puts(b, "</td></tr>\n");
}

static int people_page(cb_serve_request *rq, const char *flash, const char *link)
{
	people_ctx c = {rq, 0};
	cb_buf *b = &rq->body;
	int rc;

	cb_serve_page_open(rq, "People", "/people", flash, 0);
	if (link) {
		cb_buf_puts(b, "<p>Send this link to them; it works once, for 72 hours, and a new "
			       "one replaces it:</p>\n<p><code class=\"link\">");
		cb_html_text(b, link);
		cb_buf_puts(b, "</code></p>\n");
	}
	cb_buf_puts(b, "<p>An invitation lets a person set their password (and resets a "
		       "forgotten one: it ends their sign-ins). People, roles and accounts are "
		       "added with <code>casebook person add</code>.</p>\n");
	cb_buf_puts(b, "<div class=\"table\" tabindex=\"0\" role=\"region\" aria-label=\"People\">"
		       "<table><caption>People</caption>\n<thead><tr><th scope=\"col\">Name</th>"
		       "<th scope=\"col\">Key</th><th scope=\"col\">Email</th><th scope=\"col\">"
		       "Roles</th><th scope=\"col\">Invitation</th></tr></thead>\n<tbody>\n");
	rc = cb_store_person_each(rq->ws->store, 0, person_row, &c);
	cb_buf_puts(b, "</tbody></table></div>\n");
	if (rc < 0)
		return rc;
	return cb_serve_page_close(rq);
}

int cb_serve_page_people(cb_serve_request *rq, const char *const *arg)
{
	if (cb_serve_allowed(rq, CB_ACT_INVITE, NULL))
		return 0;
	return people_page(rq, NULL, NULL);
}

int cb_serve_post_invite_person(cb_serve_request *rq, const char *const *arg)
{
	const char *host = cb_serve_header(rq, "Host");
	char token[CB_AUTH_TOKEN_SIZE], link[400], flash[300], at[CB_DATETIME_LEN];
	int64_t expires = 0;
	cb_person p = {0};
	int rc;

	if (cb_serve_allowed(rq, CB_ACT_INVITE, NULL))
		return 0;
	/* A host name, an address and a port; anything else is not put
	 * into a link. */
	if (host && (!*host || strlen(host) > 200 ||
		     host[strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789.-:[]")] != '\0'))
		host = NULL;
	if ((rc = cb_store_person_get(rq->ws->store, arg[0], &p)) < 0)
		return rc;
	rc = cb_auth_invite(rq->ws, p.key, CB_AUTH_INVITE_TTL_DEFAULT, token, &expires);
	if (rc == 0) {
		cb_datetime_format(expires, at);
		/* The address this page was asked at: the one the admin reaches
		 * the server by. */
		snprintf(link, sizeof(link), "%s://%.200s/invite/%s", rq->tls ? "https" : "http",
			 host ? host : "127.0.0.1:8080", token);
		snprintf(flash, sizeof(flash), "An invitation for %.100s (%.60s), valid until %s.",
			 p.name, p.key, at);
		rc = people_page(rq, flash, link);
	}
	cb_person_clear(&p);
	return rc;
}
