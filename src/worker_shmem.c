/*-------------------------------------------------------------------------
 * worker_shmem.c
 *	  Shared state of the background processes (see worker_shmem.h): its
 *	  creation, the job slots that dataexport.max_workers counts, and how
 *	  one process wakes another.
 *
 * Processes find each other's latches here.  A latch pointer stays valid
 * while its process lives; setting the latch of a process that has just
 * exited wakes whoever took over its PGPROC, which costs one spurious
 * wake-up and nothing else.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"

#include "pg_dataexport.h"
#include "worker.h"
#include "worker_shmem.h"

WorkerShared *worker_shared = NULL;
WorkerDatabase *worker_databases = NULL;
JobSlot    *worker_slots = NULL;

static LWLock *worker_lwlock = NULL;
static int	shmem_ndatabases = 0;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/*
 * A reservation whose worker never showed up (the postmaster could not
 * start it, and the scheduler that reserved it is gone) is given up after
 * this long; a worker starts in milliseconds.
 */
#define SLOT_STALE_RESERVATION_MS (60 * 1000)

static Size
worker_shmem_size(int ndatabases, int nslots)
{
	Size		size = MAXALIGN(sizeof(WorkerShared));

	size = add_size(size, MAXALIGN(mul_size(sizeof(WorkerDatabase), Max(ndatabases, 1))));
	size = add_size(size, MAXALIGN(mul_size(sizeof(JobSlot), nslots)));
	return size;
}

static void
worker_shmem_request(void)
{
	List	   *names;

	if (prev_shmem_request_hook)
		prev_shmem_request_hook();

	names = worker_database_list(NULL);
	shmem_ndatabases = list_length(names);
	RequestAddinShmemSpace(worker_shmem_size(shmem_ndatabases, dataexport_max_workers));
	RequestNamedLWLockTranche("pg_dataexport", 1);
}

static void
worker_shmem_startup(void)
{
	bool		found;
	char	   *base;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	base = ShmemInitStruct("pg_dataexport worker",
						   worker_shmem_size(shmem_ndatabases, dataexport_max_workers),
						   &found);
	worker_shared = (WorkerShared *) base;
	worker_databases = (WorkerDatabase *) (base + MAXALIGN(sizeof(WorkerShared)));
	worker_slots = (JobSlot *) ((char *) worker_databases +
								MAXALIGN(mul_size(sizeof(WorkerDatabase), Max(shmem_ndatabases, 1))));
	worker_lwlock = &(GetNamedLWLockTranche("pg_dataexport"))->lock;

	if (!found)
	{
		List	   *names = worker_database_list(NULL);
		ListCell   *lc;
		int			i = 0;

		memset(base, 0, worker_shmem_size(shmem_ndatabases, dataexport_max_workers));
		worker_shared->ndatabases = shmem_ndatabases;
		worker_shared->nslots = dataexport_max_workers;
		foreach(lc, names)
		{
			if (i >= shmem_ndatabases)
				break;
			strlcpy(worker_databases[i].name, (char *) lfirst(lc), NAMEDATALEN);
			worker_databases[i].dboid = InvalidOid;
			i++;
		}
	}
	LWLockRelease(AddinShmemInitLock);
}

void
worker_shmem_register(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = worker_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = worker_shmem_startup;
}

void
worker_lock(bool exclusive)
{
	LWLockAcquire(worker_lwlock, exclusive ? LW_EXCLUSIVE : LW_SHARED);
}

void
worker_unlock(void)
{
	LWLockRelease(worker_lwlock);
}

WorkerDatabase *
worker_database_by_oid(Oid dboid)
{
	int			i;

	for (i = 0; i < worker_shared->ndatabases; i++)
		if (OidIsValid(dboid) && worker_databases[i].dboid == dboid)
			return &worker_databases[i];
	return NULL;
}

void
worker_wake_launcher(void)
{
	if (worker_shared == NULL)
		return;
	worker_lock(false);
	if (worker_shared->launcher_latch)
		SetLatch(worker_shared->launcher_latch);
	worker_unlock();
}

