/*-------------------------------------------------------------------------
 * worker_scheduler.c
 *	  The scheduler of one database: queues due runs, starts a job worker
 *	  per job, records what became of them, and applies retention.
 *
 * Started by the launcher, connected to its database as the bootstrap
 * superuser.  It decides nothing about time itself: the schedules' next
 * grid instants (schedule.next_run_at, kept by the timing code) and the
 * jobs' due times say what is due, and it sleeps on its latch until the
 * earliest of them.  The functions that queue work set the latch when their
 * transaction commits (dataexport._wake_scheduler), and a job worker that
 * exits sets it too.
 *
 * Each pass of the loop, in order:
 *	1. (first pass since the server started) jobs left RUNNING are FAILED,
 *	   "interrupted by server restart";
 *	2. job workers that exited are reaped; one that died before it could
 *	   start its job has the job FAILED with the error it reported;
 *	3. due schedules get their SCHEDULED job (scheduler_queue_due), unless
 *	   dataexport.enabled is off;
 *	4. PENDING jobs start, earliest due first, while a job slot is free
 *	   (dataexport.max_workers, shared by every database);
 *	5. retention: expired files and old job records are removed;
 *	6. sleep until the next due instant, the next expiry, or a wake-up.
 *
 * While a command that needs the database to itself runs (worker_guard.c)
 * the scheduler does nothing.  Nothing here runs an export: a broken
 * schedule fails in its own job worker.  An error in the loop itself (a lock conflict with DROP
 * EXTENSION, say) is logged and the loop goes on after a pause.  Without
 * the extension in its database the scheduler only sleeps.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <dirent.h>

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "api.h"
#include "file_store.h"
#include "pg_dataexport.h"
#include "scheduler.h"
#include "worker_shmem.h"

/* The longest the scheduler sleeps without being woken. */
#define SCHEDULER_MAX_SLEEP_MS (10 * 1000)

/* Pause after an error in the loop. */
#define SCHEDULER_ERROR_SLEEP_MS (5 * 1000)

/* Retry after the postmaster had no background worker slot. */
#define SCHEDULER_REGISTER_RETRY_MS 1000

/* A schedule due but skipped (its row locked by an update): look again. */
#define SCHEDULER_LOCKED_RETRY_MS 100

/* Retention runs at least this often. */
#define RETENTION_PERIOD_MS (60 * 1000)

/* A job worker this scheduler started and has not yet seen stop. */
typedef struct InFlight
{
	int64		job_id;
	int			slot;
	uint32		generation;
	BackgroundWorkerHandle *handle;
} InFlight;

/* What became of a job worker, read from its slot once it stopped. */
typedef struct WorkerOutcome
{
	int64		job_id;
	bool		connected;
	JobClaim	claim;
	int			sqlerrcode;
	char	   *error;
} WorkerOutcome;

/* A PENDING job that may start now. */
typedef struct Candidate
{
	int64		job_id;
	Oid			owner;
	TimestampTz due;
} Candidate;

static WorkerDatabase *my_db;
static MemoryContext loop_cxt;	/* reset at each pass */
static CatalogAccess catalog;	/* of the transaction in progress */
static List *in_flight = NIL;	/* of InFlight, in TopMemoryContext */
static TimestampTz next_retention = 0;
static TimestampTz next_expiry = 0; /* 0: nothing to expire */
static TimestampTz last_register_warning = 0;

