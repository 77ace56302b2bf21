/*
 * serve_load: the load generator of `scripts/bench serve`. CLIENTS threads,
 * each with its own libcurl handle (one kept-alive connection, as a
 * browser tab or a script holds), send a mix of reads and writes to a
 * `casebook serve` (or to serve_static, the baseline) for SECONDS:
 *
 *   home          GET /                 a technician's home page
 *   cases         GET /cases            the case studies a technician may read
 *   sessions      GET /sessions         the sessions, as a trainer
 *   api-sessions  GET /api/v1/sessions  as a manager's API token
 *   impact-hit    GET /api/v1/impact?program=P, answered from the cache
 *   impact-miss   the same, computed (X-Casebook-Cache: miss): every write
 *                 is a new question
 *   form          GET /cases/new        the case-study form, read as a
 *                 browser reads it: the CSRF token, an account the
 *                 technician covers and a session they attended
 *   write         POST /cases/new       that form filled in and submitted,
 *                 its title a marker unique to the run (TAG), the client
 *                 and the count: "Load TAG c07 000123", slug
 *                 load-TAG-c07-000123
 *
 *   serve_load --url URL --people FILE [--clients 50] [--seconds 60]
 *              [--tag TAG] [--acks FILE] [--ready FILE] [--seed N]
 *
 * FILE, one a line: "tech KEY PASSWORD INVITE", "trainer KEY PASSWORD
 * INVITE" (INVITE: the path of an unused invitation, whose password is
 * set first, or "-"), "token TOKEN" (an API token) and "program KEY".
 * Each person signs in once, before the clock starts (an Argon2id check
 * of 64 MiB each: fifty at once would not fit), and the clients share the
 * sessions: client i is technician i mod T, trainer i mod R, token i mod K.
 *
 * It prints "key=value" lines on stdout: "total requests= seconds= rps=",
 * one "kind=K n= p50_ms= p95_ms= p99_ms= errors=" per kind (errors: any
 * answer but 200, or 303 for a write, and no answer at all), and
 * "status kind=K code=C n=" for every code seen (0: no answer: refused,
 * reset or timed out). --acks FILE gets every write, one a line: "ok SLUG"
 * (303 to /cases/SLUG: acknowledged), "refused SLUG CODE" (an answer that
 * is not a success), "unknown SLUG" (no answer: the server died or the
 * connection broke; the write may or may not have happened). --ready FILE
 * is written once everyone is signed in, when the load starts.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum { HOME, CASES, SESSIONS, API_SESSIONS, IMPACT_HIT, IMPACT_MISS, FORM, WRITE, NKINDS };
static const char *const kind_name[NKINDS] = {"home",	    "cases",	   "sessions", "api-sessions",
					      "impact-hit", "impact-miss", "form",     "write"};
#define MAX_CODE 600
#define MAX_PEOPLE 64

typedef struct person {
	char key[64], password[128], invite[160];
	char cookie[200]; /* "cb_session=..." once signed in */
} person;

typedef struct buf {
	char *p;
	size_t len, cap;
} buf;

typedef struct lat {
	double *v;
	size_t n, cap;
} lat;

typedef struct client {
	pthread_t thread;
	int id;
	unsigned seed;
	CURL *curl;
	buf body, head;
	lat lat[NKINDS];
	long codes[NKINDS][MAX_CODE + 1];
	buf acks;
	long requests;
} client;

static const char *base; /* the URL, without its last '/' */
static person techs[MAX_PEOPLE], trainers[MAX_PEOPLE];
static char tokens[MAX_PEOPLE][128], program[64] = "tco", tag[32] = "r1";
static int ntechs, ntrainers, ntokens;
static double deadline;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	fprintf(stderr, "serve_load: %s\n", what);
	exit(1);
}

static void buf_add(buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(b->p = realloc(b->p, cap)))
			die("out of memory");
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void buf_printf(buf *b, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	buf_add(b, line, (size_t)k < sizeof(line) ? (size_t)k : sizeof(line) - 1);
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	buf_add(ctx, p, size * n);
	return size * n;
}

