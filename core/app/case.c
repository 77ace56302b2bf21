/*
 * The case-study workflow over the repository (the text, source of truth)
 * and the database (its index and the workflow status). Every write checks
 * all of its input first, then takes the database's write lock, writes the
 * index rows, makes the git commit, and commits the database last, so a
 * refusal changes neither side and a crash in between leaves the repository
 * ahead, which `casebook check` reports and `casebook reindex` mends.
 */
#include "app/case.h"

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
#include "store/session.h"

const char *const cb_case_statuses[] = {"submitted", "changes-requested", "approved", "published",
					NULL};

#define PROBLEMS_SHOWN 5 /* differences named in check's message */

static int oom(void)
{
	return cb_error_set(CB_ENOMEM, "out of memory");
}

/* The time of a write, in the index's form; the same second goes into
 * the commit (cb_repo_author.when), so the index and the history agree. */
static int64_t now_text(char out[CB_DATETIME_LEN])
{
	int64_t t = (int64_t)time(NULL);

	cb_datetime_format(t, out);
	return t;
}

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
		rc = oom();
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

int cb_app_case_slug_from_title(const char *title, char out[CB_REPO_SLUG_MAX + 1])
{
	size_t n = 0;

	for (const char *p = title ? title : ""; *p && n < CB_REPO_SLUG_MAX; p++) {
		char c = *p;

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
	if (!n)
		return cb_error_set(CB_EINVALID,
				    "cannot make a slug from the title (it has no ASCII letters or digits); give one with --slug");
	return 0;
}

static int copy_slug(const char *slug, char out[CB_REPO_SLUG_MAX + 1])
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
static int person_with_role(cb_store *s, const char *key, unsigned roles, const char *as,
			    const char *roles_text, cb_person *p)
{
	char held[64] = "";
	int rc;

	if ((rc = cb_store_person_get(s, key, p)) < 0)
		return rc;
	if (p->roles & roles)
		return 0;
	for (unsigned r = 1; r <= CB_ROLE_CONSULTANT; r <<= 1)
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
static cb_repo_author author_of(const cb_person *p, char *email, size_t emaillen)
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
static int check_document(cb_workspace *ws, const char *name, const char *slug,
			  const cb_case_doc *d, cb_person *tech)
{
	cb_plugin_host *host;
	json_t *rec;
	int64_t id;
	int rc;

	*tech = (cb_person){0};
	if ((rc = person_with_role(ws->store, d->technician, CB_ROLE_TECHNICIAN, "technician",
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
		return oom();
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
			if ((rc = person_with_role(ws->store, t->technician, CB_ROLE_TECHNICIAN,
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
	d.title = dup_str("What happened, at which customer, in one line", &failed);
	d.technician = dup_str(t->technician ? t->technician : "your-person-key", &failed);
	d.account = dup_str(t->account ? t->account : "account-key", &failed);
	d.n_sessions = t->n_sessions ? t->n_sessions : 1;
	d.sessions = calloc(d.n_sessions, sizeof(*d.sessions));
	d.principles = calloc(1, sizeof(*d.principles));
	d.claims = calloc(1, sizeof(*d.claims));
	if (!d.sessions || !d.principles || !d.claims) {
		cb_frontmatter_clear(&d);
		return oom();
	}
	for (size_t i = 0; i < d.n_sessions; i++)
		d.sessions[i] = dup_str(t->n_sessions ? t->sessions[i] : "session-key", &failed);
	d.principles[0] = dup_str("Listen to what the customer is trying to achieve", &failed);
	d.n_principles = 1;
	d.claims[0].kpi = dup_str("kpi-key", &failed);
	d.claims[0].before = 0;
	d.claims[0].after = 1;
	d.claims[0].from = today - 180;
	d.claims[0].to = today - 1;
	d.claims[0].note = dup_str("What exactly was measured (replace this claim or delete it)",
				   &failed);
	d.n_claims = 1;
	d.preamble = dup_str(template_preamble, &failed);
	d.situation = dup_str(template_situation, &failed);
	d.actions = dup_str(template_actions, &failed);
	d.outcome = dup_str(template_outcome, &failed);
	rc = failed ? oom() : cb_frontmatter_render(&d, out);
	cb_frontmatter_clear(&d);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Index rows                                                            */

/* An index row for `doc` borrowing its strings; only row->claims is
 * allocated (free it with free()). Ids are 0 for keys not known here. */
static int row_from_doc(cb_store *s, const char *slug, const cb_case_doc *d, cb_case_index *row)
{
	int rc;

	*row = (cb_case_index){0};
	row->slug = (char *)slug;
	row->title = d->title;
	row->technician = d->technician;
	row->account = d->account;
	row->sessions = d->sessions;
	row->n_sessions = d->n_sessions;
	if (d->n_claims) {
		if (!(row->claims = calloc(d->n_claims, sizeof(*row->claims))))
			return oom();
		row->n_claims = d->n_claims;
	}
	for (size_t i = 0; i < d->n_claims; i++) {
		cb_case_index_claim *k = &row->claims[i];

		k->kpi = d->claims[i].kpi;
		k->before = d->claims[i].before;
		k->after = d->claims[i].after;
		cb_date_format(d->claims[i].from, k->from);
		cb_date_format(d->claims[i].to, k->to);
		k->note = d->claims[i].note;
	}
	rc = cb_store_person_id(s, d->technician, &row->technician_id);
	if (rc == CB_ENOTFOUND)
		row->technician_id = 0, rc = 0, cb_error_clear();
	if (rc == 0)
		rc = cb_store_account_id(s, d->account, &row->account_id);
	if (rc == CB_ENOTFOUND)
		row->account_id = 0, rc = 0, cb_error_clear();
	if (rc < 0) {
		free(row->claims);
		row->claims = NULL;
	}
	return rc;
}

static int streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Whether the indexed front matter differs from `d`; says how in why. */
static int fields_differ(const cb_case_index *idx, const cb_case_doc *d, char *why, size_t whylen)
{
	if (!streq(idx->title, d->title))
		return snprintf(why, whylen, "its title differs"), 1;
	if (!streq(idx->technician, d->technician))
		return snprintf(why, whylen, "its technician differs"), 1;
	if (!streq(idx->account, d->account))
		return snprintf(why, whylen, "its account differs"), 1;
	if (idx->n_sessions != d->n_sessions)
		return snprintf(why, whylen, "its sessions differ"), 1;
	for (size_t i = 0; i < d->n_sessions; i++)
		if (!streq(idx->sessions[i], d->sessions[i]))
			return snprintf(why, whylen, "its sessions differ"), 1;
	if (idx->n_claims != d->n_claims)
		return snprintf(why, whylen, "its claims differ"), 1;
	for (size_t i = 0; i < d->n_claims; i++) {
		const cb_case_index_claim *k = &idx->claims[i];
		const cb_case_claim *c = &d->claims[i];
		char from[CB_DATE_LEN], to[CB_DATE_LEN];

		cb_date_format(c->from, from);
		cb_date_format(c->to, to);
		if (!streq(k->kpi, c->kpi) || k->before != c->before || k->after != c->after ||
		    strcmp(k->from, from) != 0 || strcmp(k->to, to) != 0 || !streq(k->note, c->note))
			return snprintf(why, whylen, "its claim %zu differs", i + 1), 1;
	}
	return 0;
}

/* The status the review log gives a case whose latest revision is `head`
 * (FORMAT.md section 7): the last decision, unless the case was revised
 * after it (then submitted again); "published" is final. */
static const char *status_from_reviews(const cb_repo_review *rv, size_t n, const char *head)
{
	for (size_t i = n; i-- > 0;) {
		const char *d = rv[i].decision;

		if (strcmp(d, "published") == 0)
			return "published";
		if (strcmp(d, "approved") == 0 || strcmp(d, "changes-requested") == 0)
			return strcmp(rv[i].revision, head) == 0
				       ? (d[0] == 'a' ? "approved" : "changes-requested")
				       : "submitted";
	}
	return "submitted";
}

typedef struct review_rows {
	cb_case_review_row *items;
	size_t n;
} review_rows;

static void review_rows_free(review_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].reviewer);
		free(r->items[i].name);
		free(r->items[i].email);
		free(r->items[i].decision);
		free(r->items[i].comment);
		free(r->items[i].at);
		free(r->items[i].revision);
	}
	free(r->items);
	*r = (review_rows){0};
}

static char *dup_or_null(const char *s, int *failed)
{
	char *c;

	if (!s)
		return NULL;
	if (!(c = strdup(s)))
		*failed = 1;
	return c;
}

static int collect_review(const cb_case_review_row *r, void *ctx)
{
	review_rows *rows = ctx;
	cb_case_review_row *grown = realloc(rows->items, (rows->n + 1) * sizeof(*grown));
	cb_case_review_row *c;
	int failed = 0;

	if (!grown)
		return oom();
	rows->items = grown;
	c = &grown[rows->n++];
	c->reviewer = dup_or_null(r->reviewer, &failed);
	c->name = dup_or_null(r->name, &failed);
	c->email = dup_or_null(r->email, &failed);
	c->decision = dup_or_null(r->decision, &failed);
	c->comment = dup_or_null(r->comment, &failed);
	c->at = dup_or_null(r->at, &failed);
	c->revision = dup_or_null(r->revision, &failed);
	return failed ? oom() : 0;
}

/* What the repository holds about one case at HEAD. */
typedef struct repo_case {
	char *text;
	size_t len;
	cb_case_doc doc;
	cb_repo_review *reviews;
	size_t n_reviews;
} repo_case;

static void repo_case_clear(repo_case *c)
{
	free(c->text);
	cb_frontmatter_clear(&c->doc);
	cb_repo_reviews_free(c->reviews, c->n_reviews);
	memset(c, 0, sizeof(*c));
}

/* The name messages give a case's file: cases/SHARD/SLUG/case.md. */
static void case_file_name(const char *slug, char name[CB_REPO_SLUG_MAX + 32])
{
	char dir[CB_REPO_DIR_MAX];

	if (cb_repo_case_dir(slug, dir) < 0)
		snprintf(dir, sizeof(dir), "%s", slug);
	snprintf(name, CB_REPO_SLUG_MAX + 32, "cases/%s/case.md", dir);
}

static int repo_case_read(cb_repo *repo, const char *slug, repo_case *c)
{
	char name[CB_REPO_SLUG_MAX + 32];
	int rc;

	memset(c, 0, sizeof(*c));
	case_file_name(slug, name);
	if ((rc = cb_repo_case_read(repo, slug, NULL, &c->text, &c->len)) < 0 ||
	    (rc = cb_frontmatter_parse(name, c->text, c->len, &c->doc)) < 0 ||
	    (rc = cb_repo_case_reviews(repo, slug, NULL, &c->reviews, &c->n_reviews)) < 0) {
		repo_case_clear(c);
		return rc;
	}
	return 0;
}

/* Whether index row `idx` describes the case as the repository holds it
 * (`rc`): the indexed revision holds the text at HEAD, the front matter,
 * reviews and status agree. Returns 0 when it does, 1 (with why) when
 * not, or an error. */
static int index_differs(cb_store *s, cb_repo *repo, const repo_case *have, const cb_case_index *idx,
			 char *why, size_t whylen)
{
	review_rows rows = {0};
	char *text = NULL;
	size_t len;
	int rc, differs = 0;

	rc = cb_repo_case_read(repo, idx->slug, idx->head, &text, &len);
	if (rc == CB_ENOTFOUND || rc == CB_EINVALID) {
		cb_error_clear();
		snprintf(why, whylen, "its indexed revision %.12s is not in the repository", idx->head);
		return 1;
	}
	if (rc < 0)
		return rc;
	if (len != have->len || memcmp(text, have->text, len) != 0) {
		snprintf(why, whylen, "it was revised in the repository after revision %.12s",
			 idx->head);
		differs = 1;
		goto done;
	}
	if (fields_differ(idx, &have->doc, why, whylen)) {
		differs = 1;
		goto done;
	}
	if ((rc = cb_store_case_review_each(s, idx->id, collect_review, &rows)) < 0)
		goto done;
	if (rows.n != have->n_reviews) {
		snprintf(why, whylen, "the repository has %zu review decisions, the index %zu",
			 have->n_reviews, rows.n);
		differs = 1;
		goto done;
	}
	for (size_t i = 0; i < rows.n; i++) {
		const cb_repo_review *r = &have->reviews[i];

		if (!streq(rows.items[i].decision, r->decision) ||
		    !streq(rows.items[i].revision, r->revision) || !streq(rows.items[i].email, r->email)) {
			snprintf(why, whylen, "its review decision %zu differs", i + 1);
			differs = 1;
			goto done;
		}
	}
	{
		const char *status = status_from_reviews(have->reviews, have->n_reviews, idx->head);

		if (strcmp(status, idx->status) != 0) {
			snprintf(why, whylen, "its status is %s in the index but %s by its review log",
				 idx->status, status);
			differs = 1;
		}
	}
done:
	free(text);
	review_rows_free(&rows);
	return rc < 0 ? rc : differs;
}

/* Indexes one review line of case `id`. */
static int index_review(cb_store *s, int64_t id, const cb_repo_review *r, const char *reviewer)
{
	cb_case_review_row row = {0};
	char at[CB_DATETIME_LEN];
	char *found = NULL;
	int rc;

	if (!reviewer) {
		if ((rc = cb_store_case_person_by_email(s, r->email, &found)) < 0)
			return rc;
		reviewer = found;
	}
	cb_datetime_format(r->time, at);
	row.reviewer = (char *)reviewer;
	row.name = r->name;
	row.email = r->email;
	row.decision = r->decision;
	row.comment = r->comment;
	row.at = at;
	row.revision = (char *)r->revision;
	rc = cb_store_case_review_add(s, id, &row);
	free(found);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Submitting and revising                                               */

static int repo_open(cb_workspace *ws, cb_repo **repo)
{
	return cb_workspace_repo(ws, repo); /* kept open by the workspace */
}

/* The test hook of the crash tests (tests/app/test_case_cli.c): with
 * CASEBOOK_TEST_CRASH_AFTER_COMMIT=1 in the environment, a submission
 * (or a batch of them) kills the process (SIGKILL: no cleanup, no flush)
 * right after its git commit, before the database commit, as a power cut
 * would. Nothing else
 * reads this variable. */
static void test_crash_after_commit(void)
{
	const char *v = getenv("CASEBOOK_TEST_CRASH_AFTER_COMMIT");

	if (v && strcmp(v, "1") == 0)
		raise(SIGKILL);
}

/* Commits the database after a git commit; a failure here leaves the
 * repository ahead of the index, which the message says how to mend. */
static int after_git_failed(cb_repo *repo, int rc, const char *slug, const char *commit);

static int commit_after_git(cb_store *s, cb_repo *repo, const char *slug, const char *commit)
{
	int rc = cb_store_commit(s);

	return rc < 0 ? after_git_failed(repo, rc, slug, commit) : 0;
}

/* The message when the database part fails after the git commit (the
 * transaction already rolled back). */
static int after_git_failed(cb_repo *repo, int rc, const char *slug, const char *commit)
{
	if (cb_repo_in_batch(repo)) {
		cb_repo_batch_fail(repo); /* its commit is in the batch, its row not */
		return rc;
	}
	return cb_error_set(rc,
			    "case '%s' was committed to the repository as %.12s, but the database could not be updated (%s); "
			    "'casebook check' shows the difference and 'casebook reindex' mends it",
			    slug, commit, cb_error_last());
}

/* Parses and renders a document in the canonical form. */
static int canonical(const char *name, const char *text, size_t len, cb_case_doc *doc,
		     cb_buf *out)
{
	int rc;

	if ((rc = cb_frontmatter_parse(name, text, len, doc)) < 0)
		return rc;
	if ((rc = cb_frontmatter_render(doc, out)) < 0)
		return cb_error_prefix("%s", name);
	return 0;
}

int cb_app_case_submit(cb_workspace *ws, const char *name, const char *text, size_t len,
		       const char *slug_arg, const char *message, cb_case_written *out)
{
	cb_store *s = ws->store;
	cb_case_doc doc = {0};
	cb_buf canon = CB_BUF_INIT;
	cb_person tech = {0};
	cb_case_index row = {0}, old;
	cb_repo *repo = NULL;
	cb_repo_author author;
	char email[CB_KEY_MAX + 32], now[CB_DATETIME_LEN];
	int64_t id, when;
	int rc, found;

	memset(out, 0, sizeof(*out));
	if (slug_arg && (rc = copy_slug(slug_arg, out->slug)) < 0)
		return rc;
	if (message && (rc = cb_text_check("message", message, CB_REPO_MESSAGE_MAX, 1, 1)) < 0)
		return rc;
	if ((rc = canonical(name, text, len, &doc, &canon)) < 0)
		goto done;
	if (!slug_arg && (rc = cb_app_case_slug_from_title(doc.title, out->slug)) < 0)
		goto done;
	if ((rc = cb_store_begin(s)) < 0)
		goto done;
	if ((rc = cb_store_case_get(s, out->slug, &old, &found)) < 0)
		goto rollback;
	if (found) {
		rc = cb_error_set(CB_EEXISTS,
				  "%s: case '%s' already exists (%s); add a revision with 'casebook case revise %s FILE' or choose another --slug",
				  name, out->slug, old.status, out->slug);
		cb_case_index_clear(&old);
		goto rollback;
	}
	if ((rc = check_document(ws, name, out->slug, &doc, &tech)) < 0 ||
	    (rc = row_from_doc(s, out->slug, &doc, &row)) < 0)
		goto rollback;
	when = now_text(now);
	row.status = "submitted";
	row.head = "";
	row.submitted_at = now;
	row.updated_at = now;
	if ((rc = cb_store_case_insert(s, &row, &id)) < 0 || (rc = repo_open(ws, &repo)) < 0)
		goto rollback;
	author = author_of(&tech, email, sizeof(email));
	author.when = when;
	if ((rc = cb_repo_case_commit(repo, out->slug, canon.ptr, canon.len, CB_REPO_CASE_CREATE,
				      &author, message, out->commit)) < 0) {
		if (rc == CB_EEXISTS)
			rc = cb_error_set(CB_EEXISTS,
					  "%s: case '%s' is in the case-study repository but not in the index (a submission cut short, or a push); run 'casebook reindex' first",
					  name, out->slug);
		goto rollback;
	}
	if (!cb_repo_in_batch(repo))
		test_crash_after_commit(); /* a batch's commits are still in memory */
	if ((rc = cb_store_case_set_head(s, id, out->commit)) < 0)
		goto rollback_after_git;
	rc = commit_after_git(s, repo, out->slug, out->commit);
	snprintf(out->status, sizeof(out->status), "submitted");
	goto done;
rollback_after_git:
	cb_store_rollback(s);
	rc = after_git_failed(repo, rc, out->slug, out->commit);
	goto done;
rollback:
	cb_store_rollback(s);
done:
	free(row.claims);
	cb_person_clear(&tech);
	cb_buf_free(&canon);
	cb_frontmatter_clear(&doc);
	return rc;
}

int cb_app_case_batch_begin(cb_workspace *ws)
{
	cb_repo *repo;
	int rc;

	if ((rc = repo_open(ws, &repo)) < 0 || (rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_repo_batch_begin(repo)) < 0)
		cb_store_rollback(ws->store);
	return rc;
}

void cb_app_case_batch_abort(cb_workspace *ws)
{
	if (!ws->repo || !cb_repo_in_batch(ws->repo))
		return;
	cb_repo_batch_abort(ws->repo);
	cb_store_rollback(ws->store);
}

int cb_app_case_batch_commit(cb_workspace *ws, size_t *commits)
{
	cb_repo *repo = ws->repo;
	char head[41];
	size_t n = 0;
	int rc;

	if (commits)
		*commits = 0;
	if (!repo || !cb_repo_in_batch(repo))
		return cb_error_set(CB_ERROR, "no batch of submissions is open");
	if ((rc = cb_repo_batch_commit(repo, "casebook case submit", &n)) < 0) {
		cb_store_rollback(ws->store);
		return cb_error_prefix("nothing was submitted");
	}
	test_crash_after_commit();
	if ((rc = cb_store_commit(ws->store)) < 0) {
		if (cb_repo_head(repo, head) < 0)
			snprintf(head, sizeof(head), "?");
		return cb_error_set(rc,
				    "%zu case studies were committed to the repository (main at %.12s), but the database could not be updated (%s); "
				    "'casebook check' shows the difference and 'casebook reindex' mends it",
				    n, head, cb_error_last());
	}
	if (commits)
		*commits = n;
	return 0;
}

/* The index row of case `slug` for a write: CB_ENOTFOUND says whether the
 * case was never submitted or only the index lacks it. */
static int indexed_case(cb_workspace *ws, const char *slug, const char *verb, cb_case_index *idx)
{
	cb_repo *repo = NULL;
	int found, rc, in_repo = 0;

	if ((rc = cb_store_case_get(ws->store, slug, idx, &found)) < 0 || found)
		return rc;
	if (repo_open(ws, &repo) == 0) {
		char *text = NULL;
		size_t len;

		in_repo = cb_repo_case_read(repo, slug, NULL, &text, &len) == 0;
		free(text);
	}
	cb_error_clear();
	if (in_repo)
		return cb_error_set(CB_ENOTFOUND,
				    "case '%s' is in the case-study repository but not in the index; run 'casebook reindex' first",
				    slug);
	return cb_error_set(CB_ENOTFOUND,
			    "case '%s' was never submitted, so there is nothing to %s; submit it first with 'casebook case submit FILE'",
			    slug, verb);
}

int cb_app_case_revise(cb_workspace *ws, const char *slug, const char *name, const char *text,
		       size_t len, const char *message, cb_case_written *out)
{
	cb_store *s = ws->store;
	cb_case_doc doc = {0};
	cb_buf canon = CB_BUF_INIT;
	cb_person tech = {0};
	cb_case_index idx = {0}, row = {0};
	cb_repo *repo = NULL;
	cb_repo_author author;
	char email[CB_KEY_MAX + 32], now[CB_DATETIME_LEN];
	int64_t when;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = copy_slug(slug, out->slug)) < 0)
		return rc;
	if (message && (rc = cb_text_check("message", message, CB_REPO_MESSAGE_MAX, 1, 1)) < 0)
		return rc;
	if ((rc = canonical(name, text, len, &doc, &canon)) < 0)
		goto done;
	if ((rc = cb_store_begin(s)) < 0)
		goto done;
	if ((rc = indexed_case(ws, out->slug, "revise", &idx)) < 0)
		goto rollback;
	if (strcmp(idx.status, "published") == 0) {
		rc = cb_error_set(CB_EINVALID,
				  "case '%s' is published; a published case is final and takes no revisions",
				  out->slug);
		goto rollback;
	}
	if ((rc = check_document(ws, name, out->slug, &doc, &tech)) < 0 ||
	    (rc = row_from_doc(s, out->slug, &doc, &row)) < 0)
		goto rollback;
	when = now_text(now);
	row.id = idx.id;
	row.status = "submitted"; /* a new revision needs a new review */
	row.head = idx.head;
	row.submitted_at = idx.submitted_at;
	row.updated_at = now;
	if ((rc = cb_store_case_update(s, &row)) < 0 || (rc = repo_open(ws, &repo)) < 0)
		goto rollback;
	author = author_of(&tech, email, sizeof(email));
	author.when = when;
	if ((rc = cb_repo_case_commit(repo, out->slug, canon.ptr, canon.len, CB_REPO_CASE_REVISE,
				      &author, message, out->commit)) < 0)
		goto rollback;
	if ((rc = cb_store_case_set_head(s, idx.id, out->commit)) < 0) {
		cb_store_rollback(s);
		rc = after_git_failed(repo, rc, out->slug, out->commit);
		goto done;
	}
	rc = commit_after_git(s, repo, out->slug, out->commit);
	snprintf(out->status, sizeof(out->status), "submitted");
	goto done;
rollback:
	cb_store_rollback(s);
done:
	free(row.claims);
	cb_case_index_clear(&idx);
	cb_person_clear(&tech);
	cb_buf_free(&canon);
	cb_frontmatter_clear(&doc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reviewing and publishing                                              */

/* Refuses to record a decision when the index is behind the repository:
 * the reviewer must have seen the revision the decision is about. */
static int check_head_current(cb_repo *repo, const cb_case_index *idx)
{
	char *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	int rc = cb_repo_case_read(repo, idx->slug, idx->head, &a, &la);

	if (rc == 0)
		rc = cb_repo_case_read(repo, idx->slug, NULL, &b, &lb);
	if (rc == 0 && (la != lb || memcmp(a, b, la) != 0))
		rc = CB_ERROR;
	free(a);
	free(b);
	if (rc < 0)
		return cb_error_set(CB_ERROR,
				    "the index of case '%s' is behind the case-study repository; run 'casebook reindex' first",
				    idx->slug);
	return 0;
}

/* Records `decision` by `who` on case `idx` in the repository and the
 * index, with the new status; commits the transaction. */
static int record_decision(cb_workspace *ws, const cb_case_index *idx, const cb_person *who,
			   const char *decision, const char *comment, const char *status,
			   cb_case_written *out)
{
	cb_store *s = ws->store;
	cb_repo *repo = NULL;
	cb_repo_review *rv = NULL;
	cb_repo_author author;
	char email[CB_KEY_MAX + 32], now[CB_DATETIME_LEN];
	size_t n = 0;
	int rc;

	if ((rc = repo_open(ws, &repo)) < 0 || (rc = check_head_current(repo, idx)) < 0)
		goto rollback;
	author = author_of(who, email, sizeof(email));
	author.when = now_text(now);
	if ((rc = cb_repo_case_review(repo, idx->slug, decision, &author, comment, out->commit)) < 0)
		goto rollback;
	/* The line just written, as the log holds it. */
	if ((rc = cb_repo_case_reviews(repo, idx->slug, NULL, &rv, &n)) < 0 || n == 0 ||
	    (rc = index_review(s, idx->id, &rv[n - 1], who->key)) < 0 ||
	    (rc = cb_store_case_set_status(s, idx->id, status, now)) < 0) {
		if (rc == 0)
			rc = cb_error_set(CB_EREPO, "the review log of case '%s' is empty after a review",
					  idx->slug);
		cb_store_rollback(s);
		rc = after_git_failed(repo, rc, idx->slug, out->commit);
		goto done;
	}
	rc = commit_after_git(s, repo, idx->slug, out->commit);
	snprintf(out->status, sizeof(out->status), "%s", status);
	snprintf(out->decision, sizeof(out->decision), "%s", decision);
	goto done;
rollback:
	cb_store_rollback(s);
done:
	cb_repo_reviews_free(rv, n);
	return rc;
}

int cb_app_case_review(cb_workspace *ws, const char *slug, const char *reviewer,
		       const char *decision, const char *comment, cb_case_written *out)
{
	cb_store *s = ws->store;
	cb_case_index idx = {0};
	cb_person who = {0};
	const char *word, *status;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = copy_slug(slug, out->slug)) < 0)
		return rc;
	if (!decision || (strcmp(decision, "approve") != 0 && strcmp(decision, "changes") != 0))
		return cb_error_set(CB_EUSAGE, "--decision must be approve or changes");
	if (decision[0] == 'a') {
		word = "approved";
		status = "approved";
	} else {
		word = "changes-requested";
		status = "changes-requested";
	}
	if (comment && (rc = cb_text_check("comment", comment, CB_NOTE_MAX, 0, 1)) < 0)
		return rc;
	if (status[0] == 'c' && (!comment || !*comment))
		return cb_error_set(CB_EUSAGE,
				    "--decision changes needs a --comment saying what to change");
	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = indexed_case(ws, out->slug, status[0] == 'a' ? "approve" : "review", &idx)) < 0)
		goto rollback;
	if (strcmp(idx.status, "submitted") != 0) {
		if (strcmp(idx.status, "changes-requested") == 0)
			rc = cb_error_set(CB_EINVALID,
					  "changes were requested on case '%s'; it needs a revision ('casebook case revise %s FILE') before another review",
					  out->slug, out->slug);
		else
			rc = cb_error_set(CB_EINVALID,
					  "case '%s' is already %s; only a submitted case can be reviewed",
					  out->slug, idx.status);
		goto rollback;
	}
	if ((rc = person_with_role(s, reviewer, CB_ROLE_TRAINER | CB_ROLE_CONSULTANT, "reviewer",
				   "trainer or consultant", &who)) < 0)
		goto rollback;
	if (strcmp(who.key, idx.technician) == 0) {
		rc = cb_error_set(CB_EINVALID,
				  "person '%s' wrote case '%s' and cannot review it; ask another trainer or consultant",
				  who.key, out->slug);
		goto rollback;
	}
	rc = record_decision(ws, &idx, &who, word, comment, status, out);
	goto done;
rollback:
	cb_store_rollback(s);
done:
	cb_person_clear(&who);
	cb_case_index_clear(&idx);
	return rc;
}

static int last_approver(const cb_case_review_row *r, void *ctx)
{
	char **key = ctx;

	if (strcmp(r->decision, "approved") == 0) {
		free(*key);
		*key = r->reviewer ? strdup(r->reviewer) : NULL;
		if (r->reviewer && !*key)
			return oom();
	}
	return 0;
}

int cb_app_case_publish(cb_workspace *ws, const char *slug, const char *by, cb_case_written *out)
{
	cb_store *s = ws->store;
	cb_case_index idx = {0};
	cb_person who = {0};
	char *approver = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = copy_slug(slug, out->slug)) < 0)
		return rc;
	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = indexed_case(ws, out->slug, "publish", &idx)) < 0)
		goto rollback;
	if (strcmp(idx.status, "approved") != 0) {
		if (strcmp(idx.status, "published") == 0)
			rc = cb_error_set(CB_EINVALID, "case '%s' is already published", out->slug);
		else
			rc = cb_error_set(CB_EINVALID,
					  "case '%s' is %s, not approved; only an approved case can be published "
					  "('casebook case review %s --decision approve')",
					  out->slug, idx.status, out->slug);
		goto rollback;
	}
	if (!by) {
		if ((rc = cb_store_case_review_each(s, idx.id, last_approver, &approver)) < 0)
			goto rollback;
		if (!approver) {
			rc = cb_error_set(CB_EUSAGE,
					  "the reviewer who approved case '%s' is not a person here; say who publishes it with --by",
					  out->slug);
			goto rollback;
		}
		by = approver;
	}
	if ((rc = person_with_role(s, by, CB_ROLE_TRAINER | CB_ROLE_CONSULTANT, "publisher",
				   "trainer or consultant", &who)) < 0)
		goto rollback;
	rc = record_decision(ws, &idx, &who, "published", NULL, "published", out);
	goto done;