static void
scheduler_detach(int code, Datum arg)
{
	worker_lock(true);
	if (my_db->scheduler_pid == MyProcPid)
	{
		my_db->scheduler_pid = 0;
		my_db->scheduler_latch = NULL;
		my_db->waiting_due = 0;
	}
	if (worker_shared->launcher_latch)
		SetLatch(worker_shared->launcher_latch);
	worker_unlock();
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
 * Start a transaction of the scheduler.  Its writes must not be refused by
 * a database's default_transaction_read_only.
 */
static void
begin_transaction(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	XactIsoLevel = XACT_READ_COMMITTED;
	XactReadOnly = false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	/* already the superuser; this pins search_path (a database may set it) */
	catalog_access_begin(&catalog);
}

/* Commit; what the pass allocates next goes to its context again. */
static void
commit_transaction(void)
{
	catalog_access_end(&catalog);
	PopActiveSnapshot();
	SPI_finish();
	CommitTransactionCommand();
	MemoryContextSwitchTo(loop_cxt);
}

static void
spi_run(const char *sql, int nargs, Oid *argtypes, Datum *args, int expect)
{
	int			ret = SPI_execute_with_args(sql, nargs, argtypes, args, NULL, false, 0);

	if (ret != expect)
		elog(ERROR, "SPI failed (%s): %s", SPI_result_code_string(ret), sql);
}

/* A timestamptz from the first column of the first row; 0 when NULL. */
static TimestampTz
spi_timestamp(void)
{
	bool		isnull;
	Datum		d;

	if (SPI_processed != 1)
		return 0;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? 0 : DatumGetTimestampTz(d);
}

static void
fail_orphaned_jobs(const char *reason)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];

	/* pg_stat_activity as it is now, not as this transaction first saw it */
	pgstat_clear_snapshot();
	args[0] = CStringGetTextDatum(reason);
	spi_run("SELECT dataexport._fail_orphaned_jobs($1)", 1, argtypes, args, SPI_OK_SELECT);
}

static void
fail_pending_job(int64 job_id, const char *message, int sqlerrcode)
{
	Oid			argtypes[3] = {INT8OID, TEXTOID, TEXTOID};
	Datum		args[3];

	args[0] = Int64GetDatum(job_id);
	args[1] = CStringGetTextDatum(message);
	args[2] = CStringGetTextDatum(unpack_sql_state(sqlerrcode));
	spi_run("SELECT dataexport._fail_pending_job($1, $2, $3)", 3, argtypes, args, SPI_OK_SELECT);
}

/* ------------------------------------------------------------------------
 * Job workers
 * ------------------------------------------------------------------------
 */

/* Collect the job workers that stopped; release their slots. */
static List *
reap_job_workers(void)
{
	List	   *outcomes = NIL;
	ListCell   *lc;

	foreach(lc, in_flight)
	{
		InFlight   *f = (InFlight *) lfirst(lc);
		pid_t		pid;
		JobSlot    *s = &worker_slots[f->slot];

		if (GetBackgroundWorkerPid(f->handle, &pid) != BGWH_STOPPED)
			continue;

		worker_lock(true);
		if (s->in_use && s->generation == f->generation)
		{
			WorkerOutcome *o = palloc0(sizeof(WorkerOutcome));

			o->job_id = f->job_id;
			o->connected = s->connected;
			o->claim = s->claim;
			o->sqlerrcode = s->sqlerrcode;
			o->error = pstrdup(s->error);
			outcomes = lappend(outcomes, o);
			s->in_use = false;
			worker_wake_waiting_locked();
		}
		worker_unlock();

		pfree(f->handle);
		pfree(f);
		in_flight = foreach_delete_current(in_flight, lc);
	}

	/* A slot of ours with no worker we know of (an error came between). */
	worker_lock(true);
	for (int i = 0; i < worker_shared->nslots; i++)
	{
		JobSlot    *s = &worker_slots[i];
		bool		known = false;

		if (!s->in_use || s->owner_pid != MyProcPid)
			continue;
		foreach(lc, in_flight)
		{
			InFlight   *f = (InFlight *) lfirst(lc);

			if (f->slot == i && f->generation == s->generation)
				known = true;
		}
		if (!known)
		{
			s->in_use = false;
			worker_wake_waiting_locked();
		}
	}
	worker_unlock();
	return outcomes;
}

