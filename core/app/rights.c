/*
 * The rights table and the one function that reads it. Each row is an
 * action, each column a role; a cell is a rule (rights.h). README's table
 * is this one, word for word (tests/app/test_rights.c).
 */
#include "app/rights.h"

#include <stdio.h>
#include <string.h>

#include "app/workspace.h"
#include "base/error.h"
#include "store/person.h"
#include "store/session.h"

#define N CB_RULE_NEVER
#define Y CB_RULE_ALWAYS

typedef struct action_row {
	const char *key;
	const char *text;
	unsigned char rule[CB_ROLE_COUNT]; /* technician, trainer, consultant, manager, admin */
} action_row;

static const action_row table[CB_ACT_COUNT] = {
	[CB_ACT_CASE_WRITE_OWN] = {"case.write", "submit, revise and withdraw case studies",
				   {CB_RULE_AUTHOR, N, N, N, N}},
	[CB_ACT_CASE_REVIEW] = {"case.review", "review and publish case studies",
				{N, CB_RULE_CITES_TRAINED, CB_RULE_NOT_AUTHOR, N, N}},
	[CB_ACT_CASE_READ_PUBLISHED] = {"case.read-published", "read published case studies",
					{Y, Y, Y, Y, N}},
	[CB_ACT_CASE_READ_ANY] = {"case.read", "read case studies not published",
				  {CB_RULE_AUTHOR, CB_RULE_CITES_TRAINED, Y, Y, N}},
	[CB_ACT_SESSION_RECORD] = {"session.record", "record sessions",
				   {N, CB_RULE_TRAINER, N, N, N}},
	[CB_ACT_SESSION_EDIT] = {"session.edit", "edit and cancel sessions",
				 {N, CB_RULE_TRAINER, N, N, N}},
	[CB_ACT_ATTENDANCE_EDIT] = {"attendance.edit", "record attendance",
				    {N, CB_RULE_TRAINER, N, N, N}},
	[CB_ACT_SCORES_EDIT] = {"scores.edit", "record reactions and test scores",
				{N, CB_RULE_TRAINER, N, N, N}},
	[CB_ACT_SESSION_READ] = {"session.read", "see sessions, attendance, reactions and scores",
				 {CB_RULE_ATTENDEE, Y, Y, Y, N}},
	[CB_ACT_PROGRAM_EDIT] = {"program.edit", "add training programs", {N, Y, N, N, Y}},
	[CB_ACT_DIRECTORY_READ] = {"directory.read", "see people, accounts, programs and coverage",
				   {Y, Y, Y, Y, Y}},
	[CB_ACT_REPORT_READ] = {"report.read", "read reports and outcome attainment",
				{N, N, N, Y, N}},
	[CB_ACT_IMPACT_READ] = {"impact.read", "compute impact", {N, N, N, Y, N}},
	[CB_ACT_PLUGIN_READ] = {"plugin.read", "see plugins", {N, N, Y, Y, N}},
	[CB_ACT_KPI_READ] = {"kpi.read", "see KPIs, their values and money values",
			     {N, N, Y, Y, N}},
	[CB_ACT_OUTCOME_SET] = {"outcome.set", "set outcome agreements", {N, N, N, Y, N}},
	[CB_ACT_KPI_VALUE_SET] = {"kpi-value.set", "set KPI money values", {N, N, N, Y, N}},
	[CB_ACT_PERSON_ADMIN] = {"person.admin", "add and edit people and their roles",
				 {N, N, N, N, Y}},
	[CB_ACT_ACCOUNT_ADMIN] = {"account.admin", "add and edit customer accounts",
				  {N, N, N, N, Y}},
	[CB_ACT_COVERAGE_ADMIN] = {"coverage.admin", "record who covers which account",
				   {N, N, N, N, Y}},
	[CB_ACT_INVITE] = {"person.invite", "invite people to sign in", {N, N, N, N, Y}},
	[CB_ACT_TOKEN_MANAGE] = {"token.manage", "make, list and revoke API tokens",
				 {CB_RULE_SELF, CB_RULE_SELF, CB_RULE_SELF, CB_RULE_SELF, Y}},
	[CB_ACT_DATA_IMPORT] = {"data.import", "import and drop KPI data", {N, N, N, N, Y}},
	[CB_ACT_WORKSPACE_MAINTAIN] = {"workspace.maintain",
				       "check, reindex and sync the workspace (command line only)",
				       {N, N, N, N, N}},
};