/* Ask the launcher to look for its databases again (after commit). */
void
worker_request_rescan(void)
{
	if (worker_shared == NULL)
		return;
	worker_lock(true);
	worker_shared->rescan_requested = true;
	if (worker_shared->launcher_latch)
		SetLatch(worker_shared->launcher_latch);
	worker_unlock();
}

/*
 * Called after commit (it must not fail): the scheduler reads what the
 * transaction committed.  A database without a running scheduler asks the
 * launcher to start one; one the launcher has not found (created after it
 * looked) asks it to look again.
 */
void
worker_wake_database(Oid dboid)
{
	WorkerDatabase *db;

	if (worker_shared == NULL)
		return;
	worker_lock(true);
	db = worker_database_by_oid(dboid);
	if (db != NULL && db->scheduler_latch != NULL)
		SetLatch(db->scheduler_latch);
	else
	{
		if (db != NULL)
			db->start_requested = true;
		else
			worker_shared->rescan_requested = true;
		if (worker_shared->launcher_latch)
			SetLatch(worker_shared->launcher_latch);
	}
	worker_unlock();
}

void
worker_wake_waiting_locked(void)
{
	int			i;

	for (i = 0; i < worker_shared->ndatabases; i++)
		if (worker_databases[i].waiting_due != 0 && worker_databases[i].scheduler_latch)
			SetLatch(worker_databases[i].scheduler_latch);
}

/* Whether the scheduler that reserved slot s is gone (lock held). */
static bool
slot_owner_gone(JobSlot *s)
{
	WorkerDatabase *db = worker_database_by_oid(s->dboid);

	return db == NULL || db->scheduler_pid != s->owner_pid;
}

int
worker_slot_reserve(Oid dboid, int64 job_id, TimestampTz due, uint32 *generation)
{
	TimestampTz now = GetCurrentTimestamp();
	int			free_slot = -1;
	int			nfree = 0;
	int			earlier = 0;
	int			i;
	WorkerDatabase *me;

	worker_lock(true);
	for (i = 0; i < worker_shared->nslots; i++)
	{
		JobSlot    *s = &worker_slots[i];

		/* Slots whose scheduler went away are taken back once done with. */
		if (s->in_use && slot_owner_gone(s) &&
			(s->finished ||
			 (s->pid == 0 &&
			  TimestampDifferenceExceeds(s->reserved_at, now, SLOT_STALE_RESERVATION_MS))))
			s->in_use = false;
		if (!s->in_use)
		{
			nfree++;
			if (free_slot < 0)
				free_slot = i;
		}
	}

	/* Jobs of other databases due earlier go first. */
	me = worker_database_by_oid(dboid);
	for (i = 0; i < worker_shared->ndatabases; i++)
	{
		WorkerDatabase *db = &worker_databases[i];

		if (db == me || db->waiting_due == 0 || db->scheduler_pid == 0)
			continue;
		if (db->waiting_due < due || (db->waiting_due == due && db < me))
			earlier++;
	}

	if (free_slot >= 0 && nfree > earlier)
	{
		JobSlot    *s = &worker_slots[free_slot];
		uint32		gen = s->generation + 1;

		memset(s, 0, sizeof(JobSlot));
		s->in_use = true;
		s->generation = gen;
		s->dboid = dboid;
		s->job_id = job_id;
		s->owner_pid = MyProcPid;
		s->reserved_at = now;
		*generation = gen;
	}
	else
	{
		/* Waiting: a slot released from now on wakes this scheduler. */
		if (me != NULL)
			me->waiting_due = due;
		free_slot = -1;
	}
	worker_unlock();
	return free_slot;
}

void
worker_slot_release(int slot, uint32 generation)
{
	JobSlot    *s = &worker_slots[slot];

	worker_lock(true);
	if (s->in_use && s->generation == generation)
	{
		s->in_use = false;
		worker_wake_waiting_locked();
	}
	worker_unlock();
}