/*
 * A worker that stopped before it claimed its job, with an error (it could
 * not connect as the owner: no LOGIN, no CONNECT, too many connections;
 * or the claim itself failed), fails the job with that error, so that a
 * persistent cause cannot make the job start again and again.  A worker
 * told to stop (SIGTERM, a DROP DATABASE) leaves the job PENDING, as does
 * one that found the job taken or its schedule busy.  A worker that ran its
 * job recorded the outcome itself, or left it RUNNING for the orphan sweep.
 */
static void
record_outcomes(List *outcomes)
{
	ListCell   *lc;

	foreach(lc, outcomes)
	{
		WorkerOutcome *o = (WorkerOutcome *) lfirst(lc);

		if (o->claim != JOB_CLAIM_NONE || o->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
			continue;
		if (o->error[0] == '\0')
		{
			if (o->connected)
				continue;		/* it left quietly: nothing to say */
			fail_pending_job(o->job_id,
							 "the job worker could not start; see the server log",
							 ERRCODE_CONNECTION_FAILURE);
		}
		else
			fail_pending_job(o->job_id, o->error,
							 o->sqlerrcode ? o->sqlerrcode : ERRCODE_CONNECTION_FAILURE);
	}
}

/*
 * The PENDING jobs that may start now, earliest due first: none of a
 * schedule with a job running or starting.  Jobs whose owner was dropped
 * fail here (there is no one to run them as).  *failed is set when one did.
 */
static List *
startable_jobs(bool *failed)
{
	List	   *result = NIL;
	Datum	   *ids;
	ArrayType  *arr;
	Oid			argtypes[2] = {INT8ARRAYOID, INT4OID};
	Datum		args[2];
	ListCell   *lc;
	int			n = 0;
	uint64		i;
	List	   *lost = NIL;
	MemoryContext old;

	*failed = false;
	ids = palloc(sizeof(Datum) * (list_length(in_flight) + 1));
	foreach(lc, in_flight)
		ids[n++] = Int64GetDatum(((InFlight *) lfirst(lc))->job_id);
	arr = construct_array(ids, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	args[0] = PointerGetDatum(arr);
	args[1] = Int32GetDatum(worker_shared->nslots);
	spi_run("SELECT job_id, owner, due_at FROM dataexport._startable_jobs($1, $2)",
			2, argtypes, args, SPI_OK_SELECT);

	/* The candidates outlive the transaction: they start after commit. */
	old = MemoryContextSwitchTo(loop_cxt);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Candidate  *c = palloc(sizeof(Candidate));

		c->job_id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		c->owner = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		c->due = DatumGetTimestampTz(SPI_getbinval(tup, desc, 3, &isnull));
		if (SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(c->owner)))
			result = lappend(result, c);
		else
			lost = lappend(lost, c);
	}
	MemoryContextSwitchTo(old);

	foreach(lc, lost)
	{
		Candidate  *c = (Candidate *) lfirst(lc);
		char	   *msg = psprintf("the owner of job " INT64_FORMAT " no longer exists", c->job_id);

		fail_pending_job(c->job_id, msg, ERRCODE_UNDEFINED_OBJECT);
		*failed = true;
	}
	return result;
}

static bool
start_job_worker(Candidate *c, int slot, uint32 generation,
				 BackgroundWorkerHandle **handle)
{
	BackgroundWorker bgw;
	JobWorkerArgs args;

	memset(&bgw, 0, sizeof(bgw));
	bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	bgw.bgw_start_time = BgWorkerStart_RecoveryFinished;
	bgw.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(bgw.bgw_library_name, "pg_dataexport", BGW_MAXLEN);
	strlcpy(bgw.bgw_function_name, "pgde_job_worker_main", BGW_MAXLEN);
	snprintf(bgw.bgw_name, BGW_MAXLEN, "pg_dataexport job " INT64_FORMAT, c->job_id);
	strlcpy(bgw.bgw_type, "pg_dataexport job", BGW_MAXLEN);
	bgw.bgw_main_arg = Int32GetDatum(slot);
	args.dboid = MyDatabaseId;
	args.owner = c->owner;
	args.job_id = c->job_id;
	args.slot = slot;
	args.generation = generation;
	StaticAssertStmt(sizeof(JobWorkerArgs) <= BGW_EXTRALEN, "bgw_extra too small");
	memcpy(bgw.bgw_extra, &args, sizeof(args));
	bgw.bgw_notify_pid = MyProcPid;

	return RegisterDynamicBackgroundWorker(&bgw, handle);
}

