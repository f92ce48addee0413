/*-------------------------------------------------------------------------
 * worker.h
 *	  The background scheduler: a launcher per server, a scheduler per
 *	  database in dataexport.database_names, a dynamic worker per job.
 *
 * worker.c registers them and holds the SQL entry points; the processes
 * themselves are in worker_launcher.c, worker_scheduler.c and worker_job.c,
 * their shared state in worker_shmem.c, and the guard that keeps them out
 * of the way of DROP DATABASE and DROP EXTENSION in worker_guard.c.
 *-------------------------------------------------------------------------
 */
#ifndef WORKER_H
#define WORKER_H

#include "nodes/pg_list.h"

/* Called from _PG_init while shared_preload_libraries is processed. */
extern void worker_register_launcher(void);

/*
 * The names in dataexport.database_names, without duplicates, as a list of
 * palloc'd strings.  *valid (if not NULL) is set to false when the setting
 * does not parse; the list is then empty.
 */
extern List *worker_database_list(bool *valid);

#endif							/* WORKER_H */
