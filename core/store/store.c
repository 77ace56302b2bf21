/*
 * Opening the database and keeping its schema current. The schema is a list
 * of migrations; migration N brings user_version from N-1 to N inside one
 * transaction, so a failed upgrade leaves the file as it was.
 */
#include "store/internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/text.h"

#define CB_BUSY_TIMEOUT_MS 10000

static const char *const migrations[] = {
	/* 1: the trainer's records. Dates are ISO text (YYYY-MM-DD), which
	 * sorts and compares as dates do. */
	"CREATE TABLE account ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  industry TEXT,"
	"  region TEXT,"
	"  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
	");"
	"CREATE TABLE person ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  email TEXT,"
	"  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
	");"
	"CREATE TABLE person_role ("
	"  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL CHECK (role IN ('technician','trainer','consultant')),"
	"  PRIMARY KEY (person_id, role)"
	") WITHOUT ROWID;"
	"CREATE TABLE coverage ("
	"  id INTEGER PRIMARY KEY,"
	"  person_id INTEGER NOT NULL REFERENCES person(id),"
	"  account_id INTEGER NOT NULL REFERENCES account(id),"
	"  from_on TEXT NOT NULL,"
	"  to_on TEXT,"
	"  CHECK (to_on IS NULL OR to_on >= from_on)"
	");"
	"CREATE INDEX coverage_by_account ON coverage(account_id, from_on);"
	"CREATE INDEX coverage_by_person ON coverage(person_id, from_on);"
	"CREATE TABLE program ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  description TEXT,"
	"  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
	");"
	"CREATE TABLE session ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE,"
	"  program_id INTEGER NOT NULL REFERENCES program(id),"
	"  title TEXT NOT NULL,"
	"  format TEXT NOT NULL CHECK (format IN ('in-person','blended','virtual')),"
	"  starts_on TEXT NOT NULL,"
	"  ends_on TEXT NOT NULL,"
	"  trainer_id INTEGER REFERENCES person(id),"
	"  location TEXT,"
	"  cost REAL CHECK (cost IS NULL OR cost >= 0),"
	"  currency TEXT,"
	"  notes TEXT,"
	"  status TEXT NOT NULL DEFAULT 'scheduled'"
	"    CHECK (status IN ('scheduled','cancelled')),"
	"  cancel_reason TEXT,"
	"  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
	"  CHECK (ends_on >= starts_on)"
	");"
	"CREATE INDEX session_by_program ON session(program_id, starts_on);"
	"CREATE INDEX session_by_trainer ON session(trainer_id, starts_on);"
	"CREATE TABLE attendance ("
	"  session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,"
	"  person_id INTEGER NOT NULL REFERENCES person(id),"
	"  status TEXT NOT NULL DEFAULT 'attended'"
	"    CHECK (status IN ('attended','absent','partial')),"
	"  reaction INTEGER CHECK (reaction IS NULL OR reaction BETWEEN 1 AND 5),"
	"  pre_score REAL CHECK (pre_score IS NULL OR pre_score BETWEEN 0 AND 100),"
	"  post_score REAL CHECK (post_score IS NULL OR post_score BETWEEN 0 AND 100),"
	"  PRIMARY KEY (session_id, person_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX attendance_by_person ON attendance(person_id);"
	"CREATE TABLE session_account ("
	"  session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,"
	"  account_id INTEGER NOT NULL REFERENCES account(id),"
	"  PRIMARY KEY (session_id, account_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX session_account_by_account ON session_account(account_id);",

	/* 2: customer KPI data. Observations are clustered by (measure,
	 * account, time): a KPI's window is one contiguous range of the
	 * table. batch and line make each row unique (many answers may share
	 * a day) and say where it came from. There are no foreign keys on
	 * observation: the import checks every reference itself, and three
	 * parent lookups per row would halve its speed; `casebook check`
	 * verifies them instead. */
	"CREATE TABLE measure ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE"
	");"
	"CREATE TABLE batch ("
	"  id INTEGER PRIMARY KEY,"
	"  sha256 TEXT NOT NULL UNIQUE,"
	"  source TEXT NOT NULL,"
	"  rows INTEGER NOT NULL DEFAULT 0,"
	"  first_at INTEGER,"
	"  last_at INTEGER,"
	"  imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
	");"
	"CREATE TABLE observation ("
	"  measure_id INTEGER NOT NULL,"
	"  account_id INTEGER NOT NULL,"
	"  at INTEGER NOT NULL," /* Unix seconds, UTC */
	"  batch_id INTEGER NOT NULL,"
	"  line INTEGER NOT NULL,"
	"  value REAL NOT NULL,"
	"  source TEXT,"
	"  note TEXT,"
	"  PRIMARY KEY (measure_id, account_id, at, batch_id, line)"
	") WITHOUT ROWID;",

	/* 3: money and targets. A KPI's value per unit per account per year
	 * (Phillips ROI), and outcome agreements: a target and a minimum for a
	 * KPI at an account over a period. KPIs are plugin keys, not rows. */
	"CREATE TABLE kpi_value ("
	"  kpi TEXT PRIMARY KEY,"
	"  per_unit REAL NOT NULL CHECK (per_unit >= 0),"
	"  currency TEXT NOT NULL,"
	"  kind TEXT NOT NULL DEFAULT 'level' CHECK (kind IN ('level','total'))"
	");"
	"CREATE TABLE outcome ("
	"  id INTEGER PRIMARY KEY,"
	"  account_id INTEGER NOT NULL REFERENCES account(id),"
	"  kpi TEXT NOT NULL,"
	"  target REAL NOT NULL,"
	"  minimum REAL NOT NULL,"
	"  from_on TEXT NOT NULL,"
	"  to_on TEXT NOT NULL,"
	"  CHECK (to_on >= from_on),"
	"  UNIQUE (account_id, kpi, from_on)"
	");",

	/* 4: the case-study index. The case-study repository holds the text;
	 * these tables index it (front matter, latest revision, review
	 * decisions) and keep the workflow status, and `casebook reindex`
	 * rebuilds them from the repository. Keys are kept as the case names
	 * them; the ids are NULL for a synced case whose technician or
	 * account is not known in this workspace. */
	"CREATE TABLE case_study ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  technician TEXT NOT NULL,"
	"  technician_id INTEGER REFERENCES person(id),"
	"  account TEXT NOT NULL,"
	"  account_id INTEGER REFERENCES account(id),"
	"  status TEXT NOT NULL CHECK (status IN"
	"    ('submitted','changes-requested','approved','published')),"
	"  head TEXT NOT NULL," /* commit of the latest case.md revision */
	"  submitted_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL"
	");"
	"CREATE INDEX case_study_by_technician ON case_study(technician);"
	"CREATE INDEX case_study_by_account ON case_study(account);"
	"CREATE TABLE case_session ("
	"  case_id INTEGER NOT NULL REFERENCES case_study(id) ON DELETE CASCADE,"
	"  position INTEGER NOT NULL,"
	"  session TEXT NOT NULL,"
	"  PRIMARY KEY (case_id, position)"
	") WITHOUT ROWID;"
	"CREATE INDEX case_session_by_session ON case_session(session);"
	"CREATE TABLE case_claim ("
	"  case_id INTEGER NOT NULL REFERENCES case_study(id) ON DELETE CASCADE,"
	"  position INTEGER NOT NULL,"
	"  kpi TEXT NOT NULL,"
	"  before_value REAL NOT NULL,"
	"  after_value REAL NOT NULL,"
	"  from_on TEXT NOT NULL,"
	"  to_on TEXT NOT NULL,"
	"  note TEXT,"
	"  PRIMARY KEY (case_id, position),"
	"  CHECK (to_on >= from_on)"
	") WITHOUT ROWID;"
	"CREATE INDEX case_claim_by_kpi ON case_claim(kpi);"
	"CREATE TABLE case_review ("
	"  case_id INTEGER NOT NULL REFERENCES case_study(id) ON DELETE CASCADE,"
	"  position INTEGER NOT NULL," /* line of SLUG/reviews.log */
	"  reviewer TEXT," /* person key, when the reviewer is a person here */
	"  reviewer_name TEXT NOT NULL,"
	"  reviewer_email TEXT NOT NULL,"
	"  decision TEXT NOT NULL,"
	"  comment TEXT NOT NULL DEFAULT '',"
	"  at TEXT NOT NULL,"
	"  revision TEXT NOT NULL,"
	"  PRIMARY KEY (case_id, position)"
	") WITHOUT ROWID;"
	"CREATE TABLE case_setting ("
	"  name TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	");",

	/* 5: the final statuses rejected and withdrawn. SQLite cannot alter
	 * a CHECK constraint, so case_study is rebuilt the way its manual
	 * says (https://sqlite.org/lang_altertable.html, "Making other kinds
	 * of table schema changes"): a new table, the rows copied, the old
	 * one dropped, the new one renamed. Foreign keys are off meanwhile
	 * (migrate() runs before cb_store_open turns them on, and checks
	 * them after), or dropping the old table would delete its sessions,
	 * claims and reviews. */
	"CREATE TABLE case_study_new ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  technician TEXT NOT NULL,"
	"  technician_id INTEGER REFERENCES person(id),"
	"  account TEXT NOT NULL,"
	"  account_id INTEGER REFERENCES account(id),"
	"  status TEXT NOT NULL CHECK (status IN"
	"    ('submitted','changes-requested','approved','published','rejected','withdrawn')),"
	"  head TEXT NOT NULL,"
	"  submitted_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL"
	");"
	"INSERT INTO case_study_new (id, slug, title, technician, technician_id, account,"
	"  account_id, status, head, submitted_at, updated_at)"
	"  SELECT id, slug, title, technician, technician_id, account, account_id, status, head,"
	"  submitted_at, updated_at FROM case_study;"
	"DROP TABLE case_study;"
	"ALTER TABLE case_study_new RENAME TO case_study;"
	"CREATE INDEX case_study_by_technician ON case_study(technician);"
	"CREATE INDEX case_study_by_account ON case_study(account);",

	/* 6: rows an import left out because the same observation (account,
	 * measure, time and value) was stored by an earlier batch
	 * (--skip-duplicates). */
	"ALTER TABLE batch ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;",

	/* 7: signing in. The roles manager and admin: person_role is rebuilt
	 * for its wider CHECK as migration 5 rebuilt case_study (nothing
	 * references person_role, so only its rows move). Then what signing
	 * in keeps (app/auth.h): a password hash per person (Argon2id, the
	 * string crypto_pwhash_str makes), invitations, web sessions and API
	 * tokens, each token only as the BLAKE2b-256 hash of its text, and
	 * failed sign-ins ('person:KEY' or 'addr:IP') for the throttle.
	 * Times are Unix seconds, UTC. */
	"CREATE TABLE person_role_new ("
	"  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL CHECK (role IN"
	"    ('technician','trainer','consultant','manager','admin')),"
	"  PRIMARY KEY (person_id, role)"
	") WITHOUT ROWID;"
	"INSERT INTO person_role_new (person_id, role) SELECT person_id, role FROM person_role;"
	"DROP TABLE person_role;"
	"ALTER TABLE person_role_new RENAME TO person_role;"
	"CREATE TABLE credential ("
	"  person_id INTEGER PRIMARY KEY REFERENCES person(id) ON DELETE CASCADE,"
	"  hash TEXT NOT NULL CHECK (hash LIKE '$argon2id$%'),"
	"  set_at INTEGER NOT NULL"
	");"
	"CREATE TABLE invitation ("
	"  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),"
	"  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  used_at INTEGER,"
	"  CHECK (expires_at > created_at)"
	") WITHOUT ROWID;"
	"CREATE INDEX invitation_by_person ON invitation(person_id);"
	"CREATE TABLE web_session ("
	"  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),"
	"  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
	"  csrf_token TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX web_session_by_person ON web_session(person_id);"
	"CREATE TABLE api_token ("
	"  id INTEGER PRIMARY KEY,"
	"  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),"
	"  created_at INTEGER NOT NULL,"
	"  last_used_at INTEGER,"
	"  revoked_at INTEGER"
	");"
	"CREATE UNIQUE INDEX api_token_live_name ON api_token(person_id, name)"
	"  WHERE revoked_at IS NULL;"
	"CREATE TABLE signin_failure ("
	"  who TEXT NOT NULL,"
	"  at INTEGER NOT NULL"
	");"
	"CREATE INDEX signin_failure_by_who ON signin_failure(who, at);",
	/* 8: a counter every change a report or an impact reads moves (not
	 * each observation: they come and go with their batch, whose row is
	 * written when an import ends and deleted by a drop), for the
	 * server's cache of impact results (serve/cache.c). */
	"CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);"
	"INSERT INTO data_version (id, n) VALUES (1, 0);"
	"CREATE TRIGGER data_version_account_insert AFTER INSERT ON account BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_account_update AFTER UPDATE ON account BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_account_delete AFTER DELETE ON account BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_person_insert AFTER INSERT ON person BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_person_update AFTER UPDATE ON person BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_person_delete AFTER DELETE ON person BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_person_role_insert AFTER INSERT ON person_role BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_person_role_update AFTER UPDATE ON person_role BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_person_role_delete AFTER DELETE ON person_role BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_coverage_insert AFTER INSERT ON coverage BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_coverage_update AFTER UPDATE ON coverage BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_coverage_delete AFTER DELETE ON coverage BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_program_insert AFTER INSERT ON program BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_program_update AFTER UPDATE ON program BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_program_delete AFTER DELETE ON program BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_session_insert AFTER INSERT ON session BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_session_update AFTER UPDATE ON session BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_session_delete AFTER DELETE ON session BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_attendance_insert AFTER INSERT ON attendance BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_attendance_update AFTER UPDATE ON attendance BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_attendance_delete AFTER DELETE ON attendance BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_session_account_insert AFTER INSERT ON session_account BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_session_account_update AFTER UPDATE ON session_account BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_session_account_delete AFTER DELETE ON session_account BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_measure_insert AFTER INSERT ON measure BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_measure_update AFTER UPDATE ON measure BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_measure_delete AFTER DELETE ON measure BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_batch_insert AFTER INSERT ON batch BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_batch_update AFTER UPDATE ON batch BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_batch_delete AFTER DELETE ON batch BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_kpi_value_insert AFTER INSERT ON kpi_value BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_kpi_value_update AFTER UPDATE ON kpi_value BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_kpi_value_delete AFTER DELETE ON kpi_value BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_outcome_insert AFTER INSERT ON outcome BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_outcome_update AFTER UPDATE ON outcome BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_outcome_delete AFTER DELETE ON outcome BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_study_insert AFTER INSERT ON case_study BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_study_update AFTER UPDATE ON case_study BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_study_delete AFTER DELETE ON case_study BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_session_insert AFTER INSERT ON case_session BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_session_update AFTER UPDATE ON case_session BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_session_delete AFTER DELETE ON case_session BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_claim_insert AFTER INSERT ON case_claim BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_claim_update AFTER UPDATE ON case_claim BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_claim_delete AFTER DELETE ON case_claim BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_review_insert AFTER INSERT ON case_review BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_review_update AFTER UPDATE ON case_review BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;"
	"CREATE TRIGGER data_version_case_review_delete AFTER DELETE ON case_review BEGIN"
	"  UPDATE data_version SET n = n + 1;"
	"END;",
};