rollback:
	cb_store_rollback(s);
done:
	free(approver);
	cb_person_clear(&who);
	cb_case_index_clear(&idx);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reading                                                               */

int cb_app_case_show(cb_workspace *ws, const char *slug, const char *rev, cb_case_view *out)
{
	cb_repo *repo = NULL;
	char name[CB_REPO_SLUG_MAX + 32];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cb_repo_slug_check(slug)) < 0)
		return rc;
	if ((rc = repo_open(ws, &repo)) < 0)
		return rc;
	rc = cb_repo_case_read(repo, slug, rev, &out->text, &out->len);
	if (rc == CB_ENOTFOUND && !rev) {
		int found;

		/* say whether the index knows it */
		if (cb_store_case_get(ws->store, slug, &out->index, &found) == 0 && found)
			rc = cb_error_set(CB_ENOTFOUND,
					  "case '%s' is in the index but not in the case-study repository; run 'casebook reindex'",
					  slug);
		else
			rc = cb_error_set(CB_ENOTFOUND, "there is no case '%s' ('casebook case list')",
					  slug);
		cb_case_index_clear(&out->index);
	}
	if (rc < 0)
		goto done;
	case_file_name(slug, name);
	if ((rc = cb_frontmatter_parse(name, out->text, out->len, &out->doc)) < 0 ||
	    (rc = cb_repo_case_reviews(repo, slug, rev, &out->reviews, &out->n_reviews)) < 0 ||
	    (rc = cb_store_case_get(ws->store, slug, &out->index, &out->indexed)) < 0)
		goto done;
