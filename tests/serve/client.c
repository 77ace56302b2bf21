/* The serve suites' server, client and workspace (client.h). */
#define _GNU_SOURCE
#include "client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --- the server ------------------------------------------------------------ */

void cbs_start(cbs_server *s, const char *ws)
{
	cbs_start_args(s, ws, NULL);
}

void cbs_start_args(cbs_server *s, const char *ws, const char *const *extra)
{
	const char *tmp = getenv("TMPDIR");
	int out[2], errfd;
	char line[512];
	size_t n = 0;
	const char *u;

	memset(s, 0, sizeof(*s));
	snprintf(s->err, sizeof(s->err), "%s/casebook-serve-err-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	errfd = mkstemp(s->err);
	ck_assert_msg(errfd >= 0, "mkstemp: %s", strerror(errno));
	ck_assert_int_eq(pipe(out), 0);
	s->pid = fork();
	ck_assert_msg(s->pid >= 0, "fork: %s", strerror(errno));
	if (s->pid == 0) {
		/* The server ends with the test that started it, even one
		 * that fails half-way. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(out[1], 1);
		dup2(errfd, 2);
		close(out[0]), close(out[1]), close(errfd);
		const char *argv[24] = {CASEBOOK_BINARY, "-C", ws, "serve", "--listen",
					"127.0.0.1:0", "--json"};
		size_t argc = 7;

		for (size_t i = 0; extra && extra[i] && argc < 23; i++)
			argv[argc++] = extra[i];
		execv(CASEBOOK_BINARY, (char *const *)argv);
		_exit(127);
	}
	close(out[1]), close(errfd);
	/* Its first line is {"url": "http://127.0.0.1:PORT/"}. */
	while (n + 1 < sizeof(line) && !memchr(line, '\n', n)) {
		struct pollfd p = {out[0], POLLIN, 0};
		ssize_t got;

		ck_assert_msg(poll(&p, 1, 60000) == 1, "the server printed no address in 60 s");
		got = read(out[0], line + n, sizeof(line) - 1 - n);
		ck_assert_msg(got > 0, "the server stopped before listening: %s",
			      cbt_sh(NULL, "cat '%s'", s->err));
		n += (size_t)got;
		line[n] = '\0';
	}
	close(out[0]);
	u = strstr(line, "http");
	ck_assert_msg(u != NULL, "no address in %s", line);
	ck_assert_msg(sscanf(u, "http://127.0.0.1:%d", &s->port) == 1 ||
			      sscanf(u, "https://127.0.0.1:%d", &s->port) == 1,
		      "no address in %s", line);
	snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%d",
		 strncmp(u, "https", 5) == 0 ? "https" : "http", s->port);
}

int cbs_connect(const cbs_server *s, const char *source)
{
	struct sockaddr_in to = {0}, from = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
	if (source) {
		from.sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, source, &from.sin_addr), 1);
		ck_assert_msg(bind(fd, (struct sockaddr *)&from, sizeof(from)) == 0, "bind %s: %s",
			      source, strerror(errno));
	}
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)s->port);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	ck_assert_msg(connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0, "connect: %s",
		      strerror(errno));
	return fd;
}

int cbs_alive(const cbs_server *s)
{
	return s->pid > 0 && waitpid(s->pid, NULL, WNOHANG) == 0;
}

void cbs_stop(cbs_server *s)
{
	int status = 0;
	char *err;

	if (s->pid <= 0)
		return;
	ck_assert_msg(cbs_alive(s), "the server died during the test: %s",
		      cbt_sh(NULL, "cat '%s'", s->err));
	kill(s->pid, SIGTERM);
	ck_assert_int_eq(waitpid(s->pid, &status, 0), s->pid);
	s->pid = 0;
	err = cbt_sh(NULL, "cat '%s'", s->err);
	unlink(s->err);
	ck_assert_msg(!strstr(err, "AddressSanitizer") && !strstr(err, "LeakSanitizer") &&
			      !strstr(err, "runtime error:"),
		      "sanitizer report from the server: %s", err);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the server did not stop cleanly (status %d): %s", status, err);
	free(err);
}