#define MIGRATION_COUNT ((int)(sizeof(migrations) / sizeof(migrations[0])))

int cb_store_schema_latest(void)
{
	return MIGRATION_COUNT;
}

/* ---- Waiting for another writer ---- */

/* DATABASE-writer: what a long write announces (cb_store_announce). */
static int announcement_path(const cb_store *s, char *out, size_t outlen)
{
	return snprintf(out, outlen, "%s-writer", s->path) < (int)outlen ? 0 : -1;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int cb_store_announce(cb_store *s, const char *what)
{
	char path[4200], tmp[4300];
	FILE *f;

	if (announcement_path(s, path, sizeof(path)) < 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "w")))
		return 0; /* only a courtesy to those who wait */
	fprintf(f, "%ld %lld %.300s\n", (long)getpid(), (long long)time(NULL), what);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return 0;
	}
	s->announced = 1;
	return 0;
}

static void unannounce(cb_store *s)
{
	char path[4200];

	if (!s->announced || announcement_path(s, path, sizeof(path)) < 0)
		return;
	unlink(path);
	s->announced = 0;
}

/* The announcement of a live writer: its text into what[], its start
 * time; 0 when there is none, or its process is gone. */
static int read_announcement(const cb_store *s, char *what, size_t whatlen, time_t *since)
{
	char path[4200], line[400];
	long pid = 0;
	long long at = 0;
	int used = 0;
	FILE *f;

	if (announcement_path(s, path, sizeof(path)) < 0 || !(f = fopen(path, "r")))
		return 0;
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, "%ld %lld %n", &pid, &at, &used) < 2 || pid <= 0) {
		fclose(f);
		return 0;
	}
	fclose(f);
	if (kill((pid_t)pid, 0) != 0 && errno != EPERM)
		return 0; /* its writer died: SQLite's lock went with it */
	line[strcspn(line, "\n")] = '\0';
	snprintf(what, whatlen, "%s (process %ld)", line + used, pid);
	*since = (time_t)at;
	return 1;
}