done:
	if (rc < 0)
		cb_case_view_clear(out);
	return rc;
}

void cb_case_view_clear(cb_case_view *v)
{
	free(v->text);
	cb_frontmatter_clear(&v->doc);
	cb_case_index_clear(&v->index);
	cb_repo_reviews_free(v->reviews, v->n_reviews);
	memset(v, 0, sizeof(*v));
}

int cb_app_case_log(cb_workspace *ws, const char *slug, cb_repo_commit **out, size_t *n)
{
	cb_repo *repo;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = cb_repo_slug_check(slug)) < 0 || (rc = repo_open(ws, &repo)) < 0)
		return rc;
	rc = cb_repo_case_log(repo, slug, out, n);
	if (rc == 0 && *n == 0)
		rc = cb_error_set(CB_ENOTFOUND, "there is no case '%s' ('casebook case list')", slug);
	return rc;
}

int cb_app_case_diff(cb_workspace *ws, const char *slug, const char *from, const char *to,
		     char **out)
{
	cb_repo *repo;
	int rc;

	*out = NULL;
	if ((rc = cb_repo_slug_check(slug)) < 0 || (rc = repo_open(ws, &repo)) < 0)
		return rc;
	rc = cb_repo_case_diff(repo, slug, from, to, out);
	return rc;
}

