/*-------------------------------------------------------------------------
 * actor.c
 *	  Who is acting (S2.9 "logged in"): enroll.act_as(), current_account(),
 *	  acting_as_admin(), and the identity lookups every other file uses.
 *
 * The account set by act_as() lives in backend memory only and is cleared
 * at the end of the transaction, so a connection returned to a
 * transaction-mode pooler never carries an identity over to the next client.
 * A subtransaction abort restores the value from before the subtransaction
 * (ROLLBACK TO SAVEPOINT undoes an act_as made after the savepoint).
 *
 * Without act_as(), the acting account is the one whose login_role is the
 * outer role of the session (a DBA mapped to an account in psql), else
 * nobody (anonymous).  The outer role is used rather than current_user so
 * that SECURITY DEFINER functions still see their caller.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "catalog/pg_type.h"

#include "pg_enroll.h"

/* the account set by act_as() in this transaction, if any */
static bool actor_set = false;
static int64 actor_account = 0;

/*
 * Whether the act_as() account was read by anything after it was set, and
 * whether act_as() was called inside a transaction block: an act_as() alone
 * in an autocommit statement would end with it, unused (see ActorPreCommit).
 */
static bool actor_used = false;
static bool actor_in_block = false;

/* one entry per subtransaction level that changed the actor */
typedef struct ActorSave
{
	SubTransactionId subid;		/* level that made the change */
	bool		prev_set;		/* value before that level's first change */
	int64		prev_account;
} ActorSave;

/* stack of ActorSave, newest first, in TopTransactionContext */
static List *actor_saves = NIL;

/* per-transaction cache of the login_role mapping of the outer role */
static bool mapping_cached = false;
static Oid	mapping_role = InvalidOid;
static bool mapping_found = false;
static int64 mapping_account = 0;

/* prepared plans, kept across transactions */
static EnrollPlan plan_account_by_role = {
	"SELECT id FROM enroll.account WHERE login_role OPERATOR(pg_catalog.=) $1",
	1, {NAMEOID}
};
/* does the account exist, before 1.2 (no erasure yet; 1.2 probes the index) */
static EnrollPlan plan_account_exists_11 = {
	"SELECT true FROM enroll.account WHERE id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};
static EnrollPlan plan_account_is_admin = {
	"SELECT is_admin FROM enroll.account WHERE id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

/* forget everything transaction-scoped */
static void
ActorReset(void)
{
	actor_set = false;
	actor_account = 0;
	actor_used = false;
	actor_in_block = false;
	actor_saves = NIL;			/* memory goes with TopTransactionContext */
	mapping_cached = false;
}

/*
 * An act_as() whose effect ended with its own statement: sent alone in
 * autocommit, the next statement would run anonymous and reads would
 * silently see less.  Refused at commit (the transaction is rolled back)
 * with an error that says what to do.  Inside BEGIN ... COMMIT, in a
 * multi-statement string, a pipeline, or with the statements that use it,
 * act_as() is used or its transaction goes on, and nothing is said.
 */
static void
ActorPreCommit(void)
{
	if (!actor_set || actor_used || actor_in_block)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION),
			 errmsg("enroll.act_as(%lld) has no effect: its transaction ended with the statement",
					(long long) actor_account),
			 errdetail("The account acted for is forgotten at the end of the transaction, and this statement was a transaction of its own."),
			 errhint("Call enroll.act_as inside BEGIN ... COMMIT with the statements that act for the account, or in the same statement or multi-statement string.")));
}

/* transaction callback: the identity never outlives its transaction */
static void
ActorXactCallback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			ActorPreCommit();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			ActorReset();
			break;
		default:
			break;
	}
}

/*
 * subtransaction callback: an abort restores the actor from before the
 * subtransaction; a commit hands the change over to the parent level.
 */
static void
ActorSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
					 SubTransactionId parentSubid, void *arg)
{
	ActorSave  *top;

	if (actor_saves == NIL)
		return;
	top = (ActorSave *) linitial(actor_saves);
	if (top->subid != mySubid)
		return;

	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		actor_set = top->prev_set;
		actor_account = top->prev_account;
		actor_saves = list_delete_first(actor_saves);
		mapping_cached = false;
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		ActorSave  *below = list_length(actor_saves) > 1 ?
		(ActorSave *) lsecond(actor_saves) : NULL;

		if (below != NULL && below->subid == parentSubid)
			actor_saves = list_delete_first(actor_saves);	/* parent's save wins */
		else
			top->subid = parentSubid;
	}
}

