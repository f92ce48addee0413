/*-------------------------------------------------------------------------
 * worker.c
 *	  Registering the background scheduler, and its SQL entry points.
 *
 * When the library is preloaded, _PG_init calls worker_register_launcher:
 * it asks for the shared state (worker_shmem.c), installs the guard that
 * keeps our processes out of DROP DATABASE and DROP EXTENSION
 * (worker_guard.c), and registers the launcher (worker_launcher.c), which
 * starts one scheduler per database of dataexport.database_names
 * (worker_scheduler.c); each scheduler starts one job worker per job
 * (worker_job.c).
 *
 * SQL entry points: dataexport._wake_scheduler(), which the functions that
 * queue work call so that the scheduler of the database wakes up as soon as
 * their transaction commits, and dataexport._scheduler_coverage(), which
 * the install script uses to say when schedules will not fire by
 * themselves.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/dbcommands.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "utils/builtins.h"
#include "utils/varlena.h"

#include "pg_dataexport.h"
#include "worker.h"
#include "worker_shmem.h"

/* Seconds before the postmaster starts a launcher that exited again. */
#define LAUNCHER_RESTART_S 1

PG_FUNCTION_INFO_V1(pgde_wake_scheduler);
PG_FUNCTION_INFO_V1(pgde_scheduler_coverage);

void
worker_register_launcher(void)
{
	BackgroundWorker bgw;

	/* pg_upgrade starts the server only to move the catalog. */
	if (IsBinaryUpgrade)
		return;

	worker_shmem_register();
	worker_guard_install();

	memset(&bgw, 0, sizeof(bgw));
	bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	bgw.bgw_start_time = BgWorkerStart_RecoveryFinished;
	bgw.bgw_restart_time = LAUNCHER_RESTART_S;
	strlcpy(bgw.bgw_library_name, "pg_dataexport", BGW_MAXLEN);
	strlcpy(bgw.bgw_function_name, "pgde_launcher_main", BGW_MAXLEN);
	strlcpy(bgw.bgw_name, "pg_dataexport launcher", BGW_MAXLEN);
	strlcpy(bgw.bgw_type, "pg_dataexport launcher", BGW_MAXLEN);
	RegisterBackgroundWorker(&bgw);
}

List *
worker_database_list(bool *valid)
{
	char	   *raw = pstrdup(dataexport_database_names ? dataexport_database_names : "");
	List	   *names = NIL;
	List	   *result = NIL;
	ListCell   *lc;

	if (valid)
		*valid = true;
	if (!SplitGUCList(raw, ',', &names))
	{
		if (valid)
			*valid = false;
		return NIL;
	}
	foreach(lc, names)
	{
		char	   *name = (char *) lfirst(lc);
		ListCell   *seen;
		bool		dup = false;

		if (name[0] == '\0')
			continue;
		foreach(seen, result)
			if (strcmp((char *) lfirst(seen), name) == 0)
				dup = true;
		if (!dup)
			result = lappend(result, pstrdup(name));
	}
	return result;
}

/* ------------------------------------------------------------------------
 * dataexport._wake_scheduler(): wake the scheduler after commit
 * ------------------------------------------------------------------------
 */

static bool wake_callback_registered = false;
static bool wake_at_commit = false;

/*
 * The scheduler reads what this transaction wrote, so it is woken only once
 * the commit is visible; an aborted transaction wakes no one.
 */
static void
wake_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			if (wake_at_commit)
			{
				wake_at_commit = false;
				worker_wake_database(MyDatabaseId);
			}
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			wake_at_commit = false;
			break;
		default:
			break;
	}
}

Datum
pgde_wake_scheduler(PG_FUNCTION_ARGS)
{
	/* Without preloading there is no scheduler to wake. */
	if (worker_shared == NULL)
		PG_RETURN_VOID();
	if (!wake_callback_registered)
	{
		RegisterXactCallback(wake_xact_callback, NULL);
		wake_callback_registered = true;
	}
	wake_at_commit = true;
	PG_RETURN_VOID();
}

/*
 * dataexport._scheduler_coverage(OUT preloaded boolean,
 *								  OUT database_listed boolean)
 */
Datum
pgde_scheduler_coverage(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	char	   *dbname = get_database_name(MyDatabaseId);
	bool		listed = false;
	ListCell   *lc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	foreach(lc, worker_database_list(NULL))
		if (dbname && strcmp((char *) lfirst(lc), dbname) == 0)
			listed = true;

	values[0] = BoolGetDatum(worker_shared != NULL);
	values[1] = BoolGetDatum(listed);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
