/*
 * The plugin host: one Lua state for all plugins, a counting allocator that
 * enforces the memory cap, a count hook that enforces the instruction
 * budget, loading files into their own environments, and the calls into
 * plugins (KPI computes and hooks), each protected so that no plugin error
 * reaches C as anything but an error code and a message.
 *
 * Every Lua API call that may allocate runs inside lua_pcall (through a
 * small C "job" function), because an allocation refused by the cap raises
 * an error, and an error outside a protected call would end the process.
 */
#include "plugin/internal.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/error.h"

#define HOOK_STEP 1000             /* instructions between budget checks */
#define PLUGIN_FILE_MAX (1 << 20)  /* bytes of one plugin file */
#define REASON_MAX 300             /* bytes of a nil-result reason kept */

const char *const cb_plugin_events[] = {"session.record", "case.submit", NULL};

/* The registry keeps a call's window table alive until its series are
 * expired (h->ref_anchor, see compute_job), the window tables' shared
 * metatable (ref_window_meta) and the compute call in progress, the job
 * its __index reads (ref_job). */

typedef struct compute_job {
	const cb_kpi_def *kpi;
	const cb_window *window;
	cb_series_ud **made; /* the series handed out, to expire afterwards */
	size_t nmade;
	int read_context; /* compute read w.account, w.from or w.to */
} compute_job;

/* __index of a window table: its account and dates, noted as read. */
static int window_index(lua_State *L)
{
	const char *key = lua_tostring(L, 2), *value = NULL;
	compute_job *job;

	lua_rawgeti(L, LUA_REGISTRYINDEX, cb_plugin_host_of(L)->ref_job);
	job = lua_touserdata(L, -1);
	if (!job || !key)
		return 0;
	if (strcmp(key, "account") == 0)
		value = job->window->account;
	else if (strcmp(key, "from") == 0)
		value = job->window->from;
	else if (strcmp(key, "to") == 0)
		value = job->window->to;
	else
		return 0;
	job->read_context = 1;
	if (!value)
		return 0;
	lua_pushstring(L, value);
	return 1;
}

int cb_ptrs_push(cb_ptrs *a, void *p)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		void **items = realloc(a->items, cap * sizeof(*items));

		if (!items)
			return cb_error_set(CB_ENOMEM, "out of memory");
		a->items = items;
		a->cap = cap;
	}
	a->items[a->n++] = p;
	return 0;
}

void cb_ptrs_free(cb_ptrs *a)
{
	free(a->items);
	a->items = NULL;
	a->n = a->cap = 0;
}

static void *host_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	cb_plugin_host *h = ud;
	void *p;

	if (!ptr)
		osize = 0; /* osize then tells the object's type, not a size */
	if (nsize == 0) {
		free(ptr);
		h->mem_used -= osize;
		return NULL;
	}
	if (nsize > osize && h->mem_used + (nsize - osize) > h->mem_limit)
		return NULL; /* Lua raises a memory error */
	p = realloc(ptr, nsize);
	if (!p)
		return NULL;
	h->mem_used = h->mem_used - osize + nsize;
	if (h->mem_used > h->mem_peak)
		h->mem_peak = h->mem_used;
	return p;
}

cb_plugin_host *cb_plugin_host_of(lua_State *L)
{
	void *ud;

	lua_getallocf(L, &ud);
	return ud;
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
	cb_plugin_host *h = cb_plugin_host_of(L);

	h->used += HOOK_STEP;
	if (h->used > h->budget || h->over_budget) {
		/* From now on every instruction fails, so that a plugin's
		 * pcall cannot swallow the error and go on looping. */
		h->over_budget = 1;
		lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
		/* Name the line that was running, not the hook's caller. */
		lua_getinfo(L, "Sl", ar);
		if (ar->currentline > 0)
			lua_pushfstring(L, "%s:%d: instruction budget of %I exceeded",
					ar->short_src, ar->currentline, (lua_Integer)h->budget);
		else
			lua_pushfstring(L, "instruction budget of %I exceeded",
					(lua_Integer)h->budget);
		lua_error(L);
	}
}

static void budget_start(cb_plugin_host *h)
{
	h->used = 0;
	h->over_budget = 0;
	lua_sethook(h->L, budget_hook, LUA_MASKCOUNT, HOOK_STEP);
}

static void budget_stop(cb_plugin_host *h)
{
	lua_sethook(h->L, NULL, 0, 0);
}

