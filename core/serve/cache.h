/*
 * The server's cache of impact answers: computing a program's impact reads
 * every observation of its accounts, so the dashboard keeps the answers it
 * gave, keyed by the question (path and query) and the data's version
 * (store/store.h's cb_store_data_version, with the plugins' files' times
 * and today's date, which the report prints): a new batch, session,
 * attendance, case study or plugin makes a new key, and the old answers
 * age out. One cache per process, shared by the connection threads under a
 * mutex; at most CB_SERVE_CACHE_ENTRIES answers and CB_SERVE_CACHE_BYTES
 * bytes, the least recently used dropped first. An answer depends on the
 * question only, never on who asks: the route checks the asker's rights
 * before it looks here.
 */
#ifndef CB_SERVE_CACHE_H
#define CB_SERVE_CACHE_H

#include "serve/internal.h"

#define CB_SERVE_CACHE_ENTRIES 64
#define CB_SERVE_CACHE_BYTES (64u << 20)

/* The key of rq's question now: its path and query with the data's
 * version. 0, or a store error. */
int cb_serve_cache_key(cb_serve_request *rq, cb_buf *key);

/* When the cache holds the answer for `key`, fills rq's answer with it
 * (status 200, body, content type, the page's CSP and its
 * Content-Disposition) and returns 1. When another thread is computing
 * it, first waits for that one to finish. Else returns 0: the question
 * is the caller's to answer (others asking it meanwhile wait), who must
 * then call cb_serve_cache_done(key), whatever came of it. */
int cb_serve_cache_get(cb_serve_request *rq, const char *key);

/* Keeps rq's answer for `key` when it is a 200 (else nothing). */
void cb_serve_cache_put(cb_serve_request *rq, const char *key);

/* The question `key` that cb_serve_cache_get gave the caller is
 * answered (kept or not): the threads waiting for it look again, and
 * one computes it when it was not kept. */
void cb_serve_cache_done(const char *key);

/* The key of a question that is not the request's own (the dashboard's
 * verdicts): `question` with the data's version. */
int cb_serve_cache_key_for(cb_serve_request *rq, const char *question, cb_buf *key);

/* A text kept under `key`: appended to `out` and 1, or 0 when none. */
int cb_serve_cache_fetch(const char *key, cb_buf *out);
/* Keeps text[0..len) under `key` (nothing when memory is short). */
void cb_serve_cache_store(const char *key, const char *text, size_t len);

/* Empties the cache (tests; the server's stop). */
void cb_serve_cache_clear(void);

#endif
