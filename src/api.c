/*-------------------------------------------------------------------------
 * api.c
 *	  How a public SQL function learns who called it and reaches the catalog.
 *
 * The catalog tables are writable by no role but the extension's owner, so
 * that they cannot be changed around the functions.  Each public function
 * dataexport.f(args) is declared LANGUAGE C with symbol pgde_forward; this
 * file calls the internal function dataexport._f(caller oid, args) with the
 * caller's current role as its first argument, as the bootstrap superuser.
 * A C function, unlike a SECURITY DEFINER one, sees the true caller (the
 * current user at the call), and the internal functions are not executable
 * by PUBLIC, so the caller argument cannot be forged.
 *
 * The internal functions do every check of the caller's rights themselves.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "api.h"
#include "pg_dataexport.h"

PG_FUNCTION_INFO_V1(pgde_forward);

/* The internal function behind a public one, cached in fn_extra. */
typedef struct ForwardTarget
{
	FmgrInfo	flinfo;
	int			nargs;			/* of the public function */
} ForwardTarget;

static ForwardTarget *
forward_target_lookup(FmgrInfo *public_flinfo)
{
	HeapTuple	proctup;
	Form_pg_proc procform;
	char	   *internal_name;
	Oid		   *argtypes;
	Oid			target;
	ForwardTarget *ft;
	int			i;

	proctup = SearchSysCache1(PROCOID, ObjectIdGetDatum(public_flinfo->fn_oid));
	if (!HeapTupleIsValid(proctup))
		elog(ERROR, "cache lookup failed for function %u", public_flinfo->fn_oid);
	procform = (Form_pg_proc) GETSTRUCT(proctup);

	internal_name = psprintf("_%s", NameStr(procform->proname));
	argtypes = palloc(sizeof(Oid) * (procform->pronargs + 1));
	argtypes[0] = OIDOID;
	for (i = 0; i < procform->pronargs; i++)
		argtypes[i + 1] = procform->proargtypes.values[i];

	target = LookupFuncName(list_make2(makeString(DATAEXPORT_SCHEMA),
									   makeString(internal_name)),
							procform->pronargs + 1, argtypes, false);

	ft = MemoryContextAllocZero(public_flinfo->fn_mcxt, sizeof(ForwardTarget));
	ft->nargs = procform->pronargs;
	fmgr_info_cxt(target, &ft->flinfo, public_flinfo->fn_mcxt);
	ReleaseSysCache(proctup);
	return ft;
}

/*
 * Queries run as the superuser must not resolve their operators, functions
 * and types through the caller's search_path: a role that can create
 * objects in some schema could put an operator of its own first and have
 * the superuser run it.  Every switch to the superuser in C pins it.
 */
int
pin_catalog_search_path(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

void
unpin_catalog_search_path(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
}

void
catalog_access_begin(CatalogAccess *access)
{
	GetUserIdAndSecContext(&access->save_userid, &access->save_sec_context);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   access->save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	access->nestlevel = pin_catalog_search_path();
}

void
catalog_access_end(CatalogAccess *access)
{
	unpin_catalog_search_path(access->nestlevel);
	SetUserIdAndSecContext(access->save_userid, access->save_sec_context);
}

/*
 * Run fn with the privileges of the bootstrap superuser, then return to
 * the caller's.  Errors raised by the internal function keep their message,
 * detail and hint but lose the PL/pgSQL context lines, which would only
 * name the internal function.
 */
Datum
call_as_extension_owner(FunctionCallInfo fcinfo_inner)
{
	Oid			save_userid;
	int			save_sec_context;
	MemoryContext caller_cxt = CurrentMemoryContext;
	Datum		result = (Datum) 0;
	int			nestlevel;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	nestlevel = pin_catalog_search_path();
	PG_TRY();
	{
		result = FunctionCallInvoke(fcinfo_inner);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		SetUserIdAndSecContext(save_userid, save_sec_context);
		MemoryContextSwitchTo(caller_cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_INTERNAL_ERROR)
		{
			FlushErrorState();
			edata->context = NULL;
			ReThrowError(edata);
		}
		PG_RE_THROW();
	}
	PG_END_TRY();
	unpin_catalog_search_path(nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	return result;
}

Datum
pgde_forward(PG_FUNCTION_ARGS)
{
	ForwardTarget *ft = (ForwardTarget *) fcinfo->flinfo->fn_extra;
	LOCAL_FCINFO(inner, FUNC_MAX_ARGS);
	Datum		result;
	int			i;

	if (ft == NULL)
	{
		ft = forward_target_lookup(fcinfo->flinfo);
		fcinfo->flinfo->fn_extra = ft;
	}

	InitFunctionCallInfoData(*inner, &ft->flinfo, ft->nargs + 1,
							 fcinfo->fncollation, NULL, fcinfo->resultinfo);
	inner->args[0].value = ObjectIdGetDatum(GetUserId());
	inner->args[0].isnull = false;
	for (i = 0; i < ft->nargs; i++)
		inner->args[i + 1] = fcinfo->args[i];

	result = call_as_extension_owner(inner);
	fcinfo->isnull = inner->isnull;
	return result;
}