static void warn_sink(void *ud, const char *msg, int tocont)
{
	/* Lua's warnings (an error in a finalizer, say) are dropped: plugins
	 * cannot set finalizers, and the host must never print on its own. */
	(void)ud, (void)msg, (void)tocont;
}

/* Message handler: turns any error object into a string that says where. */
static int message_handler(lua_State *L)
{
	lua_Debug ar;
	const char *type;

	if (lua_type(L, 1) == LUA_TSTRING)
		return 1;
	type = luaL_typename(L, 1);
	/* Find the innermost Lua function to name the line that raised it. */
	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		lua_getinfo(L, "Sl", &ar);
		if (ar.currentline > 0) {
			lua_pushfstring(L, "%s:%d: error object is a %s value", ar.short_src,
					ar.currentline, type);
			return 1;
		}
	}
	lua_pushfstring(L, "error object is a %s value", type);
	return 1;
}

/* Runs job(arg) in protected mode under the instruction budget; on success
 * its `nresults` results stay on the stack. On failure records "MESSAGE
 * (CONTEXT)" and returns CB_EINVALID; the context (printf's fmt and what
 * follows) is formatted only then: a KPI's compute runs once per window. */
static int protected_run(cb_plugin_host *h, lua_CFunction job, void *arg, int nresults,
			 const char *fmt, ...) CB_PRINTF(5, 6);

static int protected_run(cb_plugin_host *h, lua_CFunction job, void *arg, int nresults,
			 const char *fmt, ...)
{
	va_list ap;
	lua_State *L = h->L;
	int base = lua_gettop(L), status;
	char context[300];

	/* These two pushes cannot fail: the stack has LUA_MINSTACK free
	 * slots and pushing a C function or light userdata allocates nothing. */
	lua_pushcfunction(L, message_handler);
	lua_pushcfunction(L, job);
	lua_pushlightuserdata(L, arg);
	budget_start(h);
	status = lua_pcall(L, 1, nresults, base + 1);
	budget_stop(h);
	if (status == LUA_OK) {
		lua_remove(L, base + 1);
		return 0;
	}
	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	if (status == LUA_ERRMEM)
		cb_error_set(CB_EINVALID, "memory limit of %zu KiB for plugins exceeded (%s)",
			     h->mem_limit >> 10, context);
	else if (lua_type(L, -1) == LUA_TSTRING)
		cb_error_set(CB_EINVALID, "%s (%s)", lua_tostring(L, -1), context);
	else
		cb_error_set(CB_EINVALID, "unknown error (%s)", context);
	lua_settop(L, base);
	/* Give back what the failed call left behind. */
	lua_gc(L, LUA_GCCOLLECT);
	return CB_EINVALID;
}

static int init_job(lua_State *L)
{
	cb_plugin_host *h = cb_plugin_host_of(L);

	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
	luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
	luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
	luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
	lua_settop(L, 0);
	cb_plugin_sandbox_init(L);
	cb_plugin_series_register(L);
	lua_pushboolean(L, 0);
	h->ref_anchor = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushboolean(L, 0);
	h->ref_job = luaL_ref(L, LUA_REGISTRYINDEX);
	/* A window's account and dates are read through __index, so that the
	 * host knows whether an answer depended on them (compute_job). The
	 * metatable is locked: a plugin cannot swap it for later calls. */
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, window_index);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	h->ref_window_meta = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

int cb_plugin_host_new(const cb_plugin_limits *limits, cb_plugin_host **out)
{
	cb_plugin_host *h;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return cb_error_set(CB_ENOMEM, "out of memory");
	h->budget = limits && limits->instructions ? limits->instructions
						   : CB_PLUGIN_DEFAULT_INSTRUCTIONS;
	h->mem_limit = limits && limits->memory ? limits->memory : CB_PLUGIN_DEFAULT_MEMORY;
	h->L = lua_newstate(host_alloc, h);
	if (!h->L) {
		free(h);
		return cb_error_set(CB_ENOMEM, "cannot start Lua (memory limit too small?)");
	}
	lua_setwarnf(h->L, warn_sink, NULL);
	/* Generational collection: a compute call makes a window table and a
	 * series or two that die with it, and a young collection frees them
	 * without marking the plugins' own tables again and again. */
	lua_gc(h->L, LUA_GCGEN, 0, 0);
	if (protected_run(h, init_job, NULL, 0, "starting the plugin host") < 0) {
		cb_plugin_host_free(h);
		return CB_EINVALID;
	}
	*out = h;
	return 0;
}