/* called once from _PG_init */
void
EnrollActorInit(void)
{
	RegisterXactCallback(ActorXactCallback, NULL);
	RegisterSubXactCallback(ActorSubXactCallback, NULL);
}

/* one single-column lookup run as the owner (EnrollRunAsOwner's argument) */
typedef struct OwnerLookupArgs
{
	EnrollPlan *plan;
	Datum		arg;
	Datum		result;
	bool		found;
} OwnerLookupArgs;

static void
OwnerLookupRun(void *arg)
{
	OwnerLookupArgs *a = (OwnerLookupArgs *) arg;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (EnrollExecute(a->plan, &a->arg, NULL, true, 1, SPI_OK_SELECT) > 0)
	{
		bool		isnull;

		/* bigint and bool are pass-by-value: nothing to copy out */
		a->result = EnrollGetDatum(0, 1, &isnull);
		a->found = !isnull;
	}
	SPI_finish();
}

/*
 * Run one prepared single-column bigint/bool lookup as the table owner, so
 * that row-level security (whose policies call back into this file) does not
 * recurse.  Returns false when no row matched.
 */
static bool
OwnerLookup(EnrollPlan *plan, Datum arg, Datum *result)
{
	OwnerLookupArgs a = {plan, arg, (Datum) 0, false};

	EnrollRunAsOwner(OwnerLookupRun, &a);
	*result = a.result;
	return a.found;
}

/* PE025: nobody acts as or for an erased account (enroll.erase_account). */
void
EnrollErasedAccountError(int64 account)
{
	ereport(ERROR,
			(errcode(ERRCODE_ENROLL_ACCOUNT_ERASED),
			 errmsg("account %lld has been erased", (long long) account),
			 errdetail("The person's data was erased; nobody acts as or for it any more."),
			 errhint("A person who comes back registers again with enroll.register_account.")));
}

/*
 * Does an account with this id exist (*erased: has it been erased)?  At
 * 1.2 a probe of account_pkey under the active snapshot (what the lookup
 * statement saw): act_as runs before every call an application makes, and
 * through SPI its executor start-up cost more than the read.  Before 1.2
 * (no catalogue to probe with) the statement, as the owner.
 */
static bool
AccountExists(int64 account, bool *erased)
{
	Datum		d = BoolGetDatum(true);
	bool		found;

	if (EnrollSchemaIsCurrent())
	{
		const EnrollCatalog *cat = EnrollGetCatalog();
		Relation	rel = table_open(cat->account, AccessShareLock);
		HeapTuple	tup = EnrollIndexFetch(rel, cat->account_pkey, account,
										   ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot());

		found = tup != NULL;
		*erased = found && !heap_attisnull(tup, cat->a_erased_at, RelationGetDescr(rel));
		if (found)
			heap_freetuple(tup);
		table_close(rel, AccessShareLock);
		return found;
	}
	found = OwnerLookup(&plan_account_exists_11, Int64GetDatum(account), &d);
	*erased = false;
	return found;
}

/*
 * The acting account: act_as() value, else the login_role mapping of the
 * outer role, else none (returns false).
 */
bool
EnrollCurrentAccount(int64 *account)
{
	Oid			role = GetOuterUserId();

	if (actor_set)
	{
		*account = actor_account;
		actor_used = true;
		return true;
	}
	if (!mapping_cached || mapping_role != role)
	{
		Datum		d;
		char	   *rolename = GetUserNameFromId(role, true);

		mapping_found = rolename != NULL &&
			OwnerLookup(&plan_account_by_role,
						DirectFunctionCall1(namein, CStringGetDatum(rolename)),
						&d);
		mapping_account = mapping_found ? DatumGetInt64(d) : 0;
		mapping_role = role;
		mapping_cached = IsTransactionState();
	}
	*account = mapping_account;
	return mapping_found;
}

/* The acting account, or 0 when anonymous (for event rows). */
int64
EnrollActorOrZero(void)
{
	int64		account;

	return EnrollCurrentAccount(&account) ? account : 0;
}

