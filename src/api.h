/*-------------------------------------------------------------------------
 * api.h
 *	  Caller identity and the privilege switch behind the public functions.
 *-------------------------------------------------------------------------
 */
#ifndef API_H
#define API_H

#include "fmgr.h"

/* Call a function as the bootstrap superuser; see api.c. */
extern Datum call_as_extension_owner(FunctionCallInfo fcinfo);

#endif							/* API_H */
