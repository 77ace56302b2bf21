/* The server's page frame, forms and tables (view/page.h): hostile text in
 * every field comes out escaped, every POST form carries the CSRF token,
 * the nav marks the page shown, fields are tied to their labels, hints and
 * errors, links are only http(s), mailto or relative, and a small page is
 * exactly the markup expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "testlib.h"
#include "view/page.h"
#include "view/style.h"

#define SCRIPT	"<script>alert(1)</script>"
#define QUOTE	"\" onmouseover=\"x"
#define APOS	"'"
#define HOSTILE SCRIPT QUOTE APOS

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * Reads every tag of `html` the way a browser's tokenizer would for this
 * markup, and fails when one could carry script: a script element, an
 * attribute named on..., an attribute value that is not double-quoted, or
 * a quote character inside a tag that is not an attribute's delimiter.
 * Returns the number of tags read.
 */
static size_t assert_tags_are_inert(const char *html)
{
	size_t tags = 0;

	for (const char *p = strchr(html, '<'); p; p = strchr(p, '<')) {
		const char *q = p + 1;

		ck_assert_msg(strncmp(q, "script", 6) != 0, "a script element: %.40s", p);
		while (*q && *q != ' ' && *q != '>')
			q++;
		while (*q == ' ') {
			const char *name = ++q;

			while (*q && *q != '=' && *q != ' ' && *q != '>')
				q++;
			ck_assert_msg(strncmp(name, "on", 2) != 0, "an event handler: %.40s", name);
			ck_assert_msg(memchr(name, '\'', (size_t)(q - name)) == NULL &&
					      memchr(name, '"', (size_t)(q - name)) == NULL,
				      "a quote in an attribute name: %.40s", name);
			if (*q == '=') {
				ck_assert_msg(q[1] == '"', "an unquoted attribute: %.40s", name);
				q = strchr(q + 2, '"');
				ck_assert_msg(q != NULL, "an attribute that does not end");
				ck_assert_msg(memchr(name, '<', (size_t)(q - name)) == NULL &&
						      memchr(name, '\'', (size_t)(q - name)) ==
							      NULL,
					      "< or ' inside an attribute value: %.60s", name);
				q++;
			}
		}
		ck_assert_msg(*q == '>', "a tag that does not end where it should: %.60s", p);
		tags++;
		p = q + 1;
	}
	return tags;
}

/* Every field of every element, hostile. */
static char *hostile_page(void)
{
	static const char *const roles[] = {HOSTILE, "trainer"};
	static const cb_view_nav_item nav[] = {{HOSTILE, "/a?q=" HOSTILE, 0},
					       {"Cases", "/cases", 1}};
	static const cb_view_option options[] = {{HOSTILE, HOSTILE}, {"b", "B"}};
	static const char *const head[] = {HOSTILE, "n"};
	const cb_view_page page = {
		HOSTILE,	 HOSTILE, roles,	  2, nav, 2, HOSTILE, CB_VIEW_FLASH_ERROR,
		"/out?" HOSTILE, HOSTILE, "/css?" HOSTILE};
	const cb_view_field field = {HOSTILE, HOSTILE, NULL, "text", HOSTILE, 1, HOSTILE, HOSTILE};
	const cb_view_field text = {HOSTILE, "notes", NULL, NULL, HOSTILE, 0, HOSTILE, HOSTILE};
	const cb_view_field select = {HOSTILE, "kind", "id-" HOSTILE, NULL,
				      HOSTILE, 0,      NULL,	      HOSTILE};
	const cb_view_cell cells[] = {{HOSTILE, "/x/" HOSTILE, 0}, {HOSTILE, NULL, 1}};
	cb_buf b = CB_BUF_INIT;

	ck_assert_int_eq(cb_view_page_open(&b, &page), 0);
	ck_assert_int_eq(cb_view_form_open(&b, "/f?" HOSTILE, CB_VIEW_POST, HOSTILE), 0);
	ck_assert_int_eq(cb_view_input(&b, &field), 0);
	ck_assert_int_eq(cb_view_textarea(&b, &text), 0);
	ck_assert_int_eq(cb_view_select(&b, &select, options, 2), 0);
	ck_assert_int_eq(cb_view_button(&b, HOSTILE, HOSTILE, HOSTILE), 0);
	ck_assert_int_eq(cb_view_form_close(&b), 0);
	ck_assert_int_eq(cb_view_table_open(&b, HOSTILE, head, 2), 0);
	ck_assert_int_eq(cb_view_table_row(&b, cells, 2), 0);
	ck_assert_int_eq(cb_view_table_close(&b), 0);
	ck_assert_int_eq(cb_view_page_close(&b), 0);
	return cb_buf_detach(&b);
}