/*
 * Start a worker for each candidate while slots are free.  Returns false
 * when the postmaster had no background worker slot (try again soon).
 */
static bool
launch_job_workers(List *candidates)
{
	ListCell   *lc;
	TimestampTz waiting = 0;
	bool		ok = true;

	foreach(lc, candidates)
	{
		Candidate  *c = (Candidate *) lfirst(lc);
		uint32		generation;
		int			slot;
		BackgroundWorkerHandle *handle;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		slot = worker_slot_reserve(MyDatabaseId, c->job_id, c->due, &generation);
		if (slot < 0)
		{
			waiting = c->due;
			break;
		}

		old = MemoryContextSwitchTo(TopMemoryContext);
		if (!start_job_worker(c, slot, generation, &handle))
		{
			MemoryContextSwitchTo(old);
			worker_slot_release(slot, generation);
			if (TimestampDifferenceExceeds(last_register_warning, GetCurrentTimestamp(), 60 * 1000))
			{
				ereport(WARNING,
						(errmsg("pg_dataexport: could not start a job worker: no background worker slot is free"),
						 errhint("Raise max_worker_processes: pg_dataexport needs one for its launcher, one per database in dataexport.database_names and dataexport.max_workers for jobs.")));
				last_register_warning = GetCurrentTimestamp();
			}
			waiting = c->due;
			ok = false;
			break;
		}
		{
			InFlight   *f = palloc(sizeof(InFlight));

			f->job_id = c->job_id;
			f->slot = slot;
			f->generation = generation;
			f->handle = handle;
			in_flight = lappend(in_flight, f);
		}
		MemoryContextSwitchTo(old);
	}

	worker_lock(true);
	my_db->waiting_due = waiting;
	worker_unlock();
	return ok;
}

/* ------------------------------------------------------------------------
 * Retention
 * ------------------------------------------------------------------------
 */

/* The job ids that have a directory under the store of this database. */
static List *
stored_job_ids(void)
{
	char	   *dir = psprintf("%s/%u", dataexport_storage_dir, MyDatabaseId);
	DIR		   *d = AllocateDir(dir);
	struct dirent *de;
	List	   *ids = NIL;

	if (d == NULL && errno == ENOENT)
		return NIL;
	while ((de = ReadDir(d, dir)) != NULL)
	{
		char	   *end;
		int64		id;

		CHECK_FOR_INTERRUPTS();
		if (!isdigit((unsigned char) de->d_name[0]))
			continue;
		errno = 0;
		id = strtoi64(de->d_name, &end, 10);
		if (*end != '\0' || errno != 0 || id <= 0)
			continue;
		ids = lappend(ids, palloc(sizeof(int64)));
		*(int64 *) llast(ids) = id;
	}
	FreeDir(d);
	return ids;
}

/*
 * Files expire dataexport.file_retention after their job completed: their
 * job_file rows are marked expired, then the job's directory goes (that of
 * a failed job too, and any directory whose job record is gone).  Job
 * records go dataexport.job_history_retention after completion.
 */