#undef N
#undef Y

/* The cell words (README) and the message's words, per rule: `who`
 * before the role's name, `why` after it. */
static const struct {
	const char *cell;
	const char *who;
	const char *why;
} rules[CB_RULE_COUNT] = {
	[CB_RULE_NEVER] = {"—", "no ", " may"},
	[CB_RULE_ALWAYS] = {"yes", "any ", " may"},
	[CB_RULE_AUTHOR] = {"own cases", "a ", " may only for a case they wrote"},
	[CB_RULE_TRAINER] = {"own sessions", "a ", " may only for a session they train"},
	[CB_RULE_ATTENDEE] = {"sessions attended", "a ", " may only for a session they attended"},
	[CB_RULE_CITES_TRAINED] = {"cases citing their sessions, not their own", "a ",
				   " may only for a case that cites a session they train and "
				   "that they did not write"},
	[CB_RULE_NOT_AUTHOR] = {"any but their own", "a ", " may only for a case they did not write"},
	[CB_RULE_SELF] = {"their own", "a ", " may only for their own"},
};

cb_actor cb_actor_cli(void)
{
	cb_actor a = {0};

	a.is_admin = 1;
	return a;
}

static int role_index(unsigned role)
{
	for (int i = 0; i < CB_ROLE_COUNT; i++)
		if (role == 1u << i)
			return i;
	return -1;
}

int cb_rights_rule(unsigned role, int action)
{
	int i = role_index(role);

	if (i < 0 || action < 0 || action >= CB_ACT_COUNT)
		return CB_RULE_NEVER;
	return table[action].rule[i];
}

const char *cb_rights_action_key(int action)
{
	return action >= 0 && action < CB_ACT_COUNT ? table[action].key : NULL;
}

const char *cb_rights_action_text(int action)
{
	return action >= 0 && action < CB_ACT_COUNT ? table[action].text : NULL;
}

const char *cb_rights_rule_text(int rule)
{
	return rule >= 0 && rule < CB_RULE_COUNT ? rules[rule].cell : NULL;
}

int cb_rights_table_each(cb_rights_fn fn, void *ctx)
{
	int rc;

	for (int action = 0; action < CB_ACT_COUNT; action++)
		for (unsigned role = 1; role <= CB_ROLE_LAST; role <<= 1)
			if ((rc = fn(action, role, cb_rights_rule(role, action), ctx)))
				return rc;
	return 0;
}

static int is_actor(const cb_actor *a, const char *key)
{
	return a->key[0] && key[0] && strcmp(a->key, key) == 0;
}

/* Whether `rule` holds for actor `a` and object `obj`. */
static int holds(int rule, const cb_actor *a, const cb_rights_object *obj)
{
	if (rule == CB_RULE_ALWAYS)
		return 1;
	if (rule == CB_RULE_NEVER || !obj)
		return 0;
	switch (rule) {
	case CB_RULE_AUTHOR:
		return is_actor(a, obj->author);
	case CB_RULE_TRAINER:
		return is_actor(a, obj->trainer);
	case CB_RULE_ATTENDEE:
		return obj->attended;
	case CB_RULE_CITES_TRAINED:
		return obj->cites_trained && !is_actor(a, obj->author);
	case CB_RULE_NOT_AUTHOR:
		return !is_actor(a, obj->author);
	case CB_RULE_SELF:
		return is_actor(a, obj->owner);
	default:
		return 0;
	}
}

int cb_rights_may(const cb_actor *a, int action, const cb_rights_object *obj)
{
	if (!a || action < 0 || action >= CB_ACT_COUNT)
		return 0;
	if (a->is_admin)
		return 1;
	for (unsigned role = 1; role <= CB_ROLE_LAST; role <<= 1)
		if ((a->roles & role) && holds(cb_rights_rule(role, action), a, obj))
			return 1;
	return 0;
}

