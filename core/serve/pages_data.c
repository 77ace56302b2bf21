/* Uploading KPI data: a CSV file as `data import` reads it, with the same
 * line-numbered errors, imported whole or not at all. The upload is
 * written to a private temporary file in the workspace folder (the
 * importer reads a file, as it does for the command line, and hashes its
 * bytes), imported under the name the browser gave, and removed. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/data.h"
#include "base/error.h"
#include "base/text.h"
#include "format/html.h"
#include "serve/pages.h"
#include "view/page.h"

static int upload_form(cb_serve_request *rq, const char *flash, int error, const char *details)
{
	cb_buf *b = &rq->body;

	cb_serve_page_open(rq, "Import KPI data", "/data/import", flash, error);
	if (details) {
		cb_buf_puts(b, "<pre class=\"diff\">");
		cb_html_text(b, details);
		cb_buf_puts(b, "</pre>\n");
	}
	cb_buf_puts(b, "<p>A CSV file with the columns <code>account</code>, <code>measure</code>, "
		       "<code>at</code>, <code>value</code> (and optionally <code>source</code>, "
		       "<code>note</code>), as <code>casebook data import</code> reads it. A file "
		       "with any error is not imported at all: every error is listed with its "
		       "line.</p>\n");
	cb_view_form_open_upload(b, "/data/import", rq->auth.csrf);
	cb_view_input(b, &(cb_view_field){.label = "The CSV file",
					  .name = "file",
					  .type = "file",
					  .required = 1,
					  .hint = "At most 32 MiB; larger files: casebook data import"});
	cb_buf_puts(b, "<div class=\"field\"><div class=\"check\"><input type=\"checkbox\" "
		       "id=\"f-create\" name=\"create_accounts\" value=\"1\"><label for=\"f-create\">"
		       "Add accounts the file names that are not recorded yet</label></div>\n"
		       "<div class=\"check\"><input type=\"checkbox\" id=\"f-skip\" "
		       "name=\"skip_duplicates\" value=\"1\"><label for=\"f-skip\">Leave out rows "
		       "another import already stored</label></div></div>\n");
	cb_view_button(b, "Check only", "step", "check");
	cb_view_button(b, "Import", "step", "import");
	cb_view_form_close(b);
	return cb_serve_page_close(rq);
}

int cb_serve_page_data_import(cb_serve_request *rq, const char *const *arg)
{
	if (cb_serve_allowed(rq, CB_ACT_DATA_IMPORT, NULL))
		return 0;
	return upload_form(rq, NULL, 0, NULL);
}

/* The browser's file name, kept to what a message may quote: its last
 * path part, printable, at most 100 bytes. */
static void upload_name(const char *given, char *out, size_t size)
{
	const char *base = given ? given : "upload.csv";
	size_t n = 0;

	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	for (const char *p = base; *p && n + 1 < size && n < 100; p++)
		out[n++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
	out[n] = '\0';
	if (!n)
		snprintf(out, size, "upload.csv");
}

int cb_serve_post_data_import(cb_serve_request *rq, const char *const *arg)
{
	const cb_serve_field *file = cb_serve_upload(rq, "file");
	const char *step = cb_serve_field_get(rq, "step");
	cb_data_import_options o = {0};
	cb_data_import_result res;
	char name[128], *tmp = NULL, msg[300];
	int fd = -1, rc;

	if (cb_serve_allowed(rq, CB_ACT_DATA_IMPORT, NULL))
		return 0;
	if (!file || !file->len) {
		rq->status = 400;
		return upload_form(rq, "Choose a CSV file to import.", 1, NULL);
	}
	upload_name(file->filename, name, sizeof(name));
	o.name = name;
	o.dry_run = !step || strcmp(step, "import") != 0;
	o.create_accounts = cb_serve_field_get(rq, "create_accounts") != NULL;
	o.skip_duplicates = cb_serve_field_get(rq, "skip_duplicates") != NULL;
	if (asprintf(&tmp, "%s/.upload-XXXXXX", rq->ws->dir) < 0)
		return cb_error_set(CB_ENOMEM, "out of memory");
	if ((fd = mkstemp(tmp)) < 0) {
		rc = cb_error_set(CB_EIO, "cannot keep the upload in %s: %s", rq->ws->dir,
				  strerror(errno));
		free(tmp);
		return rc;
	}
	for (size_t done = 0; done < file->len;) {
		ssize_t n = write(fd, file->value + done, file->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = cb_error_set(CB_EIO, "cannot keep the upload: %s", strerror(errno));
			goto done;
		}
		done += (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = cb_error_set(CB_EIO, "cannot keep the upload: %s", strerror(errno));
		goto done;
	}
	fd = -1;
	rc = cb_app_data_import(rq->ws, tmp, &o, &res);
	if (rc == CB_EINVALID) {
		rq->status = 400;
		rc = upload_form(rq, "Nothing was imported: the file has errors.", 1, cb_error_last());
		goto done;
	}
	if (rc < 0)
		goto done;
	if (res.already)
		snprintf(msg, sizeof(msg), "%s was imported before (the same bytes): nothing changed.",
			 name);
	else if (o.dry_run)
		snprintf(msg, sizeof(msg),
			 "%s is fine: %lld row%s would be stored (%lld repeat%s left out). "
			 "Nothing is imported yet.",
			 name, (long long)res.rows, res.rows == 1 ? "" : "s", (long long)res.skipped,
			 res.skipped == 1 ? "" : "s");
	else
		snprintf(msg, sizeof(msg), "Imported %s: %lld row%s as batch %lld (%lld repeat%s left out).",
			 name, (long long)res.rows, res.rows == 1 ? "" : "s", (long long)res.batch_id,
			 (long long)res.skipped, res.skipped == 1 ? "" : "s");
	rc = upload_form(rq, msg, 0, NULL);
done:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}
