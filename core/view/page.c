/*
 * The server's page frame, forms and tables (view/page.h). Markup is the
 * program's constants; every string a caller gives goes through
 * cb_html_text (content) or cb_html_attr (a quoted attribute value), and
 * nowhere else.
 */
#include "view/page.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"
#include "format/html.h"
#include "view/style.h"

/* A writer with a sticky error, so that an element is written straight on
 * and checked once. */
typedef struct writer {
	cb_buf *b;
	int rc;
} writer;

static void raw(writer *w, const char *s)
{
	if (!w->rc)
		w->rc = cb_buf_puts(w->b, s);
}

static void text(writer *w, const char *s)
{
	if (!w->rc)
		w->rc = cb_html_text(w->b, s);
}

/* Text inside a quoted attribute value. */
static void value(writer *w, const char *s)
{
	if (!w->rc)
		w->rc = cb_html_attr(w->b, s);
}

/* ` name="value"`, the value escaped; `suffix` (a constant, may be NULL)
 * follows it ("-hint"). */
static void attr(writer *w, const char *name, const char *v, const char *suffix)
{
	raw(w, " ");
	raw(w, name);
	raw(w, "=\"");
	value(w, v);
	if (suffix)
		raw(w, suffix);
	raw(w, "\"");
}

static int invalid(const char *what)
{
	return cb_error_set(CB_EINVALID, "page: %s", what);
}

/* A link the page may carry: relative ("/accounts", "?page=2", "#top",
 * "edit"), or absolute with http, https or mailto. Anything else
 * ("javascript:", "data:") is refused: escaping keeps a link from
 * breaking out of its attribute, not from being a script. */
static int href_ok(const char *href)
{
	size_t n = strcspn(href, ":/?#");

	if (href[n] != ':')
		return 1;
	return (n == 4 && strncasecmp(href, "http", 4) == 0) ||
	       (n == 5 && strncasecmp(href, "https", 5) == 0) ||
	       (n == 6 && strncasecmp(href, "mailto", 6) == 0);
}

static void link(writer *w, const char *href, const char *label, int current)
{
	raw(w, "<a");
	attr(w, "href", href, NULL);
	if (current)
		raw(w, " aria-current=\"page\"");
	raw(w, ">");
	text(w, label);
	raw(w, "</a>");
}

static void hidden_token(writer *w, const char *token)
{
	raw(w, "<input type=\"hidden\" name=\"" CB_VIEW_CSRF_FIELD "\"");
	attr(w, "value", token, NULL);
	raw(w, ">\n");
}

static void header(writer *w, const cb_view_page *p)
{
	if (!p->nnav && !p->person)
		return;
	raw(w, "<header class=\"site\">\n");
	if (p->nnav) {
		raw(w, "<nav aria-label=\"Main\"><ul>");
		for (size_t i = 0; i < p->nnav; i++) {
			raw(w, "<li>");
			link(w, p->nav[i].href, p->nav[i].label, p->nav[i].current);
			raw(w, "</li>");
		}
		raw(w, "</ul></nav>\n");
	}
	if (p->person) {
		raw(w, "<div class=\"who\">Signed in as ");
		text(w, p->person);
		for (size_t i = 0; i < p->nroles; i++) {
			raw(w, i ? ", " : " (");
			text(w, p->roles[i]);
		}
		if (p->nroles)
			raw(w, ")");
		if (p->sign_out) {
			raw(w, "\n<form");
			attr(w, "action", p->sign_out, NULL);
			raw(w, " method=\"post\">\n");
			hidden_token(w, p->csrf_token);
			raw(w, "<button type=\"submit\">Sign out</button>\n</form>");
		}
		raw(w, "</div>\n");
	}
	raw(w, "</header>\n");
}