/* --- the client ------------------------------------------------------------- */

void cbs_client_init(cbs_client *c, const cbs_server *s)
{
	memset(c, 0, sizeof(*c));
	c->srv = s;
	c->origin = s->url;
}

const char *cbs_cookie(const cbs_client *c, const char *name)
{
	for (size_t i = 0; i < c->ncookies; i++)
		if (strcmp(c->cookie[i][0], name) == 0)
			return c->cookie[i][1];
	return NULL;
}

void cbs_cookie_set(cbs_client *c, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < c->ncookies; i++)
		if (strcmp(c->cookie[i][0], name) == 0)
			break;
	if (!value || !*value) { /* gone */
		if (i < c->ncookies) {
			memmove(c->cookie[i], c->cookie[i + 1],
				(c->ncookies - i - 1) * sizeof(c->cookie[0]));
			c->ncookies--;
		}
		return;
	}
	if (i == c->ncookies) {
		ck_assert(c->ncookies < CBS_MAX_COOKIES);
		c->ncookies++;
	}
	snprintf(c->cookie[i][0], sizeof(c->cookie[i][0]), "%s", name);
	snprintf(c->cookie[i][1], sizeof(c->cookie[i][1]), "%s", value);
}

typedef struct sink {
	char *p;
	size_t len;
} sink;

static size_t to_sink(char *data, size_t size, size_t n, void *ctx)
{
	sink *s = ctx;
	char *grown = realloc(s->p, s->len + size * n + 1);

	if (!grown)
		return 0;
	memcpy(grown + s->len, data, size * n);
	s->len += size * n;
	grown[s->len] = '\0';
	s->p = grown;
	return size * n;
}

/* Set-Cookie: NAME=VALUE; ... — kept by name (paths aside: the suites
 * never need two cookies of one name at once). Max-Age=0 or an empty
 * value removes it. */
static void take_cookies(cbs_client *c, const char *head)
{
	for (const char *p = head; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char name[256], value[256];
		const char *v, *end;
		size_t nl;

		if (strncasecmp(p, "Set-Cookie:", 11) != 0)
			continue;
		v = p + 11;
		v += strspn(v, " ");
		nl = strcspn(v, "=");
		if (nl >= sizeof(name))
			continue;
		memcpy(name, v, nl);
		name[nl] = '\0';
		v += nl + 1;
		end = v + strcspn(v, ";\r\n");
		snprintf(value, sizeof(value), "%.*s", (int)(end - v), v);
		end = strchr(v, '\n');
		{
			char line[1024];

			snprintf(line, sizeof(line), "%.*s", end ? (int)(end - v) : (int)strlen(v), v);
			if (strstr(line, "Max-Age=0"))
				value[0] = '\0';
		}
		cbs_cookie_set(c, name, value);
	}
}