/* SQLite's busy handler: called while another connection holds the lock
 * this one needs; returns nonzero to try again. Waits the busy timeout
 * for any writer, and as long as it lives for one that announced a long
 * write; tells the user once what it waits for after a second. */
static int on_busy(void *ctx, int count)
{
	cb_store *s = ctx;
	int64_t now = now_ms();
	char what[400] = "";
	time_t since = 0;
	int announced;

	if (s->no_wait)
		return 0;
	if (count == 0) {
		s->waited = now;
		s->told = 0;
	}
	announced = now - s->waited >= 1000 || now - s->waited >= s->busy_ms
			    ? read_announcement(s, what, sizeof(what), &since)
			    : 0;
	if (now - s->waited >= s->busy_ms && !announced)
		return 0;
	if (!s->told && now - s->waited >= 1000 && s->notice) {
		char line[600], at[16] = "";
		struct tm tm;

		if (announced && localtime_r(&since, &tm))
			strftime(at, sizeof(at), "%H:%M:%S", &tm);
		if (announced)
			snprintf(line, sizeof(line),
				 "waiting for the database: another casebook is %s, since %s; this "
				 "command goes on when it is done",
				 what, at);
		else
			snprintf(line, sizeof(line),
				 "waiting for the database: another casebook is writing it (up to %d s)",
				 s->busy_ms / 1000);
		s->notice(line, s->notice_ctx);
		s->told = 1;
	}
	{
		struct timespec t = {0, 20 * 1000000L};

		nanosleep(&t, NULL);
	}
	return 1;
}

