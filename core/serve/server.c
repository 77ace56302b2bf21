/*
 * The door: libmicrohttpd parses HTTP; this file bounds what it may take
 * (body sizes, connections, idle time), decodes forms with libmicrohttpd's
 * post processor, refuses a POST from another origin, opens the workspace
 * for each request, hands it to the routes and adds the headers every
 * answer carries. One thread per connection, each with its own workspace
 * (its own SQLite connection, git repository and Lua states): nothing is
 * shared between requests but the files, which already serialise writers.
 */

#include "serve/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/error.h"
#include "base/text.h"
#include "repo/repo.h"
#include "serve/cache.h"
#include "serve/internal.h"
#include "store/store.h"

#define DEFAULT_MAX_BODY (1u << 20)
#define DEFAULT_MAX_UPLOAD (32u << 20)

/* Every answer: no script from anywhere (the pages have none), styles and
 * images from this server only, forms posting back here only, never in a
 * frame, no referrer leaving the site, nothing cached. */
static const char csp[] = "default-src 'none'; style-src 'self'; img-src 'self' data:; "
			  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

typedef struct state {
	cb_serve_request rq;
	cb_buf raw;    /* the body as it came */
	size_t limit;  /* what it may hold */
	int too_big;
	int nul_in_uri; /* the request line holds %00 (uri_seen) */
	int64_t started_ms; /* when its request line was in (uri_seen) */
	uint64_t received;  /* body bytes, kept or not */
} state;

#define MIN_BODY_RATE 8192 /* bytes a second a body must average past the grace */

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* --- request accessors ---------------------------------------------------- */

