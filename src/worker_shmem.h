/*-------------------------------------------------------------------------
 * worker_shmem.h
 *	  Shared state of the background processes: the launcher, a scheduler
 *	  per database, and the job workers (worker_shmem.c).
 *
 * Everything here lives in shared memory created at server start (and
 * created again after a crash), sized from dataexport.database_names and
 * dataexport.max_workers, which are restart-only.  One LWLock protects it.
 *
 * A job slot is what dataexport.max_workers counts: a scheduler reserves
 * one before it starts a job worker and releases it after the worker has
 * stopped and its outcome has been read.  The worker fills in what became
 * of its job (connected, claimed, the last error it reported), so that the
 * scheduler can record a worker that died before it started its job.
 *-------------------------------------------------------------------------
 */
#ifndef WORKER_SHMEM_H
#define WORKER_SHMEM_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "storage/latch.h"

/* Text kept of the last error a job worker reported (truncated). */
#define WORKER_ERROR_LEN 512

/* What a job worker's attempt to claim its job gave. */
typedef enum JobClaim
{
	JOB_CLAIM_NONE = 0,			/* not tried (yet) */
	JOB_CLAIM_RUNNING,			/* claimed: the job is RUNNING in this worker */
	JOB_CLAIM_REFUSED			/* not claimable now (taken, or its schedule busy) */
} JobClaim;

/* A database of dataexport.database_names. */
typedef struct WorkerDatabase
{
	char		name[NAMEDATALEN];
	Oid			dboid;			/* as the launcher last found it; Invalid: not found */
	pid_t		scheduler_pid;	/* 0: no scheduler attached */
	Latch	   *scheduler_latch;
	bool		swept;			/* restart sweep done since shared memory was made */
	bool		start_requested;	/* a wake-up found no scheduler */
	TimestampTz paused_until;	/* a DDL command needs the database to itself */
	TimestampTz waiting_due;	/* due time of its first job that waits for a slot; 0: none */
} WorkerDatabase;

/* One of dataexport.max_workers job slots. */
typedef struct JobSlot
{
	bool		in_use;
	uint32		generation;		/* changes on each reservation */
	Oid			dboid;
	int64		job_id;
	pid_t		owner_pid;		/* the scheduler that reserved it */
	TimestampTz reserved_at;
	/* filled in by the job worker */
	pid_t		pid;
	bool		connected;
	JobClaim	claim;
	bool		finished;		/* the worker is exiting */
	int			sqlerrcode;
	char		error[WORKER_ERROR_LEN];
} JobSlot;

typedef struct WorkerShared
{
	pid_t		launcher_pid;
	Latch	   *launcher_latch;
	bool		rescan_requested;	/* a database may have appeared */
	int			ndatabases;
	int			nslots;
} WorkerShared;

/* Set in every process when the library was preloaded; NULL otherwise. */
extern WorkerShared *worker_shared;
extern WorkerDatabase *worker_databases;
extern JobSlot *worker_slots;

extern void worker_shmem_register(void);
extern void worker_lock(bool exclusive);
extern void worker_unlock(void);

/* The database entry for dboid, or NULL (lock held by the caller). */
extern WorkerDatabase *worker_database_by_oid(Oid dboid);

/* Wake the scheduler of dboid (or the launcher, to start one). */
extern void worker_wake_database(Oid dboid);

/* Wake the launcher. */
extern void worker_wake_launcher(void);

/* Wake the launcher to look for its databases again (a name may be new). */
extern void worker_request_rescan(void);

/* Wake every scheduler with a job waiting for a slot (lock held). */
extern void worker_wake_waiting_locked(void);

/*
 * Reserve a job slot for a job of dboid due at due, unless databases whose
 * waiting jobs are due earlier have a claim on the free slots.  Returns the
 * slot index (and its generation) or -1.
 */
extern int	worker_slot_reserve(Oid dboid, int64 job_id, TimestampTz due,
								uint32 *generation);

/* Release a reserved slot (its generation must match). */
extern void worker_slot_release(int slot, uint32 generation);

/* Entry points of the background processes. */
extern PGDLLEXPORT void pgde_launcher_main(Datum arg);
extern PGDLLEXPORT void pgde_scheduler_main(Datum arg);
extern PGDLLEXPORT void pgde_job_worker_main(Datum arg);

/* bgw_extra of a scheduler and of a job worker. */
typedef struct SchedulerArgs
{
	int			dbindex;
	Oid			dboid;
} SchedulerArgs;

typedef struct JobWorkerArgs
{
	Oid			dboid;
	Oid			owner;
	int64		job_id;
	int			slot;
	uint32		generation;
} JobWorkerArgs;

/* DDL that needs a database without our processes (worker_guard.c). */
extern void worker_guard_install(void);

#endif							/* WORKER_SHMEM_H */
