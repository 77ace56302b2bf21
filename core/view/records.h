/*
 * The JSON of one record as `--json` prints it and the server's API
 * answers it: one builder per shape, shared by core/cli and core/serve so
 * that `session list --json` and GET /api/v1/sessions cannot drift apart.
 */
#ifndef CB_VIEW_RECORDS_H
#define CB_VIEW_RECORDS_H

#include <jansson.h>

#include "app/case.h"    /* cb_case_index */
#include "app/session.h" /* cb_session */

/* A row of `session list --json`; NULL when out of memory. */
json_t *cb_view_session_json(const cb_session *x);

/* A row of `case list --json`: the index row with its sessions and the
 * KPIs its claims name; NULL when out of memory. */
json_t *cb_view_case_json(const cb_case_index *c);

#endif
