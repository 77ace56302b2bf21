/*
 * Writing HTML safely: text for element content, values for attributes,
 * and JSON for a <script type="application/json"> data block, each
 * escaped so that no input can close the element it sits in. Everything
 * appends to a cb_buf; nothing here knows Casebook's records.
 */
#ifndef CB_FORMAT_HTML_H
#define CB_FORMAT_HTML_H

#include "base/buf.h"

/* Appends `s` (NULL: nothing) as element content: & < > become entities;
 * control characters other than tab and line feed become U+FFFD, since
 * HTML does not allow them. Returns 0 or CB_ENOMEM. */
int cb_html_text(cb_buf *b, const char *s);

/* Appends `s` (NULL: nothing) for use inside a double- or single-quoted
 * attribute value: as cb_html_text, and " ' too. Returns 0 or CB_ENOMEM. */
int cb_html_attr(cb_buf *b, const char *s);

/* Appends JSON text `json` for a <script type="application/json"> block:
 * every '<', '>' and '&' (which JSON only has inside strings) is written
 * as \u003c, \u003e, \u0026, so "</script>" and "<!--" cannot occur, and
 * JSON.parse of the block's text gives the same value. Returns 0 or
 * CB_ENOMEM. */
int cb_html_json(cb_buf *b, const char *json);

#endif