static void measure_free(cb_measure_def *m)
{
	if (!m)
		return;
	free(m->key);
	free(m->unit);
	free(m->doc);
	free(m);
}

static void kpi_free(cb_kpi_def *k)
{
	if (!k)
		return;
	free(k->key);
	free(k->name);
	free(k->unit);
	free(k->doc);
	for (size_t i = 0; i < k->ninputs; i++)
		free(k->inputs[i]);
	free(k->inputs);
	free(k->disabled_reason);
	free(k->empty.reason);
	free(k);
}

static void hook_free(cb_hook *hk)
{
	if (!hk)
		return;
	free(hk->event);
	free(hk);
}

static void plugin_free(cb_plugin *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->path);
	free(p->error);
	free(p);
}

static void memo_free(cb_plugin_host *h);

void cb_plugin_host_free(cb_plugin_host *h)
{
	if (!h)
		return;
	if (h->L)
		lua_close(h->L);
	memo_free(h);
	for (size_t i = 0; i < h->measures.n; i++)
		measure_free(h->measures.items[i]);
	for (size_t i = 0; i < h->kpis.n; i++)
		kpi_free(h->kpis.items[i]);
	for (size_t i = 0; i < h->hooks.n; i++)
		hook_free(h->hooks.items[i]);
	for (size_t i = 0; i < h->plugins.n; i++)
		plugin_free(h->plugins.items[i]);
	cb_ptrs_free(&h->measures);
	cb_ptrs_free(&h->kpis);
	cb_ptrs_free(&h->hooks);
	cb_ptrs_free(&h->plugins);
	cb_ptrs_free(&h->stage_measures);
	cb_ptrs_free(&h->stage_kpis);
	cb_ptrs_free(&h->stage_hooks);
	free(h->chunk_dir);
	free(h);
}

int cb_plugin_host_set_chunk_cache(cb_plugin_host *h, const char *dir)
{
	char *copy = NULL;

	if (dir && !(copy = strdup(dir)))
		return cb_error_set(CB_ENOMEM, "out of memory");
	free(h->chunk_dir);
	h->chunk_dir = copy;
	return 0;
}

void cb_plugin_host_set_log(cb_plugin_host *h, cb_plugin_log_fn fn, void *ctx)
{
	h->log = fn;
	h->log_ctx = ctx;
}

/* --- loading ------------------------------------------------------------ */

typedef struct load_job {
	cb_plugin *plugin;
	const char *text;
	size_t len;
} load_job;

static int load_job_run(lua_State *L)
{
	load_job *job = lua_touserdata(L, 1);
	char chunkname[4200];
	int status;

	snprintf(chunkname, sizeof(chunkname), "@%s", job->plugin->path);
	status = cb_plugin_chunk_load(L, cb_plugin_host_of(L)->chunk_dir, job->text, job->len,
				      chunkname);
	if (status != LUA_OK)
		return lua_error(L);
	cb_plugin_sandbox_push_env(L, job->plugin);
	if (!lua_setupvalue(L, -2, 1))
		lua_pop(L, 1);
	lua_call(L, 0, 0);
	return 0;
}

static void stage_discard(cb_plugin_host *h)
{
	for (size_t i = 0; i < h->stage_measures.n; i++)
		measure_free(h->stage_measures.items[i]);
	for (size_t i = 0; i < h->stage_kpis.n; i++) {
		cb_kpi_def *k = h->stage_kpis.items[i];

		luaL_unref(h->L, LUA_REGISTRYINDEX, k->ref);
		kpi_free(k);
	}
	for (size_t i = 0; i < h->stage_hooks.n; i++) {
		cb_hook *hk = h->stage_hooks.items[i];

		luaL_unref(h->L, LUA_REGISTRYINDEX, hk->ref);
		hook_free(hk);
	}
	h->stage_measures.n = h->stage_kpis.n = h->stage_hooks.n = 0;
}

