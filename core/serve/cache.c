/* The cache of impact answers (serve/cache.h). */
#include "serve/cache.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <microhttpd.h>

#include "base/date.h"
#include "base/error.h"

typedef struct entry {
	char *key;
	char *body;
	size_t len;
	const char *content_type, *csp; /* static strings */
	char *disposition;              /* NULL: none */
	uint64_t used;                  /* the clock of the last use */
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry entries[CB_SERVE_CACHE_ENTRIES];
/* The questions being answered now, each by one thread (cb_serve_cache_get
 * claimed it); the others asking the same wait for `answered`. */
static char *computing[CB_SERVE_CACHE_ENTRIES];
static pthread_cond_t answered = PTHREAD_COND_INITIALIZER;
static size_t bytes;
static uint64_t tick;

static void entry_free(entry *e)
{
	bytes -= e->len;
	free(e->key);
	free(e->body);
	free(e->disposition);
	*e = (entry){0};
}

/* The newest modification time (ns) of the workspace's plugin files. */
static long long plugins_stamp(const char *dir)
{
	long long newest = 0;
	struct stat st;
	struct dirent *d;
	DIR *dh;

	if (!dir || stat(dir, &st) < 0)
		return 0;
	newest = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	if (!(dh = opendir(dir)))
		return newest;
	while ((d = readdir(dh))) {
		char path[4096];
		long long t;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (stat(path, &st) < 0)
			continue;
		t = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		if (t > newest)
			newest = t;
	}
	closedir(dh);
	return newest;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	cb_buf *b = cls;

	(void)kind;
	cb_buf_printf(b, "&%s=%s", key, value ? value : "");
	return MHD_YES;
}

int cb_serve_cache_key_for(cb_serve_request *rq, const char *question, cb_buf *key)
{
	int64_t version;
	char today[CB_DATE_LEN];
	int rc;

	if ((rc = cb_store_data_version(rq->ws->store, &version)) < 0)
		return rc;
	cb_date_format(cb_date_today(), today);
	cb_buf_clear(key);
	cb_buf_printf(key, "%lld %lld %s %s", (long long)version,
		      plugins_stamp(rq->ws->plugins_dir), today, question);
	return key->ptr ? 0 : cb_error_set(CB_ENOMEM, "out of memory");
}

int cb_serve_cache_key(cb_serve_request *rq, cb_buf *key)
{
	int rc = cb_serve_cache_key_for(rq, rq->path, key);

	if (rc < 0)
		return rc;
	cb_buf_putc(key, '?');
	MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, add_arg, key);
	return key->ptr ? 0 : cb_error_set(CB_ENOMEM, "out of memory");
}

/* The slot of `key` in `computing`, or CB_SERVE_CACHE_ENTRIES. */
static size_t computing_slot(const char *key)
{
	for (size_t i = 0; i < CB_SERVE_CACHE_ENTRIES; i++)
		if (computing[i] && strcmp(computing[i], key) == 0)
			return i;
	return CB_SERVE_CACHE_ENTRIES;
}

int cb_serve_cache_get(cb_serve_request *rq, const char *key)
{
	int hit = 0, found;

	pthread_mutex_lock(&lock);
	for (;;) {
		found = 0;
		for (size_t i = 0; i < CB_SERVE_CACHE_ENTRIES; i++) {
			entry *e = &entries[i];

			if (!e->key || strcmp(e->key, key) != 0)
				continue;
			found = 1;
			cb_buf_clear(&rq->body);
			if (cb_buf_append(&rq->body, e->body, e->len) < 0 ||
			    (e->disposition &&
			     cb_serve_add_header(rq, "Content-Disposition", e->disposition) < 0))
				break;
			rq->status = 200;
			rq->content_type = e->content_type;
			rq->csp = e->csp;
			e->used = ++tick;
			hit = 1;
			break;
		}
		/* The dashboard of fifty managers at nine o'clock: one of them
		 * computes the answer, the others wait for it, rather than all
		 * computing the same answer at once on a machine that has two
		 * cores for it. */
		if (found || computing_slot(key) == CB_SERVE_CACHE_ENTRIES)
			break;
		pthread_cond_wait(&answered, &lock);
	}
	if (!found) {
		/* Ours to compute; with no slot free, computed without a claim. */
		for (size_t i = 0; i < CB_SERVE_CACHE_ENTRIES; i++)
			if (!computing[i]) {
				computing[i] = strdup(key);
				break;
			}
	}
	pthread_mutex_unlock(&lock);
	cb_serve_add_header(rq, "X-Casebook-Cache", hit ? "hit" : "miss");
	return hit;
}