int cb_store_fail(cb_store *s, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db);
	const char *msg = sqlite3_errmsg(s->db);

	switch (rc & 0xFF) {
	case SQLITE_READONLY:
		return cb_error_set(CB_EREADONLY,
				    "%s: the workspace database %s is read-only",
				    what, s->path);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return cb_error_set(CB_EDB,
				    "%s: the database is busy (another casebook is writing); try again",
				    what);
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return cb_error_set(CB_EEXISTS, "%s: %s", what, msg);
		return cb_error_set(CB_EINVALID, "%s: %s", what, msg);
	case SQLITE_FULL:
		return cb_error_set(CB_EIO, "%s: the disk is full", what);
	default:
		return cb_error_set(CB_EDB, "%s: %s", what, msg);
	}
}

int cb_store_prepare(cb_store *s, const char *sql, sqlite3_stmt **stmt)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return cb_store_fail(s, "preparing a query");
	return 0;
}

int cb_store_bind_text(sqlite3_stmt *st, int i, const char *text)
{
	if (!text)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
}

char *cb_store_column_dup(sqlite3_stmt *st, int i, int *oom)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	char *copy;

	if (!t)
		return NULL;
	copy = strdup((const char *)t);
	if (!copy)
		*oom = 1;
	return copy;
}

int cb_store_exec(cb_store *s, const char *sql)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return cb_store_fail(s, "running a statement");
	return 0;
}

