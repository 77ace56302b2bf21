/*
 * The xAPI export: the workspace's training records as xAPI 1.0.3
 * statements (attendance, completion, reaction, test scores, case-study
 * submissions and approvals), with ids that stay the same from one export
 * to the next. The vocabulary is documented in README.md ("xAPI export")
 * and in `casebook export xapi --help`.
 */
#ifndef CB_APP_XAPI_H
#define CB_APP_XAPI_H

#include <jansson.h>
#include <stdint.h>

#include "app/workspace.h"
#include "store/xapi.h"

/* Every activity id and extension key starts with this IRI; `.invalid` is
 * a reserved top-level domain, so the ids can never clash with real ones
 * or be looked up. */
#define CB_XAPI_BASE "https://casebook.invalid/xapi/"
/* The homePage of the accounts of people without an email address. */
#define CB_XAPI_HOMEPAGE "https://casebook.invalid/"
/* The name-based (version 5) UUID namespace of statement ids: uuid5 of
 * the URL namespace and CB_XAPI_BASE. */
#define CB_XAPI_NAMESPACE "e5f22150-ee19-51af-9202-44e07dc28c24"

#define CB_XAPI_UUID_LEN 37 /* 36 characters and the NUL */

/* The version 5 UUID (RFC 4122: SHA-1 of CB_XAPI_NAMESPACE's 16 bytes
 * then `name`) of `name`, in lowercase, into out. */
void cb_app_xapi_uuid(const char *name, char out[CB_XAPI_UUID_LEN]);

#define CB_XAPI_BASE_MAX 202 /* 200 bytes, a '/' added, the NUL */

/* Checks `base`, an IRI the activity ids go under instead of CB_XAPI_BASE
 * (`export xapi --base`): http:// or https://, a host, at most 200 bytes,
 * no blanks, controls or non-ASCII bytes. Writes it into out ending in
 * '/'. CB_EINVALID says what is wrong. */
int cb_app_xapi_base_check(const char *base, char out[CB_XAPI_BASE_MAX]);

/* Builds the statements of the workspace as a JSON array in *out (caller
 * frees with json_decref), ordered by timestamp; with `since` non-NULL,
 * only the statements whose timestamp is at or after *since (Unix
 * seconds). Activity ids go under `base` (checked by
 * cb_app_xapi_base_check; NULL: CB_XAPI_BASE), and so does the homePage
 * of actors without an email; statement ids follow from the activity ids,
 * so two workspaces with their own bases never share one. Extension keys
 * stay under CB_XAPI_BASE: they name Casebook's vocabulary. Reads only. */
int cb_app_xapi_statements(cb_workspace *ws, const char *base, const int64_t *since,
			   json_t **out);

/* The statements as the export writes them: indented JSON ending in a
 * newline, the same bytes for the same statements. Caller frees *text
 * with free(). */
int cb_app_xapi_dump(const json_t *statements, char **text);

/* Writes text to `path` all at once: into a new file next to it, then
 * renamed over it, so `path` holds the old contents or the new ones and
 * never a part. CB_EIO names the path and the reason (a missing folder is
 * said as such). */
int cb_app_xapi_write_file(const char *path, const char *text);

#endif