const char *cb_serve_arg(cb_serve_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *cb_serve_cookie(cb_serve_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

const char *cb_serve_header(cb_serve_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *cb_serve_field_get(cb_serve_request *rq, const char *name)
{
	for (size_t i = 0; i < rq->nfields; i++)
		if (strcmp(rq->fields[i].name, name) == 0)
			return rq->fields[i].value;
	return NULL;
}

const cb_serve_field *cb_serve_upload(cb_serve_request *rq, const char *name)
{
	for (size_t i = 0; i < rq->nfields; i++)
		if (strcmp(rq->fields[i].name, name) == 0 && rq->fields[i].filename)
			return &rq->fields[i];
	return NULL;
}

size_t cb_serve_field_all(cb_serve_request *rq, const char *name, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < rq->nfields && n < max; i++)
		if (strcmp(rq->fields[i].name, name) == 0)
			out[n++] = rq->fields[i].value;
	return n;
}

int cb_serve_add_header(cb_serve_request *rq, const char *name, const char *value)
{
	if (rq->nheaders == CB_SERVE_MAX_HEADERS)
		return cb_error_set(CB_EINVALID, "too many headers");
	rq->headers[rq->nheaders][0] = strdup(name);
	rq->headers[rq->nheaders][1] = strdup(value);
	if (!rq->headers[rq->nheaders][0] || !rq->headers[rq->nheaders][1])
		return cb_error_set(CB_ENOMEM, "out of memory");
	rq->nheaders++;
	return 0;
}

int cb_serve_redirect(cb_serve_request *rq, const char *location)
{
	rq->status = MHD_HTTP_SEE_OTHER;
	cb_buf_clear(&rq->body);
	return cb_serve_add_header(rq, "Location", location);
}

/* --- the form: libmicrohttpd's post processor over the bounded body ------- */

static enum MHD_Result on_field(void *ctx, enum MHD_ValueKind kind, const char *key,
				const char *filename, const char *content_type,
				const char *transfer_encoding, const char *data, uint64_t off,
				size_t size)
{
	cb_serve_request *rq = ctx;
	cb_serve_field *f = NULL;
	char *grown;

	/* A value may come in pieces: the piece at offset 0 starts a field. */
	if (off == 0) {
		if (rq->nfields == CB_SERVE_MAX_FIELDS)
			return MHD_NO;
		f = &rq->fields[rq->nfields++];
		*f = (cb_serve_field){strdup(key), NULL, 0, filename ? strdup(filename) : NULL};
		if (!f->name || (filename && !f->filename))
			return MHD_NO;
	} else {
		for (size_t i = rq->nfields; i-- > 0;)
			if (strcmp(rq->fields[i].name, key) == 0) {
				f = &rq->fields[i];
				break;
			}
		if (!f)
			return MHD_NO;
	}
	grown = realloc(f->value, f->len + size + 1);
	if (!grown)
		return MHD_NO;
	memcpy(grown + f->len, data, size);
	f->len += size;
	grown[f->len] = '\0';
	f->value = grown;
	return MHD_YES;
}

/* Browsers send a textarea's line breaks as CRLF (HTML's form encoding);
 * Casebook's files are LF only, so a text field is normalised here, once.
 * An uploaded file keeps its bytes: the importer reads either. */
static void crlf_to_lf(cb_serve_field *f)
{
	size_t w = 0;

	for (size_t r = 0; r < f->len; r++)
		if (!(f->value[r] == '\r' && r + 1 < f->len && f->value[r + 1] == '\n'))
			f->value[w++] = f->value[r];
	f->value[w] = '\0';
	f->len = w;
}

static int decode_form(state *st)
{
	struct MHD_PostProcessor *pp;
	int ok;

	if (!st->raw.len)
		return 0;
	pp = MHD_create_post_processor(st->rq.conn, 16 * 1024, on_field, &st->rq);
	if (!pp)
		return cb_error_set(CB_EINVALID, "the request body is not a form");
	ok = MHD_post_process(pp, st->raw.ptr, st->raw.len) == MHD_YES;
	MHD_destroy_post_processor(pp);
	if (!ok)
		return cb_error_set(CB_EINVALID, "the form could not be read (too many fields?)");
	/* A field must be text: no NUL inside (the decoder lets %00 through). */
	for (size_t i = 0; i < st->rq.nfields; i++) {
		if (!st->rq.fields[i].value) {
			st->rq.fields[i].value = strdup("");
			if (!st->rq.fields[i].value)
				return cb_error_set(CB_ENOMEM, "out of memory");
		}
		if (strlen(st->rq.fields[i].value) != st->rq.fields[i].len)
			return cb_error_set(CB_EINVALID, "field %.40s holds a NUL byte",
					    st->rq.fields[i].name);
		if (!st->rq.fields[i].filename)
			crlf_to_lf(&st->rq.fields[i]);
	}
	return 0;
}

/* --- answers ---------------------------------------------------------------- */

static void request_free(state *st)
{
	cb_serve_request *rq = &st->rq;

	for (size_t i = 0; i < rq->nfields; i++) {
		free(rq->fields[i].name);
		free(rq->fields[i].value);
		free(rq->fields[i].filename);
	}
	for (size_t i = 0; i < rq->nheaders; i++) {
		free(rq->headers[i][0]);
		free(rq->headers[i][1]);
	}
	cb_workspace_close(rq->ws);
	cb_buf_free(&rq->body);
	cb_buf_free(&st->raw);
	free(st);
}

/* The path as logged: an invitation's token stays out of the log. */
static void log_path(const char *path, char *out, size_t len)
{
	if (strncmp(path, "/invite/", 8) == 0)
		snprintf(out, len, "/invite/...");
	else
		snprintf(out, len, "%.200s", path);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static enum MHD_Result answer(state *st)
{
	cb_serve_request *rq = &st->rq;
	struct MHD_Response *resp;
	enum MHD_Result ok;

	if (!rq->status)
		rq->status = MHD_HTTP_OK;
	resp = MHD_create_response_from_buffer(rq->body.len, rq->body.ptr ? rq->body.ptr : (char *)"",
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type",
				rq->content_type ? rq->content_type : "text/html; charset=utf-8");
	MHD_add_response_header(resp, "Content-Security-Policy", rq->csp ? rq->csp : csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* same-origin, not no-referrer: under no-referrer a browser sends
	 * "Origin: null" with a form POST and same_origin() would refuse
	 * every form; same-origin sends our own origin to us and nothing
	 * to other sites. */
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (rq->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	for (size_t i = 0; i < rq->nheaders; i++)
		MHD_add_response_header(resp, rq->headers[i][0], rq->headers[i][1]);
	ok = MHD_queue_response(rq->conn, rq->status, resp);
	MHD_destroy_response(resp);
	if (rq->o->log) {
		char path[256];

		log_path(rq->path, path, sizeof(path));
		fprintf(rq->o->log, "%s %s %u %lld ms%s%s\n", rq->method, path, rq->status,
			(long long)(now_ms() - st->started_ms), rq->signed_in ? " " : "",
			rq->signed_in ? rq->actor.key : "");
		fflush(rq->o->log);
	}
	return ok;
}

int cb_serve_error_page(cb_serve_request *rq, unsigned status, const char *message)
{
	cb_buf_clear(&rq->body);
	rq->status = status;
	if (rq->api) {
		rq->content_type = "application/json";
		cb_buf_puts(&rq->body, "{\"error\": \"");
		for (const char *p = message; *p; p++) {
			if (*p == '"' || *p == '\\')
				cb_buf_printf(&rq->body, "\\%c", *p);
			else if ((unsigned char)*p < 0x20)
				cb_buf_printf(&rq->body, "\\u%04x", (unsigned char)*p);
			else
				cb_buf_putc(&rq->body, *p);
		}
		cb_buf_printf(&rq->body, "\", \"status\": %u}\n", status);
		return 0;
	}
	return cb_serve_error_html(rq, status, message);
}

int cb_serve_fail(cb_serve_request *rq, int rc)
{
	unsigned status;

	switch (rc) {
	case CB_ENOTFOUND:
		status = MHD_HTTP_NOT_FOUND;
		break;
	case CB_EFORBIDDEN:
		status = MHD_HTTP_FORBIDDEN;
		break;
	case CB_EINVALID:
	case CB_EEXISTS:
	case CB_EUSAGE:
		status = MHD_HTTP_BAD_REQUEST;
		break;
	case CB_ETHROTTLED:
		status = MHD_HTTP_TOO_MANY_REQUESTS;
		break;
	case CB_EAUTH:
		status = MHD_HTTP_UNAUTHORIZED;
		break;
	case CB_EREADONLY:
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
		break;
	default:
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	return cb_serve_error_page(rq, status, cb_error_last());
}

/* --- the door ---------------------------------------------------------------- */

/* A POST must come from a page of this server: its Origin (or, without
 * one, its Referer) names this host. Browsers send Origin with every
 * form POST; a script elsewhere cannot forge it. */
static int same_origin(cb_serve_request *rq)
{
	const char *host = cb_serve_header(rq, MHD_HTTP_HEADER_HOST);
	const char *origin = cb_serve_header(rq, "Origin");
	const char *scheme = rq->tls ? "https://" : "http://";
	size_t sl = strlen(scheme), hl;

	if (rq->api)
		return 1; /* a bearer token, no cookie: nothing to forge */
	if (!origin)
		origin = cb_serve_header(rq, "Referer");
	if (!origin || !host)
		return 0;
	hl = strlen(host);
	return strncmp(origin, scheme, sl) == 0 && strncmp(origin + sl, host, hl) == 0 &&
	       (origin[sl + hl] == '\0' || origin[sl + hl] == '/');
}

static void remote_of(struct MHD_Connection *conn, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	snprintf(out, len, "unknown");
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
			  (socklen_t)len);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
			  out, (socklen_t)len);
}

/* libmicrohttpd decodes the path in place and hands it on as a C string,
 * so "/cases/x%00.css" would arrive as "/cases/x" and be answered as
 * that page; a query value is cut the same way. The request line as it
 * came is seen only here: a NUL is never text a page takes, so such a
 * request is refused (on_request) instead of silently shortened. What
 * this returns is the request's state, as on_request finds it. */
static void *uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
	state *st = calloc(1, sizeof(*st));

	(void)cls, (void)conn;
	if (st) {
		st->nul_in_uri = strstr(uri, "%00") != NULL;
		st->started_ms = now_ms();
	}
	return st;
}

/* Whether the request comes from a signed-in person who may import KPI
 * data: only they may send a body as large as an upload. Everyone else
 * gets the ordinary limit, so that no one can make the server hold 32 MiB
 * per connection (most of a gigabyte from one address) without signing
 * in. The routes check again, as for any request. */
static int may_upload(const cb_serve_options *o, struct MHD_Connection *conn)
{
	const char *cookie =
		MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, CB_SERVE_SESSION_COOKIE);
	cb_auth_session sess;
	cb_workspace *ws;
	int ok;

	if (!cookie || !*cookie || strlen(cookie) >= CB_AUTH_TOKEN_SIZE)
		return 0;
	if (cb_workspace_open(o->workspace_dir, 0, &ws) < 0)
		return 0;
	ok = cb_auth_session_get(ws, cookie, &sess) == 0 &&
	     cb_rights_may(&sess.actor, CB_ACT_DATA_IMPORT, NULL);
	cb_workspace_close(ws);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	const cb_serve_options *o = cls;
	state *st = *con_cls;
	cb_serve_request *rq;
	int rc;

	if (!st || !st->rq.conn) {
		const char *cl;

		if (!st && !(st = calloc(1, sizeof(*st))))
			return MHD_NO;
		*con_cls = st;
		rq = &st->rq;
		if (!st->started_ms)
			st->started_ms = now_ms();
		rq->conn = conn;
		rq->o = o;
		rq->method = method;
		rq->path = url;
		rq->tls = o->tls_cert != NULL;
		rq->api = strncmp(url, "/api/", 5) == 0;
		rq->post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
		remote_of(conn, rq->remote, sizeof(rq->remote));
		st->limit = rq->post && strcmp(url, "/data/import") == 0 && may_upload(o, conn)
				    ? o->max_upload
				    : o->max_body;
		if (!rq->post && strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
			cb_serve_error_page(rq, MHD_HTTP_METHOD_NOT_ALLOWED,
					    "only GET and POST are answered here");
			cb_serve_add_header(rq, "Allow", "GET, HEAD, POST");
			return answer(st);
		}
		if (st->nul_in_uri) {
			cb_serve_error_page(rq, MHD_HTTP_BAD_REQUEST,
					    "the address holds a NUL byte (%00)");
			return answer(st);
		}
		if (now_ms() - st->started_ms > (int64_t)o->request_s * 1000) {
			cb_serve_error_page(rq, MHD_HTTP_REQUEST_TIMEOUT,
					    "the request took too long to arrive");
			return answer(st);
		}
		/* A body announced too large is refused before it is read. */
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > st->limit) {
			cb_serve_error_page(rq, MHD_HTTP_CONTENT_TOO_LARGE,
					    "the request is larger than this server takes");
			return answer(st);
		}
		return MHD_YES;
	}
	rq = &st->rq;
	if (*upload_data_size) {
		int64_t took = now_ms() - st->started_ms;

		/* A body that trickles in holds a connection for as long as
		 * it likes, never idle: past the grace it must have come at
		 * MIN_BODY_RATE on average, or the connection is dropped. */
		st->received += *upload_data_size;
		if (took > (int64_t)o->request_s * 1000 + (int64_t)(st->received * 1000 / MIN_BODY_RATE)) {
			if (o->log) {
				char path[256];

				log_path(rq->path, path, sizeof(path));
				fprintf(o->log, "%s %s dropped: the body came too slowly\n", rq->method,
					path);
				fflush(o->log);
			}
			return MHD_NO;
		}
		/* A chunked body is bounded as it comes. */
		if (!st->too_big && st->raw.len + *upload_data_size > st->limit)
			st->too_big = 1;
		if (!st->too_big && cb_buf_append(&st->raw, upload_data, *upload_data_size) < 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->too_big) {
		cb_serve_error_page(rq, MHD_HTTP_CONTENT_TOO_LARGE,
				    "the request is larger than this server takes");
		return answer(st);
	}
	if (rq->post && !same_origin(rq)) {
		cb_serve_error_page(rq, MHD_HTTP_FORBIDDEN,
				    "this form was sent from another site: refused");
		return answer(st);
	}
	if (rq->post && decode_form(st) < 0) {
		cb_serve_error_page(rq, MHD_HTTP_BAD_REQUEST, cb_error_last());
		return answer(st);
	}
	if ((rc = cb_workspace_open(o->workspace_dir, 0, &rq->ws)) < 0) {
		cb_serve_fail(rq, rc);
		return answer(st);
	}
	rq->ws->plugin_options = o->plugins;
	/* The connection threads write one after another, in turn (see
	 * cb_store_queue_writers), not as SQLite's busy handler picks. */
	cb_store_queue_writers(rq->ws->store);
	if ((rc = cb_serve_route(rq)) < 0)
		cb_serve_fail(rq, rc);
	return answer(st);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	if (*con_cls)
		request_free(*con_cls);
	*con_cls = NULL;
}

static int parse_listen(const char *text, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(text, ':');
	char *end;
	long port;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (!colon || (size_t)(colon - text) >= sizeof(host))
		return cb_error_set(CB_EINVALID, "--listen %.80s: give ADDRESS:PORT, as 127.0.0.1:8080",
				    text);
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return cb_error_set(CB_EINVALID,
				    "--listen %.80s: the port must be 0 (any free one) to 65535", text);
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return cb_error_set(CB_EINVALID,
				    "--listen %.80s: '%s' is not an IPv4 address (as 127.0.0.1)",
				    text, host);
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

static int read_file(const char *what, const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	cb_buf b = CB_BUF_INIT;
	char chunk[4096];
	size_t n;

	*out = NULL;
	if (!f)
		return cb_error_set(CB_EIO, "%s %s: cannot open: %s", what, path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (cb_buf_append(&b, chunk, n) < 0 || b.len > (1u << 20))
			break;
	fclose(f);
	if (b.len == 0 || b.len > (1u << 20)) {
		cb_buf_free(&b);
		return cb_error_set(CB_EINVALID, "%s %s: empty or too large for a PEM file", what,
				    path);
	}
	*out = strdup(cb_buf_cstr(&b));
	cb_buf_free(&b);
	return *out ? 0 : cb_error_set(CB_ENOMEM, "out of memory");
}

int cb_serve_run(const cb_serve_options *given)
{
	cb_serve_options o = *given;
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	char *cert = NULL, *key = NULL, url[96], addr[INET_ADDRSTRLEN];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_POLL;
	sigset_t stop;
	int rc, sig;

	if (!o.listen)
		o.listen = "127.0.0.1:8080";
	if (!o.max_body)
		o.max_body = DEFAULT_MAX_BODY;
	if (!o.max_upload)
		o.max_upload = DEFAULT_MAX_UPLOAD;
	if (!o.timeout_s)
		o.timeout_s = 15;
	if (!o.request_s)
		o.request_s = 30;
	if (!o.max_connections)
		o.max_connections = 64;
	/* One address may not hold every connection: 64 idle sockets from
	 * one client (a slowloris) would otherwise refuse everyone else
	 * until the idle timeout, again and again. Half leaves the rest of
	 * the team, or a TLS proxy in front, room enough. */
	if (!o.max_per_address || o.max_per_address > o.max_connections)
		o.max_per_address = o.max_connections / 2 ? o.max_connections / 2 : 1;
	if ((rc = parse_listen(o.listen, &sa)) < 0)
		return rc;
	if (!o.tls_cert != !o.tls_key)
		return cb_error_set(CB_EINVALID, "give both --tls-cert and --tls-key, or neither");
	if (o.tls_cert && ((rc = read_file("--tls-cert", o.tls_cert, &cert)) < 0 ||
			   (rc = read_file("--tls-key", o.tls_key, &key)) < 0)) {
		free(cert);
		return rc;
	}
	if (cert)
		flags |= MHD_USE_TLS;
	/* libgit2 stays started while requests come and go (repo.h). */
	if ((rc = cb_repo_runtime_hold()) < 0) {
		free(cert);
		free(key);
		return rc;
	}
	/* The stopping signals go to the main thread's sigwait only: the
	 * server's threads, started below, inherit the mask. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (cert)
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &o, MHD_OPTION_SOCK_ADDR, &sa,
				     MHD_OPTION_CONNECTION_TIMEOUT, o.timeout_s,
				     MHD_OPTION_CONNECTION_LIMIT, o.max_connections,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, o.max_per_address,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				     MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
				     MHD_OPTION_URI_LOG_CALLBACK, uri_seen, NULL,
				     MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
				     MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &o, MHD_OPTION_SOCK_ADDR, &sa,
				     MHD_OPTION_CONNECTION_TIMEOUT, o.timeout_s,
				     MHD_OPTION_CONNECTION_LIMIT, o.max_connections,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, o.max_per_address,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				     MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
				     MHD_OPTION_URI_LOG_CALLBACK, uri_seen, NULL, MHD_OPTION_END);
	if (!d) {
		int err = errno;

		free(cert), free(key);
		pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
		cb_repo_runtime_release();
		return cb_error_set(CB_EIO, "cannot listen on %s: %s", o.listen,
				    err ? strerror(err) : "the server did not start");
	}
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	{
		/* port 0: the one the system chose */
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
		unsigned port = di ? di->port : ntohs(sa.sin_port);

		snprintf(url, sizeof(url), "%s://%s:%u/", cert ? "https" : "http", addr, port);
	}
	if (o.ready)
		o.ready(url, o.ready_ctx);
	while (sigwait(&stop, &sig) != 0)
		;
	MHD_stop_daemon(d);
	cb_serve_cache_clear();
	cb_repo_runtime_release();
	pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
	free(cert), free(key);
	return 0;
}