static void
retention_pass(void)
{
	Oid			argtypes[2] = {INT4OID, INT4OID};
	Datum		args[2];
	List	   *ids;
	ListCell   *lc;
	Datum	   *elems;
	int			n = 0;
	uint64		i;

	pgstat_report_activity(STATE_RUNNING, "pg_dataexport: retention");
	args[0] = Int32GetDatum(dataexport_file_retention_s);
	args[1] = Int32GetDatum(dataexport_job_history_retention_s);

	begin_transaction();
	spi_run("SELECT dataexport._expire_files($1)", 1, argtypes, args, SPI_OK_SELECT);
	spi_run("SELECT dataexport._prune_job_history($1)", 1, argtypes, args + 1, SPI_OK_SELECT);
	commit_transaction();

	/* Listed before the snapshot that decides: a new job's row is seen. */
	ids = stored_job_ids();
	begin_transaction();
	if (ids != NIL)
	{
		Oid			t[2] = {INT8ARRAYOID, INT4OID};
		Datum		a[2];

		elems = palloc(sizeof(Datum) * list_length(ids));
		foreach(lc, ids)
			elems[n++] = Int64GetDatum(*(int64 *) lfirst(lc));
		a[0] = PointerGetDatum(construct_array(elems, n, INT8OID, sizeof(int64),
											   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		a[1] = args[0];
		spi_run("SELECT id FROM dataexport._removable_job_dirs($1, $2) id", 2, t, a, SPI_OK_SELECT);
		for (i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			int64		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
														 SPI_tuptable->tupdesc, 1, &isnull));

			CHECK_FOR_INTERRUPTS();
			store_remove_job(id);
		}
	}
	spi_run("SELECT dataexport._next_expiry($1, $2)", 2, argtypes, args, SPI_OK_SELECT);
	next_expiry = spi_timestamp();
	commit_transaction();
}

/* ------------------------------------------------------------------------
 * The loop
 * ------------------------------------------------------------------------
 */

/* One pass (see the file header); returns how long to sleep. */
static long
scheduler_pass(void)
{
	bool		enabled = dataexport_enabled;
	bool		swept;
	bool		owners_failed = false;
	bool		launched_ok = true;
	List	   *outcomes;
	List	   *candidates = NIL;
	TimestampTz xact_start;
	TimestampTz next_due = 0;
	TimestampTz paused_until;
	TimestampTz now;
	TimestampTz wake;
	long		sleep_ms;

	worker_lock(false);
	swept = my_db->swept;
	paused_until = my_db->paused_until;
	worker_unlock();

	/* A command needs the database (or the catalog) to itself: keep off. */
	now = GetCurrentTimestamp();
	if (paused_until > now)
		return ms_until(now, paused_until);

	outcomes = reap_job_workers();

	pgstat_report_activity(STATE_RUNNING, "pg_dataexport: scheduling");
	begin_transaction();
	xact_start = GetCurrentTransactionStartTimestamp();

	if (!OidIsValid(get_extension_oid("pg_dataexport", true)))
	{
		commit_transaction();
		worker_lock(true);
		my_db->swept = true;
		my_db->waiting_due = 0;
		worker_unlock();
		next_retention = 0;
		return SCHEDULER_MAX_SLEEP_MS;
	}

	if (!swept)
		fail_orphaned_jobs("interrupted by server restart");
	record_outcomes(outcomes);

	if (enabled)
	{
		Oid			no_types[1];

		pgstat_clear_snapshot();
		scheduler_queue_due(BOOTSTRAP_SUPERUSERID);
		spi_run("SELECT dataexport._next_due()", 0, no_types, NULL, SPI_OK_SELECT);
		next_due = spi_timestamp();
		candidates = startable_jobs(&owners_failed);
	}
	else
		fail_orphaned_jobs("interrupted: the process running it exited");

	/* When retention next has something to do. */
	{
		Oid			argtypes[2] = {INT4OID, INT4OID};
		Datum		args[2];

		args[0] = Int32GetDatum(dataexport_file_retention_s);
		args[1] = Int32GetDatum(dataexport_job_history_retention_s);
		spi_run("SELECT dataexport._next_expiry($1, $2)", 2, argtypes, args, SPI_OK_SELECT);
		next_expiry = spi_timestamp();
	}
	commit_transaction();

	if (!swept)
	{
		worker_lock(true);
		my_db->swept = true;
		worker_unlock();
	}

	/* Start jobs only once their rows (queued above) are committed. */
	if (candidates != NIL)
		launched_ok = launch_job_workers(candidates);
	else
	{
		worker_lock(true);
		my_db->waiting_due = 0;
		worker_unlock();
	}

	now = GetCurrentTimestamp();
	if (now >= next_retention || (next_expiry != 0 && now >= next_expiry))
	{
		retention_pass();
		next_retention = TimestampTzPlusMilliseconds(now, RETENTION_PERIOD_MS);
		/* what could not go now is tried again at the next period */
		if (next_expiry != 0 && next_expiry <= now)
			next_expiry = next_retention;
	}

	/* Sleep until the next thing to do, or a wake-up. */
	now = GetCurrentTimestamp();
	wake = TimestampTzPlusMilliseconds(now, SCHEDULER_MAX_SLEEP_MS);
	wake = Min(wake, next_retention);
	if (next_expiry != 0)
		wake = Min(wake, next_expiry);
	sleep_ms = ms_until(now, wake);
	if (next_due != 0)
	{
		if (next_due <= xact_start)
			sleep_ms = Min(sleep_ms, SCHEDULER_LOCKED_RETRY_MS);
		else
			sleep_ms = Min(sleep_ms, ms_until(now, next_due));
	}
	if (!launched_ok)
		sleep_ms = Min(sleep_ms, SCHEDULER_REGISTER_RETRY_MS);
	if (owners_failed)
		sleep_ms = 0;
	return sleep_ms;
}