static int stage_commit(cb_plugin_host *h, cb_plugin *p)
{
	size_t need_m = h->measures.n + h->stage_measures.n;
	size_t need_k = h->kpis.n + h->stage_kpis.n;
	size_t need_h = h->hooks.n + h->stage_hooks.n;

	/* Reserve first, so that committing cannot fail half-way. */
	while (h->measures.cap < need_m || h->kpis.cap < need_k || h->hooks.cap < need_h) {
		cb_ptrs *a = h->measures.cap < need_m ? &h->measures
			     : h->kpis.cap < need_k   ? &h->kpis
						      : &h->hooks;
		size_t cap = a->cap ? a->cap * 2 : 16;
		void **items = realloc(a->items, cap * sizeof(*items));

		if (!items)
			return cb_error_set(CB_ENOMEM, "out of memory");
		a->items = items;
		a->cap = cap;
	}
	for (size_t i = 0; i < h->stage_measures.n; i++)
		h->measures.items[h->measures.n++] = h->stage_measures.items[i];
	for (size_t i = 0; i < h->stage_kpis.n; i++)
		h->kpis.items[h->kpis.n++] = h->stage_kpis.items[i];
	for (size_t i = 0; i < h->stage_hooks.n; i++)
		h->hooks.items[h->hooks.n++] = h->stage_hooks.items[i];
	p->measures = h->stage_measures.n;
	p->kpis = h->stage_kpis.n;
	p->hooks = h->stage_hooks.n;
	h->stage_measures.n = h->stage_kpis.n = h->stage_hooks.n = 0;
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cb_buf b = CB_BUF_INIT;
	char chunk[8192];
	size_t n;

	if (!f) {
		cb_error_set(CB_EIO, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > PLUGIN_FILE_MAX) {
			cb_error_set(CB_EINVALID, "%s: larger than %d bytes", path,
				     PLUGIN_FILE_MAX);
			goto fail;
		}
		if (cb_buf_append(&b, chunk, n) < 0)
			goto fail;
	}
	if (ferror(f)) {
		cb_error_set(CB_EIO, "%s: cannot read: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	*len = b.len;
	return cb_buf_detach(&b);
fail:
	fclose(f);
	cb_buf_free(&b);
	return NULL;
}

static char *name_of(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;
	char *name;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".lua") == 0)
		len -= 4;
	name = malloc(len + 1);
	if (name) {
		memcpy(name, base, len);
		name[len] = '\0';
	}
	return name;
}

int cb_plugin_host_load_file(cb_plugin_host *h, const char *path)
{
	cb_plugin *p = calloc(1, sizeof(*p));
	load_job job;
	char *text = NULL;
	int rc;

	/* The canonical path, so that a plugin named two ways is one plugin. */
	if (p)
		p->path = realpath(path, NULL);
	if (p && !p->path)
		p->path = strdup(path);
	if (!p || !p->path || !(p->name = name_of(path)) ||
	    cb_ptrs_push(&h->plugins, p) < 0) {
		plugin_free(p);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	p->status = CB_PLUGIN_FAILED;
	text = read_file(path, &job.len);
	if (!text) {
		p->error = strdup(cb_error_last());
		return CB_EINVALID;
	}
	job.plugin = p;
	job.text = text;
	h->loading = p;
	rc = protected_run(h, load_job_run, &job, 0, "plugin %s", p->name);
	h->loading = NULL;
	free(text);
	if (rc == 0 && p->api == 0)
		rc = cb_error_set(CB_EINVALID,
				  "%s: the plugin does not declare its API version; begin it with casebook.api(%d)",
				  path, CB_PLUGIN_API_VERSION);
	if (rc == 0)
		rc = stage_commit(h, p);
	if (rc < 0) {
		stage_discard(h);
		p->error = strdup(cb_error_last());
		return CB_EINVALID;
	}
	p->status = CB_PLUGIN_LOADED;
	return 0;
}

static int name_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cb_plugin_host_load_dir(cb_plugin_host *h, const char *dir, int optional)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	cb_ptrs names = {0};
	int rc = 0;

	if (!d) {
		if (optional && errno == ENOENT)
			return 0;
		return cb_error_set(CB_EIO, "cannot read plugin folder %s: %s", dir,
				    strerror(errno));
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		cb_buf path = CB_BUF_INIT;
		struct stat st;

		/* NAME.d.lua files are editor annotations, not plugins. */
		if (len < 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".lua") != 0 ||
		    (len > 6 && strcmp(e->d_name + len - 6, ".d.lua") == 0))
			continue;
		if (cb_buf_printf(&path, "%s/%s", dir, e->d_name) < 0 ||
		    cb_ptrs_push(&names, path.ptr) < 0) {
			cb_buf_free(&path);
			rc = CB_ENOMEM;
			break;
		}
		if (stat(path.ptr, &st) != 0 || !S_ISREG(st.st_mode)) {
			names.n--;
			cb_buf_free(&path);
		}
	}
	closedir(d);
	if (rc == 0 && names.n) {
		/* Byte order of names: the same on every machine and locale. */
		qsort(names.items, names.n, sizeof(char *), name_order);
		for (size_t i = 0; i < names.n; i++)
			cb_plugin_host_load_file(h, names.items[i]);
	}
	for (size_t i = 0; i < names.n; i++)
		free(names.items[i]);
	cb_ptrs_free(&names);
	return rc;
}