void cbs_request(cbs_client *c, const char *method, const char *path, const char *body,
		 const char *const *headers, cbs_resp *r)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = NULL;
	sink head = {0}, out = {0};
	char url[16384], line[8192];
	int expect = 0;
	CURLcode rc;

	ck_assert(h != NULL);
	snprintf(url, sizeof(url), "%s%s", c->srv->url, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, to_sink);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &head);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, to_sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
	if (c->source)
		curl_easy_setopt(h, CURLOPT_INTERFACE, c->source);
	/* The TLS suite's certificate is self-signed, made for the test. */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
		if (c->origin) {
			snprintf(line, sizeof(line), "Origin: %s", c->origin);
			hl = curl_slist_append(hl, line);
		}
	} else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (c->ncookies) {
		size_t n = snprintf(line, sizeof(line), "Cookie: ");

		for (size_t i = 0; i < c->ncookies; i++)
			n += snprintf(line + n, sizeof(line) - n, "%s%s=%s", i ? "; " : "",
				      c->cookie[i][0], c->cookie[i][1]);
		hl = curl_slist_append(hl, line);
	}
	if (c->bearer) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", c->bearer);
		hl = curl_slist_append(hl, line);
	}
	for (size_t i = 0; headers && headers[i]; i++) {
		hl = curl_slist_append(hl, headers[i]);
		expect |= strncasecmp(headers[i], "Expect:", 7) == 0;
	}
	/* No "Expect: 100-continue" pause on a large body, unless asked:
	 * with it, a body the server refuses on its announced length is
	 * never sent (without, the server may close the connection under
	 * a body still coming, and the answer may be lost to a reset). */
	if (!expect)
		hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(h);
	ck_assert_msg(rc == CURLE_OK, "%s %.200s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	r->head = head.p ? head.p : strdup("");
	r->body = out.p ? out.p : strdup("");
	r->len = out.len;
	take_cookies(c, r->head);
}

void cbs_get(cbs_client *c, const char *path, cbs_resp *r)
{
	cbs_request(c, "GET", path, NULL, NULL, r);
}

void cbs_post(cbs_client *c, const char *path, const char *body, cbs_resp *r)
{
	cbs_request(c, "POST", path, body, NULL, r);
}

void cbs_resp_free(cbs_resp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

char *cbs_header(const cbs_resp *r, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = r->head; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncasecmp(p, name, len) == 0 && p[len] == ':') {
			const char *v = p + len + 1;

			v += strspn(v, " ");
			return strndup(v, strcspn(v, "\r\n"));
		}
	return NULL;
}

char *cbs_set_cookie(const cbs_resp *r, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = r->head; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncasecmp(p, "Set-Cookie: ", 12) == 0 && strncmp(p + 12, name, len) == 0 &&
		    p[12 + len] == '=')
			return strndup(p + 12, strcspn(p + 12, "\r\n"));
	return NULL;
}

char *cbs_hidden(const char *body, const char *name)
{
	char pat[200];
	const char *p;

	snprintf(pat, sizeof(pat), "name=\"%s\" value=\"", name);
	if (!body || !(p = strstr(body, pat)))
		return NULL;
	p += strlen(pat);
	return strndup(p, strcspn(p, "\""));
}

char *cbs_form(const char *name, ...)
{
	CURL *h = curl_easy_init();
	char *out = strdup(""), *grown;
	va_list ap;

	va_start(ap, name);
	for (const char *k = name; k; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		char *ek = curl_easy_escape(h, k, 0), *ev = curl_easy_escape(h, v ? v : "", 0);

		ck_assert(asprintf(&grown, "%s%s%s=%s", out, *out ? "&" : "", ek, ev) >= 0);
		free(out);
		out = grown;
		curl_free(ek), curl_free(ev);
	}
	va_end(ap);
	curl_easy_cleanup(h);
	return out;
}

/* --- signing in --------------------------------------------------------------- */

long cbs_signin(cbs_client *c, const char *key, const char *password)
{
	cbs_resp r;
	char *token, *form;
	long status;

	cbs_get(c, "/signin", &r);
	ck_assert_int_eq(r.status, 200);
	token = cbs_hidden(r.body, "csrf_token");
	ck_assert_msg(token != NULL, "no form token on the sign-in page");
	cbs_resp_free(&r);
	form = cbs_form("csrf_token", token, "key", key, "password", password, NULL);
	cbs_post(c, "/signin", form, &r);
	status = r.status;
	cbs_resp_free(&r);
	free(form), free(token);
	return status;
}

void cbs_signin_ok(cbs_client *c, const char *key, const char *password)
{
	long status = cbs_signin(c, key, password);

	ck_assert_msg(status == 303 && cbs_cookie(c, "cb_session"), "%s did not sign in: HTTP %ld",
		      key, status);
}

