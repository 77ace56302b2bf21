/*
 * The server's pages: the frame every page shares (head, the signed-in
 * person, the nav, a flash message), forms whose every field has its
 * label, hint and error tied to it, and tables of links. Each call appends
 * HTML to a cb_buf; every string given here reaches the page through
 * cb_html_text or cb_html_attr, so no input can become markup.
 *
 * The pages work without JavaScript and carry no inline script and no
 * style attribute: they link CB_VIEW_STYLESHEET_PATH (view/style.h), so
 * the server can send
 *   Content-Security-Policy: default-src 'none'; style-src 'self';
 *     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'
 * and a missed escape shows up as a blocked script, not a working one.
 *
 * Ids: a field's id is "f-" and its name (or the id given), its hint's and
 * error's ids that id and "-hint", "-error"; a page with two forms that
 * share a field name gives one of them its own ids.
 *
 * Every function returns 0, CB_ENOMEM, or CB_EINVALID for a call the page
 * cannot be made from (a missing label or name, a POST form without a
 * CSRF token, a link that is not http(s), mailto or relative); after an
 * error `b` may hold part of the element, and the page is to be dropped.
 */
#ifndef CB_VIEW_PAGE_H
#define CB_VIEW_PAGE_H

#include <stddef.h>

#include "base/buf.h"

/* The name of the hidden field that carries the CSRF token. */
#define CB_VIEW_CSRF_FIELD "csrf_token"

/* A link of the nav; `current` marks the page being shown
 * (aria-current="page"). */
typedef struct cb_view_nav_item {
	const char *label;
	const char *href;
	int current;
} cb_view_nav_item;

typedef enum cb_view_flash_kind {
	CB_VIEW_FLASH_INFO,    /* role="status" */
	CB_VIEW_FLASH_SUCCESS, /* role="status" */
	CB_VIEW_FLASH_ERROR    /* role="alert": read out at once */
} cb_view_flash_kind;

typedef struct cb_view_page {
	const char *title;	  /* <title> ("TITLE · Casebook") and <h1>; required */
	const char *person;	  /* the signed-in person's name; NULL: nobody */
	const char *const *roles; /* their role names, shown beside it */
	size_t nroles;
	const cb_view_nav_item *nav; /* may be NULL when nnav is 0 */
	size_t nnav;
	const char *flash; /* a message from the last action; NULL: none */
	cb_view_flash_kind flash_kind;
	/* With a person, a "Sign out" button posting to sign_out with
	 * csrf_token; NULL sign_out: no button. */
	const char *sign_out;
	const char *csrf_token;
	const char *stylesheet; /* its href; NULL: CB_VIEW_STYLESHEET_PATH */
} cb_view_page;

/* Opens a page: everything up to and including <main> and its <h1> (and
 * the flash message). The page's content follows; cb_view_page_close
 * ends it. */
int cb_view_page_open(cb_buf *b, const cb_view_page *p);
int cb_view_page_close(cb_buf *b);

typedef enum cb_view_method {
	CB_VIEW_POST, /* changes something: carries the CSRF token */
	CB_VIEW_GET   /* reads only (a search, a filter) */
} cb_view_method;

/*
 * Opens a form to `action`. A POST form needs `csrf_token` (else
 * CB_EINVALID) and carries it in the hidden field CB_VIEW_CSRF_FIELD. A
 * GET form carries it when it is given, but should not be given one: a
 * GET puts its fields in the URL, where logs and the Referer header would
 * keep the token; and a GET changes nothing, so it needs none.
 */
int cb_view_form_open(cb_buf *b, const char *action, cb_view_method method, const char *csrf_token);
/* A POST form that uploads files (multipart/form-data), with the CSRF
 * token as cb_view_form_open's. */
int cb_view_form_open_upload(cb_buf *b, const char *action, const char *csrf_token);
int cb_view_form_close(cb_buf *b);

/* A form field: its label (required) tied to it with for/id, an optional
 * hint, and an optional error shown next to it (aria-invalid, and both
 * named by aria-describedby). */
typedef struct cb_view_field {
	const char *label; /* required */
	const char *name;  /* required */
	const char *id;	   /* NULL: "f-" and the name */
	const char *type;  /* an input's type: "text" when NULL, "email", "number", "password"
			      (whose value is never written), ...; a field that shows back a
			      wrong value ("2025-03-32") is "text": a browser drops a value
			      its "date" input cannot read */
	const char *value; /* NULL: empty; for a select, the value of the option selected */
	int required;
	const char *hint;  /* NULL: none */
	const char *error; /* NULL: none */
	const char *autocomplete; /* NULL: none; "username", "current-password",
				     "new-password" let a password manager fill the form */
} cb_view_field;

/* An option of a select. */
typedef struct cb_view_option {
	const char *value;
	const char *label;
} cb_view_option;

int cb_view_input(cb_buf *b, const cb_view_field *f);
int cb_view_textarea(cb_buf *b, const cb_view_field *f);
/* A select of `n` options, the one whose value equals f->value selected. */
int cb_view_select(cb_buf *b, const cb_view_field *f, const cb_view_option *options, size_t n);

/* A group of checkboxes under one name, in a fieldset whose legend is
 * f->label (f->hint and f->error as for a field; f->value and f->type
 * unused): one box per option, checked when its value is among
 * chosen[0..nchosen). For a choice of several (a case's sessions). Box i's
 * id is the field's id and "-" and i. */
int cb_view_checkboxes(cb_buf *b, const cb_view_field *f, const cb_view_option *options, size_t n,
		       const char *const *chosen, size_t nchosen);

/* A submit button. `name` and `value` (both NULL, or both given) tell the
 * server which of several buttons was pressed. */
int cb_view_button(cb_buf *b, const char *label, const char *name, const char *value);

/* A table's cell: text, a link when `href` is given, right-aligned when
 * `number`. */
typedef struct cb_view_cell {
	const char *text;
	const char *href;
	int number;
} cb_view_cell;

/*
 * A table with a caption (required: it names the table, and the box that
 * scrolls it sideways on a narrow screen, to a screen reader) and `ncols`
 * column titles; then rows of `ncols` cells; then the end.
 */
int cb_view_table_open(cb_buf *b, const char *caption, const char *const *head, size_t ncols);
int cb_view_table_row(cb_buf *b, const cb_view_cell *cells, size_t ncols);
int cb_view_table_close(cb_buf *b);

#endif