START_TEST(hostile_strings_are_escaped_everywhere)
{
	char *html = hostile_page();

	/* The raw forms never reach the page as markup: no script element, and
	 * no quote that ends an attribute (in element content a quote is only
	 * text, and stays one; assert_tags_are_inert finds one in a tag). */
	ck_assert(!cbt_has(html, SCRIPT));
	ck_assert(!cbt_has(html, "<script"));
	ck_assert(!cbt_has(html, "=" QUOTE) && !cbt_has(html, "=\"" QUOTE));
	/* ... their escaped forms do: in content and in attributes. */
	ck_assert(cbt_has(html, ">&lt;script&gt;alert(1)&lt;/script&gt;\" onmouseover=\"x'<"));
	ck_assert(cbt_has(
		html, "\"&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x&#39;"));
	ck_assert_uint_gt(count(html, "&#39;"), 10);
	/* No tag got an attribute, a quote or a script of the input's making. */
	ck_assert_uint_gt(assert_tags_are_inert(html), 40);
	free(html);
}
END_TEST

START_TEST(every_post_form_carries_the_csrf_token)
{
	static const cb_view_nav_item nav[] = {{"Home", "/", 1}};
	const cb_view_page page = {"Cases",	"Ana",	 NULL, 0, nav, 1, NULL, CB_VIEW_FLASH_INFO,
				   "/sign-out", "tok3n", NULL};
	cb_buf b = CB_BUF_INIT;
	char *html;

	ck_assert_int_eq(cb_view_page_open(&b, &page), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(cb_view_form_open(&b, "/cases", CB_VIEW_POST, "tok3n"), 0);
		ck_assert_int_eq(cb_view_button(&b, "Approve", NULL, NULL), 0);
		ck_assert_int_eq(cb_view_form_close(&b), 0);
	}
	ck_assert_int_eq(cb_view_page_close(&b), 0);
	html = cb_buf_detach(&b);
	/* Three forms and the header's sign-out, each with the token. */
	ck_assert_uint_eq(count(html, "<form "), 4);
	ck_assert_uint_eq(count(html, "<input type=\"hidden\" name=\"" CB_VIEW_CSRF_FIELD
				      "\" value=\"tok3n\">"),
			  4);
	free(html);

	/* A POST form without a token is refused; a GET form needs none. */
	ck_assert_int_eq(cb_view_form_open(&b, "/cases", CB_VIEW_POST, NULL), CB_EINVALID);
	ck_assert_int_eq(cb_view_form_open(&b, "/search", CB_VIEW_GET, NULL), 0);
	ck_assert(!cbt_has(cb_buf_cstr(&b), CB_VIEW_CSRF_FIELD));
	cb_buf_free(&b);
	/* Nor can a signed-in page offer to sign out without one. */
	{
		cb_view_page no_token = page;

		no_token.csrf_token = NULL;
		ck_assert_int_eq(cb_view_page_open(&b, &no_token), CB_EINVALID);
		cb_buf_free(&b);
	}
}
END_TEST

START_TEST(nav_marks_the_current_page)
{
	static const cb_view_nav_item nav[] = {
		{"Home", "/", 0}, {"Accounts", "/accounts", 1}, {"Cases", "/cases", 0}};
	const cb_view_page page = {"Accounts", NULL, NULL, 0, nav, 3};
	cb_buf b = CB_BUF_INIT;

	ck_assert_int_eq(cb_view_page_open(&b, &page), 0);
	ck_assert_uint_eq(count(b.ptr, "aria-current=\"page\""), 1);
	ck_assert(cbt_has(b.ptr, "<a href=\"/accounts\" aria-current=\"page\">Accounts</a>"));
	ck_assert(cbt_has(b.ptr, "<a href=\"/\">Home</a>"));
	ck_assert(cbt_has(b.ptr, "<nav aria-label=\"Main\">"));
	cb_buf_free(&b);
}
END_TEST

/* Labels, hints and errors tied to their control, as assistive
 * technology reads them. */