int cb_store_id_by_key(cb_store *s, const char *table, const char *noun,
		       const char *key, int64_t *id)
{
	return cb_store_id_by_column(s, table, "key", noun, key, id);
}

int cb_store_id_by_column(cb_store *s, const char *table, const char *column, const char *noun,
			  const char *key, int64_t *id)
{
	char sql[128];
	sqlite3_stmt *st = NULL;
	const char **keys = NULL;
	size_t n = 0, cap = 0;
	const char *hint;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = ?1", table, column);
	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_store_fail(s, "looking up a key");

	/* Not there: find the closest key to suggest. */
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s", column, table);
	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			const char **k = realloc(keys, ncap * sizeof(*k));

			if (!k)
				break;
			keys = k;
			cap = ncap;
		}
		keys[n] = strdup((const char *)sqlite3_column_text(st, 0));
		if (!keys[n])
			break;
		n++;
	}
	sqlite3_finalize(st);
	hint = cb_text_suggest(key, keys, n);
	if (hint)
		rc = cb_error_set(CB_ENOTFOUND, "unknown %s '%s' (did you mean '%s'?)",
				  noun, key, hint);
	else
		rc = cb_error_set(CB_ENOTFOUND, "unknown %s '%s'", noun, key);
	for (size_t i = 0; i < n; i++)
		free((char *)keys[i]);
	free(keys);
	return rc;
}

int cb_store_schema_version(cb_store *s, int *version)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "PRAGMA user_version", &st)) < 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = cb_store_fail(s, "reading the schema version");
		sqlite3_finalize(st);
		return rc;
	}
	*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

int cb_store_data_version(cb_store *s, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "SELECT n FROM data_version WHERE id = 1", &st)) < 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = cb_store_fail(s, "reading the data version");
		sqlite3_finalize(st);
		return rc;
	}
	*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* The integer PRAGMA `name` of the open database into *out. */
