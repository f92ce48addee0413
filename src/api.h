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

/*
 * Pin search_path to "pg_catalog, pg_temp" until unpin_catalog_search_path
 * (or the end of the (sub)transaction): for every query run with the
 * superuser's rights.  Returns the GUC nest level to unpin.
 */
extern int	pin_catalog_search_path(void);
extern void unpin_catalog_search_path(int nestlevel);

/*
 * The catalog, as the superuser: switch to the bootstrap superuser with the
 * search_path pinned, and back.  Every C path that reads or writes the
 * catalog tables for a caller goes through these two.
 */
typedef struct CatalogAccess
{
	Oid			save_userid;
	int			save_sec_context;
	int			nestlevel;
} CatalogAccess;

extern void catalog_access_begin(CatalogAccess *access);
extern void catalog_access_end(CatalogAccess *access);

#endif							/* API_H */
