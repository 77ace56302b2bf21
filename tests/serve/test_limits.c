/*
 * What bounds a real casebook serve: a body over the limit is refused
 * with 413 (announced or chunked, before it is all read) and the server
 * goes on; only those who may import send a body as large as an upload; a form with too many fields is refused; a client that sends
 * its request slowly holds its own connection only (others are answered
 * meanwhile, also when one address opens as many connections as the
 * server takes) and is dropped after the idle timeout (15 s, server.c);
 * one that is never idle but never done is cut off (--request-time).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "testlib.h"

/* The server still answers a page. */
static void answers(void)
{
	cbs_client c;
	cbs_resp r;

	cbs_client_init(&c, &cbs_srv);
	cbs_get(&c, "/signin", &r);
	ck_assert_int_eq(r.status, 200);
	cbs_resp_free(&r);
}

/* Sends all of text on fd. */
static void send_all(int fd, const char *text)
{
	size_t len = strlen(text);

	while (len) {
		ssize_t n = send(fd, text, len, MSG_NOSIGNAL);

		ck_assert_msg(n > 0, "send: %s", strerror(errno));
		text += n, len -= (size_t)n;
	}
}

/* What comes back on fd within `seconds` (until the server closes or the
 * time is up): malloc'd; *closed tells whether it closed. */
static char *read_for(int fd, int seconds, int *closed)
{
	char *out = calloc(1, 1), *grown;
	size_t len = 0;
	time_t until = time(NULL) + seconds;

	*closed = 0;
	while (time(NULL) < until) {
		struct pollfd p = {fd, POLLIN, 0};
		char buf[4096];
		ssize_t n;

		if (poll(&p, 1, 500) != 1)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			*closed = 1;
			break;
		}
		grown = realloc(out, len + (size_t)n + 1);
		ck_assert(grown != NULL);
		out = grown;
		memcpy(out + len, buf, (size_t)n);
		len += (size_t)n;
		out[len] = '\0';
	}
	return out;
}

START_TEST(bodies_over_the_limit)
{
	size_t big = (1u << 20) + 4096;
	char *body = malloc(big + 1), cl[160];
	cbs_client c, tom;
	cbs_resp r;
	int fd, closed;
	char *got;

	memset(body, 'a', big);
	body[big] = '\0';
	memcpy(body, "key=", 4);
	cbs_client_init(&c, &cbs_srv);
	/* announced by Content-Length (the body waits for the server's
	 * go-ahead, which does not come) */
	cbs_request(&c, "POST", "/signin", body, (const char *const[]){"Expect: 100-continue", NULL},
		    &r);
	ck_assert_int_eq(r.status, 413);
	cbs_resp_free(&r);
	answers();
	/* chunked: no length announced, bounded as it comes */
	cbs_request(&c, "POST", "/signin", body, (const char *const[]){"Transfer-Encoding: chunked", NULL},
		    &r);
	ck_assert_int_eq(r.status, 413);
	cbs_resp_free(&r);
	answers();
	/* signed in, on a form page */
	cbs_client_init(&tom, &cbs_srv);
	cbs_signin_ok(&tom, "tom", cbs_password("tom"));
	cbs_request(&tom, "POST", "/cases/new", body, (const char *const[]){"Expect: 100-continue", NULL},
		    &r);
	ck_assert_int_eq(r.status, 413);
	cbs_resp_free(&r);
	free(body);
	/* The upload's own limit (32 MiB), refused on the announcement:
	 * the answer comes without a byte of the body sent. */
	fd = cbs_connect(&cbs_srv, NULL);
	snprintf(cl, sizeof(cl),
		 "POST /data/import HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: "
		 "multipart/form-data; boundary=x\r\nContent-Length: %u\r\n\r\n",
		 cbs_srv.port, (33u << 20));
	send_all(fd, cl);
	got = read_for(fd, 30, &closed);
	ck_assert_msg(strncmp(got, "HTTP/1.1 413", 12) == 0, "a 33 MiB upload announced: %.200s", got);
	free(got);
	close(fd);
	answers();
	ck_assert(cbs_alive(&cbs_srv));
}
END_TEST

/* A multipart upload of `csv` to /data/import (step check), its body
 * waiting for the server's go-ahead: the status. */