static void lat_add(lat *l, double ms)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		if (!(l->v = realloc(l->v, l->cap * sizeof(double))))
			die("out of memory");
	}
	l->v[l->n++] = ms;
}

/* The value of header `name` in the answer's headers, copied to out. */
static int header(const buf *h, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name);

	for (const char *line = h->p; line && *line;) {
		const char *end = strstr(line, "\r\n");

		if (!end)
			break;
		if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;

			while (*v == ' ')
				v++;
			snprintf(out, len, "%.*s", (int)(end - v), v);
			return 1;
		}
		line = end + 2;
	}
	return 0;
}

/* Cookie `name`'s "name=value" from the Set-Cookie headers, into out. */
static int set_cookie(const buf *h, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name);

	for (const char *line = h->p; line && *line;) {
		const char *end = strstr(line, "\r\n");

		if (!end)
			break;
		if (strncasecmp(line, "Set-Cookie:", 11) == 0) {
			const char *v = line + 11;

			while (*v == ' ')
				v++;
			if (strncmp(v, name, nl) == 0 && v[nl] == '=') {
				snprintf(out, len, "%.*s", (int)strcspn(v, ";\r"), v);
				return 1;
			}
		}
		line = end + 2;
	}
	return 0;
}

/* The text between `after` (searched from `from`) and the next '"'. */
static int scrape(const char *from, const char *after, char *out, size_t len)
{
	const char *p = from ? strstr(from, after) : NULL;
	size_t n;

	if (!p)
		return 0;
	p += strlen(after);
	n = strcspn(p, "\"");
	if (!p[n] || n == 0 || n >= len)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

/* One request: GET path, or POST form when given. Returns the status (0:
 * no answer), the time in *ms. */
static long request(client *c, const char *path, const char *cookie, const char *bearer,
		    const char *form, double *ms)
{
	struct curl_slist *hs = NULL;
	char url[512], line[256];
	long code = 0;
	double t0;
	CURLcode rc;

	c->body.len = c->head.len = 0;
	if (c->body.p)
		c->body.p[0] = '\0';
	if (c->head.p)
		c->head.p[0] = '\0';
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_COOKIE, cookie);
	if (bearer) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", bearer);
		hs = curl_slist_append(hs, line);
	}
	if (form) {
		/* What a browser sends with a form: the page's own origin. */
		snprintf(line, sizeof(line), "Origin: %s", base);
		hs = curl_slist_append(hs, line);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, form);
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hs);
	t0 = now_s();
	rc = curl_easy_perform(c->curl);
	*ms = (now_s() - t0) * 1e3;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hs);
	if (code < 0 || code > MAX_CODE)
		code = MAX_CODE;
	return code;
}

static void count(client *c, int kind, long code, double ms)
{
	c->codes[kind][code]++;
	lat_add(&c->lat[kind], ms);
	c->requests++;
	if (!code) {
		/* No server (killed, restarting): no busy loop meanwhile. */
		struct timespec t = {0, 20 * 1000000L};

		nanosleep(&t, NULL);
	}
}

static CURL *handle(client *c)
{
	CURL *h = curl_easy_init();

	if (!h)
		die("curl_easy_init failed");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &c->head);
	return h;
}

static void field(buf *b, CURL *h, const char *name, const char *value)
{
	char *e = curl_easy_escape(h, value, 0);

	if (b->len)
		buf_add(b, "&", 1);
	buf_add(b, name, strlen(name));
	buf_add(b, "=", 1);
	buf_add(b, e, strlen(e));
	curl_free(e);
}

/* What an error page says: its flash, or a JSON answer whole. */
static const char *said(const buf *b)
{
	const char *p = b->p ? strstr(b->p, "class=\"flash") : NULL;

	if (!p)
		return b->p ? b->p : "";
	p = strchr(p, '>');
	return p ? p + 1 : "";
}

