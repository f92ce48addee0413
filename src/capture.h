/*-------------------------------------------------------------------------
 * capture.h
 *	  Change capture on registered tables (the trigger) and log pruning.
 *-------------------------------------------------------------------------
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#include "executor/tuptable.h"
#include "utils/tuplestore.h"

/* Hooks that write gathered changes at statement and transaction end. */
extern void capture_init(void);

/* Put the entries of one change-log row into store as (seq, key, old_row). */
extern void capture_put_entries(TupleTableSlot *slot, Tuplestorestate *store,
								TupleDesc outdesc);

/* ERROR unless every capture trigger of the table is there and enabled. */
extern void capture_check_triggers(Oid relid);

/* Remove change-log entries no schedule needs; READ COMMITTED only. */
extern int64 capture_prune(void);

#endif							/* CAPTURE_H */
