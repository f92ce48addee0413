/*-------------------------------------------------------------------------
 * worker_job.c
 *	  A job worker: runs one export job, connected as its owner.
 *
 * Started by the scheduler of the job's database for one PENDING job, in
 * a job slot it reserved (worker_shmem.h).  The worker
 *	1. connects to the database as the job's owner, so that the role's
 *	   login, CONNECT privilege and settings apply as to any session of
 *	   it, and pg_stat_activity shows whose export runs;
 *	2. claims the job (dataexport._start_job): RUNNING, started now, with
 *	   this process's pid; it gives up if the job was taken or its schedule
 *	   has a job running;
 *	3. runs it in a REPEATABLE READ transaction of its own
 *	   (scheduler_run_claimed, which records SUCCEEDED or FAILED);
 *	4. prunes the change log in a READ COMMITTED transaction.
 * The catalog is read and written as the bootstrap superuser (the owner
 * cannot), the tables are read as the owner (job_runner.c).
 *
 * It reports in its slot how far it got and the last error it logged, so
 * that a worker that could not connect fails its job with that error.  It
 * checks four times a second that the postmaster is alive and stops when
 * it is not, so that an export never outlives the server that ran it.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/pmsignal.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "api.h"
#include "capture.h"
#include "job_runner.h"
#include "pg_dataexport.h"
#include "scheduler.h"
#include "worker_shmem.h"

/* How often a job worker checks that the postmaster is alive. */
#define POSTMASTER_CHECK_MS 250

static JobSlot *my_slot = NULL;
static uint32 my_generation = 0;
static emit_log_hook_type prev_emit_log_hook = NULL;

/* The slot is ours while it carries our generation. */
static bool
slot_is_mine(void)
{
	return my_slot != NULL && my_slot->in_use && my_slot->generation == my_generation;
}

static void
job_worker_detach(int code, Datum arg)
{
	WorkerDatabase *db;

	worker_lock(true);
	if (slot_is_mine())
	{
		my_slot->finished = true;
		db = worker_database_by_oid(my_slot->dboid);
		if (db != NULL && db->scheduler_latch != NULL)
			SetLatch(db->scheduler_latch);
		worker_wake_waiting_locked();
	}
	worker_unlock();
}

/*
 * Keep the last error this process logs in its slot: if it dies before it
 * has claimed its job (while connecting, typically), the scheduler records
 * the job FAILED with it.  Only this process writes the slot while it runs;
 * the scheduler reads it after the process has stopped.
 */
static void
job_worker_log_hook(ErrorData *edata)
{
	if (edata->elevel >= ERROR && edata->message != NULL && slot_is_mine())
	{
		strlcpy(my_slot->error, edata->message, WORKER_ERROR_LEN);
		my_slot->sqlerrcode = edata->sqlerrcode;
	}
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/*
 * A timeout handler (signal context): when the postmaster is gone, ask for
 * the same exit as SIGTERM, which CHECK_FOR_INTERRUPTS in the export loop
 * acts on.  The job stays RUNNING and the restarted server fails it.
 */
static void
postmaster_check_handler(void)
{
	if (!PostmasterIsAlive())
	{
		ProcDiePending = true;
		InterruptPending = true;
		SetLatch(MyLatch);
	}
}

static void
begin_transaction(int isolation)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	/* before any snapshot; a role's defaults must not change them */
	XactIsoLevel = isolation;
	XactReadOnly = false;
}

