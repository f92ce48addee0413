/*-------------------------------------------------------------------------
 * capture.h
 *	  Change capture on registered tables (the trigger) and log pruning.
 *-------------------------------------------------------------------------
 */
#ifndef CAPTURE_H
#define CAPTURE_H

/* Remove change-log entries no schedule needs; READ COMMITTED only. */
extern int64 capture_prune(void);

#endif							/* CAPTURE_H */
