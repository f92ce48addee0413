/*-------------------------------------------------------------------------
 * job_runner.h
 *	  Running one export job: from its snapshot to its published files.
 *-------------------------------------------------------------------------
 */
#ifndef JOB_RUNNER_H
#define JOB_RUNNER_H

/*
 * Export a claimed (RUNNING) job and record it SUCCEEDED.  Must be called
 * at the start of a REPEATABLE READ transaction, before anything has taken
 * a snapshot: the transaction snapshot is the job's snapshot.  Raises an
 * error on any failure; the caller rolls back and calls job_record_failure.
 */
extern void job_execute(int64 job_id);

/* Record a job FAILED (in a new transaction, after a rollback). */
extern void job_record_failure(int64 job_id, const char *message, int sqlerrcode);

#endif							/* JOB_RUNNER_H */