int cb_app_case_filter_check(const cb_case_filter *f)
{
	int rc, known = 0;

	if (f->status) {
		for (const char *const *st = cb_case_statuses; *st; st++)
			known |= strcmp(*st, f->status) == 0;
		if (!known) {
			const char *hint;

			if ((rc = cb_text_check("status", f->status, CB_NAME_MAX, 1, 0)) < 0)
				return rc;
			hint = cb_text_suggest(f->status, cb_case_statuses, 4);
			return cb_error_set(CB_EINVALID,
					    "unknown status '%s'%s%s%s; use submitted, changes-requested, approved or published",
					    f->status, hint ? " (did you mean '" : "", hint ? hint : "",
					    hint ? "'?)" : "");
		}
	}
	if ((f->technician && (rc = cb_key_check("person key", f->technician)) < 0) ||
	    (f->account && (rc = cb_key_check("account key", f->account)) < 0) ||
	    (f->session && (rc = cb_key_check("session key", f->session)) < 0) ||
	    (f->kpi && (rc = cb_key_check("KPI key", f->kpi)) < 0))
		return rc;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The evidence check                                                    */

const char *cb_case_verdict_name(cb_case_verdict v)
{
	switch (v) {
	case CB_CASE_AGREES:
		return "agrees";
	case CB_CASE_DISAGREES:
		return "disagrees";
	default:
		return "no data";
	}
}

void cb_app_case_windows(const cb_case_claim *c, int32_t *before_from, int32_t *before_to,
			 int32_t *after_from, int32_t *after_to)
{
	int32_t days = c->to - c->from + 1;

	if (days > CB_CASE_WINDOW_DAYS)
		days = CB_CASE_WINDOW_DAYS;
	*before_from = c->from - days;
	*before_to = c->from;
	*after_from = c->to + 1 - days;
	*after_to = c->to + 1;
}

/* "YYYY-MM-DD..YYYY-MM-DD" for days [from, to). */
static void window_text(int32_t from, int32_t to, char *out, size_t outlen)
{
	char f[CB_DATE_LEN], t[CB_DATE_LEN];

	cb_date_format(from, f);
	cb_date_format(to - 1, t);
	snprintf(out, outlen, "%s..%s", f, t);
}

static void judge(cb_case_evidence *e)
{
	const cb_case_claim *c = e->claim;
	double slack;

	e->claimed_change = c->after - c->before;
	e->measured_change = e->measured_after - e->measured_before;
	e->tolerance = e->claimed_change != 0 ? CB_CASE_TOLERANCE * fabs(e->claimed_change)
					      : CB_CASE_FLAT_TOLERANCE * fabs(c->before);
	/* rounding in the plugin's arithmetic is no disagreement */
	slack = 1e-9 * fmax(1.0, fabs(e->claimed_change));
	e->verdict = fabs(e->measured_change - e->claimed_change) <= e->tolerance + slack
			     ? CB_CASE_AGREES
			     : CB_CASE_DISAGREES;
	if (e->verdict == CB_CASE_AGREES)
		snprintf(e->reason, sizeof(e->reason),
			 "measured %.4g -> %.4g (change %+.4g); claimed change %+.4g, within ±%.4g",
			 e->measured_before, e->measured_after, e->measured_change,
			 e->claimed_change, e->tolerance);
	else
		snprintf(e->reason, sizeof(e->reason),
			 "measured %.4g -> %.4g (change %+.4g), but the claim says %.4g -> %.4g (change %+.4g, tolerance ±%.4g)",
			 e->measured_before, e->measured_after, e->measured_change, c->before,
			 c->after, e->claimed_change, e->tolerance);
}

int cb_app_case_evidence(cb_workspace *ws, const cb_case_doc *doc, cb_case_evidence **out)
{
	cb_plugin_host *host;
	cb_case_evidence *ev;
	int64_t account_id = 0;
	int rc, have_account;

	*out = NULL;
	if (doc->n_claims == 0)
		return 0;
	if ((rc = cb_workspace_plugins(ws, &host)) < 0)
		return rc;
	rc = cb_store_account_id(ws->store, doc->account, &account_id);
	if (rc < 0 && rc != CB_ENOTFOUND)
		return rc;
	have_account = rc == 0;
	cb_error_clear();
	if (!(ev = calloc(doc->n_claims, sizeof(*ev))))
		return oom();
	for (size_t i = 0; i < doc->n_claims; i++) {
		cb_case_evidence *e = &ev[i];
		const cb_kpi_def *k = cb_plugin_kpi_find(host, doc->claims[i].kpi);
		char why[300] = "", win[32];

		e->claim = &doc->claims[i];
		cb_app_case_windows(e->claim, &e->before_from, &e->before_to, &e->after_from,
				    &e->after_to);
		e->measured_before = e->measured_after = NAN;
		e->claimed_change = e->claim->after - e->claim->before;
		e->measured_change = e->tolerance = NAN;
		e->verdict = CB_CASE_NO_DATA;
		if (!have_account) {
			snprintf(e->reason, sizeof(e->reason),
				 "account '%s' is not in this workspace", doc->account);
			continue;
		}
		if (!k) {
			snprintf(e->reason, sizeof(e->reason), "no plugin declares KPI '%s' here",
				 e->claim->kpi);
			continue;
		}
		e->measured_before = cb_app_kpi_over(ws, host, k, account_id, doc->account,
						     e->before_from, e->before_to, why, sizeof(why));
		if (isnan(e->measured_before)) {
			window_text(e->before_from, e->before_to, win, sizeof(win));
			snprintf(e->reason, sizeof(e->reason), "before window %s: %s", win, why);
			continue;
		}
		e->measured_after = cb_app_kpi_over(ws, host, k, account_id, doc->account,
						    e->after_from, e->after_to, why, sizeof(why));
		if (isnan(e->measured_after)) {
			window_text(e->after_from, e->after_to, win, sizeof(win));
			snprintf(e->reason, sizeof(e->reason), "after window %s: %s", win, why);
			continue;
		}
		judge(e);
	}
	*out = ev;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reindex and check                                                     */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The repository's slugs, sorted by strcmp (git's tree order differs). */
static int repo_slugs(cb_repo *repo, char ***slugs, size_t *n)
{
	int rc = cb_repo_case_list(repo, slugs, n);

	if (rc == 0 && *n > 1)
		qsort(*slugs, *n, sizeof(**slugs), cmp_str);
	return rc;
}

static int in_list(char **slugs, size_t n, const char *slug)
{
	return n && bsearch(&slug, slugs, n, sizeof(*slugs), cmp_str) != NULL;
}

typedef struct index_slugs {
	char **slugs;
	int64_t *ids;
	size_t n;
} index_slugs;

static int collect_slug(const cb_case_index *c, void *ctx)
{
	index_slugs *l = ctx;
	char **s = realloc(l->slugs, (l->n + 1) * sizeof(*s));
	int64_t *ids;

	if (!s)
		return oom();
	l->slugs = s;
	if (!(ids = realloc(l->ids, (l->n + 1) * sizeof(*ids))))
		return oom();
	l->ids = ids;
	if (!(s[l->n] = strdup(c->slug)))
		return oom();
	ids[l->n++] = c->id;
	return 0;
}

static void index_slugs_free(index_slugs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->slugs[i]);
	free(l->slugs);
	free(l->ids);
	memset(l, 0, sizeof(*l));
}