/* Claim the job; false when it is not ours to run (now). */
static bool
job_worker_claim(int64 job_id)
{
	Oid			argtypes[2] = {INT8OID, INT4OID};
	Datum		args[2];
	CatalogAccess catalog;
	bool		claimed = false;
	bool		isnull;

	begin_transaction(XACT_READ_COMMITTED);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	catalog_access_begin(&catalog);
	args[0] = Int64GetDatum(job_id);
	args[1] = Int32GetDatum(MyProcPid);
	if (SPI_execute_with_args("SELECT dataexport._start_job($1, $2)",
							  2, argtypes, args, NULL, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not claim job " INT64_FORMAT, job_id);
	claimed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull)
		claimed = false;
	catalog_access_end(&catalog);
	PopActiveSnapshot();
	SPI_finish();
	CommitTransactionCommand();
	return claimed;
}

/*
 * Run the claimed job.  scheduler_run_claimed records a failure of the
 * export itself; what it passes on (a cancel) is recorded here, after the
 * rollback, in a transaction of its own.
 */
static void
job_worker_run(int64 job_id)
{
	MemoryContext cxt = CurrentMemoryContext;

	pgstat_report_activity(STATE_RUNNING,
						   psprintf("pg_dataexport: export job " INT64_FORMAT, job_id));
	begin_transaction(XACT_REPEATABLE_READ);
	PG_TRY();
	{
		/*
		 * No snapshot here: the job locks its tables first, then takes the
		 * transaction snapshot (job_execute), after the claim committed.
		 * Taken here, it would come before the locks, and a TRUNCATE
		 * committing in between would hide rows from the job
		 * (test/isolation/specs/truncate_race.spec).
		 */
		(void) scheduler_run_claimed(job_id);
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();

		begin_transaction(XACT_READ_COMMITTED);
		PushActiveSnapshot(GetTransactionSnapshot());
		job_record_failure(job_id, edata->message, edata->sqlerrcode, NULL);
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
}

/* Prune the change log, and log how the job ended. */
static void
job_worker_finish(int64 job_id)
{
	CatalogAccess catalog;
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1];

	pgstat_report_activity(STATE_RUNNING, "pg_dataexport: pruning the change log");
	begin_transaction(XACT_READ_COMMITTED);
	PushActiveSnapshot(GetTransactionSnapshot());
	(void) capture_prune();

	catalog_access_begin(&catalog);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = Int64GetDatum(job_id);
	if (SPI_execute_with_args("SELECT status, error_message, error_sqlstate"
							  "  FROM dataexport.job WHERE job_id = $1",
							  1, argtypes, args, NULL, true, 1) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		char	   *status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (status && strcmp(status, "FAILED") == 0)
			ereport(LOG,
					(errmsg("pg_dataexport: job " INT64_FORMAT " failed: %s", job_id,
							SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2)),
					 errdetail("SQLSTATE %s.",
							   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3))));
	}
	SPI_finish();
	catalog_access_end(&catalog);
	PopActiveSnapshot();
	CommitTransactionCommand();
}

void
pgde_job_worker_main(Datum arg)
{
	JobWorkerArgs args;
	TimeoutId	pm_check;

	memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (worker_shared == NULL || args.slot < 0 || args.slot >= worker_shared->nslots)
		proc_exit(0);
	my_slot = &worker_slots[args.slot];
	my_generation = args.generation;
	worker_lock(true);
	if (!slot_is_mine())
	{
		worker_unlock();
		proc_exit(0);
	}
	my_slot->pid = MyProcPid;
	worker_unlock();
	before_shmem_exit(job_worker_detach, 0);
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = job_worker_log_hook;

	pm_check = RegisterTimeout(USER_TIMEOUT, postmaster_check_handler);
	enable_timeout_every(pm_check,
						 TimestampTzPlusMilliseconds(GetCurrentTimestamp(), POSTMASTER_CHECK_MS),
						 POSTMASTER_CHECK_MS);

	BackgroundWorkerInitializeConnectionByOid(args.dboid, args.owner, 0);
	my_slot->connected = true;
	pgstat_report_appname("pg_dataexport job");

	/* Turned off (SIGHUP) since the scheduler decided: leave it PENDING. */
	if (!dataexport_enabled || !job_worker_claim(args.job_id))
	{
		my_slot->claim = JOB_CLAIM_REFUSED;
		proc_exit(0);
	}
	my_slot->claim = JOB_CLAIM_RUNNING;

	job_worker_run(args.job_id);
	job_worker_finish(args.job_id);
	proc_exit(0);
}