/* A write as a browser makes it: the form, then the form sent back. */
static void write_case(client *c, const person *tech, long seq)
{
	char csrf[128], account[128], session[128], title[96], slug[96], loc[256], want[128];
	buf form = {0};
	double ms;
	long code;

	code = request(c, "/cases/new", tech->cookie, NULL, NULL, &ms);
	if (code == 200 &&
	    (!scrape(c->body.p, "name=\"csrf_token\" value=\"", csrf, sizeof(csrf)) ||
	     !scrape(strstr(c->body.p, "name=\"account\""), "<option value=\"", account,
		     sizeof(account)) ||
	     !scrape(c->body.p, "name=\"sessions\" value=\"", session, sizeof(session)))) {
		/* Not the form: counted under MAX_CODE, "not the page". */
		fprintf(stderr, "serve_load: the case form of %s lacks a field it needs\n",
			tech->key);
		code = MAX_CODE;
	}
	count(c, FORM, code, ms);
	if (code != 200)
		return;
	snprintf(title, sizeof(title), "Load %s c%02d %06ld", tag, c->id, seq);
	snprintf(slug, sizeof(slug), "load-%s-c%02d-%06ld", tag, c->id, seq);
	field(&form, c->curl, "csrf_token", csrf);
	field(&form, c->curl, "title", title);
	field(&form, c->curl, "account", account);
	field(&form, c->curl, "sessions", session);
	field(&form, c->curl, "situation",
	      "The line stopped twice a week and nobody asked the customer why.");
	field(&form, c->curl, "actions",
	      "Asked the shift lead what a stop costs them, then planned the visits with them.");
	field(&form, c->curl, "outcome", "Fewer stops; the customer plans the visits with us.");
	field(&form, c->curl, "step", "submit");
	code = request(c, "/cases/new", tech->cookie, NULL, form.p, &ms);
	free(form.p);
	count(c, WRITE, code, ms);
	snprintf(want, sizeof(want), "/cases/%s?", slug);
	if (code == 303 && header(&c->head, "Location", loc, sizeof(loc)) &&
	    strncmp(loc, "/cases/", 7) == 0) {
		if (strncmp(loc, want, strlen(want)) != 0 && strcmp(loc, "/cases/static?saved=1"))
			fprintf(stderr, "serve_load: %s went to %s\n", slug, loc);
		buf_printf(&c->acks, "ok %s\n", slug);
	} else if (code == 0) {
		buf_printf(&c->acks, "unknown %s\n", slug);
	} else {
		buf_printf(&c->acks, "refused %s %ld\n", slug, code);
		if (code >= 500)
			fprintf(stderr, "serve_load: %s: HTTP %ld: %.300s\n", slug, code,
				said(&c->body));
	}
}

static void *run(void *arg)
{
	client *c = arg;
	const person *tech = &techs[c->id % ntechs], *trainer = &trainers[c->id % ntrainers];
	const char *token = tokens[c->id % ntokens];
	char impact[128], cache[16];
	long seq = 0;
	double ms;

	snprintf(impact, sizeof(impact), "/api/v1/impact?program=%s", program);
	c->curl = handle(c);
	while (now_s() < deadline) {
		/* The mix: a fifth of the rounds write (form and post), the
		 * rest read, evenly. */
		int pick = (int)(rand_r(&c->seed) % 100);
		long code;

		if (pick < 16) {
			code = request(c, "/", tech->cookie, NULL, NULL, &ms);
			count(c, HOME, code, ms);
		} else if (pick < 32) {
			code = request(c, "/cases", tech->cookie, NULL, NULL, &ms);
			count(c, CASES, code, ms);
		} else if (pick < 48) {
			code = request(c, "/sessions", trainer->cookie, NULL, NULL, &ms);
			count(c, SESSIONS, code, ms);
		} else if (pick < 64) {
			code = request(c, "/api/v1/sessions", "", token, NULL, &ms);
			count(c, API_SESSIONS, code, ms);
		} else if (pick < 80) {
			code = request(c, impact, "", token, NULL, &ms);
			count(c,
			      header(&c->head, "X-Casebook-Cache", cache, sizeof(cache)) &&
					      strcmp(cache, "hit") == 0
				      ? IMPACT_HIT
				      : IMPACT_MISS,
			      code, ms);
			if (code >= 500)
				fprintf(stderr, "serve_load: impact: HTTP %ld: %.300s\n", code,
					said(&c->body));
		} else {
			write_case(c, tech, ++seq);
		}
	}
	curl_easy_cleanup(c->curl);
	return NULL;
}