static long upload(cbs_client *c, const char *csrf, const char *csv)
{
	char *form;
	cbs_resp r;
	long status;

	ck_assert(asprintf(&form,
			   "--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n%s\r\n"
			   "--XyZ\r\nContent-Disposition: form-data; name=\"step\"\r\n\r\ncheck\r\n"
			   "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
			   "Content-Type: text/csv\r\n\r\n%s\r\n--XyZ--\r\n",
			   csrf ? csrf : "none", csv) >= 0);
	cbs_request(c, "POST", "/data/import", form,
		    (const char *const[]){"Content-Type: multipart/form-data; boundary=XyZ",
					  "Expect: 100-continue", NULL},
		    &r);
	status = r.status;
	cbs_resp_free(&r);
	free(form);
	return status;
}

/* The upload's larger limit is for those who may import: anyone else's
 * body is bounded as any other, before it is read. */
START_TEST(upload_limit_is_for_importers)
{
	size_t n = 0, cap = 3u << 20;
	char *csv = malloc(cap), *csrf;
	cbs_client anon, tom, ada;

	n += (size_t)snprintf(csv, cap, "account,measure,at,value\n");
	for (int i = 0; n < (2u << 20); i++)
		n += (size_t)snprintf(csv + n, cap - n,
				      "north,repair.hours,2024-07-01T%02d:%02d:%02dZ,3\n",
				      (i / 3600) % 24, (i / 60) % 60, i % 60);
	cbs_client_init(&anon, &cbs_srv);
	ck_assert_int_eq(upload(&anon, NULL, csv), 413);
	cbs_client_init(&tom, &cbs_srv);
	cbs_signin_ok(&tom, "tom", cbs_password("tom"));
	csrf = cbs_csrf(&tom);
	ck_assert_int_eq(upload(&tom, csrf, csv), 413);
	free(csrf);
	cbs_client_init(&ada, &cbs_srv);
	cbs_signin_ok(&ada, "ada", cbs_password("ada"));
	csrf = cbs_csrf(&ada);
	ck_assert_int_eq(upload(&ada, csrf, csv), 200);
	free(csrf), free(csv);
	answers();
}
END_TEST

START_TEST(too_many_fields)
{
	char *form = strdup("key=tom"), *grown;
	cbs_client c, tom;
	cbs_resp r;
	char *csrf;

	for (int i = 0; i < 400; i++) {
		ck_assert(asprintf(&grown, "%s&f%d=x", form, i) >= 0);
		free(form);
		form = grown;
	}
	cbs_client_init(&c, &cbs_srv);
	cbs_post(&c, "/signin", form, &r);
	ck_assert_msg(r.status == 400 || r.status == 413, "400 fields: HTTP %ld", r.status);
	cbs_resp_free(&r);
	/* signed in, the CSRF token first: still refused, nothing written */
	cbs_client_init(&tom, &cbs_srv);
	cbs_signin_ok(&tom, "tom", cbs_password("tom"));
	csrf = cbs_csrf(&tom);
	ck_assert(asprintf(&grown, "csrf_token=%s&title=Many&account=north&sessions=s1&situation=a&"
				   "actions=b&outcome=c&step=submit&%s",
			   csrf, form) >= 0);
	cbs_post(&tom, "/cases/new", grown, &r);
	ck_assert_msg(r.status == 400, "a case with 400 extra fields: HTTP %ld", r.status);
	cbs_resp_free(&r);
	{
		char *n = cbt_sh(NULL, "sqlite3 -cmd '.timeout 10000' '%s/casebook.db' \"SELECT count(*) FROM case_study "
				       "WHERE title = 'Many'\"",
				 cbs_ws);

		ck_assert_int_eq(atoi(n), 0);
		free(n);
	}
	free(grown), free(form), free(csrf);
	answers();
}
END_TEST