/* Rewrites the index of one case from the repository (when it differs). */
/* Whether case `slug` needs indexing: not indexed, or its row differs
 * from the repository. Sets *needs; counts an unchanged one. */
static int reindex_needs(cb_workspace *ws, cb_repo *repo, const char *slug, int *needs,
			 cb_case_reindex_result *res)
{
	repo_case have;
	cb_case_index idx = {0};
	char why[200];
	int rc, found;

	*needs = 1;
	if ((rc = repo_case_read(repo, slug, &have)) < 0)
		return rc;
	if ((rc = cb_store_case_get(ws->store, slug, &idx, &found)) < 0)
		goto done;
	if (found && (rc = index_differs(ws->store, repo, &have, &idx, why, sizeof(why))) == 0) {
		*needs = 0;
		res->unchanged++;
	}
	rc = rc < 0 ? rc : 0;
done:
	cb_case_index_clear(&idx);
	repo_case_clear(&have);
	return rc;
}

/* (Re)writes the index row of case `slug` from the repository and its
 * history `h` (the newest commit that changed case.md is the latest
 * revision; the oldest, the submission). */
static int reindex_write(cb_workspace *ws, cb_repo *repo, const char *slug,
			 const cb_repo_case_history *h, cb_case_reindex_result *res)
{
	cb_store *s = ws->store;
	repo_case have;
	cb_case_index idx = {0}, row = {0};
	char submitted[CB_DATETIME_LEN], updated[CB_DATETIME_LEN];
	int64_t id;
	int rc, found;

	if (!h->head[0])
		return cb_error_set(CB_EREPO, "no commit of case '%s' changed its case.md", slug);
	if ((rc = repo_case_read(repo, slug, &have)) < 0)
		return rc;
	if ((rc = cb_store_case_get(s, slug, &idx, &found)) < 0)
		goto done;
	cb_datetime_format(h->submitted, submitted);
	cb_datetime_format(h->updated, updated);
	if ((rc = row_from_doc(s, slug, &have.doc, &row)) < 0)
		goto done;
	row.status = (char *)status_from_reviews(have.reviews, have.n_reviews, h->head);
	row.head = (char *)h->head;
	row.submitted_at = submitted;
	row.updated_at = updated;
	if (found) {
		row.id = id = idx.id;
		if ((rc = cb_store_case_update(s, &row)) < 0 ||
		    (rc = cb_store_case_reviews_clear(s, id)) < 0)
			goto done;
		res->updated++;
	} else {
		if ((rc = cb_store_case_insert(s, &row, &id)) < 0)
			goto done;
		res->added++;
	}
	for (size_t i = 0; i < have.n_reviews; i++)
		if ((rc = index_review(s, id, &have.reviews[i], NULL)) < 0)
			goto done;
	rc = 0;
done:
	free(row.claims);
	cb_case_index_clear(&idx);
	repo_case_clear(&have);
	return rc;
}