/* Sets p's password from its invitation when it has one, then signs in
 * as a browser does: the form (its token doubled in a cookie), then the
 * post, whose answer sets the session cookie. */
static void sign_in(client *c, person *p)
{
	char csrf[128], pre[200], path[200];
	buf form = {0};
	double ms;
	long code;

	if (strcmp(p->invite, "-") != 0) {
		if (request(c, p->invite, "", NULL, NULL, &ms) != 200 ||
		    !scrape(c->body.p, "name=\"csrf_token\" value=\"", csrf, sizeof(csrf)) ||
		    !set_cookie(&c->head, "cb_pre", pre, sizeof(pre)))
			die("the invitation page did not come");
		snprintf(path, sizeof(path), "%s", p->invite);
		field(&form, c->curl, "csrf_token", csrf);
		field(&form, c->curl, "password", p->password);
		field(&form, c->curl, "again", p->password);
		code = request(c, path, pre, NULL, form.p, &ms);
		free(form.p);
		form = (buf){0};
		if (code != 303) {
			fprintf(stderr, "serve_load: setting %s's password: HTTP %ld\n", p->key, code);
			exit(1);
		}
	}
	if (request(c, "/signin", "", NULL, NULL, &ms) != 200 ||
	    !scrape(c->body.p, "name=\"csrf_token\" value=\"", csrf, sizeof(csrf)) ||
	    !set_cookie(&c->head, "cb_pre", pre, sizeof(pre)))
		die("the sign-in page did not come");
	field(&form, c->curl, "csrf_token", csrf);
	field(&form, c->curl, "key", p->key);
	field(&form, c->curl, "password", p->password);
	code = request(c, "/signin", pre, NULL, form.p, &ms);
	free(form.p);
	if (code != 303 || !set_cookie(&c->head, "cb_session", p->cookie, sizeof(p->cookie))) {
		fprintf(stderr, "serve_load: signing in %s: HTTP %ld: %.300s\n", p->key, code,
			c->body.p ? c->body.p : "");
		exit(1);
	}
}

static void read_people(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], what[16], a[160], b[160], d[160];

	if (!f)
		die("cannot open the people file");
	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "%15s %159s %159s %159s", what, a, b, d);
		person *p = NULL;

		if (n >= 4 && !strcmp(what, "tech") && ntechs < MAX_PEOPLE)
			p = &techs[ntechs++];
		else if (n >= 4 && !strcmp(what, "trainer") && ntrainers < MAX_PEOPLE)
			p = &trainers[ntrainers++];
		else if (n >= 2 && !strcmp(what, "token") && ntokens < MAX_PEOPLE)
			snprintf(tokens[ntokens++], sizeof(tokens[0]), "%s", a);
		else if (n >= 2 && !strcmp(what, "program"))
			snprintf(program, sizeof(program), "%s", a);
		if (p) {
			snprintf(p->key, sizeof(p->key), "%s", a);
			snprintf(p->password, sizeof(p->password), "%s", b);
			snprintf(p->invite, sizeof(p->invite), "%s", d);
		}
	}
	fclose(f);
	if (!ntechs || !ntrainers || !ntokens)
		die("the people file needs a tech, a trainer and a token");
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(const lat *l, double p)
{
	size_t i;

	if (!l->n)
		return 0;
	i = (size_t)(p * (double)(l->n - 1) + 0.5);
	return l->v[i];
}

