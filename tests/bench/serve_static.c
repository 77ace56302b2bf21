/*
 * serve_static: the baseline of `scripts/bench serve`. A libmicrohttpd
 * server set up as `casebook serve` sets up its own (core/serve/server.c:
 * a thread per connection, poll, 64 connections, 15 s idle, 64 KiB per
 * connection) that answers every GET with one fixed page and every POST,
 * once its body is read, with a 303 to a fixed address, doing nothing
 * else. The same client (serve_load) drives it with the same mix, so
 * that Casebook's figures divided by these measure Casebook's own work
 * (workspace open, SQLite, git, Lua, the pages), not HTTP's.
 *
 *   serve_static    prints {"url": "http://127.0.0.1:PORT/"} once it
 *                   listens (as `casebook serve --json`), serves until
 *                   SIGINT or SIGTERM
 *
 * The page carries what serve_load scrapes from Casebook's pages (a CSRF
 * field, an account option, a session checkbox), so that the client runs
 * the same code against both (and the sign-in pages its cookie); answers alternate X-Casebook-Cache hit and
 * miss, so that both impact rows have a baseline.
 */
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char page[4096];
static atomic_uint served;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;
	int post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;

	(void)cls, (void)version, (void)upload_data;
	if (!*con_cls) {
		*con_cls = conn; /* the headers: wait for the body */
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0; /* read and dropped, as a form would be decoded */
		return MHD_YES;
	}
	if (post) {
		resp = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return MHD_NO;
		MHD_add_response_header(resp, "Location", "/cases/static?saved=1");
		MHD_add_response_header(resp, "Set-Cookie",
					"cb_session=static; Path=/; HttpOnly; SameSite=Strict");
	} else {
		resp = MHD_create_response_from_buffer(strlen(page), page, MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return MHD_NO;
		MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
		MHD_add_response_header(resp, "X-Casebook-Cache",
					atomic_fetch_add(&served, 1) % 2 ? "hit" : "miss");
		/* The sign-in form's token doubled in a cookie, as Casebook's. */
		if (strncmp(url, "/signin", 7) == 0 || strncmp(url, "/invite/", 8) == 0)
			MHD_add_response_header(resp, "Set-Cookie",
						"cb_pre=static; HttpOnly; SameSite=Strict");
	}
	/* The headers Casebook adds to every answer, so that the bytes on
	 * the wire are alike. */
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'none'; style-src 'self'; img-src 'self' data:; "
				"form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	ok = MHD_queue_response(conn, post ? MHD_HTTP_SEE_OTHER : MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ok;
}

int main(void)
{
	struct sockaddr_in sa = {0};
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	sigset_t stop;
	size_t n;
	int sig;

	/* About the size of Casebook's smaller pages (a case list, the
	 * home page): a head, a form with the fields serve_load reads, and
	 * filler text. */
	n = (size_t)snprintf(page, sizeof(page),
			     "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			     "<title>Static</title></head><body><main><h1>Static</h1>\n"
			     "<form method=\"post\" action=\"/cases/new\">"
			     "<input type=\"hidden\" name=\"csrf_token\" value=\"static\">\n"
			     "<select id=\"f-account\" name=\"account\" required>"
			     "<option value=\"static-account\">Static</option></select>\n"
			     "<input type=\"checkbox\" id=\"f-sessions-0\" name=\"sessions\" "
			     "value=\"static-session\">\n</form>\n<p>");
	while (n < 2000)
		n += (size_t)snprintf(page + n, sizeof(page) - n, "A fixed page of the baseline. ");
	snprintf(page + n, sizeof(page) - n, "</p></main></body></html>\n");

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
				     MHD_USE_POLL,
			     0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &sa,
			     MHD_OPTION_CONNECTION_TIMEOUT, 15u, MHD_OPTION_CONNECTION_LIMIT, 64u,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "serve_static: the server did not start\n");
		return 1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("{\"url\": \"http://127.0.0.1:%u/\"}\n", di ? di->port : 0);
	fflush(stdout);
	while (sigwait(&stop, &sig) != 0)
		;
	MHD_stop_daemon(d);
	return 0;
}
