/*-------------------------------------------------------------------------
 * scheduler.h
 *	  Running due work, shared by run_pending() and the background worker.
 *
 * Each function runs in the caller's transaction; the caller commits
 * between them (see scheduler.c).
 *-------------------------------------------------------------------------
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

/* Fail orphaned jobs and queue a job per due schedule of caller. */
extern int64 scheduler_queue_due(Oid caller);

/* Claim the next job caller may run (0: none); marks it RUNNING. */
extern int64 scheduler_claim_job(Oid caller);

/* Run a claimed job; false when it failed (recorded FAILED). */
extern bool scheduler_run_claimed(int64 job_id);

#endif							/* SCHEDULER_H */