static int pragma_int(cb_store *s, const char *name, int *out)
{
	char sql[64];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = cb_store_fail(s, "reading the database header");
		sqlite3_finalize(st);
		return rc;
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* How many tables the database holds, and whether Casebook's first one
 * (account, from migration 1) is among them. */
static int count_tables(cb_store *s, int *tables, int *ours)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s,
				   "SELECT count(*), coalesce(sum(name = 'account'), 0) FROM sqlite_master "
				   "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
				   &st)) < 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = cb_store_fail(s, "reading the database's tables");
		sqlite3_finalize(st);
		return rc;
	}
	*tables = sqlite3_column_int(st, 0);
	*ours = sqlite3_column_int(st, 1) > 0;
	sqlite3_finalize(st);
	return 0;
}

/* Whether the file is a Casebook database: its header carries
 * CB_STORE_APPLICATION_ID, or (written before the mark existed) it has
 * no mark, a schema version this build knows and Casebook's tables;
 * *legacy says so, and the first write marks it. Anything else, an SQLite
 * file of another program or of none, is refused, saying what it holds,
 * so that Casebook never adds its tables to a stranger's file. */
static int check_identity(cb_store *s, int *legacy)
{
	int app = 0, version = 0, tables = 0, ours = 0, rc;

	*legacy = 0;
	if ((rc = pragma_int(s, "application_id", &app)) < 0) {
		if ((sqlite3_errcode(s->db) & 0xFF) == SQLITE_NOTADB)
			return cb_error_set(CB_EDB,
					    "%s is not a casebook database: it is not an SQLite file at all",
					    s->path);
		return rc;
	}
	if (app == CB_STORE_APPLICATION_ID)
		return 0;
	if (app != 0)
		return cb_error_set(CB_EDB,
				    "%s belongs to another program (its SQLite application_id is 0x%08X, "
				    "Casebook's 0x%08X); it is not a casebook database, so it is left alone",
				    s->path, (unsigned)app, (unsigned)CB_STORE_APPLICATION_ID);
	if ((rc = pragma_int(s, "user_version", &version)) < 0 ||
	    (rc = count_tables(s, &tables, &ours)) < 0)
		return rc;
	if (version >= 1 && ours) {
		*legacy = 1;
		return 0;
	}
	if (tables == 0)
		return cb_error_set(CB_EDB,
				    "%s is an SQLite database without any table: not a casebook "
				    "database; 'casebook init' makes a workspace in a folder without one",
				    s->path);
	return cb_error_set(CB_EDB,
			    "%s is an SQLite database of another program (%d table%s, none of "
			    "Casebook's); it is not a casebook database, so it is left alone",
			    s->path, tables, tables == 1 ? "" : "s");
}

/* Whether every foreign key holds: migrations run with foreign keys off
 * (a table rebuild needs it), so they are checked before the upgrade is
 * committed. */
static int foreign_keys_hold(cb_store *s)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "PRAGMA foreign_key_check", &st)) < 0)
		return rc;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = cb_error_set(CB_EDB,
				  "upgrading the schema of %s broke a reference (table %s, row %lld); "
				  "the file is left as it was",
				  s->path, (const char *)sqlite3_column_text(st, 0),
				  (long long)sqlite3_column_int64(st, 1));
	else if (step != SQLITE_DONE)
		rc = cb_store_fail(s, "checking the schema upgrade");
	sqlite3_finalize(st);
	return rc;
}

/* Brings the schema to MIGRATION_COUNT in one transaction. Runs before
 * foreign keys are turned on (see migration 5). */
static int migrate(cb_store *s, int legacy)
{
	int version, rc;
	char pragma[64];

	if ((rc = cb_store_schema_version(s, &version)) < 0)
		return rc;
	if (version > MIGRATION_COUNT)
		return cb_error_set(CB_EDB,
				    "%s has schema version %d; this casebook knows up to %d: upgrade casebook",
				    s->path, version, MIGRATION_COUNT);
	if (version == MIGRATION_COUNT && !legacy)
		return 0;
	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	/* Read again under the write lock: another process may have migrated. */
	if ((rc = cb_store_schema_version(s, &version)) < 0)
		goto fail;
	for (int i = version; i < MIGRATION_COUNT; i++) {
		if (sqlite3_exec(s->db, migrations[i], NULL, NULL, NULL) != SQLITE_OK) {
			rc = cb_store_fail(s, "upgrading the schema");
			goto fail;
		}
	}
	if ((rc = foreign_keys_hold(s)) < 0)
		goto fail;
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", MIGRATION_COUNT);
	if ((rc = cb_store_exec(s, pragma)) < 0)
		goto fail;
	snprintf(pragma, sizeof(pragma), "PRAGMA application_id = %d", CB_STORE_APPLICATION_ID);
	if ((rc = cb_store_exec(s, pragma)) < 0)
		goto fail;
	return cb_store_commit(s);
fail:
	cb_store_rollback(s);
	return rc;
}