char *cbs_csrf(cbs_client *c)
{
	cbs_resp r;
	char *token;

	cbs_get(c, "/", &r);
	ck_assert_int_eq(r.status, 200);
	token = cbs_hidden(r.body, "csrf_token");
	ck_assert_msg(token != NULL, "no CSRF token on the home page");
	cbs_resp_free(&r);
	return token;
}

char *cbs_invite(const char *ws, const char *key)
{
	cbt_run r;
	char *path;
	const char *p;

	cbt_casebook(&r, ws, NULL, "person", "invite", key, "--url", "http://invalid", "--json",
		     NULL);
	ck_assert_msg(r.status == 0, "person invite %s: %s", key, r.err);
	p = strstr(r.out, "/invite/");
	ck_assert_msg(p != NULL, "no link in %s", r.out);
	path = strndup(p, strcspn(p, "\""));
	cbt_run_free(&r);
	return path;
}

void cbs_set_password(const cbs_server *s, const char *ws, const char *key, const char *pw)
{
	char *path = cbs_invite(ws, key), *token, *form;
	cbs_client c;
	cbs_resp r;

	cbs_client_init(&c, s);
	cbs_get(&c, path, &r);
	ck_assert_int_eq(r.status, 200);
	token = cbs_hidden(r.body, "csrf_token");
	ck_assert(token != NULL);
	cbs_resp_free(&r);
	form = cbs_form("csrf_token", token, "password", pw, "again", pw, NULL);
	cbs_post(&c, path, form, &r);
	ck_assert_msg(r.status == 303, "setting %s's password: HTTP %ld: %s", key, r.status,
		      r.body);
	cbs_resp_free(&r);
	free(form), free(token), free(path);
}

char *cbs_api_token(const char *ws, const char *key, const char *name)
{
	cbt_run r;
	json_t *v;
	char *token;

	cbt_casebook(&r, ws, NULL, "person", "token", key, "--name", name, "--json", NULL);
	ck_assert_msg(r.status == 0, "person token %s: %s", key, r.err);
	v = json_loads(r.out, 0, NULL);
	ck_assert_msg(v && json_string_value(json_object_get(v, "token")), "no token in %s", r.out);
	token = strdup(json_string_value(json_object_get(v, "token")));
	json_decref(v);
	cbt_run_free(&r);
	return token;
}

/* --- the workspace ------------------------------------------------------------ */

const cbs_person cbs_people[] = {
	{"tom", "technician", "Tom Tech"},
	{"tess", "technician", "Tess O'Neil & \"Sons\""},
	{"tina", "trainer", "Tina \"T\" O'Hara & Co"},
	{"trent", "trainer", "Trent Trainer"},
	{"tara", "technician,trainer", "Tara Both"},
	{"cora", "consultant", "Cora Consultant"},
	{"mia", "manager", "Mia Manager"},
	{"ada", "admin", "Ada Admin"},
};
const size_t cbs_npeople = sizeof(cbs_people) / sizeof(cbs_people[0]);

const char *cbs_password(const char *key)
{
	static char pw[8][64];
	static int next;
	char *out = pw[next++ % 8];

	snprintf(out, 64, "Secret-%s-42-passphrase", key);
	return out;
}

static void ok(const char *ws, const char *const *a)
{
	cbt_run r;

	cbt_casebookv(&r, ws, NULL, a);
	ck_assert_msg(r.status == 0, "casebook %s %s %s: %s", a[0], a[1], a[2] ? a[2] : "", r.err);
	cbt_run_free(&r);
}

#define OK(ws, ...) ok(ws, (const char *const[]){__VA_ARGS__, NULL})

