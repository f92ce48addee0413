/*-------------------------------------------------------------------------
 * worker.c
 *	  The background scheduler (not yet written: issue 4).  Until then
 *	  CALL dataexport.run_pending() runs what is due.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "worker.h"

void
worker_register_launcher(void)
{
}