static void report(const cb_case_progress *p, const char *stage, size_t done, size_t total)
{
	if (p && p->fn)
		p->fn(stage, done, total, p->ctx);
}

static void history_progress(size_t commits, void *ctx)
{
	report(ctx, "reading the history", commits, 0);
}

/* Reads every case, then walks the history once for those whose rows
 * must be written (all of them into an empty index), then writes them.
 * A stale case is read twice, once to compare and once to write, rather
 * than held between the two: memory stays the same at 100 cases or
 * 100,000, at the cost of a second read (10,000 cases into an empty
 * index: 2.4 s in all). */
static int reindex_with(cb_workspace *ws, cb_repo *repo, const cb_case_progress *p,
			cb_case_reindex_result *res)
{
	cb_store *s = ws->store;
	index_slugs indexed = {0};
	cb_repo_case_history *hist = NULL;
	char **slugs = NULL, **stale = NULL;
	size_t n = 0, nstale = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = repo_slugs(repo, &slugs, &n)) < 0)
		goto done;
	res->cases = n;
	if (n && !(stale = malloc(n * sizeof(*stale)))) {
		rc = oom();
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		int needs;

		if ((rc = reindex_needs(ws, repo, slugs[i], &needs, res)) < 0)
			goto done;
		if (needs)
			stale[nstale++] = slugs[i]; /* still sorted */
		report(p, "reading the cases", i + 1, n);
	}
	if (nstale) {
		if (!(hist = malloc(nstale * sizeof(*hist)))) {
			rc = oom();
			goto done;
		}
		if ((rc = cb_repo_case_histories(repo, stale, nstale, hist, history_progress,
						 (void *)p)) < 0)
			goto done;
	}
	for (size_t i = 0; i < nstale; i++) {
		if ((rc = reindex_write(ws, repo, stale[i], &hist[i], res)) < 0)
			goto done;
		report(p, "indexing", i + 1, nstale);
	}
	if ((rc = cb_store_case_each(s, NULL, collect_slug, &indexed)) < 0)
		goto done;
	for (size_t i = 0; i < indexed.n; i++) {
		if (in_list(slugs, n, indexed.slugs[i]))
			continue;
		if ((rc = cb_store_case_delete(s, indexed.ids[i])) < 0)
			goto done;
		res->removed++;
	}