static void a_case(const char *ws, const char *slug, const char *tech, const char *session,
		   const char *title, const char *text)
{
	char *file, body[2048];

	snprintf(body, sizeof(body),
		 "---\ntitle: %s\ntechnician: %s\naccount: north\nsessions:\n  - %s\n"
		 "principles:\n  - Listen first\n---\n\n## Situation\n\n%s\n\n## Actions\n\n"
		 "Fixed it.\n\n## Outcome\n\nIt works.\n",
		 title, tech, session, text);
	file = cbt_write(ws, "case.md", body);
	OK(ws, "case", "submit", file, "--slug", slug, "--allow-uncovered");
	unlink(file);
	free(file);
}

void cbs_fixture(const char *ws)
{
	cbs_server s;
	char *csv;

	OK(ws, "account", "add", "north", "--name", "North");
	OK(ws, "account", "add", "south", "--name", "South");
	OK(ws, "program", "add", "tco", "--name", "Customer orientation");
	for (size_t i = 0; i < cbs_npeople; i++)
		OK(ws, "person", "add", cbs_people[i].key, "--name", cbs_people[i].name, "--role",
		   cbs_people[i].roles);
	OK(ws, "session", "record", "--program", "tco", "--title", "Cohort " CBS_XSS1, "--format",
	   "virtual", "--start", "2025-03-03", "--end", "2025-03-03", "--trainer", "tina",
	   "--attendee", "tom", "--attendee", "tess", "--account", "north", "--key", "s1");
	OK(ws, "session", "record", "--program", "tco", "--title", "Cohort two", "--format",
	   "virtual", "--start", "2025-03-10", "--end", "2025-03-10", "--trainer", "trent",
	   "--attendee", "tess", "--account", "south", "--key", "s2");
	OK(ws, "session", "record", "--program", "tco", "--title", "Cohort three", "--format",
	   "virtual", "--start", "2025-03-17", "--end", "2025-03-17", "--trainer", "tara",
	   "--attendee", "tom", "--account", "north", "--key", "s3");
	a_case(ws, "tom-pump", "tom", "s1", "Tom and the pump " CBS_XSS1,
	       "The pump " CBS_XSS2 " broke.");
	a_case(ws, "tom-spare", "tom", "s1", "Tom's spare case", "A spare.");
	a_case(ws, "tom-pub", "tom", "s1", "Tom's published case", "Published.");
	a_case(ws, "tess-draft", "tess", "s2", "Tess secret draft", "Only hers.");
	a_case(ws, "tara-own", "tara", "s3", "Tara's own case", "Hers, citing her session.");
	OK(ws, "case", "review", "tom-pub", "--reviewer", "tina", "--decision", "approve");
	OK(ws, "case", "publish", "tom-pub", "--by", "tina");
	csv = cbt_write(ws, "obs.csv",
			"account,measure,at,value\n"
			"north,repair.hours,2025-01-06T10:00:00Z,5\n"
			"north,repair.hours,2025-02-03T10:00:00Z,4\n"
			"north,repair.hours,2025-05-05T10:00:00Z,2\n"
			"south,repair.hours,2025-01-06T10:00:00Z,6\n"
			"south,repair.hours,2025-05-05T10:00:00Z,3\n");
	OK(ws, "data", "import", csv);
	unlink(csv);
	free(csv);
	cbs_start(&s, ws);
	for (size_t i = 0; i < cbs_npeople; i++)
		cbs_set_password(&s, ws, cbs_people[i].key, cbs_password(cbs_people[i].key));
	cbs_stop(&s);
}

char *cbs_ws;
cbs_server cbs_srv;

void cbs_suite_setup(void)
{
	cbs_ws = cbt_workspace();
	cbs_fixture(cbs_ws);
}

void cbs_suite_teardown(void)
{
	cbt_rmrf(cbs_ws);
	free(cbs_ws);
	cbs_ws = NULL;
}

void cbs_test_start(void)
{
	cbs_start(&cbs_srv, cbs_ws);
}

void cbs_test_stop(void)
{
	cbs_stop(&cbs_srv);
}