int main(int argc, char **argv)
{
	const char *people = NULL, *acks = NULL, *ready = NULL;
	int nclients = 50;
	double seconds = 60, t0, took;
	unsigned seed = 1;
	client *cs, setup = {0};
	lat all[NKINDS] = {{0}};
	long codes[NKINDS][MAX_CODE + 1] = {{0}}, requests = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--url"))
			base = argv[i + 1];
		else if (!strcmp(argv[i], "--people"))
			people = argv[i + 1];
		else if (!strcmp(argv[i], "--clients"))
			nclients = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--tag"))
			snprintf(tag, sizeof(tag), "%s", argv[i + 1]);
		else if (!strcmp(argv[i], "--acks"))
			acks = argv[i + 1];
		else if (!strcmp(argv[i], "--ready"))
			ready = argv[i + 1];
		else if (!strcmp(argv[i], "--seed"))
			seed = (unsigned)atoi(argv[i + 1]);
		else
			die("usage: serve_load --url URL --people FILE [--clients N] [--seconds S] "
			    "[--tag TAG] [--acks FILE] [--ready FILE] [--seed N]");
	}
	if (!base || !people || nclients < 1 || seconds <= 0)
		die("usage: serve_load --url URL --people FILE [--clients N] [--seconds S] "
		    "[--tag TAG] [--acks FILE] [--ready FILE] [--seed N]");
	{
		/* "http://host:port/" → "http://host:port" */
		static char b[256];

		snprintf(b, sizeof(b), "%s", base);
		if (b[0] && b[strlen(b) - 1] == '/')
			b[strlen(b) - 1] = '\0';
		base = b;
	}
	read_people(people);
	curl_global_init(CURL_GLOBAL_ALL);
	setup.curl = handle(&setup);
	for (int i = 0; i < ntechs; i++)
		sign_in(&setup, &techs[i]);
	for (int i = 0; i < ntrainers; i++)
		sign_in(&setup, &trainers[i]);
	curl_easy_cleanup(setup.curl);
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f)
			fputs("ready\n", f), fclose(f);
	}

	if (!(cs = calloc((size_t)nclients, sizeof(client))))
		die("out of memory");
	t0 = now_s();
	deadline = t0 + seconds;
	for (int i = 0; i < nclients; i++) {
		cs[i].id = i;
		cs[i].seed = seed * 7919u + (unsigned)i;
		if (pthread_create(&cs[i].thread, NULL, run, &cs[i]) != 0)
			die("cannot start a client thread");
	}
	for (int i = 0; i < nclients; i++)
		pthread_join(cs[i].thread, NULL);
	took = now_s() - t0;

	for (int i = 0; i < nclients; i++) {
		client *c = &cs[i];

		requests += c->requests;
		for (int k = 0; k < NKINDS; k++) {
			for (size_t j = 0; j < c->lat[k].n; j++)
				lat_add(&all[k], c->lat[k].v[j]);
			for (int code = 0; code <= MAX_CODE; code++)
				codes[k][code] += c->codes[k][code];
		}
	}
	printf("total requests=%ld seconds=%.2f rps=%.1f clients=%d\n", requests, took,
	       (double)requests / took, nclients);
	for (int k = 0; k < NKINDS; k++) {
		long errors = 0;

		qsort(all[k].v, all[k].n, sizeof(double), by_value);
		for (int code = 0; code <= MAX_CODE; code++)
			if (code != (k == WRITE ? 303 : 200))
				errors += codes[k][code];
		printf("kind=%s n=%zu p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%ld\n", kind_name[k],
		       all[k].n, pct(&all[k], 0.50), pct(&all[k], 0.95), pct(&all[k], 0.99), errors);
	}
	for (int k = 0; k < NKINDS; k++)
		for (int code = 0; code <= MAX_CODE; code++)
			if (codes[k][code])
				printf("status kind=%s code=%d n=%ld\n", kind_name[k], code,
				       codes[k][code]);
	if (acks) {
		FILE *f = fopen(acks, "w");

		if (!f)
			die("cannot write the acks file");
		for (int i = 0; i < nclients; i++)
			if (cs[i].acks.len)
				fwrite(cs[i].acks.p, 1, cs[i].acks.len, f);
		fclose(f);
	}
	curl_global_cleanup();
	return 0;
}