void cb_plugin_host_finish(cb_plugin_host *h)
{
	for (size_t i = 0; i < h->kpis.n; i++) {
		cb_kpi_def *k = h->kpis.items[i];

		for (size_t j = 0; j < k->ninputs && !k->disabled; j++) {
			cb_buf why = CB_BUF_INIT;

			if (cb_plugin_measure_find(h, k->inputs[j]))
				continue;
			k->disabled = 1;
			if (cb_buf_printf(&why, "%s: KPI '%s' needs measure '%s', which no plugin declares",
					  k->plugin->path, k->key, k->inputs[j]) == 0)
				k->disabled_reason = cb_buf_detach(&why);
			cb_buf_free(&why);
		}
	}
}

/* --- the registry ------------------------------------------------------- */

size_t cb_plugin_count(const cb_plugin_host *h)
{
	return h->plugins.n;
}

const cb_plugin *cb_plugin_at(const cb_plugin_host *h, size_t i)
{
	return i < h->plugins.n ? h->plugins.items[i] : NULL;
}

const cb_plugin *cb_plugin_find(const cb_plugin_host *h, const char *name)
{
	for (size_t i = 0; i < h->plugins.n; i++) {
		const cb_plugin *p = h->plugins.items[i];

		if (strcmp(p->name, name) == 0 || strcmp(p->path, name) == 0)
			return p;
	}
	return NULL;
}

size_t cb_plugin_measure_count(const cb_plugin_host *h)
{
	return h->measures.n;
}

const cb_measure_def *cb_plugin_measure_at(const cb_plugin_host *h, size_t i)
{
	return i < h->measures.n ? h->measures.items[i] : NULL;
}

const cb_measure_def *cb_plugin_measure_find(const cb_plugin_host *h, const char *key)
{
	for (size_t i = 0; i < h->measures.n; i++) {
		const cb_measure_def *m = h->measures.items[i];

		if (strcmp(m->key, key) == 0)
			return m;
	}
	return NULL;
}

size_t cb_plugin_kpi_count(const cb_plugin_host *h)
{
	return h->kpis.n;
}

const cb_kpi_def *cb_plugin_kpi_at(const cb_plugin_host *h, size_t i)
{
	return i < h->kpis.n ? h->kpis.items[i] : NULL;
}

const cb_kpi_def *cb_plugin_kpi_find(const cb_plugin_host *h, const char *key)
{
	for (size_t i = 0; i < h->kpis.n; i++) {
		const cb_kpi_def *k = h->kpis.items[i];

		if (strcmp(k->key, key) == 0)
			return k;
	}
	return NULL;
}

int cb_plugin_measure_check(const cb_measure_def *m, double value)
{
	if (!isfinite(value))
		return cb_error_set(CB_EINVALID, "value %g is not a finite number (measure %s)",
				    value, m->key);
	if (value < m->min || value > m->max)
		return cb_error_set(CB_EINVALID, "value %.10g out of range %g..%g for measure %s",
				    value, m->min, m->max, m->key);
	if (m->integer && value != floor(value))
		return cb_error_set(CB_EINVALID, "value %.10g is not a whole number (measure %s)",
				    value, m->key);
	return 0;
}

/* --- calls ---------------------------------------------------------------- */


static int compute_job_run(lua_State *L)
{
	compute_job *job = lua_touserdata(L, 1);
	const cb_kpi_def *k = job->kpi;
	cb_plugin_host *h = cb_plugin_host_of(L);

	lua_pushlightuserdata(L, job);
	lua_rawseti(L, LUA_REGISTRYINDEX, h->ref_job);
	lua_rawgeti(L, LUA_REGISTRYINDEX, k->ref);
	lua_createtable(L, 0, (int)k->ninputs + 1);
	lua_pushstring(L, k->key);
	lua_setfield(L, -2, "kpi");
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->ref_window_meta);
	lua_setmetatable(L, -2);
	for (size_t i = 0; i < k->ninputs; i++) {
		job->made[job->nmade++] = cb_plugin_series_push(L, &job->window->inputs[i]);
		lua_setfield(L, -2, k->inputs[i]);
	}
	/* Anchor the window so its series outlive any unwinding until the
	 * host has expired them. */
	lua_pushvalue(L, -1);
	lua_rawseti(L, LUA_REGISTRYINDEX, h->ref_anchor);
	lua_call(L, 1, 2);
	return 2;
}

