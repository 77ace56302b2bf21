/* Writes a sample of the server's pages for tests/e2e/page_axe.sh to open
 * in a browser: DIR/page.html, using every helper of view/page.h (a signed
 * in person, the nav, an error flash, a form with hints and errors, a
 * select, a textarea, buttons, a table of links), and DIR/casebook.css,
 * the stylesheet the server serves.
 *   view_page_sample DIR */
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "view/page.h"
#include "view/style.h"

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		return -1;
	rc = fputs(text, f) < 0;
	return fclose(f) || rc ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const char *const roles[] = {"trainer", "consultant"};
	static const cb_view_nav_item nav[] = {{"Home", "/", 0},
					       {"Sessions", "/sessions", 1},
					       {"Accounts", "/accounts", 0},
					       {"Case studies", "/cases", 0},
					       {"Reports", "/reports", 0}};
	const cb_view_page page = {"Record a session",
				   "Ana Lima",
				   roles,
				   2,
				   nav,
				   5,
				   "The session was not saved: 2 fields need a look.",
				   CB_VIEW_FLASH_ERROR,
				   "/sign-out",
				   "t0k3n",
				   "casebook.css"};
	static const cb_view_option formats[] = {{"", "Choose a format"},
						 {"in-person", "In person"},
						 {"blended", "Blended"},
						 {"virtual", "Virtual"}};
	static const char *const head[] = {"Session", "Program", "Format", "Accounts"};
	static const cb_view_cell rows[][4] = {{{"tco-2025-03-03", "/sessions/tco-2025-03-03", 0},
						{"Total Customer Orientation", "/programs/tco", 0},
						{"blended", NULL, 0},
						{"20", NULL, 1}},
					       {{"tco-2025-04-14", "/sessions/tco-2025-04-14", 0},
						{"Total Customer Orientation", "/programs/tco", 0},
						{"virtual", NULL, 0},
						{"12", NULL, 1}}};
	cb_buf b = CB_BUF_INIT;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: view_page_sample DIR\n");
		return 2;
	}
	rc |= cb_view_page_open(&b, &page);
	rc |= cb_view_form_open(&b, "/sessions", CB_VIEW_POST, "t0k3n");
	rc |= cb_view_input(&b, &(cb_view_field){"Title", "title", NULL, NULL, "Spring", 1,
						 "As the attendees know it"});
	rc |= cb_view_select(&b,
			     &(cb_view_field){"Format", "format", NULL, NULL, "", 1, NULL,
					      "Choose how the session was delivered"},
			     formats, 4);
	rc |= cb_view_input(&b, &(cb_view_field){"First day", "start", NULL, "text", "2025-03-32",
						 1, "YYYY-MM-DD", "2025-03-32 is not a day"});
	rc |= cb_view_input(&b, &(cb_view_field){"Cost", "cost", NULL, "number", "20000", 0,
						 "In the currency below"});
	rc |= cb_view_textarea(&b,
			       &(cb_view_field){"Notes", "notes", NULL, NULL, "Room 2, <b>", 0});
	rc |= cb_view_button(&b, "Save", NULL, NULL);
	rc |= cb_view_button(&b, "Save and add another", "then", "new");
	rc |= cb_view_form_close(&b);
	rc |= cb_view_form_open(&b, "/sessions", CB_VIEW_GET, NULL);
	rc |= cb_view_input(&b, &(cb_view_field){"Find a session", "q", NULL, "search", NULL, 0});
	rc |= cb_view_button(&b, "Find", NULL, NULL);
	rc |= cb_view_form_close(&b);
	rc |= cb_view_table_open(&b, "Recent sessions", head, 4);
	for (size_t i = 0; i < 2; i++)
		rc |= cb_view_table_row(&b, rows[i], 4);
	rc |= cb_view_table_close(&b);
	rc |= cb_view_page_close(&b);
	if (rc || write_file(argv[1], "page.html", b.ptr) ||
	    write_file(argv[1], "casebook.css", cb_view_stylesheet())) {
		fprintf(stderr, "view_page_sample: could not write the sample into %s\n", argv[1]);
		return 1;
	}
	cb_buf_free(&b);
	return 0;
}