START_TEST(slow_clients)
{
	int slow[8], closed, fd;
	char *got;
	time_t began;

	/* Several clients that send half a request line and then wait. */
	for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++) {
		slow[i] = cbs_connect(&cbs_srv, NULL);
		send_all(slow[i], "GET /signin HTTP/1.1\r\nHost: 127.");
	}
	/* Others are answered meanwhile, more than once. */
	for (int i = 0; i < 3; i++)
		answers();
	/* One address that opens every connection the server takes (64)
	 * and idles gets only its share: another address is still served. */
	{
		int flood[64];

		for (size_t i = 0; i < 64; i++) {
			flood[i] = cbs_connect(&cbs_srv, "127.0.0.2");
			static const char half[] = "GET / HTTP/1.1\r\nHost: x";

			/* those over the address's share are closed at once:
			 * their send may fail, which is the point */
			(void)!send(flood[i], half, sizeof(half) - 1, MSG_NOSIGNAL);
		}
		for (int i = 0; i < 3; i++)
			answers();
		for (size_t i = 0; i < 64; i++)
			close(flood[i]);
	}
	/* One that trickles its headers, a byte at a time: others still. */
	fd = cbs_connect(&cbs_srv, NULL);
	for (const char *p = "GET /signin HTTP/1.1\r\nX-Slow: aaaa"; *p; p++) {
		char one[2] = {*p, '\0'};

		send_all(fd, one);
		usleep(20000);
		if (*p == 'a')
			answers();
	}
	/* The idle ones are dropped after the timeout: closed by the server
	 * without an answer (or with a 408), well within 60 s. */
	began = time(NULL);
	for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++) {
		int left = 60 - (int)(time(NULL) - began);

		got = read_for(slow[i], left > 1 ? left : 1, &closed);
		ck_assert_msg(closed, "a client idle for %d s is still connected",
			      (int)(time(NULL) - began));
		ck_assert_msg(!*got || strstr(got, " 408 ") || strstr(got, " 400 "),
			      "an idle client got: %.200s", got);
		free(got);
		close(slow[i]);
	}
	got = read_for(fd, 30, &closed);
	ck_assert(closed);
	free(got);
	close(fd);
	answers();
}
END_TEST

/* A client that is never idle but never done: headers that take longer
 * than the request time get 408; a body that trickles in past it is cut
 * off; a request that arrives within it is answered. The server runs with
 * --request-time 2 here. */
START_TEST(trickling_requests_are_cut_off)
{
	static const char *const args[] = {"--request-time", "2", NULL};
	static const char post[] = "POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				   "Content-Type: application/x-www-form-urlencoded\r\n"
				   "Content-Length: 1000\r\n\r\n";
	int fd, closed = 0;
	char *got;
	time_t began;

	cbs_stop(&cbs_srv);
	cbs_start_args(&cbs_srv, cbs_ws, args);

	/* Headers, a line every half second for 3 s: 408. */
	fd = cbs_connect(&cbs_srv, NULL);
	send_all(fd, "GET /signin HTTP/1.1\r\nHost: 127.0.0.1\r\n");
	for (int i = 0; i < 6; i++) {
		usleep(500000);
		send_all(fd, "X-Slow: yes\r\n");
	}
	send_all(fd, "\r\n");
	got = read_for(fd, 10, &closed);
	ck_assert_msg(strstr(got, " 408 "), "slow headers got: %.300s", got);
	free(got);
	close(fd);

	/* A body of 1,000 bytes, one every 0.3 s: dropped soon after the
	 * grace, long before it is whole (300 s). */
	fd = cbs_connect(&cbs_srv, NULL);
	send_all(fd, post);
	began = time(NULL);
	closed = 0;
	while (!closed && time(NULL) - began < 20) {
		struct pollfd p = {fd, POLLIN, 0};
		char buf[512];

		if (send(fd, "a", 1, MSG_NOSIGNAL) != 1)
			closed = 1;
		else if (poll(&p, 1, 300) == 1 && recv(fd, buf, sizeof(buf), 0) <= 0)
			closed = 1;
	}
	ck_assert_msg(closed, "a body trickling for %d s is still being read",
		      (int)(time(NULL) - began));
	ck_assert_int_lt(time(NULL) - began, 12);
	close(fd);

	/* Within the time, a slow start is fine: an answer, not a cut. */
	fd = cbs_connect(&cbs_srv, NULL);
	send_all(fd, "POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		     "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\n");
	usleep(800000);
	send_all(fd, "key=tom");
	got = read_for(fd, 10, &closed);
	ck_assert_msg(strncmp(got, "HTTP/1.1 ", 9) == 0 && !strstr(got, " 408 "),
		      "a request within the time got: %.300s", got);
	free(got);
	close(fd);
	answers();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("serve_limits");
	TCase *tc = tcase_create("limits");

	tcase_add_unchecked_fixture(tc, cbs_suite_setup, cbs_suite_teardown);
	tcase_add_checked_fixture(tc, cbs_test_start, cbs_test_stop);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, bodies_over_the_limit);
	tcase_add_test(tc, upload_limit_is_for_importers);
	tcase_add_test(tc, too_many_fields);
	tcase_add_test(tc, slow_clients);
	tcase_add_test(tc, trickling_requests_are_cut_off);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cbt_main(suite());
}