/* One Lua call of kpi's compute; *read_context says whether it read the
 * window's account or dates. */
static int compute_call(cb_plugin_host *h, const cb_kpi_def *kpi, const cb_window *w,
			double *value, char **reason, int *read_context)
{
	lua_State *L = h->L;
	cb_series_ud *made_small[8], **made = made_small;
	compute_job job = {kpi, w, NULL, 0, 0};
	int rc, base = lua_gettop(L);

	if (kpi->ninputs > 8) {
		made = malloc(kpi->ninputs * sizeof(*made));
		if (!made)
			return cb_error_set(CB_ENOMEM, "out of memory");
	}
	job.made = made;
	rc = protected_run(h, compute_job_run, &job, 2, "plugin %s, KPI %s", kpi->plugin->name,
			   kpi->key);
	for (size_t i = 0; i < job.nmade; i++)
		cb_plugin_series_expire(job.made[i]);
	*read_context = job.read_context;
	/* Existing keys: no allocation. A window table kept by the plugin
	 * reads nothing once its call is over. */
	lua_pushboolean(L, 0);
	lua_rawseti(L, LUA_REGISTRYINDEX, h->ref_anchor);
	lua_pushboolean(L, 0);
	lua_rawseti(L, LUA_REGISTRYINDEX, h->ref_job);
	if (made != made_small)
		free(made);
	if (rc < 0)
		return rc;

	if (lua_type(L, base + 1) == LUA_TNUMBER) {
		double v = lua_tonumber(L, base + 1);

		lua_settop(L, base);
		if (!isfinite(v))
			return cb_error_set(CB_EINVALID,
					    "plugin %s, KPI %s: compute returned %g, not a finite number",
					    kpi->plugin->name, kpi->key, v);
		if (v < kpi->min || v > kpi->max)
			return cb_error_set(CB_EINVALID,
					    "plugin %s, KPI %s: compute returned %g, outside the KPI's range %g..%g",
					    kpi->plugin->name, kpi->key, v, kpi->min, kpi->max);
		*value = v;
		return 0;
	}
	if (lua_isnil(L, base + 1)) {
		const char *why = lua_type(L, base + 2) == LUA_TSTRING ? lua_tostring(L, base + 2)
								       : "no value (the plugin gave no reason)";
		size_t len = strlen(why);

		if (len > REASON_MAX)
			len = REASON_MAX;
		*reason = malloc(len + 1);
		if (*reason) {
			memcpy(*reason, why, len);
			(*reason)[len] = '\0';
		}
		lua_settop(L, base);
		return *reason ? 1 : cb_error_set(CB_ENOMEM, "out of memory");
	}
	rc = cb_error_set(CB_EINVALID, "plugin %s, KPI %s: compute returned a %s, not a number or nil",
			  kpi->plugin->name, kpi->key, luaL_typename(L, base + 1));
	lua_settop(L, base);
	return rc;
}

/* --- answers kept for the same observations ------------------------------ */

#define MEMO_SLOTS 4096 /* a power of 2 */
#define MEMO_INPUTS 8	/* KPIs with more inputs are always computed */
#define MEMO_PROBES 8

struct cb_plugin_memo {
	uint64_t gen; /* 0: never used */
	const cb_kpi_def *kpi;
	const double *values[MEMO_INPUTS];
	size_t n[MEMO_INPUTS];
	cb_kpi_answer answer;
};

void cb_plugin_memo_begin(cb_plugin_host *h)
{
	if (!h->memo) {
		h->memo = calloc(MEMO_SLOTS, sizeof(*h->memo));
		if (!h->memo)
			return; /* no memo: every window is computed, nothing else changes */
	}
	h->memo_gen++;
	h->memo_on = 1;
}

void cb_plugin_memo_end(cb_plugin_host *h)
{
	h->memo_on = 0;
}