done:
	index_slugs_free(&indexed);
	free(hist);
	free(stale);
	cb_repo_slugs_free(slugs, n);
	if (rc < 0) {
		cb_store_rollback(s);
		return rc;
	}
	return cb_store_commit(s);
}

int cb_app_case_reindex(cb_workspace *ws, const cb_case_progress *progress,
			cb_case_reindex_result *res)
{
	cb_repo *repo;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = repo_open(ws, &repo)) < 0)
		return rc;
	return reindex_with(ws, repo, progress, res);
}

/* Adds one difference to the list check reports. */
static void problem(cb_buf *b, size_t *count, const char *fmt, ...) CB_PRINTF(3, 4);

static void problem(cb_buf *b, size_t *count, const char *fmt, ...)
{
	char line[600];
	va_list ap;

	if (++*count > PROBLEMS_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (*count > 1)
		cb_buf_puts(b, "; ");
	cb_buf_puts(b, line);
}

int cb_app_case_check(cb_workspace *ws, cb_repo *repo)
{
	cb_store *s = ws->store;
	index_slugs indexed = {0};
	cb_buf list = CB_BUF_INIT;
	char **slugs = NULL;
	size_t n = 0, count = 0;
	int rc;

	if ((rc = repo_slugs(repo, &slugs, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		cb_case_index idx;
		repo_case c;
		char why[200];
		int found;

		rc = repo_case_read(repo, slugs[i], &c);
		if (rc == CB_EINVALID) {
			problem(&list, &count, "case '%s' in the repository is not a valid case study: %s",
				slugs[i], cb_error_last());
			continue;
		}
		if (rc < 0)
			goto done;
		if ((rc = cb_store_case_get(s, slugs[i], &idx, &found)) < 0) {
			repo_case_clear(&c);
			goto done;
		}
		if (!found) {
			problem(&list, &count, "case '%s' is in the repository but missing from the index",
				slugs[i]);
		} else if ((rc = index_differs(s, repo, &c, &idx, why, sizeof(why))) == 1) {
			problem(&list, &count, "case '%s' is stale in the index: %s", slugs[i], why);
			rc = 0;
		}
		cb_case_index_clear(&idx);
		repo_case_clear(&c);
		if (rc < 0)
			goto done;
	}
	if ((rc = cb_store_case_each(s, NULL, collect_slug, &indexed)) < 0)
		goto done;
	for (size_t i = 0; i < indexed.n; i++)
		if (!in_list(slugs, n, indexed.slugs[i]))
			problem(&list, &count, "case '%s' is in the index but not in the repository",
				indexed.slugs[i]);
	if (count)
		rc = cb_error_set(CB_ERROR,
				  "the case index differs from the case-study repository in %zu case%s: %s%s; "
				  "run 'casebook reindex' to rebuild it from the repository",
				  count, count == 1 ? "" : "s", cb_buf_cstr(&list),
				  count > PROBLEMS_SHOWN ? "; and more" : "");
done:
	index_slugs_free(&indexed);
	cb_repo_slugs_free(slugs, n);
	cb_buf_free(&list);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Sync                                                                  */

/* A local path is stored absolute, so that the default works from any
 * folder; URLs are kept as given. */
static char *remote_as_stored(const char *remote)
{
	char *abs;

	if (!strstr(remote, "://") && (abs = realpath(remote, NULL)))
		return abs;
	return strdup(remote);
}

int cb_app_case_sync(cb_workspace *ws, const char *remote, int remember, cb_case_sync_result *out)
{
	cb_store *s = ws->store;
	cb_repo *repo = NULL;
	char *stored = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (remote && (rc = cb_text_check("remote", remote, 4096, 1, 0)) < 0)
		return rc;
	if ((rc = cb_store_case_setting_get(s, CB_CASE_REMOTE_SETTING, &stored)) < 0)
		return rc;
	if (!remote && !stored)
		return cb_error_set(CB_EUSAGE,
				    "no remote given and none remembered; run 'casebook case sync REMOTE' once (a bare git repository's path or URL)");
	out->remote = remote ? remote_as_stored(remote) : stored;
	if (out->remote == stored)
		stored = NULL;
	if (!out->remote) {
		free(stored);
		return oom();
	}
	/* The write lock for the whole exchange: no submission can slip in
	 * between the repository moving and the index following it. */
	if ((rc = cb_store_begin(s)) < 0)
		goto done;
	if ((rc = repo_open(ws, &repo)) < 0 ||
	    (rc = cb_repo_sync(repo, out->remote, NULL, &out->repo)) < 0)
		goto rollback;
	if (remote && (remember || !stored)) {
		if ((rc = cb_store_case_setting_set(s, CB_CASE_REMOTE_SETTING, out->remote)) < 0)
			goto rollback;
		out->remembered = 1;
	}
	if ((rc = reindex_with(ws, repo, NULL, &out->reindex)) < 0)
		goto rollback;
	rc = cb_store_commit(s);
	if (rc < 0)
		rc = cb_error_set(rc,
				  "the case-study repository was synced, but the database could not be updated (%s); "
				  "'casebook reindex' mends it",
				  cb_error_last());
	goto done;
rollback:
	cb_store_rollback(s);
done:
	free(stored);
	return rc;
}

void cb_case_sync_result_clear(cb_case_sync_result *r)
{
	cb_repo_sync_result_clear(&r->repo);
	free(r->remote);
	memset(r, 0, sizeof(*r));
}
