/*-------------------------------------------------------------------------
 * worker_launcher.c
 *	  The launcher: one per server, keeps a scheduler running for each
 *	  database of dataexport.database_names.
 *
 * Registered at server start (worker.c) and restarted by the postmaster
 * when it exits.  It connects to no database, so that it never stands in
 * the way of DROP DATABASE; it reads pg_database only to find the
 * databases by name.  Schedulers are dynamic workers it starts and starts
 * again when they exit (after a delay that grows while they keep exiting
 * at once).  A database that does not exist, or does not allow
 * connections, is reported once and looked for again every minute, or as
 * soon as someone asks for it (worker_wake_database).
 *
 * The launcher does no work of its own: a scheduler that fails cannot take
 * it down, and it cannot take the schedulers down either (they keep running
 * while the postmaster starts a new launcher, which adopts them).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "pg_dataexport.h"
#include "worker.h"
#include "worker_shmem.h"

/* The longest the launcher sleeps without being woken. */
#define LAUNCHER_MAX_SLEEP_MS (60 * 1000)

/* Missing databases are looked for again this often. */
#define LAUNCHER_RECHECK_MS (60 * 1000)

/* Delay before restarting a scheduler; doubles while it exits quickly. */
#define SCHEDULER_RESTART_MIN_MS 1000
#define SCHEDULER_RESTART_MAX_MS (60 * 1000)
#define SCHEDULER_QUICK_EXIT_MS (10 * 1000)

/* What the launcher remembers of each database (in its own memory). */
typedef struct LauncherDatabase
{
	BackgroundWorkerHandle *handle; /* the scheduler it started last */
	TimestampTz started_at;
	TimestampTz next_start;		/* not before this */
	int			restart_ms;
	bool		reported;		/* its absence was reported */
} LauncherDatabase;

static void
launcher_detach(int code, Datum arg)
{
	worker_lock(true);
	if (worker_shared->launcher_pid == MyProcPid)
	{
		worker_shared->launcher_pid = 0;
		worker_shared->launcher_latch = NULL;
	}
	worker_unlock();
}

/*
 * The database's oid (Invalid if none) and whether it allows connections.
 * A heap scan of pg_database, as the autovacuum launcher does: connected to
 * no database, the launcher cannot count on pg_database's indexes.
 */