/* The acting account, or PE001 "not logged in". */
int64
EnrollRequireAccount(void)
{
	int64		account;

	if (!EnrollCurrentAccount(&account))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_NOT_LOGGED_IN),
				 errmsg("not logged in"),
				 errdetail("No account is acting in this transaction."),
				 errhint("Call enroll.act_as(account) first in the same transaction, or map your database role to an account.")));
	return account;
}

/* Has the outer role the privileges of the named role (superusers do)? */
static bool
OuterRoleHas(const char *rolename)
{
	Oid			role = get_role_oid(rolename, true);

	return OidIsValid(role) && has_privs_of_role(GetOuterUserId(), role);
}

/*
 * Is the actor a system administrator?  Either the database role has the
 * privileges of enroll_admin (superusers do), or the acting account has
 * is_admin.
 */
bool
EnrollActorIsAdmin(void)
{
	int64		account;
	Datum		d;

	if (OuterRoleHas("enroll_admin"))
		return true;
	if (!EnrollCurrentAccount(&account))
		return false;
	return OwnerLookup(&plan_account_is_admin, Int64GetDatum(account), &d) &&
		DatumGetBool(d);
}

/* Refuse with 42501 unless the actor is a system administrator. */
void
EnrollRequireAdmin(const char *action)
{
	if (!EnrollActorIsAdmin())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s", action),
				 errdetail("Only system administrators may do this."),
				 errhint("Act as an account with is_admin, or connect as a member of enroll_admin.")));
}

PG_FUNCTION_INFO_V1(act_as);
/*
 * enroll.act_as(account bigint): the application says which account it acts
 * for until the end of the transaction.  Only members of enroll_app or
 * enroll_admin (and superusers) may call it.
 */
Datum
act_as(PG_FUNCTION_ARGS)
{
	int64		account;
	bool		erased;
	ActorSave  *top;
	SubTransactionId subid = GetCurrentSubTransactionId();

	if (!OuterRoleHas("enroll_app") && !OuterRoleHas("enroll_admin"))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to act as an account"),
				 errdetail("Role \"%s\" is not a member of enroll_app.",
						   GetUserNameFromId(GetOuterUserId(), false)),
				 errhint("Applications connect with a role granted enroll_app.")));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("account must not be null"),
				 errhint("To act anonymously, do not call enroll.act_as in this transaction.")));
	account = PG_GETARG_INT64(0);
	if (!AccountExists(account, &erased))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ACCOUNT),
				 errmsg("account %lld does not exist", (long long) account),
				 errhint("Register the account with enroll.register_account first.")));
	if (erased)
		EnrollErasedAccountError(account);

	/* remember the value from before this subtransaction's first change */
	top = actor_saves != NIL ? (ActorSave *) linitial(actor_saves) : NULL;
	if (top == NULL || top->subid != subid)
	{
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
		ActorSave  *save = (ActorSave *) palloc(sizeof(ActorSave));

		save->subid = subid;
		save->prev_set = actor_set;
		save->prev_account = actor_account;
		actor_saves = lcons(save, actor_saves);
		MemoryContextSwitchTo(old);
	}
	actor_set = true;
	actor_account = account;
	actor_used = false;
	actor_in_block = IsTransactionBlock();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(current_account);
/* enroll.current_account(): the acting account, or NULL when anonymous */
Datum
current_account(PG_FUNCTION_ARGS)
{
	int64		account;

	if (!EnrollCurrentAccount(&account))
		PG_RETURN_NULL();
	PG_RETURN_INT64(account);
}

PG_FUNCTION_INFO_V1(acting_as_admin);
/* enroll.acting_as_admin(): is the actor a system administrator? */
Datum
acting_as_admin(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(EnrollActorIsAdmin());
}

PG_FUNCTION_INFO_V1(require_admin);
/* enroll.require_admin(action text): 42501 unless the actor is an admin */
Datum
require_admin(PG_FUNCTION_ARGS)
{
	EnrollRequireAdmin(PG_ARGISNULL(0) ? "do this" : text_to_cstring(PG_GETARG_TEXT_PP(0)));
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(require_account);
/* enroll.require_account(): the acting account, or PE001 "not logged in" */
Datum
require_account(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(EnrollRequireAccount());
}
