/*
 * Who may do what, written once: one table of role × action → rule, read by
 * cb_rights_check, which every use case that writes calls before it writes,
 * and which the server asks at the door before it reads. The actor is who
 * acts: the command line acts as the workspace's administrator (whoever can
 * write the workspace's files, like git), the server as the signed-in
 * person. A person holding several roles may do what any of them allows.
 * README's rights table is this table (tests/app/test_rights.c checks it).
 */
#ifndef CB_APP_RIGHTS_H
#define CB_APP_RIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/text.h"

struct cb_workspace;

/* Who acts. */
typedef struct cb_actor {
	int64_t person_id;        /* 0 for the command line */
	char key[CB_KEY_MAX + 1]; /* the person's key; "" for the command line */
	unsigned roles;           /* CB_ROLE_* bits (store/person.h) */
	int is_admin; /* the workspace's administrator (the command line): passes
		       * every rule. Not the admin role, whose rights are the
		       * table's. */
} cb_actor;

/* The command line's actor: the workspace's administrator. */
cb_actor cb_actor_cli(void);

/* What an actor may ask to do. */
typedef enum cb_action {
	CB_ACT_CASE_WRITE_OWN,      /* submit, revise and withdraw case studies */
	CB_ACT_CASE_REVIEW,         /* review and publish case studies */
	CB_ACT_CASE_READ_PUBLISHED, /* read published case studies */
	CB_ACT_CASE_READ_ANY,       /* read case studies not (yet) published */
	CB_ACT_SESSION_RECORD,      /* record a session */
	CB_ACT_SESSION_EDIT,        /* edit and cancel a session */
	CB_ACT_ATTENDANCE_EDIT,     /* record who attended a session */
	CB_ACT_SCORES_EDIT,         /* record reactions and test scores */
	CB_ACT_SESSION_READ,        /* see sessions, attendance, reactions, scores */
	CB_ACT_PROGRAM_EDIT,        /* add training programs */
	CB_ACT_DIRECTORY_READ,      /* see people, accounts, programs, coverage */
	CB_ACT_REPORT_READ,         /* read reports and outcome attainment */
	CB_ACT_IMPACT_READ,         /* compute impact */
	CB_ACT_PLUGIN_READ,         /* see plugins */
	CB_ACT_KPI_READ,            /* see KPIs, their values and money values */
	CB_ACT_OUTCOME_SET,         /* set outcome agreements */
	CB_ACT_KPI_VALUE_SET,       /* set KPI money values */
	CB_ACT_PERSON_ADMIN,        /* add and edit people and their roles */
	CB_ACT_ACCOUNT_ADMIN,       /* add and edit customer accounts */
	CB_ACT_COVERAGE_ADMIN,      /* record who covers which account */
	CB_ACT_INVITE,              /* invite people to sign in */
	CB_ACT_TOKEN_MANAGE,        /* make, list and revoke API tokens */
	CB_ACT_DATA_IMPORT,         /* import and drop KPI data */
	CB_ACT_WORKSPACE_MAINTAIN,  /* check, reindex and sync the workspace */
	CB_ACT_COUNT
} cb_action;

/* What a role may do for an action. The conditional rules hold for an
 * object (cb_rights_object) and never without one. */
typedef enum cb_rule {
	CB_RULE_NEVER,
	CB_RULE_ALWAYS,
	CB_RULE_AUTHOR,        /* the case's author is the actor */
	CB_RULE_TRAINER,       /* the session's trainer is the actor */
	CB_RULE_ATTENDEE,      /* the actor attended the session */
	CB_RULE_CITES_TRAINED, /* the case cites a session the actor trains, and
				* the actor is not its author */
	CB_RULE_NOT_AUTHOR,    /* a case the actor did not write */
	CB_RULE_SELF,          /* the object belongs to the actor (an API token) */
	CB_RULE_COUNT
} cb_rule;

/* What an action is about, as far as the rules ask; "" for what does not
 * apply. The use cases fill it from what they have at hand, or through
 * cb_rights_case_object and cb_rights_session_object. */
typedef struct cb_rights_object {
	char author[CB_KEY_MAX + 1];  /* a case's technician */
	char trainer[CB_KEY_MAX + 1]; /* a session's trainer */
	char owner[CB_KEY_MAX + 1];   /* the person an API token belongs to */
	int attended;                 /* the actor attended the session */
	int cites_trained;            /* the case cites a session the actor trains */
	char what[CB_KEY_MAX + 32];   /* for messages: "case 'nordmill-uptime'" */
} cb_rights_object;

/* 0 when actor `a` may do `action` (on `obj`, which may be NULL), else
 * CB_EFORBIDDEN with a message naming who, what and the rule of each role
 * they hold: "tess (technician) may not review case studies (case 'x'):
 * no technician may". */
int cb_rights_check(const cb_actor *a, int action, const cb_rights_object *obj);

/* The same as a yes (1) or no (0), recording nothing: for a page that
 * offers only what its reader may do. */
int cb_rights_may(const cb_actor *a, int action, const cb_rights_object *obj);

/* cb_rights_check for the workspace's actor (cb_workspace_set_actor). */
int cb_rights_require(struct cb_workspace *ws, int action, const cb_rights_object *obj);

/* The table: the rule of one role (a single CB_ROLE_* bit) for an action;
 * CB_RULE_NEVER for anything out of range. */
int cb_rights_rule(unsigned role, int action);

/* Names for the table: the action's key ("case.review") and what it lets
 * one do ("review and publish case studies"); the rule's words for
 * README's cells ("own cases", "yes", "—"). Static strings; NULL out of
 * range. */
const char *cb_rights_action_key(int action);
const char *cb_rights_action_text(int action);
const char *cb_rights_rule_text(int rule);

/* Calls fn for every action (in enum order) and every role (technician to
 * admin) with its rule; stops at the first non-zero return. */
typedef int (*cb_rights_fn)(int action, unsigned role, int rule, void *ctx);
int cb_rights_table_each(cb_rights_fn fn, void *ctx);

/* Fills *out for case `slug` (may be NULL, for one not yet submitted)
 * written by `author`, citing `sessions`: cites_trained for the
 * workspace's actor, from each cited session's trainer. Looks nothing up
 * for the administrator, who passes anyway. */
int cb_rights_case_object(struct cb_workspace *ws, const char *slug, const char *author,
			  const char *const *sessions, size_t n_sessions, cb_rights_object *out);

/* Fills *out for session `key` (may be NULL, for one not yet recorded)
 * with trainer `trainer` (may be NULL): attended, for the workspace's
 * actor, from the attendance of session `session_id` (0: none yet). */
int cb_rights_session_object(struct cb_workspace *ws, const char *key, const char *trainer,
			     int64_t session_id, cb_rights_object *out);

#endif