int cb_store_open(const char *path, int flags, cb_store **out)
{
	cb_store *s;
	int oflags, rc, legacy = 0;
	struct stat st;

	*out = NULL;
	if (flags & CB_STORE_CREATE) {
		if (stat(path, &st) == 0)
			return cb_error_set(CB_EEXISTS, "%s already exists", path);
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	} else {
		if (stat(path, &st) != 0)
			return cb_error_set(CB_ENOTFOUND, "%s does not exist", path);
		/* SQLite would take an empty file for a new database, and the
		 * migrations would fill it: a workspace whose database was
		 * truncated would come back empty, its records gone unsaid. */
		if (S_ISREG(st.st_mode) && st.st_size == 0)
			return cb_error_set(CB_EDB,
					    "%s is empty (0 bytes), not a casebook database: if it was "
					    "truncated, restore it from a backup; 'casebook init' makes new "
					    "workspaces",
					    path);
		if (!S_ISREG(st.st_mode))
			return cb_error_set(CB_EDB, "%s is not a regular file", path);
		/* A file without write permission is read-only to us even
		 * when we are root: the owner meant it that way. */
		if (!(flags & CB_STORE_READONLY) &&
		    (!(st.st_mode & S_IWUSR) || access(path, W_OK) != 0))
			flags |= CB_STORE_READONLY;
		oflags = (flags & CB_STORE_READONLY) ? SQLITE_OPEN_READONLY
						     : SQLITE_OPEN_READWRITE;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	s->readonly = (flags & CB_STORE_READONLY) != 0;
	if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		rc = cb_error_set(CB_EDB, "cannot open %s: %s", path,
				  s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	s->busy_ms = CB_BUSY_TIMEOUT_MS;
	{
		/* A test hook (tests/app/test_data_cli.c): a shorter busy
		 * timeout, so a test can outlast it. Nothing else reads it. */
		const char *t = getenv("CASEBOOK_TEST_BUSY_MS");

		if (t && atoi(t) > 0)
			s->busy_ms = atoi(t);
	}
	sqlite3_busy_handler(s->db, on_busy, s);
	sqlite3_extended_result_codes(s->db, 1);
	if (!(flags & CB_STORE_CREATE) && (rc = check_identity(s, &legacy)) < 0)
		goto fail;
	if (!s->readonly && (rc = cb_store_exec(s, "PRAGMA journal_mode = WAL")) < 0)
		goto fail;
	if (!s->readonly && (rc = cb_store_exec(s, "PRAGMA synchronous = NORMAL")) < 0)
		goto fail;
	if (!s->readonly) {
		if ((rc = migrate(s, legacy)) < 0)
			goto fail;
	} else {
		int version;

		/* Touching the file verifies that it is a database at all. */
		if ((rc = cb_store_schema_version(s, &version)) < 0)
			goto fail;
		if (version != MIGRATION_COUNT) {
			rc = cb_error_set(CB_EREADONLY,
					  "%s is read-only and has schema version %d, not %d",
					  path, version, MIGRATION_COUNT);
			goto fail;
		}
	}
	/* After the migrations: a table rebuild needs them off (migration 5). */
	if ((rc = cb_store_exec(s, "PRAGMA foreign_keys = ON")) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	cb_store_close(s);
	return rc;
}

/* The process's writer queue (cb_store_queue_writers): a ticket lock, so
 * that turns go in the order they were asked for. */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_turn = PTHREAD_COND_INITIALIZER;
static unsigned long queue_next, queue_serving;

void cb_store_queue_writers(cb_store *s)
{
	s->queued = 1;
}

static void queue_enter(cb_store *s)
{
	unsigned long mine;

	if (!s->queued || s->in_queue)
		return;
	pthread_mutex_lock(&queue_lock);
	mine = queue_next++;
	while (queue_serving != mine)
		pthread_cond_wait(&queue_turn, &queue_lock);
	pthread_mutex_unlock(&queue_lock);
	s->in_queue = 1;
}

/* Takes the turn if nobody holds it or waits for it: 1, else 0. */
static int queue_try(cb_store *s)
{
	int free_now;

	if (!s->queued || s->in_queue)
		return 1;
	pthread_mutex_lock(&queue_lock);
	free_now = queue_serving == queue_next;
	if (free_now)
		queue_next++;
	pthread_mutex_unlock(&queue_lock);
	s->in_queue = free_now;
	return free_now;
}

static void queue_leave(cb_store *s)
{
	if (!s->in_queue)
		return;
	s->in_queue = 0;
	pthread_mutex_lock(&queue_lock);
	queue_serving++;
	pthread_cond_broadcast(&queue_turn);
	pthread_mutex_unlock(&queue_lock);
}

void cb_store_close(cb_store *s)
{
	if (!s)
		return;
	/* A transaction left open (closing rolls it back) ends its turn. */
	queue_leave(s);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

void cb_store_set_busy_timeout(cb_store *s, int ms)
{
	s->busy_ms = ms;
}

void cb_store_set_wait_notice(cb_store *s, void (*fn)(const char *message, void *ctx), void *ctx)
{
	s->notice = fn;
	s->notice_ctx = ctx;
}

int cb_store_is_readonly(const cb_store *s)
{
	return s->readonly;
}

int cb_store_begin(cb_store *s)
{
	char sql[48];

	if (s->readonly)
		return cb_error_set(CB_EREADONLY,
				    "the workspace database %s is read-only (no write permission)",
				    s->path);
	if (s->depth == 0) {
		queue_enter(s);
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
			int rc = cb_store_fail(s, "starting a transaction");

			queue_leave(s);
			return rc;
		}
	} else {
		/* Inside a transaction, a savepoint: an inner failure can be
		 * undone without losing the outer work. */
		snprintf(sql, sizeof(sql), "SAVEPOINT cb%d", s->depth);
		if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			return cb_store_fail(s, "starting a savepoint");
	}
	s->depth++;
	return 0;
}

int cb_store_begin_if_free(cb_store *s)
{
	int rc;

	if (s->readonly || s->depth > 0) {
		/* Refused, or a savepoint inside a transaction already held. */
		rc = cb_store_begin(s);
		return rc < 0 ? rc : 1;
	}
	if (!queue_try(s))
		return 0;
	s->no_wait = 1;
	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	s->no_wait = 0;
	if (rc != SQLITE_OK) {
		int busy = (sqlite3_errcode(s->db) & 0xFF) == SQLITE_BUSY;

		rc = busy ? 0 : cb_store_fail(s, "starting a transaction");
		queue_leave(s);
		return rc;
	}
	s->depth++;
	return 1;
}

int cb_store_commit(cb_store *s)
{
	char sql[48];

	if (s->depth == 0)
		return cb_error_set(CB_EDB, "commit without a transaction");
	s->depth--;
	if (s->depth > 0) {
		snprintf(sql, sizeof(sql), "RELEASE cb%d", s->depth);
		if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			return cb_store_fail(s, "releasing a savepoint");
		return 0;
	}
	if (s->announced) {
		/* A test hook (tests/app/test_data_cli.c): a long write holds
		 * the lock this long before it commits, so that a test sees a
		 * short writer wait however fast the machine is. */
		const char *t = getenv("CASEBOOK_TEST_HOLD_MS");

		if (t && atoi(t) > 0) {
			struct timespec d = {atoi(t) / 1000, (atoi(t) % 1000) * 1000000L};

			nanosleep(&d, NULL);
		}
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = cb_store_fail(s, "committing");

		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		unannounce(s);
		queue_leave(s);
		return rc;
	}
	unannounce(s);
	queue_leave(s);
	return 0;
}

int cb_store_rollback(cb_store *s)
{
	char sql[64];

	if (s->depth == 0)
		return 0;
	s->depth--;
	if (s->depth > 0) {
		snprintf(sql, sizeof(sql), "ROLLBACK TO cb%d; RELEASE cb%d", s->depth, s->depth);
		sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		return 0;
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	unannounce(s);
	queue_leave(s);
	return 0;
}

static int check_pragma(cb_store *s, const char *sql, const char *what,
			int ok_when_empty)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *first = (const char *)sqlite3_column_text(st, 0);

		if (ok_when_empty || !first || strcmp(first, "ok") != 0) {
			rc = cb_error_set(CB_EDB, "%s: %s: %s", s->path, what,
					  first ? first : "problem found");
			sqlite3_finalize(st);
			return rc;
		}
	} else if (rc != SQLITE_DONE) {
		rc = cb_store_fail(s, what);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

int cb_store_check(cb_store *s)
{
	int rc;

	if ((rc = check_pragma(s, "PRAGMA integrity_check", "integrity check", 0)) < 0)
		return rc;
	return check_pragma(s, "PRAGMA foreign_key_check",
			    "foreign key check (table with a dangling reference)", 1);
}