int cb_rights_check(const cb_actor *a, int action, const cb_rights_object *obj)
{
	char held[80] = "", why[600] = "", what[CB_KEY_MAX + 40] = "";

	if (cb_rights_may(a, action, obj))
		return 0;
	if (!a || action < 0 || action >= CB_ACT_COUNT)
		return cb_error_set(CB_EFORBIDDEN, "nobody may do that (no such action)");
	for (unsigned role = 1; role <= CB_ROLE_LAST; role <<= 1) {
		const char *name = cb_role_name(role), *who, *rule_why;
		char one[200];

		if (!(a->roles & role))
			continue;
		who = rules[cb_rights_rule(role, action)].who;
		rule_why = rules[cb_rights_rule(role, action)].why;
		if (strcmp(who, "a ") == 0 && strchr("aeiou", name[0]))
			who = "an "; /* an admin */
		snprintf(one, sizeof(one), "%s%s%s", who, name, rule_why);
		snprintf(held + strlen(held), sizeof(held) - strlen(held), "%s%s",
			 held[0] ? ", " : "", name);
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s", why[0] ? "; " : "",
			 one);
	}
	if (obj && obj->what[0])
		snprintf(what, sizeof(what), " (%s)", obj->what);
	if (!held[0])
		return cb_error_set(CB_EFORBIDDEN, "%s (no role) may not %s%s: they hold no role",
				    a->key[0] ? a->key : "this person", table[action].text, what);
	return cb_error_set(CB_EFORBIDDEN, "%s (%s) may not %s%s: %s",
			    a->key[0] ? a->key : "this person", held, table[action].text, what,
			    why);
}

int cb_rights_require(cb_workspace *ws, int action, const cb_rights_object *obj)
{
	return cb_rights_check(&ws->actor, action, obj);
}

static void copy_key(char out[CB_KEY_MAX + 1], const char *key)
{
	snprintf(out, CB_KEY_MAX + 1, "%s", key ? key : "");
}

/* Whether any rule of these roles looks at the sessions a case cites. */
static int asks_cites(unsigned roles)
{
	for (unsigned role = 1; role <= CB_ROLE_LAST; role <<= 1)
		for (int action = 0; (roles & role) && action < CB_ACT_COUNT; action++)
			if (cb_rights_rule(role, action) == CB_RULE_CITES_TRAINED)
				return 1;
	return 0;
}

int cb_rights_case_object(cb_workspace *ws, const char *slug, const char *author,
			  const char *const *sessions, size_t n_sessions, cb_rights_object *out)
{
	int rc = 0;

	*out = (cb_rights_object){0};
	copy_key(out->author, author);
	if (slug)
		snprintf(out->what, sizeof(out->what), "case '%s'", slug);
	/* Which sessions a case cites matters only to a role with a
	 * CB_RULE_CITES_TRAINED rule (today the trainer's): nobody else
	 * pays for the lookups, a list of a thousand cases included. */
	if (ws->actor.is_admin || !ws->actor.key[0] || !asks_cites(ws->actor.roles))
		return 0;
	for (size_t i = 0; i < n_sessions && !out->cites_trained; i++) {
		cb_session x = {0};
		int exists = 0;

		if ((rc = cb_store_session_exists(ws->store, sessions[i], &exists)) < 0)
			return rc;
		if (!exists) /* a synced case citing a session not here */
			continue;
		if ((rc = cb_store_session_get(ws->store, sessions[i], &x)) < 0)
			return rc;
		out->cites_trained = x.trainer && strcmp(x.trainer, ws->actor.key) == 0;
		cb_session_clear(&x);
	}
	return 0;
}

int cb_rights_session_object(cb_workspace *ws, const char *key, const char *trainer,
			     int64_t session_id, cb_rights_object *out)
{
	cb_attendance row = {0};
	int found = 0, rc;

	*out = (cb_rights_object){0};
	copy_key(out->trainer, trainer);
	if (key)
		snprintf(out->what, sizeof(out->what), "session '%s'", key);
	if (ws->actor.is_admin || !ws->actor.person_id || !session_id)
		return 0;
	if ((rc = cb_store_attendance_get(ws->store, session_id, ws->actor.person_id, &row,
					  &found)) < 0)
		return rc;
	/* a row marked absent is no attendance */
	out->attended = found && !(row.status && strcmp(row.status, "absent") == 0);
	cb_attendance_clear(&row);
	return 0;
}
