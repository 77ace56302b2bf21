/*
 * Case-study files as input: reading them, slugs from titles, the people
 * they name, checking a document against the workspace, and the template.
 */
#include "app/case.h"

#include <nettle/sha2.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/kpi_value.h"
#include "base/date.h"
#include "base/error.h"
#include "base/text.h"
#include "store/account.h"
#include "store/person.h"
#include "store/coverage.h"
#include "store/exposure.h"
#include "store/session.h"
#include "app/case_internal.h"

/* ------------------------------------------------------------------ */
/* Input                                                                 */

int cb_app_case_read_file(const char *path, char **text, size_t *len)
{
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int rc = 0;

	*text = NULL;
	*len = 0;
	if (!f)
		return cb_error_set(CB_EIO, "cannot open %s: %s", name, strerror(errno));
	if (fstat(fileno(f), &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			rc = cb_error_set(CB_EINVALID, "%s is a folder, not a case-study file", name);
			goto done;
		}
		if (S_ISREG(st.st_mode) && st.st_size > CB_FM_SIZE_MAX) {
			rc = cb_error_set(CB_EINVALID,
					  "%s is %lld bytes long; a case study is at most %d bytes (256 KiB)",
					  name, (long long)st.st_size, CB_FM_SIZE_MAX);
			goto done;
		}
	}
	/* One byte more than the limit tells an oversized stream. */
	if (!(buf = malloc(CB_FM_SIZE_MAX + 2))) {
		rc = cb_case_oom();
		goto done;
	}
	n = fread(buf, 1, CB_FM_SIZE_MAX + 1, f);
	if (ferror(f)) {
		rc = cb_error_set(CB_EIO, "cannot read %s: %s", name, strerror(errno));
		goto done;
	}
	if (n > CB_FM_SIZE_MAX) {
		rc = cb_error_set(CB_EINVALID,
				  "%s is more than %d bytes long; a case study is at most 256 KiB", name,
				  CB_FM_SIZE_MAX);
		goto done;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	buf = NULL;
done:
	free(buf);
	if (!is_stdin)
		fclose(f);
	return rc;
}

/* Latin letters with diacritics as ASCII, the way German, French,
 * Scandinavian, Polish, Czech, Romanian... writers spell them without
 * their keyboard (ä ae, é e, ß ss, ł l, ø o, þ th): Latin-1 Supplement,
 * Latin Extended-A, and Romanian's comma-below letters. By code point. */
static const struct translit {
	unsigned cp;
	const char *ascii;
} translits[] = {
	{0x00C0, "a"}, {0x00C1, "a"}, {0x00C2, "a"}, {0x00C3, "a"}, {0x00C4, "ae"}, {0x00C5, "a"},
	{0x00C6, "ae"}, {0x00C7, "c"}, {0x00C8, "e"}, {0x00C9, "e"}, {0x00CA, "e"}, {0x00CB, "e"},
	{0x00CC, "i"}, {0x00CD, "i"}, {0x00CE, "i"}, {0x00CF, "i"}, {0x00D0, "d"}, {0x00D1, "n"},
	{0x00D2, "o"}, {0x00D3, "o"}, {0x00D4, "o"}, {0x00D5, "o"}, {0x00D6, "oe"}, {0x00D8, "o"},
	{0x00D9, "u"}, {0x00DA, "u"}, {0x00DB, "u"}, {0x00DC, "ue"}, {0x00DD, "y"}, {0x00DE, "th"},
	{0x00DF, "ss"}, {0x00E0, "a"}, {0x00E1, "a"}, {0x00E2, "a"}, {0x00E3, "a"}, {0x00E4, "ae"},
	{0x00E5, "a"}, {0x00E6, "ae"}, {0x00E7, "c"}, {0x00E8, "e"}, {0x00E9, "e"}, {0x00EA, "e"},
	{0x00EB, "e"}, {0x00EC, "i"}, {0x00ED, "i"}, {0x00EE, "i"}, {0x00EF, "i"}, {0x00F0, "d"},
	{0x00F1, "n"}, {0x00F2, "o"}, {0x00F3, "o"}, {0x00F4, "o"}, {0x00F5, "o"}, {0x00F6, "oe"},
	{0x00F8, "o"}, {0x00F9, "u"}, {0x00FA, "u"}, {0x00FB, "u"}, {0x00FC, "ue"}, {0x00FD, "y"},
	{0x00FE, "th"}, {0x00FF, "y"}, {0x0100, "a"}, {0x0101, "a"}, {0x0102, "a"}, {0x0103, "a"},
	{0x0104, "a"}, {0x0105, "a"}, {0x0106, "c"}, {0x0107, "c"}, {0x0108, "c"}, {0x0109, "c"},
	{0x010A, "c"}, {0x010B, "c"}, {0x010C, "c"}, {0x010D, "c"}, {0x010E, "d"}, {0x010F, "d"},
	{0x0110, "d"}, {0x0111, "d"}, {0x0112, "e"}, {0x0113, "e"}, {0x0114, "e"}, {0x0115, "e"},
	{0x0116, "e"}, {0x0117, "e"}, {0x0118, "e"}, {0x0119, "e"}, {0x011A, "e"}, {0x011B, "e"},
	{0x011C, "g"}, {0x011D, "g"}, {0x011E, "g"}, {0x011F, "g"}, {0x0120, "g"}, {0x0121, "g"},
	{0x0122, "g"}, {0x0123, "g"}, {0x0124, "h"}, {0x0125, "h"}, {0x0126, "h"}, {0x0127, "h"},
	{0x0128, "i"}, {0x0129, "i"}, {0x012A, "i"}, {0x012B, "i"}, {0x012C, "i"}, {0x012D, "i"},
	{0x012E, "i"}, {0x012F, "i"}, {0x0130, "i"}, {0x0131, "i"}, {0x0132, "ij"}, {0x0133, "ij"},
	{0x0134, "j"}, {0x0135, "j"}, {0x0136, "k"}, {0x0137, "k"}, {0x0138, "k"}, {0x0139, "l"},
	{0x013A, "l"}, {0x013B, "l"}, {0x013C, "l"}, {0x013D, "l"}, {0x013E, "l"}, {0x013F, "l"},
	{0x0140, "l"}, {0x0141, "l"}, {0x0142, "l"}, {0x0143, "n"}, {0x0144, "n"}, {0x0145, "n"},
	{0x0146, "n"}, {0x0147, "n"}, {0x0148, "n"}, {0x0149, "n"}, {0x014A, "n"}, {0x014B, "n"},
	{0x014C, "o"}, {0x014D, "o"}, {0x014E, "o"}, {0x014F, "o"}, {0x0150, "o"}, {0x0151, "o"},
	{0x0152, "oe"}, {0x0153, "oe"}, {0x0154, "r"}, {0x0155, "r"}, {0x0156, "r"}, {0x0157, "r"},
	{0x0158, "r"}, {0x0159, "r"}, {0x015A, "s"}, {0x015B, "s"}, {0x015C, "s"}, {0x015D, "s"},
	{0x015E, "s"}, {0x015F, "s"}, {0x0160, "s"}, {0x0161, "s"}, {0x0162, "t"}, {0x0163, "t"},
	{0x0164, "t"}, {0x0165, "t"}, {0x0166, "t"}, {0x0167, "t"}, {0x0168, "u"}, {0x0169, "u"},
	{0x016A, "u"}, {0x016B, "u"}, {0x016C, "u"}, {0x016D, "u"}, {0x016E, "u"}, {0x016F, "u"},
	{0x0170, "u"}, {0x0171, "u"}, {0x0172, "u"}, {0x0173, "u"}, {0x0174, "w"}, {0x0175, "w"},
	{0x0176, "y"}, {0x0177, "y"}, {0x0178, "y"}, {0x0179, "z"}, {0x017A, "z"}, {0x017B, "z"},
	{0x017C, "z"}, {0x017D, "z"}, {0x017E, "z"}, {0x017F, "s"}, {0x0218, "s"}, {0x0219, "s"},
	{0x021A, "t"}, {0x021B, "t"}, {0x1E9E, "ss"},
};

static const char *translit_of(unsigned cp)
{
	size_t lo = 0, hi = sizeof(translits) / sizeof(translits[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (translits[mid].cp == cp)
			return translits[mid].ascii;
		if (translits[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The next code point of UTF-8 text at *p (advanced past it); an invalid
 * byte counts as one unknown character. */
static unsigned next_code_point(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	size_t n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 1;
	unsigned cp;

	if (n == 1 || cb_utf8_invalid_at(*p, strnlen(*p, n)) != (size_t)-1) {
		(*p)++;
		return s[0] < 0x80 ? s[0] : 0xFFFD;
	}
	cp = s[0] & (0x7F >> n);
	for (size_t k = 1; k < n; k++)
		cp = (cp << 6) | (s[k] & 0x3F);
	*p += n;
	return cp;
}

int cb_app_case_slug_from_title(const char *title, char out[CB_REPO_SLUG_MAX + 1])
{
	size_t n = 0;

	for (const char *p = title ? title : ""; *p && n < CB_REPO_SLUG_MAX;) {
		unsigned cp = next_code_point(&p);
		const char *ascii = cp >= 0x80 ? translit_of(cp) : NULL;
		char c = cp < 0x80 ? (char)cp : 0;

		if (ascii) {
			for (; *ascii && n < CB_REPO_SLUG_MAX; ascii++)
				out[n++] = *ascii;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[n++] = c;
		else if (n && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (!n) {
		/* Nothing Latin to spell it with (a title in Greek, Cyrillic,
		 * CJK...): "case-" and the first 12 hex digits of the title's
		 * SHA-256, the same for the same title. */
		struct sha256_ctx ctx;
		uint8_t digest[SHA256_DIGEST_SIZE];

		if (!title || !*title)
			return cb_error_set(CB_EINVALID,
					    "cannot make a slug from an empty title; give one with --slug");
		sha256_init(&ctx);
		sha256_update(&ctx, strlen(title), (const uint8_t *)title);
		sha256_digest(&ctx, sizeof(digest), digest);
		n = (size_t)snprintf(out, CB_REPO_SLUG_MAX + 1, "case-");
		for (size_t i = 0; i < 6; i++)
			n += (size_t)snprintf(out + n, CB_REPO_SLUG_MAX + 1 - n, "%02x", digest[i]);
	}
	return 0;
}

int cb_case_copy_slug(const char *slug, char out[CB_REPO_SLUG_MAX + 1])
{
	int rc;

	if ((rc = cb_repo_slug_check(slug)) < 0)
		return rc;
	snprintf(out, CB_REPO_SLUG_MAX + 1, "%s", slug);
	return 0;
}

/* Prefixes the current message with "NAME:LINE" when the line is known. */
static int at_line(int rc, const char *name, int line)
{
	if (line > 0)
		cb_error_prefix("%s:%d", name, line);
	else
		cb_error_prefix("%s", name);
	return rc;
}

/* ------------------------------------------------------------------ */
/* People                                                                */

/* Person `key` holding one of `roles`; `as` names the part they play
 * ("technician", "reviewer"). Caller clears *p. */
int cb_case_person_with_role(cb_store *s, const char *key, unsigned roles, const char *as,
			    const char *roles_text, cb_person *p)
{
	char held[64] = "";
	int rc;

	if ((rc = cb_store_person_get(s, key, p)) < 0)
		return rc;
	if (p->roles & roles)
		return 0;
	for (unsigned r = 1; r <= CB_ROLE_LAST; r <<= 1)
		if (p->roles & r)
			snprintf(held + strlen(held), sizeof(held) - strlen(held), "%s%s",
				 held[0] ? ", " : "", cb_role_name(r));
	rc = cb_error_set(CB_EINVALID, "person '%s' cannot be the %s: that needs the %s role (they hold %s)",
			  key, as, roles_text, held[0] ? held : "no role");
	cb_person_clear(p);
	return rc;
}

/* The commit author for a person: their name and email, or
 * KEY@casebook.invalid when they have none. `email` holds the fallback. */
cb_repo_author cb_case_author_of(const cb_person *p, char *email, size_t emaillen)
{
	cb_repo_author a = {0};

	a.name = p->name;
	if (p->email && *p->email) {
		a.email = p->email;
	} else {
		snprintf(email, emaillen, "%s@casebook.invalid", p->key);
		a.email = email;
	}
	return a;
}

/* ------------------------------------------------------------------ */
/* Checking a document against the workspace                            */

static int check_kpi(cb_plugin_host *host, const char *name, const cb_case_claim *c)
{
	const char *keys[256];
	size_t n = cb_plugin_kpi_count(host);
	const char *hint;

	if (cb_plugin_kpi_find(host, c->kpi))
		return 0;
	if (n > 256)
		n = 256;
	for (size_t i = 0; i < n; i++)
		keys[i] = cb_plugin_kpi_at(host, i)->key;
	hint = cb_text_suggest(c->kpi, keys, n);
	if (hint)
		cb_error_set(CB_ENOTFOUND, "unknown KPI '%s' (did you mean '%s'?)", c->kpi, hint);
	else
		cb_error_set(CB_ENOTFOUND, "unknown KPI '%s'; 'casebook kpi list' shows the KPIs",
			     c->kpi);
	return at_line(CB_ENOTFOUND, name, c->line);
}

static json_t *case_record(const char *slug, const cb_case_doc *d)
{
	json_t *sessions = json_array(), *principles = json_array(), *claims = json_array();
	json_t *rec;

	for (size_t i = 0; sessions && i < d->n_sessions; i++)
		json_array_append_new(sessions, json_string(d->sessions[i]));
	for (size_t i = 0; principles && i < d->n_principles; i++)
		json_array_append_new(principles, json_string(d->principles[i]));
	for (size_t i = 0; claims && i < d->n_claims; i++) {
		const cb_case_claim *c = &d->claims[i];
		char from[CB_DATE_LEN], to[CB_DATE_LEN];

		cb_date_format(c->from, from);
		cb_date_format(c->to, to);
		json_array_append_new(claims,
				      json_pack("{s:s, s:f, s:f, s:s, s:s, s:o}", "kpi", c->kpi,
						"before", c->before, "after", c->after, "from", from,
						"to", to, "note",
						c->note ? json_string(c->note) : json_null()));
	}
	rec = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "slug", slug, "title", d->title,
			"technician", d->technician, "account", d->account, "sessions", sessions,
			"principles", principles, "claims", claims);
	return rec;
}

/* Everything a submission or revision must satisfy beyond the format:
 * the technician, account, sessions and KPIs exist, and every plugin's
 * case.submit hook accepts the case. Fills *tech (caller clears). */
/* The placeholders of `case new`'s template (cb_app_case_template): a
 * document that still holds one has not been written yet. */
#define TEMPLATE_TITLE "What happened, at which customer, in one line"
#define TEMPLATE_KPI "kpi-key"
#define TEMPLATE_CLAIM_NOTE "What exactly was measured (replace this claim or delete it)"

/* Whether text holds nothing but HTML comments and white space. */
static int only_comments(const char *text)
{
	const char *p = text ? text : "";

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			return 1;
		if (strncmp(p, "<!--", 4) != 0)
			return 0;
		p = strstr(p + 4, "-->");
		if (!p)
			return 0;
		p += 3;
	}
}

/* Refuses the template as `case new` writes it, unedited: its placeholder
 * title, a required section holding only its guidance, its example claim. */
static int check_written(const char *name, const cb_case_doc *d)
{
	static const char *const sections[] = {"Situation", "Actions", "Outcome"};
	const char *texts[] = {d->situation, d->actions, d->outcome};

	if (d->title && strcmp(d->title, TEMPLATE_TITLE) == 0)
		return at_line(cb_error_set(CB_EINVALID,
					    "the title is still the template's ('%s'): write what "
					    "happened, at which customer",
					    TEMPLATE_TITLE),
			       name, d->title_line);
	for (size_t i = 0; i < 3; i++)
		if (only_comments(texts[i]))
			return cb_error_set(CB_EINVALID,
					    "%s: the ## %s section holds only the template's guidance "
					    "(<!-- ... -->): write it in your own words",
					    name, sections[i]);
	for (size_t i = 0; i < d->n_claims; i++) {
		const cb_case_claim *c = &d->claims[i];

		if (strcmp(c->kpi, TEMPLATE_KPI) == 0 ||
		    (c->note && strcmp(c->note, TEMPLATE_CLAIM_NOTE) == 0))
			return at_line(cb_error_set(CB_EINVALID,
						    "claim %zu is still the template's example: replace "
						    "it with a KPI you measured ('casebook kpi list'), "
						    "or delete it",
						    i + 1),
				       name, c->line);
	}
	return 0;
}

typedef struct reach {
	int64_t account;
	int found;
} reach;

static int on_reached(int64_t account_id, void *ctx)
{
	reach *r = ctx;

	r->found |= account_id == r->account;
	return 0;
}

static int on_coverage(const cb_coverage *c, void *ctx)
{
	(void)c;
	*(int *)ctx = 1;
	return 0;
}

int cb_case_check_reach(cb_workspace *ws, const char *name, const cb_case_doc *d,
			const cb_person *tech, int allow, int *uncovered)
{
	int64_t account;
	int covered = 0, rc;
	reach r = {0, 0};

	*uncovered = 0;
	if ((rc = cb_store_account_id(ws->store, d->account, &account)) < 0)
		return rc;
	if ((rc = cb_store_coverage_each(ws->store, tech->id, account, on_coverage, &covered)) < 0)
		return rc;
	r.account = account;
	for (size_t i = 0; !covered && !r.found && i < d->n_sessions; i++) {
		cb_session x;

		if ((rc = cb_store_session_get(ws->store, d->sessions[i], &x)) < 0)
			return rc;
		rc = cb_store_exposure_accounts(ws->store, x.id, x.ends_on, 0, on_reached, &r);
		cb_session_clear(&x);
		if (rc < 0)
			return rc;
	}
	if (covered || r.found)
		return 0;
	*uncovered = 1;
	if (allow)
		return 0;
	return at_line(cb_error_set(CB_EINVALID,
				    "technician '%s' never covered account '%s', and none of the "
				    "sessions the case cites reached it: record the coverage "
				    "('casebook cover %s %s --from DATE') or, if the case is right as it "
				    "is, submit it with --allow-uncovered (the commit says so)",
				    tech->key, d->account, tech->key, d->account),
		       name, d->account_line);
}

int cb_case_check_document(cb_workspace *ws, const char *name, const char *slug,
			  const cb_case_doc *d, cb_person *tech)
{
	cb_plugin_host *host;
	json_t *rec;
	int64_t id;
	int rc;

	*tech = (cb_person){0};
	if ((rc = check_written(name, d)) < 0)
		return rc;
	if ((rc = cb_case_person_with_role(ws->store, d->technician, CB_ROLE_TECHNICIAN, "technician",
				   "technician", tech)) < 0)
		return at_line(rc, name, d->technician_line);
	if ((rc = cb_store_account_id(ws->store, d->account, &id)) < 0)
		return at_line(rc, name, d->account_line);
	for (size_t i = 0; i < d->n_sessions; i++) {
		cb_session x;
		int exists;

		if ((rc = cb_store_session_exists(ws->store, d->sessions[i], &exists)) < 0)
			return rc;
		if (exists)
			continue;
		/* for the message with its suggestion */
		rc = cb_store_session_get(ws->store, d->sessions[i], &x);
		if (rc == 0) {
			cb_session_clear(&x);
			continue;
		}
		return at_line(rc, name, d->session_lines ? d->session_lines[i] : 0);
	}
	if ((rc = cb_workspace_plugins(ws, &host)) < 0)
		return rc;
	for (size_t i = 0; i < d->n_claims; i++)
		if ((rc = check_kpi(host, name, &d->claims[i])) < 0)
			return rc;
	if (!(rec = case_record(slug, d)))
		return cb_case_oom();
	rc = cb_plugin_hook_run(host, "case.submit", rec);
	json_decref(rec);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The template                                                          */

static const char template_preamble[] =
	"<!-- A case study: how you applied the training at one customer and what it\n"
	"changed there. Replace the title, the keys ('casebook person list',\n"
	"'casebook account list', 'casebook session list', 'casebook kpi list'),\n"
	"the principles and the claims, and write the three sections below; then\n"
	"'casebook case submit FILE'. casestudies/FORMAT.md has every rule. -->";
static const char template_situation[] =
	"<!-- What was the customer trying to achieve, and what stood in the way?\n"
	"What did you know or notice that others did not? -->";
static const char template_actions[] =
	"<!-- What did you do, step by step, and which principle did each step\n"
	"apply? Name people by their role, not their name, unless they agreed. -->";
static const char template_outcome[] =
	"<!-- What changed for the customer, in their words and in numbers? The\n"
	"numbers belong in the claims too: each claim's period is the window its\n"
	"\"after\" value covers, and Casebook compares it with the 90 days before. -->";

static char *dup_str(const char *s, int *failed)
{
	char *c = strdup(s);

	if (!c)
		*failed = 1;
	return c;
}

int cb_app_case_template(cb_workspace *ws, const cb_case_template *t, cb_buf *out)
{
	cb_case_doc d = {0};
	int failed = 0, rc;
	int32_t today = cb_date_today();

	if (ws) {
		cb_person tech;
		int64_t id;

		if (t->technician) {
			if ((rc = cb_case_person_with_role(ws->store, t->technician, CB_ROLE_TECHNICIAN,
						   "technician", "technician", &tech)) < 0)
				return cb_error_prefix("--technician");
			cb_person_clear(&tech);
		}
		if (t->account && (rc = cb_store_account_id(ws->store, t->account, &id)) < 0)
			return cb_error_prefix("--account");
		for (size_t i = 0; i < t->n_sessions; i++) {
			cb_session x;

			if ((rc = cb_store_session_get(ws->store, t->sessions[i], &x)) < 0)
				return cb_error_prefix("--session");
			cb_session_clear(&x);
		}
	}
	d.title = dup_str(TEMPLATE_TITLE, &failed);
	d.technician = dup_str(t->technician ? t->technician : "your-person-key", &failed);
	d.account = dup_str(t->account ? t->account : "account-key", &failed);
	d.n_sessions = t->n_sessions ? t->n_sessions : 1;
	d.sessions = calloc(d.n_sessions, sizeof(*d.sessions));
	d.principles = calloc(1, sizeof(*d.principles));
	d.claims = calloc(1, sizeof(*d.claims));
	if (!d.sessions || !d.principles || !d.claims) {
		cb_frontmatter_clear(&d);
		return cb_case_oom();
	}
	for (size_t i = 0; i < d.n_sessions; i++)
		d.sessions[i] = dup_str(t->n_sessions ? t->sessions[i] : "session-key", &failed);
	d.principles[0] = dup_str("Listen to what the customer is trying to achieve", &failed);
	d.n_principles = 1;
	d.claims[0].kpi = dup_str(TEMPLATE_KPI, &failed);
	d.claims[0].before = 0;
	d.claims[0].after = 1;
	d.claims[0].from = today - 180;
	d.claims[0].to = today - 1;
	d.claims[0].note = dup_str(TEMPLATE_CLAIM_NOTE, &failed);
	d.n_claims = 1;
	d.preamble = dup_str(template_preamble, &failed);
	d.situation = dup_str(template_situation, &failed);
	d.actions = dup_str(template_actions, &failed);
	d.outcome = dup_str(template_outcome, &failed);
	rc = failed ? cb_case_oom() : cb_frontmatter_render(&d, out);
	cb_frontmatter_clear(&d);
	return rc;
}
