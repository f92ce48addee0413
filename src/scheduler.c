/*-------------------------------------------------------------------------
 * scheduler.c
 *	  Running due work: CALL dataexport.run_pending().
 *
 * The rules of when a schedule runs (a job queued per due schedule, due runs
 * coalescing, one catch-up run after downtime, one job per schedule at a
 * time, jobs in order of due time) are in the SQL functions
 * _queue_due_jobs and _claim_job; this file drives them in the calling
 * session, each step in a transaction of its own, so that a job's RUNNING
 * state is visible while it runs and its snapshot is taken after the jobs
 * before it committed.  The background worker drives the same steps.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "api.h"
#include "capture.h"
#include "job_runner.h"
#include "pg_dataexport.h"
#include "scheduler.h"

PG_FUNCTION_INFO_V1(pgde_run_pending);

/* Run a query that returns one bigint (or NULL: 0), as the superuser. */
static int64
catalog_int8(const char *sql, Oid caller)
{
	Oid			argtypes[2] = {OIDOID, INT4OID};
	Datum		args[2];
	int64		result = 0;
	bool		isnull;
	int			ret;
	CatalogAccess catalog;

	args[0] = ObjectIdGetDatum(caller);
	args[1] = Int32GetDatum(MyProcPid);
	catalog_access_begin(&catalog);
	ret = SPI_execute_with_args(sql, 2, argtypes, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "SPI failed (%s): %s", SPI_result_code_string(ret), sql);
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			result = DatumGetInt64(d);
	}
	catalog_access_end(&catalog);
	return result;
}

int64
scheduler_queue_due(Oid caller)
{
	catalog_int8("SELECT dataexport._fail_orphaned_jobs('interrupted: the process running it exited')::bigint"
				 " WHERE $1 IS NOT NULL AND $2 IS NOT NULL", caller);
	return catalog_int8("SELECT dataexport._queue_due_jobs($1, pg_catalog.now())::bigint"
						" WHERE $2 IS NOT NULL", caller);
}

int64
scheduler_claim_job(Oid caller)
{
	return catalog_int8("SELECT dataexport._claim_job($1, $2)", caller);
}

/*
 * Run a claimed job in the current transaction, which must not have taken
 * a snapshot yet; a failure is caught and recorded.  The caller commits.
 */
bool
scheduler_run_claimed(int64 job_id)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = true;
	JobOutcome	outcome;

	outcome.cxt = AllocSetContextCreate(CurrentMemoryContext, "dataexport job outcome",
										ALLOCSET_SMALL_SIZES);
	outcome.files = NIL;

	XactIsoLevel = XACT_REPEATABLE_READ;
	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		job_execute(job_id, &outcome);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;

		/* A cancel or shutdown is not the job's fault: stop here too. */
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
		{
			job_record_failure(job_id, edata->message, edata->sqlerrcode, &outcome);
			ReThrowError(edata);
		}
		job_record_failure(job_id, edata->message, edata->sqlerrcode, &outcome);
		ok = false;
	}
	PG_END_TRY();
	MemoryContextDelete(outcome.cxt);
	return ok;
}

Datum
pgde_run_pending(PG_FUNCTION_ARGS)
{
	Oid			caller = GetUserId();
	bool		nonatomic;

	nonatomic = fcinfo->context && IsA(fcinfo->context, CallContext) &&
		!castNode(CallContext, fcinfo->context)->atomic;
	if (!nonatomic)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("dataexport.run_pending() cannot run inside a transaction block"),
				 errhint("Run CALL dataexport.run_pending(); on its own, outside BEGIN ... COMMIT.")));

	if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	scheduler_queue_due(caller);
	SPI_commit();
	capture_prune();
	SPI_commit();

	for (;;)
	{
		int64		job_id;

		CHECK_FOR_INTERRUPTS();
		job_id = scheduler_claim_job(caller);
		SPI_commit();
		if (job_id == 0)
			break;

		scheduler_run_claimed(job_id);
		SPI_commit();

		capture_prune();
		SPI_commit();
	}

	SPI_finish();
	PG_RETURN_VOID();
}
