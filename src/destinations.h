/*-------------------------------------------------------------------------
 * destinations.h
 *	  Delivering a job's files to its destinations, confined below
 *	  dataexport.destination_root (SPEC section 8).
 *-------------------------------------------------------------------------
 */
#ifndef DESTINATIONS_H
#define DESTINATIONS_H

/*
 * Copy the files of a job to every destination the job names, then each
 * destination's manifest, last.  Called by job_execute after the job's files
 * and record are complete and before its transaction commits, with SPI
 * connected and as the superuser.  Raises an error on any failure (missing
 * or forbidden destination, a directory that escapes the root, a full or
 * unwritable disk), which fails the job: its interval is then exported and
 * delivered again by the next job of the schedule.
 */
extern void destinations_deliver(int64 job_id);

#endif							/* DESTINATIONS_H */