START_TEST(fields_are_tied_to_labels_hints_and_errors)
{
	const cb_view_field f = {"Email",
				 "email",
				 NULL,
				 "email",
				 "ana@example.com",
				 1,
				 "Where reviews are sent",
				 "That is not an address"};
	const cb_view_field pw = {"Password", "password", NULL, "password", "secret", 1};
	static const cb_view_option options[] = {{"in-person", "In person"},
						 {"virtual", "Virtual"}};
	const cb_view_field sel = {"Format", "format", NULL, NULL, "virtual"};
	cb_buf b = CB_BUF_INIT;

	ck_assert_int_eq(cb_view_input(&b, &f), 0);
	ck_assert(cbt_has(b.ptr, "<label for=\"f-email\">Email</label>"));
	ck_assert(
		cbt_has(b.ptr, "<p class=\"hint\" id=\"f-email-hint\">Where reviews are sent</p>"));
	ck_assert(cbt_has(
		b.ptr,
		"<p class=\"error\" id=\"f-email-error\">Error: That is not an address</p>"));
	ck_assert(cbt_has(b.ptr,
			  "<input id=\"f-email\" name=\"email\" required aria-invalid=\"true\" "
			  "aria-describedby=\"f-email-hint f-email-error\" type=\"email\" "
			  "value=\"ana@example.com\">"));
	cb_buf_clear(&b);
	/* A password is never written back. */
	ck_assert_int_eq(cb_view_input(&b, &pw), 0);
	ck_assert(!cbt_has(b.ptr, "secret") && !cbt_has(b.ptr, "value="));
	cb_buf_clear(&b);
	ck_assert_int_eq(cb_view_select(&b, &sel, options, 2), 0);
	ck_assert(cbt_has(b.ptr, "<option value=\"virtual\" selected>Virtual</option>"));
	ck_assert(cbt_has(b.ptr, "<option value=\"in-person\">In person</option>"));
	cb_buf_clear(&b);
	/* What the page cannot be made from. */
	ck_assert_int_eq(cb_view_input(&b, &(cb_view_field){NULL, "x"}), CB_EINVALID);
	ck_assert_int_eq(cb_view_input(&b, &(cb_view_field){"X", "x", NULL, "text\" onclick=\"y"}),
			 CB_EINVALID);
	ck_assert_int_eq(cb_view_button(&b, "Go", "action", NULL), CB_EINVALID);
	cb_buf_free(&b);
}
END_TEST

/* Escaping keeps a link inside its attribute; only this keeps it from
 * being a script. */