static void memo_free(cb_plugin_host *h)
{
	for (size_t i = 0; h->memo && i < MEMO_SLOTS; i++)
		free(h->memo[i].answer.reason);
	free(h->memo);
	h->memo = NULL;
}

static size_t memo_hash(const cb_kpi_def *kpi, const cb_window *w)
{
	uint64_t x = (uint64_t)(uintptr_t)kpi * 0x9e3779b97f4a7c15u;

	for (size_t i = 0; i < kpi->ninputs; i++) {
		x ^= (uint64_t)(uintptr_t)w->inputs[i].values + (x << 6) + (x >> 2);
		x ^= (uint64_t)w->inputs[i].n * 0xff51afd7ed558ccdu;
	}
	x ^= x >> 33;
	return (size_t)(x & (MEMO_SLOTS - 1));
}

static int memo_same(const struct cb_plugin_memo *m, uint64_t gen, const cb_kpi_def *kpi,
		     const cb_window *w)
{
	if (m->gen != gen || m->kpi != kpi)
		return 0;
	for (size_t i = 0; i < kpi->ninputs; i++)
		if (m->values[i] != w->inputs[i].values || m->n[i] != w->inputs[i].n)
			return 0;
	return 1;
}

/* The kept answer for this KPI and these observations, or NULL; with
 * `slot`, where a new answer goes. */
static struct cb_plugin_memo *memo_find(cb_plugin_host *h, const cb_kpi_def *kpi,
					const cb_window *w, struct cb_plugin_memo **slot)
{
	size_t at = memo_hash(kpi, w);

	*slot = &h->memo[at];
	for (size_t p = 0; p < MEMO_PROBES; p++) {
		struct cb_plugin_memo *m = &h->memo[(at + p) & (MEMO_SLOTS - 1)];

		if (memo_same(m, h->memo_gen, kpi, w))
			return m;
		if (m->gen != h->memo_gen) {
			*slot = m; /* free in this generation */
			break;
		}
	}
	return NULL;
}

/* The kept answer as compute's own: *value, or a copy of the reason (when
 * the caller wants one). */
static int answer_give(const cb_kpi_answer *a, double *value, char **reason)
{
	if (a->rc == 0) {
		*value = a->value;
		return 0;
	}
	if (!reason)
		return 1;
	*reason = strdup(a->reason);
	return *reason ? 1 : cb_error_set(CB_ENOMEM, "out of memory");
}

/* Keeps compute's answer rc (0 or 1) in a: 0, or -1 when out of memory
 * kept nothing. */
static int answer_keep(cb_kpi_answer *a, int rc, double value, const char *reason)
{
	char *kept = rc == 1 ? strdup(reason) : NULL;

	if (rc == 1 && !kept)
		return -1;
	free(a->reason);
	*a = (cb_kpi_answer){1, rc, value, kept};
	return 0;
}

static int kpi_compute(cb_plugin_host *h, const cb_kpi_def *kpi, const cb_window *w,
		       double *value, char **reason, char **mine, int *pure);

/* A built-in compute (`compute = "mean"`): no Lua call, the same checks of
 * its answer as a function's. */
static int builtin_call(const cb_kpi_def *kpi, const cb_window *w, double *value, char **reason)
{
	double v;

	if (cb_plugin_builtin_compute(kpi->builtin, &w->inputs[0], &v) == 1) {
		size_t len;

		if (!reason)
			return 1;
		len = strlen(kpi->inputs[0]) + sizeof("no observations of ");
		if (!(*reason = malloc(len)))
			return cb_error_set(CB_ENOMEM, "out of memory");
		snprintf(*reason, len, "no observations of %s", kpi->inputs[0]);
		return 1;
	}
	if (v < kpi->min || v > kpi->max)
		return cb_error_set(CB_EINVALID,
				    "plugin %s, KPI %s: its %s %g is outside the KPI's range %g..%g",
				    kpi->plugin->name, kpi->key, cb_kpi_builtin_name(kpi->builtin), v,
				    kpi->min, kpi->max);
	*value = v;
	return 0;
}

int cb_plugin_kpi_compute(cb_plugin_host *h, const cb_kpi_def *kpi, const cb_window *w,
			  double *value, char **reason)
{
	int pure;

	return cb_plugin_kpi_compute_pure(h, kpi, w, value, reason, &pure);
}

