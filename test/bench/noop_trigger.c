/*-------------------------------------------------------------------------
 * noop_trigger.c
 *	  A C row trigger that does nothing: the floor of any row trigger.
 *
 * test/bench/instructions.sh puts it AFTER INSERT OR UPDATE OR DELETE FOR
 * EACH ROW on a copy of the table it measures, so that the cost of
 * PostgreSQL's AFTER ROW trigger machinery (the event queue, the re-fetch
 * of each row at the end of the statement, the call) can be told apart
 * from the cost of what the capture trigger itself does.  Not part of the
 * extension.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(bench_noop_trigger);

Datum
bench_noop_trigger(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("bench_noop_trigger() must be called as a trigger")));
	return PointerGetDatum(NULL);
}