/* A pass, with an error in it logged and survived. */
static long
scheduler_pass_guarded(void)
{
	long		sleep_ms = SCHEDULER_ERROR_SLEEP_MS;

	PG_TRY();
	{
		sleep_ms = scheduler_pass();
	}
	PG_CATCH();
	{
		HOLD_INTERRUPTS();
		MemoryContextSwitchTo(loop_cxt);
		EmitErrorReport();
		AbortOutOfAnyTransaction();
		LWLockReleaseAll();
		FlushErrorState();
		RESUME_INTERRUPTS();
		sleep_ms = SCHEDULER_ERROR_SLEEP_MS;
	}
	PG_END_TRY();
	return sleep_ms;
}

void
pgde_scheduler_main(Datum arg)
{
	SchedulerArgs args;

	memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (worker_shared == NULL || args.dbindex < 0 || args.dbindex >= worker_shared->ndatabases)
		proc_exit(0);
	my_db = &worker_databases[args.dbindex];

	/* One scheduler per database: a second one leaves at once. */
	worker_lock(true);
	if (my_db->scheduler_pid != 0 || my_db->dboid != args.dboid)
	{
		worker_unlock();
		proc_exit(0);
	}
	my_db->scheduler_pid = MyProcPid;
	my_db->scheduler_latch = MyLatch;
	my_db->waiting_due = 0;
	worker_unlock();
	before_shmem_exit(scheduler_detach, 0);

	BackgroundWorkerInitializeConnectionByOid(args.dboid, InvalidOid, 0);
	pgstat_report_appname("pg_dataexport scheduler");

	loop_cxt = AllocSetContextCreate(TopMemoryContext, "pg_dataexport scheduler loop",
									 ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		long		sleep_ms;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			/* the retention settings may have changed: apply them now */
			next_retention = 0;
		}

		MemoryContextReset(loop_cxt);
		MemoryContextSwitchTo(loop_cxt);
		sleep_ms = scheduler_pass_guarded();
		MemoryContextSwitchTo(TopMemoryContext);
		pgstat_report_activity(STATE_IDLE, NULL);

		if (sleep_ms > 0)
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 sleep_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
