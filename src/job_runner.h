/*-------------------------------------------------------------------------
 * job_runner.h
 *	  Running one export job: from its snapshot to its published files.
 *-------------------------------------------------------------------------
 */
#ifndef JOB_RUNNER_H
#define JOB_RUNNER_H

/*
 * The files a job completed, kept in a memory context that survives the
 * rollback of a failed job, so that they can still be recorded (SPEC 5:
 * complete files of a job that failed later stay readable).
 */
typedef struct JobOutcome
{
	MemoryContext cxt;
	List	   *files;			/* of ExportedFile, in cxt */
} JobOutcome;

/*
 * Export a claimed (RUNNING) job and record it SUCCEEDED.  Must be called
 * at the start of a REPEATABLE READ transaction, before anything has taken
 * a snapshot: the transaction snapshot is the job's snapshot.  Raises an
 * error on any failure; the caller rolls back and calls job_record_failure.
 */
extern void job_execute(int64 job_id, JobOutcome *outcome);

/*
 * Record a job FAILED, with the files it completed (after a rollback of
 * the job's work, in the same or a new transaction).
 */
extern void job_record_failure(int64 job_id, const char *message, int sqlerrcode,
							   JobOutcome *outcome);

#endif							/* JOB_RUNNER_H */
