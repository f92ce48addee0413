/*-------------------------------------------------------------------------
 * worker.h
 *	  The background scheduler: a launcher per server, a scheduler per
 *	  database in dataexport.database_names, a dynamic worker per job.
 *-------------------------------------------------------------------------
 */
#ifndef WORKER_H
#define WORKER_H

/* Called from _PG_init while shared_preload_libraries is processed. */
extern void worker_register_launcher(void);

#endif							/* WORKER_H */
