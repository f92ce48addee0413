/*-------------------------------------------------------------------------
 * worker_guard.c
 *	  Keeping our background processes out of the way of commands that
 *	  need a database (or the extension) to themselves.
 *
 * DROP DATABASE, ALTER DATABASE ... RENAME TO or SET TABLESPACE, and
 * CREATE DATABASE ... TEMPLATE refuse to run while other processes are
 * connected to the database; PostgreSQL 15 gives background workers no way
 * to be asked to leave.  So, in the session that runs such a command
 * (before PostgreSQL checks), the database's scheduler and job workers are
 * told to stop (SIGTERM) and awaited, and neither the launcher nor the
 * scheduler does anything there until the command's transaction ends.
 * DROP EXTENSION pg_dataexport stops the job workers of its database the
 * same way (their exports hold locks on the catalog it drops); the
 * scheduler stays, idle until the transaction ends, and then finds the
 * extension gone.
 *
 * A job stopped like this is FAILED by the scheduler's orphan sweep; the
 * next job of its schedule covers its interval.  When the database or the
 * extension is gone (at commit), its files in dataexport.storage_dir go
 * too.
 *
 * The guard runs in every session of a server that preloads the library;
 * it is installed by worker_register_launcher.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>
#include <sys/stat.h>

#include "access/xact.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "tcop/utility.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "pg_dataexport.h"
#include "worker_shmem.h"

/* How long a command waits for our processes to leave. */
#define GUARD_WAIT_MS (10 * 1000)

/* The longest our processes keep off, should the transaction outlast it. */
#define GUARD_PAUSE_MS (60 * 1000)

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/* Databases whose stored files go when this transaction commits. */
static List *remove_storage_at_commit = NIL;

/* A database was created, dropped or renamed: the launcher looks again. */
static bool rescan_at_commit = false;

/* Databases our processes keep out of until this transaction ends. */
static List *paused_until_end = NIL;
static bool xact_callback_registered = false;

static void resume_database(Oid dboid);

/*
 * At the end of the transaction: let our processes back into the databases
 * they were kept out of (whether the command committed or not), and, at
 * commit, remove the files of what was dropped and have the launcher look
 * for its databases again.
 */
static void
guard_xact_callback(XactEvent event, void *arg)
{
	ListCell   *lc;

	switch (event)
	{
		case XACT_EVENT_COMMIT:
			foreach(lc, remove_storage_at_commit)
			{
				char	   *path = psprintf("%s/%u", dataexport_storage_dir, lfirst_oid(lc));
				struct stat st;

				if (stat(path, &st) == 0 && !rmtree(path, true))
					ereport(WARNING,
							(errmsg("pg_dataexport: could not remove the files of database %u in \"%s\"",
									lfirst_oid(lc), path)));
				pfree(path);
			}
			if (rescan_at_commit)
				worker_request_rescan();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			break;
		default:
			return;
	}
	foreach(lc, paused_until_end)
		resume_database(lfirst_oid(lc));
	list_free(paused_until_end);
	paused_until_end = NIL;
	list_free(remove_storage_at_commit);
	remove_storage_at_commit = NIL;
	rescan_at_commit = false;
}

static void
register_guard_callback(void)
{
	if (!xact_callback_registered)
	{
		RegisterXactCallback(guard_xact_callback, NULL);
		xact_callback_registered = true;
	}
}

static void
remove_storage_on_commit(Oid dboid)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

	register_guard_callback();
	remove_storage_at_commit = list_append_unique_oid(remove_storage_at_commit, dboid);
	MemoryContextSwitchTo(old);
}

/*
 * Stop our processes in dboid (the scheduler too unless jobs_only) and wait
 * until they are gone; hold the launcher and the scheduler off meanwhile.
 * Returns whether the database is one of ours.
 */