int cb_plugin_kpi_compute_pure(cb_plugin_host *h, const cb_kpi_def *kpi, const cb_window *w,
			       double *value, char **reason, int *pure)
{
	char *mine = NULL;
	int rc;

	if (reason)
		*reason = NULL;
	*pure = 0;
	rc = kpi_compute(h, kpi, w, value, reason, &mine, pure);
	free(mine);
	return rc;
}

/* The work of cb_plugin_kpi_compute; a reason the caller did not want but
 * the memo keeps a copy of goes through *mine. */
static int kpi_compute(cb_plugin_host *h, const cb_kpi_def *kpi, const cb_window *w,
		       double *value, char **reason, char **mine, int *pure)
{
	struct cb_plugin_memo *memo = NULL, *slot = NULL;
	/* The host owns its KPI definitions; the memo below is its own. */
	cb_kpi_def *k = (cb_kpi_def *)kpi;
	size_t seen = 0;
	int rc, read_context = 0;
	double got;

	if (kpi->disabled)
		return cb_error_set(CB_EINVALID, "%s", kpi->disabled_reason);
	if (kpi->builtin != CB_KPI_LUA) {
		*pure = 1;
		return builtin_call(kpi, w, value, reason);
	}
	for (size_t i = 0; i < kpi->ninputs; i++)
		seen += w->inputs[i].n;
	/* A window without one observation: the answer of the last such call
	 * that read neither the account nor the dates is the answer again
	 * (compute is a function of its window, plugins/README.md), without a
	 * Lua call. Most windows of a staggered impact on sparse data are
	 * empty: every untrained account is measured over every cohort's
	 * windows. */
	if (kpi->ninputs && !seen && k->empty.known) {
		*pure = 1;
		return answer_give(&k->empty, value, reason);
	}
	/* While the caller keeps its series in place (an impact, one account
	 * at a time), windows of different cohorts often hold the same
	 * observations: the same pointers and lengths are the same data. */
	if (h->memo_on && seen && kpi->ninputs <= MEMO_INPUTS &&
	    (memo = memo_find(h, kpi, w, &slot)) != NULL) {
		*pure = 1;
		return answer_give(&memo->answer, value, reason);
	}
	if (!reason)
		reason = mine;
	rc = compute_call(h, kpi, w, value, reason, &read_context);
	if (read_context || (rc != 0 && rc != 1))
		return rc;
	*pure = 1;
	got = rc == 0 ? *value : NAN;
	if (slot && answer_keep(&slot->answer, rc, got, *reason) == 0) {
		slot->gen = h->memo_gen;
		slot->kpi = kpi;
		for (size_t i = 0; i < kpi->ninputs; i++) {
			slot->values[i] = w->inputs[i].values;
			slot->n[i] = w->inputs[i].n;
		}
	} else if (slot) {
		slot->gen = 0; /* nothing kept: the slot is free */
	}
	if (kpi->ninputs && !seen)
		(void)answer_keep(&k->empty, rc, got, *reason);
	return rc;
}

typedef struct hook_job {
	const cb_hook *hook;
	const json_t *record;
} hook_job;

static int hook_job_run(lua_State *L)
{
	hook_job *job = lua_touserdata(L, 1);

	lua_rawgeti(L, LUA_REGISTRYINDEX, job->hook->ref);
	cb_plugin_push_json(L, job->record, 0);
	lua_call(L, 1, 2);
	return 2;
}

int cb_plugin_hook_run(cb_plugin_host *h, const char *event, const json_t *record)
{
	lua_State *L = h->L;

	for (size_t i = 0; i < h->hooks.n; i++) {
		const cb_hook *hk = h->hooks.items[i];
		hook_job job = {hk, record};
		int base = lua_gettop(L), rc;

		if (strcmp(hk->event, event) != 0)
			continue;
		rc = protected_run(h, hook_job_run, &job, 2, "plugin %s, hook %s", hk->plugin->name,
				   event);
		if (rc < 0)
			return rc;
		if (lua_type(L, base + 1) == LUA_TBOOLEAN && !lua_toboolean(L, base + 1)) {
			const char *why = lua_type(L, base + 2) == LUA_TSTRING
						  ? lua_tostring(L, base + 2)
						  : NULL;

			rc = cb_error_set(CB_EINVALID, "plugin %s rejected the %s: %.300s",
					  hk->plugin->name, event,
					  why ? why : "no reason given");
			lua_settop(L, base);
			return rc;
		}
		lua_settop(L, base);
	}
	return 0;
}