static void keep(const char *key, const char *body, size_t len, const char *content_type,
		 const char *csp, const char *disposition)
{
	entry fresh = {0};

	if (len > CB_SERVE_CACHE_BYTES / 4)
		return; /* an answer that big would push out everything else */
	fresh.key = strdup(key);
	fresh.body = malloc(len ? len : 1);
	fresh.disposition = disposition ? strdup(disposition) : NULL;
	if (!fresh.key || !fresh.body || (disposition && !fresh.disposition)) {
		free(fresh.key), free(fresh.body), free(fresh.disposition);
		return; /* not kept: the answer itself stands */
	}
	if (len)
		memcpy(fresh.body, body, len);
	fresh.len = len;
	fresh.content_type = content_type;
	fresh.csp = csp;
	pthread_mutex_lock(&lock);
	for (;;) {
		size_t oldest = 0, empty = CB_SERVE_CACHE_ENTRIES;

		for (size_t i = 0; i < CB_SERVE_CACHE_ENTRIES; i++) {
			if (entries[i].key && strcmp(entries[i].key, key) == 0)
				entry_free(&entries[i]); /* another thread got there first */
			if (!entries[i].key) {
				if (empty == CB_SERVE_CACHE_ENTRIES)
					empty = i;
			} else if (!entries[oldest].key || entries[i].used < entries[oldest].used) {
				oldest = i;
			}
		}
		if (empty < CB_SERVE_CACHE_ENTRIES && bytes + fresh.len <= CB_SERVE_CACHE_BYTES) {
			fresh.used = ++tick;
			entries[empty] = fresh;
			bytes += fresh.len;
			break;
		}
		entry_free(&entries[oldest]);
	}
	pthread_mutex_unlock(&lock);
}

void cb_serve_cache_put(cb_serve_request *rq, const char *key)
{
	const char *disposition = NULL;

	if (rq->status && rq->status != 200)
		return;
	for (size_t i = 0; i < rq->nheaders; i++)
		if (strcmp(rq->headers[i][0], "Content-Disposition") == 0)
			disposition = rq->headers[i][1];
	keep(key, rq->body.ptr, rq->body.len, rq->content_type, rq->csp, disposition);
}

void cb_serve_cache_done(const char *key)
{
	size_t i;

	pthread_mutex_lock(&lock);
	if ((i = computing_slot(key)) < CB_SERVE_CACHE_ENTRIES) {
		free(computing[i]);
		computing[i] = NULL;
	}
	pthread_cond_broadcast(&answered);
	pthread_mutex_unlock(&lock);
}

void cb_serve_cache_store(const char *key, const char *text, size_t len)
{
	keep(key, text, len, NULL, NULL, NULL);
}

int cb_serve_cache_fetch(const char *key, cb_buf *out)
{
	int hit = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < CB_SERVE_CACHE_ENTRIES && !hit; i++)
		if (entries[i].key && strcmp(entries[i].key, key) == 0 &&
		    cb_buf_append(out, entries[i].body, entries[i].len) == 0) {
			entries[i].used = ++tick;
			hit = 1;
		}
	pthread_mutex_unlock(&lock);
	return hit;
}

void cb_serve_cache_clear(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < CB_SERVE_CACHE_ENTRIES; i++)
		if (entries[i].key)
			entry_free(&entries[i]);
	pthread_mutex_unlock(&lock);
}
