/* HTML escaping: one pass per string, appending to the caller's buffer. */
#include "format/html.h"

#include <string.h>

static int escape(cb_buf *b, const char *s, int quotes)
{
	const char *run = s;
	int rc = 0;

	if (!s)
		return 0;
	for (; *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;
		const char *rep = NULL;

		if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (quotes && c == '"')
			rep = "&quot;";
		else if (quotes && c == '\'')
			rep = "&#39;";
		else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			rep = "\xef\xbf\xbd"; /* U+FFFD */
		if (!rep)
			continue;
		if ((rc = cb_buf_append(b, run, (size_t)(s - run))) == 0)
			rc = cb_buf_puts(b, rep);
		run = s + 1;
	}
	return rc ? rc : cb_buf_append(b, run, strlen(run));
}

int cb_html_text(cb_buf *b, const char *s)
{
	return escape(b, s, 0);
}

int cb_html_attr(cb_buf *b, const char *s)
{
	return escape(b, s, 1);
}

int cb_html_json(cb_buf *b, const char *json)
{
	const char *run = json, *s;
	int rc = 0;

	for (s = json; *s && rc == 0; s++) {
		const char *rep = *s == '<' ? "\\u003c" : *s == '>' ? "\\u003e" : *s == '&' ? "\\u0026" : NULL;

		if (!rep)
			continue;
		if ((rc = cb_buf_append(b, run, (size_t)(s - run))) == 0)
			rc = cb_buf_puts(b, rep);
		run = s + 1;
	}
	return rc ? rc : cb_buf_append(b, run, strlen(run));
}