static Oid
launcher_find_database(const char *name, bool *allowconn)
{
	Oid			dboid = InvalidOid;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

	*allowconn = false;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while (HeapTupleIsValid(tup = heap_getnext(scan, ForwardScanDirection)))
	{
		Form_pg_database dbform = (Form_pg_database) GETSTRUCT(tup);

		if (strcmp(NameStr(dbform->datname), name) == 0)
		{
			dboid = dbform->oid;
			*allowconn = dbform->datallowconn;
			break;
		}
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	return dboid;
}

static bool
launcher_start_scheduler(int dbindex, Oid dboid, const char *dbname,
						 BackgroundWorkerHandle **handle)
{
	BackgroundWorker bgw;
	SchedulerArgs args;

	memset(&bgw, 0, sizeof(bgw));
	bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	bgw.bgw_start_time = BgWorkerStart_RecoveryFinished;
	bgw.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(bgw.bgw_library_name, "pg_dataexport", BGW_MAXLEN);
	strlcpy(bgw.bgw_function_name, "pgde_scheduler_main", BGW_MAXLEN);
	snprintf(bgw.bgw_name, BGW_MAXLEN, "pg_dataexport scheduler %s", dbname);
	strlcpy(bgw.bgw_type, "pg_dataexport scheduler", BGW_MAXLEN);
	bgw.bgw_main_arg = Int32GetDatum(dbindex);
	args.dbindex = dbindex;
	args.dboid = dboid;
	StaticAssertStmt(sizeof(SchedulerArgs) <= BGW_EXTRALEN, "bgw_extra too small");
	memcpy(bgw.bgw_extra, &args, sizeof(args));
	bgw.bgw_notify_pid = MyProcPid;

	return RegisterDynamicBackgroundWorker(&bgw, handle);
}

static long
ms_until(TimestampTz now, TimestampTz then)
{
	long		secs;
	int			usecs;

	if (then <= now)
		return 0;
	TimestampDifference(now, then, &secs, &usecs);
	return secs * 1000 + (usecs + 999) / 1000;
}

/*
 * Start the schedulers that should run and do not.  Returns how long the
 * launcher may sleep.
 */
static long
launcher_pass(LauncherDatabase *ldbs)
{
	TimestampTz now = GetCurrentTimestamp();
	long		sleep_ms = LAUNCHER_MAX_SLEEP_MS;
	bool		rescan;
	int			i;

	worker_lock(true);
	rescan = worker_shared->rescan_requested;
	worker_shared->rescan_requested = false;
	worker_unlock();

	for (i = 0; i < worker_shared->ndatabases; i++)
	{
		WorkerDatabase *db = &worker_databases[i];
		LauncherDatabase *ld = &ldbs[i];
		bool		running;
		bool		requested;
		TimestampTz paused_until;
		char		name[NAMEDATALEN];
		Oid			dboid;
		bool		allowconn;

		CHECK_FOR_INTERRUPTS();

		worker_lock(false);
		running = db->scheduler_pid != 0;
		requested = db->start_requested;
		paused_until = db->paused_until;
		strlcpy(name, db->name, NAMEDATALEN);
		worker_unlock();

		/* The scheduler it started last: starting, running, or gone. */
		if (ld->handle != NULL)
		{
			pid_t		pid;

			if (GetBackgroundWorkerPid(ld->handle, &pid) == BGWH_STOPPED)
			{
				if (TimestampDifferenceExceeds(ld->started_at, now, SCHEDULER_QUICK_EXIT_MS))
					ld->restart_ms = SCHEDULER_RESTART_MIN_MS;
				else
					ld->restart_ms = Min(Max(ld->restart_ms * 2, SCHEDULER_RESTART_MIN_MS),
										 SCHEDULER_RESTART_MAX_MS);
				ld->next_start = TimestampTzPlusMilliseconds(now, ld->restart_ms);
				pfree(ld->handle);
				ld->handle = NULL;
			}
			else
				running = true;
		}
		if (running)
			continue;

		if (paused_until > now)
		{
			sleep_ms = Min(sleep_ms, ms_until(now, paused_until));
			continue;
		}
		if (now < ld->next_start && !requested && !rescan)
		{
			sleep_ms = Min(sleep_ms, ms_until(now, ld->next_start));
			continue;
		}

		dboid = launcher_find_database(name, &allowconn);
		worker_lock(true);
		db->dboid = OidIsValid(dboid) && allowconn ? dboid : InvalidOid;
		db->start_requested = false;
		worker_unlock();

		if (!OidIsValid(dboid) || !allowconn)
		{
			if (!ld->reported)
				ereport(WARNING,
						(errmsg("pg_dataexport: database \"%s\" of dataexport.database_names %s",
								name, OidIsValid(dboid) ? "does not allow connections" : "does not exist"),
						 errdetail("Schedules in it do not fire until it does; the launcher looks again every minute."),
						 errhint("Remove it from dataexport.database_names, or create it.")));
			ld->reported = true;
			ld->next_start = TimestampTzPlusMilliseconds(now, LAUNCHER_RECHECK_MS);
			sleep_ms = Min(sleep_ms, LAUNCHER_RECHECK_MS);
			continue;
		}
		ld->reported = false;

		if (!launcher_start_scheduler(i, dboid, name, &ld->handle))
		{
			ereport(WARNING,
					(errmsg("pg_dataexport: could not start the scheduler of database \"%s\"", name),
					 errdetail("No background worker slot is free; it is tried again in ten seconds."),
					 errhint("Raise max_worker_processes: pg_dataexport needs one for its launcher, one per database in dataexport.database_names and dataexport.max_workers for jobs.")));
			ld->handle = NULL;
			ld->next_start = TimestampTzPlusMilliseconds(now, 10 * 1000);
			sleep_ms = Min(sleep_ms, 10 * 1000);
			continue;
		}
		ld->started_at = now;
	}
	return sleep_ms;
}

void
pgde_launcher_main(Datum arg)
{
	LauncherDatabase *ldbs;
	bool		valid;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	/* Shared catalogs only: no database to stand in the way of. */
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("pg_dataexport launcher");

	before_shmem_exit(launcher_detach, 0);
	worker_lock(true);
	worker_shared->launcher_pid = MyProcPid;
	worker_shared->launcher_latch = MyLatch;
	worker_unlock();

	(void) worker_database_list(&valid);
	if (!valid)
		ereport(WARNING,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pg_dataexport: dataexport.database_names is not a valid list of database names"),
				 errhint("Write database names separated by commas, in double quotes if they contain commas or spaces.")));

	ldbs = MemoryContextAllocZero(TopMemoryContext,
								  sizeof(LauncherDatabase) * Max(worker_shared->ndatabases, 1));

	for (;;)
	{
		long		sleep_ms;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		sleep_ms = launcher_pass(ldbs);

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 sleep_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
