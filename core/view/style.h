/*
 * Casebook's stylesheet, as static text: the report's rules (which a
 * report file inlines) and the pages' rules after them (which the server
 * serves as a file, so that no page carries inline style).
 */
#ifndef CB_VIEW_STYLE_H
#define CB_VIEW_STYLE_H

/* Where the server serves cb_view_stylesheet() and where pages link it. */
#define CB_VIEW_STYLESHEET_PATH "/static/casebook.css"

/* The whole stylesheet, report and pages (static, NUL-terminated). Serve
 * it as text/css at CB_VIEW_STYLESHEET_PATH. */
const char *cb_view_stylesheet(void);

/* The report's part of it, the first strlen() bytes of
 * cb_view_stylesheet() (static), which the standalone report inlines. */
const char *cb_view_report_stylesheet(void);

#endif