static bool
quiesce_database(Oid dboid, bool jobs_only)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), GUARD_WAIT_MS);
	WorkerDatabase *db;

	worker_lock(true);
	db = worker_database_by_oid(dboid);
	if (db == NULL)
	{
		worker_unlock();
		return false;
	}
	db->paused_until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), GUARD_PAUSE_MS);
	worker_unlock();

	for (;;)
	{
		bool		waiting = false;
		int			i;

		worker_lock(false);
		if (!jobs_only && db->scheduler_pid != 0)
		{
			(void) kill(db->scheduler_pid, SIGTERM);
			waiting = true;
		}
		for (i = 0; i < worker_shared->nslots; i++)
		{
			JobSlot    *s = &worker_slots[i];

			if (!s->in_use || s->finished || s->dboid != dboid)
				continue;
			/* a worker that has not started yet is stopped once it has */
			if (s->pid != 0)
				(void) kill(s->pid, SIGTERM);
			waiting = true;
		}
		worker_unlock();

		if (!waiting || GetCurrentTimestamp() >= deadline)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	return true;
}

static void
resume_database(Oid dboid)
{
	WorkerDatabase *db;

	worker_lock(true);
	db = worker_database_by_oid(dboid);
	if (db != NULL)
	{
		db->paused_until = 0;
		if (db->scheduler_latch)
			SetLatch(db->scheduler_latch);
	}
	if (worker_shared->launcher_latch)
		SetLatch(worker_shared->launcher_latch);
	worker_unlock();
}

static bool
names_pg_dataexport(List *objects)
{
	ListCell   *lc;

	foreach(lc, objects)
		if (IsA(lfirst(lc), String) && strcmp(strVal(lfirst(lc)), "pg_dataexport") == 0)
			return true;
	return false;
}

static char *
option_string(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, name) == 0 && def->arg != NULL)
			return defGetString(def);
	}
	return NULL;
}

static void
guard_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					 ProcessUtilityContext context, ParamListInfo params,
					 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	Oid			target = InvalidOid;	/* a database our processes must leave */
	bool		jobs_only = false;
	char	   *name = NULL;

	switch (nodeTag(parsetree))
	{
		case T_DropdbStmt:
			name = ((DropdbStmt *) parsetree)->dbname;
			break;
		case T_RenameStmt:
			if (((RenameStmt *) parsetree)->renameType == OBJECT_DATABASE)
				name = ((RenameStmt *) parsetree)->subname;
			break;
		case T_AlterDatabaseStmt:
			if (option_string(((AlterDatabaseStmt *) parsetree)->options, "tablespace"))
				name = ((AlterDatabaseStmt *) parsetree)->dbname;
			break;
		case T_CreatedbStmt:
			name = option_string(((CreatedbStmt *) parsetree)->options, "template");
			break;
		case T_DropStmt:
			if (((DropStmt *) parsetree)->removeType == OBJECT_EXTENSION &&
				names_pg_dataexport(((DropStmt *) parsetree)->objects))
			{
				target = MyDatabaseId;
				jobs_only = true;
			}
			break;
		default:
			break;
	}
	if (name != NULL && IsTransactionState())
		target = get_database_oid(name, true);

	if (OidIsValid(target) && quiesce_database(target, jobs_only))
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		register_guard_callback();
		paused_until_end = list_append_unique_oid(paused_until_end, target);
		MemoryContextSwitchTo(old);
	}

	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
							queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);

	/* A listed name may now be a database, or no longer be one. */
	if (IsA(parsetree, DropdbStmt) || IsA(parsetree, CreatedbStmt) ||
		(IsA(parsetree, RenameStmt) &&
		 ((RenameStmt *) parsetree)->renameType == OBJECT_DATABASE))
	{
		register_guard_callback();
		rescan_at_commit = true;
	}

	/* Gone at commit: the files of the database or of the extension. */
	if (IsA(parsetree, DropdbStmt) && OidIsValid(target))
		remove_storage_on_commit(target);
	else if (IsA(parsetree, DropStmt) && jobs_only)
		remove_storage_on_commit(MyDatabaseId);
}

void
worker_guard_install(void)
{
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = guard_ProcessUtility;
}