START_TEST(links_are_http_mailto_or_relative)
{
	static const char *const ok[] = {"/accounts",
					 "?page=2",
					 "#top",
					 "edit",
					 "a/b:c",
					 "https://example.com/x",
					 "HTTP://example.com",
					 "mailto:a@b.c"};
	static const char *const bad[] = {"javascript:alert(1)", "JavaScript:x", "data:text/html,x",
					  "vbscript:x", " javascript:x"};
	static const char *const head[] = {"a"};
	cb_buf b = CB_BUF_INIT;

	ck_assert_int_eq(cb_view_table_open(&b, "t", head, 1), 0);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(cb_view_table_row(&b, &(cb_view_cell){"x", ok[i], 0}, 1) == 0, "%s",
			      ok[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const cb_view_nav_item nav = {"x", bad[i], 0};
		const cb_view_page page = {"t", NULL, NULL, 0, &nav, 1};

		ck_assert_msg(cb_view_table_row(&b, &(cb_view_cell){"x", bad[i], 0}, 1) ==
				      CB_EINVALID,
			      "%s", bad[i]);
		ck_assert_msg(cb_view_form_open(&b, bad[i], CB_VIEW_GET, NULL) == CB_EINVALID, "%s",
			      bad[i]);
		ck_assert_msg(cb_view_page_open(&b, &page) == CB_EINVALID, "%s", bad[i]);
	}
	ck_assert(!cbt_has(b.ptr, "script:"));
	cb_buf_free(&b);
}
END_TEST

/* A small page, byte for byte. */
START_TEST(small_page_exactly)
{
	static const char *const roles[] = {"trainer", "consultant"};
	static const cb_view_nav_item nav[] = {{"Home", "/", 0}, {"Sessions", "/sessions", 1}};
	const cb_view_page page = {
		"New session",	       "Ana Lima",  roles, 2, nav, 2, "Session saved",
		CB_VIEW_FLASH_SUCCESS, "/sign-out", "t0k"};
	static const cb_view_option formats[] = {{"in-person", "In person"},
						 {"virtual", "Virtual"}};
	static const char *const head[] = {"Session", "Accounts"};
	static const char want[] =
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>New session · Casebook</title>\n"
		"<link rel=\"stylesheet\" href=\"/static/casebook.css\">\n</head>\n<body>\n"
		"<a class=\"skip\" href=\"#main\">Skip to the content</a>\n"
		"<header class=\"site\">\n"
		"<nav aria-label=\"Main\"><ul><li><a href=\"/\">Home</a></li>"
		"<li><a href=\"/sessions\" aria-current=\"page\">Sessions</a></li></ul></nav>\n"
		"<div class=\"who\">Signed in as Ana Lima (trainer, consultant)\n"
		"<form action=\"/sign-out\" method=\"post\">\n"
		"<input type=\"hidden\" name=\"csrf_token\" value=\"t0k\">\n"
		"<button type=\"submit\">Sign out</button>\n</form></div>\n"
		"</header>\n<main id=\"main\">\n<h1>New session</h1>\n"
		"<div class=\"flash flash-success\" role=\"status\">Session saved</div>\n"
		"<form action=\"/sessions\" method=\"post\">\n"
		"<input type=\"hidden\" name=\"csrf_token\" value=\"t0k\">\n"
		"<div class=\"field\">\n<label for=\"f-title\">Title</label>\n"
		"<input id=\"f-title\" name=\"title\" required type=\"text\" "
		"value=\"Spring\">\n</div>\n"
		"<div class=\"field field-error\">\n<label for=\"f-format\">Format</label>\n"
		"<p class=\"hint\" id=\"f-format-hint\">How it was delivered</p>\n"
		"<p class=\"error\" id=\"f-format-error\">Error: Choose a format</p>\n"
		"<select id=\"f-format\" name=\"format\" aria-invalid=\"true\" "
		"aria-describedby=\"f-format-hint f-format-error\">\n"
		"<option value=\"in-person\">In person</option>\n"
		"<option value=\"virtual\">Virtual</option>\n</select>\n</div>\n"
		"<div class=\"field\">\n<label for=\"f-notes\">Notes</label>\n"
		"<textarea id=\"f-notes\" name=\"notes\" rows=\"6\">\n\nfirst "
		"line</textarea>\n</div>\n"
		"<button type=\"submit\" name=\"then\" value=\"new\">Save and add "
		"another</button>\n"
		"</form>\n"
		"<div class=\"table\" role=\"region\" tabindex=\"0\" aria-label=\"Recent "
		"sessions\">\n"
		"<table>\n<caption>Recent sessions</caption>\n"
		"<thead><tr><th scope=\"col\">Session</th><th "
		"scope=\"col\">Accounts</th></tr></thead>\n"
		"<tbody>\n<tr><td><a href=\"/sessions/tco-2025-03-03\">tco-2025-03-03</a></td>"
		"<td class=\"n\">20</td></tr>\n</tbody>\n</table>\n</div>\n"
		"</main>\n</body>\n</html>\n";
	cb_buf b = CB_BUF_INIT;

	ck_assert_int_eq(cb_view_page_open(&b, &page), 0);
	ck_assert_int_eq(cb_view_form_open(&b, "/sessions", CB_VIEW_POST, "t0k"), 0);
	ck_assert_int_eq(
		cb_view_input(&b, &(cb_view_field){"Title", "title", NULL, NULL, "Spring", 1}), 0);
	ck_assert_int_eq(cb_view_select(&b,
					&(cb_view_field){"Format", "format", NULL, NULL, NULL, 0,
							 "How it was delivered", "Choose a format"},
					formats, 2),
			 0);
	/* A value's own first newline survives the parser. */
	ck_assert_int_eq(cb_view_textarea(&b, &(cb_view_field){"Notes", "notes", NULL, NULL,
							       "\nfirst line"}),
			 0);
	ck_assert_int_eq(cb_view_button(&b, "Save and add another", "then", "new"), 0);
	ck_assert_int_eq(cb_view_form_close(&b), 0);
	ck_assert_int_eq(cb_view_table_open(&b, "Recent sessions", head, 2), 0);
	ck_assert_int_eq(cb_view_table_row(&b,
					   (const cb_view_cell[]){{"tco-2025-03-03",
								   "/sessions/tco-2025-03-03", 0},
								  {"20", NULL, 1}},
					   2),
			 0);
	ck_assert_int_eq(cb_view_table_close(&b), 0);
	ck_assert_int_eq(cb_view_page_close(&b), 0);
	ck_assert_str_eq(b.ptr, want);
	assert_tags_are_inert(b.ptr);
	cb_buf_free(&b);
}
END_TEST

/* The stylesheet the server serves holds the report's rules first, so
 * that pages and report look alike, and cannot end a <style> element. */
START_TEST(stylesheet_is_the_reports_and_the_pages)
{
	const char *all = cb_view_stylesheet(), *report = cb_view_report_stylesheet();

	ck_assert_uint_gt(strlen(all), strlen(report));
	ck_assert(strncmp(all, report, strlen(report)) == 0);
	ck_assert(!strchr(all, '<'));
	ck_assert(cbt_has(all + strlen(report), "@media (max-width:640px)"));
	ck_assert(cbt_has(all + strlen(report), "a[aria-current=page]"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("view/page");
	TCase *tc = tcase_create("page");

	tcase_add_test(tc, hostile_strings_are_escaped_everywhere);
	tcase_add_test(tc, every_post_form_carries_the_csrf_token);
	tcase_add_test(tc, nav_marks_the_current_page);
	tcase_add_test(tc, fields_are_tied_to_labels_hints_and_errors);
	tcase_add_test(tc, links_are_http_mailto_or_relative);
	tcase_add_test(tc, small_page_exactly);
	tcase_add_test(tc, stylesheet_is_the_reports_and_the_pages);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
