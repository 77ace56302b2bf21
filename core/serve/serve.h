/*
 * casebook serve: the workspace served to a team over HTTP, through
 * libmicrohttpd. This layer owns the door: listening, limits, the headers
 * every answer carries, routing, sign-in sessions and CSRF, and the rights
 * check for each route; pages are rendered by core/view and every change
 * goes through core/app as the signed-in person.
 */
#ifndef CB_SERVE_SERVE_H
#define CB_SERVE_SERVE_H

#include <stddef.h>
#include <stdio.h>

#include "app/plugins.h"

typedef struct cb_serve_options {
	const char *workspace_dir; /* NULL: found like every command finds it */
	const char *listen;        /* "127.0.0.1:8080" (the default when NULL) */
	const char *tls_cert, *tls_key; /* PEM files; both or neither */
	size_t max_body;           /* bytes a request body may hold (0: 1 MiB) */
	size_t max_upload;         /* bytes of a KPI CSV upload (0: 32 MiB) */
	unsigned timeout_s;        /* idle connection timeout (0: 15 s) */
	/* A request's grace to arrive (0: 30 s): its headers must be in by
	 * then, and its body must keep coming at 8 KiB/s on average after it
	 * (a client that trickles a byte now and then is never idle). */
	unsigned request_s;
	unsigned max_connections;  /* (0: 64) */
	unsigned max_per_address;  /* of those, from one address (0: half) */
	FILE *log;                 /* one line per request; NULL: none */
	cb_plugin_options plugins; /* what each request's workspace loads */
	/* Called once the server listens, with its address ("http://..."). */
	void (*ready)(const char *url, void *ctx);
	void *ready_ctx;
} cb_serve_options;

/* Serves until SIGINT or SIGTERM. Returns 0 after a clean stop, or a
 * negative code (the address is taken, a TLS file cannot be read). */
int cb_serve_run(const cb_serve_options *o);

#endif