int cb_view_page_open(cb_buf *b, const cb_view_page *p)
{
	static const char *const flash_class[] = {"flash", "flash flash-success",
						  "flash flash-error"};
	writer w = {b, 0};

	if (!p->title)
		return invalid("a page needs a title");
	if (p->nnav && !p->nav)
		return invalid("nav items missing");
	if (p->nroles && !p->roles)
		return invalid("role names missing");
	for (size_t i = 0; i < p->nnav; i++)
		if (!p->nav[i].label || !p->nav[i].href || !href_ok(p->nav[i].href))
			return invalid("a nav item needs a label and an http(s) or relative link");
	if (p->person && p->sign_out && (!p->csrf_token || !href_ok(p->sign_out)))
		return invalid("signing out needs a CSRF token and a relative or http(s) link");
	if (p->flash_kind < CB_VIEW_FLASH_INFO || p->flash_kind > CB_VIEW_FLASH_ERROR)
		return invalid("unknown flash kind");
	raw(&w,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	text(&w, p->title);
	raw(&w, " · Casebook</title>\n<link rel=\"stylesheet\"");
	attr(&w, "href", p->stylesheet ? p->stylesheet : CB_VIEW_STYLESHEET_PATH, NULL);
	raw(&w, ">\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to the content</a>\n");
	header(&w, p);
	raw(&w, "<main id=\"main\">\n<h1>");
	text(&w, p->title);
	raw(&w, "</h1>\n");
	if (p->flash) {
		raw(&w, "<div");
		attr(&w, "class", flash_class[p->flash_kind], NULL);
		raw(&w, p->flash_kind == CB_VIEW_FLASH_ERROR ? " role=\"alert\">"
							     : " role=\"status\">");
		text(&w, p->flash);
		raw(&w, "</div>\n");
	}
	return w.rc;
}

int cb_view_page_close(cb_buf *b)
{
	return cb_buf_puts(b, "</main>\n</body>\n</html>\n");
}

int cb_view_form_open(cb_buf *b, const char *action, cb_view_method method, const char *csrf_token)
{
	writer w = {b, 0};

	if (!action || !href_ok(action))
		return invalid("a form needs a relative or http(s) action");
	if (method != CB_VIEW_POST && method != CB_VIEW_GET)
		return invalid("a form's method is POST or GET");
	if (method == CB_VIEW_POST && !csrf_token)
		return invalid("a POST form needs a CSRF token");
	raw(&w, "<form");
	attr(&w, "action", action, NULL);
	raw(&w, method == CB_VIEW_POST ? " method=\"post\">\n" : " method=\"get\">\n");
	if (csrf_token)
		hidden_token(&w, csrf_token);
	return w.rc;
}

int cb_view_form_open_upload(cb_buf *b, const char *action, const char *csrf_token)
{
	writer w = {b, 0};

	if (!action || !href_ok(action))
		return invalid("a form needs a relative or http(s) action");
	if (!csrf_token)
		return invalid("a POST form needs a CSRF token");
	raw(&w, "<form");
	attr(&w, "action", action, NULL);
	raw(&w, " method=\"post\" enctype=\"multipart/form-data\">\n");
	hidden_token(&w, csrf_token);
	return w.rc;
}

int cb_view_form_close(cb_buf *b)
{
	return cb_buf_puts(b, "</form>\n");
}

/* The field's frame up to its control: label, hint, error. */
static int field_open(writer *w, const cb_view_field *f, char *id, size_t size)
{
	if (!f->label || !f->name)
		return invalid("a field needs a label and a name");
	if (f->id)
		snprintf(id, size, "%s", f->id);
	else
		snprintf(id, size, "f-%s", f->name);
	raw(w, f->error ? "<div class=\"field field-error\">\n<label"
			: "<div class=\"field\">\n<label");
	attr(w, "for", id, NULL);
	raw(w, ">");
	text(w, f->label);
	raw(w, "</label>\n");
	if (f->hint) {
		raw(w, "<p class=\"hint\"");
		attr(w, "id", id, "-hint");
		raw(w, ">");
		text(w, f->hint);
		raw(w, "</p>\n");
	}
	if (f->error) {
		raw(w, "<p class=\"error\"");
		attr(w, "id", id, "-error");
		raw(w, ">Error: ");
		text(w, f->error);
		raw(w, "</p>\n");
	}
	return 0;
}

/* The attributes every control has: id, name, required, and the ties to
 * its hint and error. */
static void control_attrs(writer *w, const cb_view_field *f, const char *id)
{
	attr(w, "id", id, NULL);
	attr(w, "name", f->name, NULL);
	if (f->required)
		raw(w, " required");
	if (f->autocomplete)
		attr(w, "autocomplete", f->autocomplete, NULL);
	if (f->error)
		raw(w, " aria-invalid=\"true\"");
	if (!f->hint && !f->error)
		return;
	raw(w, " aria-describedby=\"");
	if (f->hint) {
		value(w, id);
		raw(w, "-hint");
	}
	if (f->hint && f->error)
		raw(w, " ");
	if (f->error) {
		value(w, id);
		raw(w, "-error");
	}
	raw(w, "\"");
}

int cb_view_input(cb_buf *b, const cb_view_field *f)
{
	const char *type = f->type ? f->type : "text";
	writer w = {b, 0};
	char id[256];
	int rc;

	if (!*type || strspn(type, "abcdefghijklmnopqrstuvwxyz-") != strlen(type))
		return invalid("an input's type is a word such as text or email");
	if ((rc = field_open(&w, f, id, sizeof(id))) < 0)
		return rc;
	raw(&w, "<input");
	control_attrs(&w, f, id);
	attr(&w, "type", type, NULL);
	/* A password is never sent back to the browser. */
	if (f->value && strcmp(type, "password") != 0)
		attr(&w, "value", f->value, NULL);
	raw(&w, ">\n</div>\n");
	return w.rc;
}

int cb_view_textarea(cb_buf *b, const cb_view_field *f)
{
	writer w = {b, 0};
	char id[256];
	int rc;

	if ((rc = field_open(&w, f, id, sizeof(id))) < 0)
		return rc;
	raw(&w, "<textarea");
	control_attrs(&w, f, id);
	/* The parser drops a newline right after <textarea>: this one goes,
	 * and a value's own first newline stays. */
	raw(&w, " rows=\"6\">\n");
	text(&w, f->value);
	raw(&w, "</textarea>\n</div>\n");
	return w.rc;
}

int cb_view_select(cb_buf *b, const cb_view_field *f, const cb_view_option *options, size_t n)
{
	writer w = {b, 0};
	char id[256];
	int rc;

	if (n && !options)
		return invalid("a select's options missing");
	for (size_t i = 0; i < n; i++)
		if (!options[i].value || !options[i].label)
			return invalid("an option needs a value and a label");
	if ((rc = field_open(&w, f, id, sizeof(id))) < 0)
		return rc;
	raw(&w, "<select");
	control_attrs(&w, f, id);
	raw(&w, ">\n");
	for (size_t i = 0; i < n; i++) {
		raw(&w, "<option");
		attr(&w, "value", options[i].value, NULL);
		if (f->value && strcmp(f->value, options[i].value) == 0)
			raw(&w, " selected");
		raw(&w, ">");
		text(&w, options[i].label);
		raw(&w, "</option>\n");
	}
	raw(&w, "</select>\n</div>\n");
	return w.rc;
}

int cb_view_checkboxes(cb_buf *b, const cb_view_field *f, const cb_view_option *options, size_t n,
		       const char *const *chosen, size_t nchosen)
{
	writer w = {b, 0};
	char id[256], box[300];

	if (!f->label || !f->name)
		return invalid("a field needs a label and a name");
	if (n && !options)
		return invalid("a checkbox group's options missing");
	for (size_t i = 0; i < n; i++)
		if (!options[i].value || !options[i].label)
			return invalid("an option needs a value and a label");
	snprintf(id, sizeof(id), "%s%s", f->id ? "" : "f-", f->id ? f->id : f->name);
	raw(&w, f->error ? "<fieldset class=\"field field-error\"" : "<fieldset class=\"field\"");
	if (f->hint || f->error) {
		raw(&w, " aria-describedby=\"");
		if (f->hint) {
			value(&w, id);
			raw(&w, "-hint");
		}
		if (f->hint && f->error)
			raw(&w, " ");
		if (f->error) {
			value(&w, id);
			raw(&w, "-error");
		}
		raw(&w, "\"");
	}
	raw(&w, ">\n<legend>");
	text(&w, f->label);
	raw(&w, "</legend>\n");
	if (f->hint) {
		raw(&w, "<p class=\"hint\"");
		attr(&w, "id", id, "-hint");
		raw(&w, ">");
		text(&w, f->hint);
		raw(&w, "</p>\n");
	}
	if (f->error) {
		raw(&w, "<p class=\"error\"");
		attr(&w, "id", id, "-error");
		raw(&w, ">Error: ");
		text(&w, f->error);
		raw(&w, "</p>\n");
	}
	for (size_t i = 0; i < n; i++) {
		int on = 0;

		for (size_t k = 0; k < nchosen && !on; k++)
			on = chosen[k] && strcmp(chosen[k], options[i].value) == 0;
		snprintf(box, sizeof(box), "%s-%zu", id, i);
		raw(&w, "<div class=\"check\"><input type=\"checkbox\"");
		attr(&w, "id", box, NULL);
		attr(&w, "name", f->name, NULL);
		attr(&w, "value", options[i].value, NULL);
		if (on)
			raw(&w, " checked");
		raw(&w, "><label");
		attr(&w, "for", box, NULL);
		raw(&w, ">");
		text(&w, options[i].label);
		raw(&w, "</label></div>\n");
	}
	raw(&w, "</fieldset>\n");
	return w.rc;
}

int cb_view_button(cb_buf *b, const char *label, const char *name, const char *value)
{
	writer w = {b, 0};

	if (!label || !name != !value)
		return invalid("a button needs a label, and a value with its name");
	raw(&w, "<button type=\"submit\"");
	if (name) {
		attr(&w, "name", name, NULL);
		attr(&w, "value", value, NULL);
	}
	raw(&w, ">");
	text(&w, label);
	raw(&w, "</button>\n");
	return w.rc;
}

int cb_view_table_open(cb_buf *b, const char *caption, const char *const *head, size_t ncols)
{
	writer w = {b, 0};

	if (!caption || !ncols || !head)
		return invalid("a table needs a caption and its column titles");
	for (size_t i = 0; i < ncols; i++)
		if (!head[i])
			return invalid("a table needs a title for every column");
	/* A box that scrolls sideways on a narrow screen: focusable so that a
	 * keyboard can scroll it, named so that a screen reader says what. */
	raw(&w, "<div class=\"table\" role=\"region\" tabindex=\"0\"");
	attr(&w, "aria-label", caption, NULL);
	raw(&w, ">\n<table>\n<caption>");
	text(&w, caption);
	raw(&w, "</caption>\n<thead><tr>");
	for (size_t i = 0; i < ncols; i++) {
		raw(&w, "<th scope=\"col\">");
		text(&w, head[i]);
		raw(&w, "</th>");
	}
	raw(&w, "</tr></thead>\n<tbody>\n");
	return w.rc;
}

int cb_view_table_row(cb_buf *b, const cb_view_cell *cells, size_t ncols)
{
	writer w = {b, 0};

	for (size_t i = 0; i < ncols; i++)
		if (cells[i].href && !href_ok(cells[i].href))
			return invalid("a cell's link must be relative or http(s)");
	raw(&w, "<tr>");
	for (size_t i = 0; i < ncols; i++) {
		/* Text of several lines (a review's comment) keeps them:
		 * HTML would run them into one. */
		raw(&w, cells[i].number ? "<td class=\"n\">"
			: cells[i].text && strchr(cells[i].text, '\n') ? "<td class=\"lines\">"
									: "<td>");
		if (cells[i].href)
			link(&w, cells[i].href, cells[i].text ? cells[i].text : "", 0);
		else
			text(&w, cells[i].text);
		raw(&w, "</td>");
	}
	raw(&w, "</tr>\n");
	return w.rc;
}

int cb_view_table_close(cb_buf *b)
{
	return cb_buf_puts(b, "</tbody>\n</table>\n</div>\n");
}
