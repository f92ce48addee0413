/*-------------------------------------------------------------------------
 * job_runner.c
 *	  Running one export job: what it exports, and the record of it.
 *
 * Exactness (SPEC section 7) rests on one rule, the one PgQ cuts its batches
 * by.  A job runs in a REPEATABLE READ transaction whose snapshot S is the
 * job's snapshot.  For each entity type, the previous successful job of the
 * schedule left its snapshot P (schedule_entity).  The job exports the keys
 * of the change-log entries whose transaction is visible in S and not in P:
 * visibility in S is given by MVCC itself (the job reads the log in S), and
 * "not visible in P" means txid >= P.xmax or txid in P.xip (_changes).  As
 * snapshots only grow, each committed change falls in exactly one job, even
 * when its transaction began before P and committed after it.  For each such
 * key the job writes the row as S sees it, or, if S sees no row, the row's
 * last values from the log with deleted = true.
 *
 * The export queries run as the job's owner (privileges and row-level
 * security apply); the catalog is read and written as the superuser.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <stdlib.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/xid8.h"

#include "api.h"
#include "capture.h"
#include "destinations.h"
#include "file_store.h"
#include "job_runner.h"
#include "pg_dataexport.h"
#include "row_format.h"

/* Rows fetched from the export cursor at a time. */
#define EXPORT_FETCH_ROWS 1000

typedef struct ExportedFile
{
	const char *entity_type;
	int			part;
	char	   *file_name;
	int64		rows;
	int64		bytes;
	char		sha256[PG_SHA256_DIGEST_STRING_LENGTH];
} ExportedFile;

typedef struct EntityExport
{
	char	   *entity_type;
	Oid			relid;
	int			nkeys;
	char	  **keys;
	char	   *previous;		/* previous snapshot as text; NULL: full */
	bool		rls;			/* row-level security applies to the owner */
} EntityExport;

typedef struct JobState
{
	int64		job_id;
	int64		schedule_id;	/* 0 for ad hoc jobs */
	Oid			owner;
	ExportFormat format;
	char	   *snapshot;		/* this job's snapshot, as text */
	List	   *entities;		/* of EntityExport */
	List	   *files;			/* of ExportedFile */
	int64		rows;
	int64		bytes;
	JobOutcome *outcome;		/* completed files, kept across a failure */
} JobState;

PG_FUNCTION_INFO_V1(pgde_changes);

/*
 * The table whose delta this backend is exporting, while it does; the
 * change log can be read through _changes for that table only, so that a
 * role cannot call it to see deleted rows its row-level security hides.
 */
static Oid	exporting_relid = InvalidOid;

/* ------------------------------------------------------------------------
 * Reading the change log: dataexport._changes(relid, previous snapshot)
 * ------------------------------------------------------------------------
 */

/* A pg_snapshot's text form "xmin:xmax:xip,xip,...", parsed. */
typedef struct SnapshotBounds
{
	uint64		xmin;
	uint64		xmax;
	int			nxip;
	uint64	   *xip;
} SnapshotBounds;

static void
parse_snapshot_text(const char *text, SnapshotBounds *snap)
{
	const char *p = text;
	char	   *end;
	int			cap = 8;

	snap->nxip = 0;
	snap->xip = palloc(sizeof(uint64) * cap);
	errno = 0;
	snap->xmin = strtou64(p, &end, 10);
	if (end == p || *end != ':' || errno)
		goto bad;
	p = end + 1;
	snap->xmax = strtou64(p, &end, 10);
	if (end == p || *end != ':' || errno)
		goto bad;
	p = end + 1;
	while (*p != '\0')
	{
		uint64		x = strtou64(p, &end, 10);

		if (end == p || errno)
			goto bad;
		if (snap->nxip == cap)
		{
			cap *= 2;
			snap->xip = repalloc(snap->xip, sizeof(uint64) * cap);
		}
		snap->xip[snap->nxip++] = x;
		p = end;
		if (*p == ',')
			p++;
		else if (*p != '\0')
			goto bad;
	}
	return;

bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid snapshot \"%s\"", text)));
}

/* Whether the previous snapshot saw txid finished: its changes were exported. */
static bool
seen_by(SnapshotBounds *prev, uint64 txid)
{
	int			i;

	/*
	 * Invisible in the previous snapshot: txid >= its xmax, or one of the
	 * transactions it saw in progress (all of which lie below its xmax).
	 */
	if (txid >= prev->xmax)
		return false;
	for (i = 0; i < prev->nxip; i++)
		if (prev->xip[i] == txid)
			return false;
	return true;
}

/*
 * Add the log entries of relid that the active snapshot sees and prev did
 * not.  The log has no index, so that writing it costs the writers less
 * (capture.c): it is read whole, once per table and job.  It holds only the
 * changes some schedule has yet to export (capture_prune).
 */
static void
collect_changes(Relation logrel, Oid relid, SnapshotBounds *prev,
				Tuplestorestate *store, TupleDesc outdesc)
{
	TableScanDesc scan;
	TupleTableSlot *slot = table_slot_create(logrel, NULL);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext,
												 "dataexport change log row",
												 ALLOCSET_DEFAULT_SIZES);
	ScanKeyData key;

	/* change_log's columns 1 and 2: txid, relid (10_catalog.sql). */
	ScanKeyInit(&key, 2, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = table_beginscan(logrel, GetActiveSnapshot(), 1, &key);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		txid = slot_getattr(slot, 1, &isnull);
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		/* The scan key kept only relid's rows. */
		if (seen_by(prev, U64FromFullTransactionId(DatumGetFullTransactionId(txid))))
			continue;
		/* A log row holds many entries (capture.c). */
		old = MemoryContextSwitchTo(rowcxt);
		capture_put_entries(slot, store, outdesc);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(rowcxt);
}

/*
 * dataexport._changes(relid oid, previous text)
 *		RETURNS TABLE (seq bigint, key json, old_row json)
 *
 * The log entries of relid that the caller's snapshot sees and the previous
 * snapshot did not.  Callable by any role with SELECT on the table: the log
 * itself is not readable through SQL.
 */
Datum
pgde_changes(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid;
	SnapshotBounds prev;
	Relation	logrel;
	Oid			nspid;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation and snapshot must not be null")));
	relid = PG_GETARG_OID(0);
	if (relid != exporting_relid || !OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("dataexport._changes() can only be called by an export job")));
	parse_snapshot_text(text_to_cstring(PG_GETARG_TEXT_PP(1)), &prev);

	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", get_rel_name(relid))));

	InitMaterializedSRF(fcinfo, 0);

	nspid = get_namespace_oid(DATAEXPORT_SCHEMA, false);
	logrel = table_open(get_relname_relid("change_log", nspid), AccessShareLock);
	collect_changes(logrel, relid, &prev, rsinfo->setResult, rsinfo->setDesc);
	table_close(logrel, AccessShareLock);
	return (Datum) 0;
}

/* ------------------------------------------------------------------------
 * The export of one entity type
 * ------------------------------------------------------------------------
 */

static char *
relation_name(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/* The query whose rows are the export of ent: the table's columns, deleted. */
static char *
export_query(EntityExport *ent)
{
	StringInfoData q;
	char	   *rel = relation_name(ent->relid);
	int			i;

	initStringInfo(&q);
	if (ent->previous == NULL)
	{
		appendStringInfo(&q, "SELECT t.*, false AS deleted FROM ONLY %s t", rel);
		return q.data;
	}

	/* Rows that exist: keys changed in the window, joined to the table. */
	appendStringInfo(&q,
					 "WITH c AS MATERIALIZED ("
					 " SELECT c.seq, c.key, c.old_row"
					 "   FROM dataexport._changes($1, $2) c)"
					 " SELECT t.*, false AS deleted FROM ONLY %s t WHERE (", rel);
	for (i = 0; i < ent->nkeys; i++)
		appendStringInfo(&q, "%st.%s", i ? ", " : "", quote_identifier(ent->keys[i]));
	appendStringInfoString(&q, ") IN (SELECT ");
	for (i = 0; i < ent->nkeys; i++)
		appendStringInfo(&q, "%sk.%s", i ? ", " : "", quote_identifier(ent->keys[i]));
	appendStringInfo(&q,
					 " FROM c, pg_catalog.json_populate_record(NULL::%s, c.key) k)", rel);

	/*
	 * Keys that are gone: their last values, once, with deleted = true.
	 *
	 * Under row-level security the owner sees only some rows, and the last
	 * values of a deleted row cannot be checked against the policies: every
	 * changed key the owner cannot see is written as deleted with its key
	 * alone.  Replayed, this removes rows that left the owner's view (by
	 * deletion or by an update that moved them out of it) and is a no-op
	 * for keys the owner never had; it reveals only that such keys changed.
	 */
	appendStringInfoString(&q, " UNION ALL SELECT (d.r).*, true FROM (SELECT DISTINCT ON (");
	for (i = 0; i < ent->nkeys; i++)
		appendStringInfo(&q, "%s(x.r).%s", i ? ", " : "", quote_identifier(ent->keys[i]));
	if (ent->rls)
		appendStringInfo(&q,
						 ") x.r FROM (SELECT pg_catalog.json_populate_record(NULL::%s, c.key) AS r, c.seq"
						 " FROM c) x ORDER BY ", rel);
	else
		appendStringInfo(&q,
						 ") x.r FROM (SELECT pg_catalog.json_populate_record(NULL::%s, c.old_row) AS r, c.seq"
						 " FROM c WHERE c.old_row IS NOT NULL) x ORDER BY ", rel);
	for (i = 0; i < ent->nkeys; i++)
		appendStringInfo(&q, "(x.r).%s, ", quote_identifier(ent->keys[i]));
	appendStringInfo(&q, "x.seq DESC) d WHERE NOT EXISTS (SELECT 1 FROM ONLY %s t WHERE ", rel);
	for (i = 0; i < ent->nkeys; i++)
		appendStringInfo(&q, "%st.%s = (d.r).%s", i ? " AND " : "",
						 quote_identifier(ent->keys[i]), quote_identifier(ent->keys[i]));
	appendStringInfoChar(&q, ')');
	return q.data;
}

static char *
lower_copy(const char *s)
{
	char	   *r = pstrdup(s);
	char	   *p;

	for (p = r; *p; p++)
		*p = pg_ascii_tolower((unsigned char) *p);
	return r;
}

/*
 * Where the rows of one entity type go: the current part file, split at
 * dataexport.max_file_size.  The per-row work allocates only in rowcxt,
 * which is reset after each row.
 */
typedef struct EntitySink
{
	JobState   *job;
	EntityExport *ent;
	const char *dir;
	RowFormat  *fmt;
	StringInfoData buf;
	StoreFile  *file;
	ExportedFile *ef;			/* the part being written */
	int64		max_bytes;
	MemoryContext rowcxt;
	bool		to_utf8;		/* the database encoding is not UTF-8 */
} EntitySink;

/*
 * Write formatted text to the part file.  Files are UTF-8 (SPEC section 6):
 * in a database of another encoding the text is converted here.  The caller
 * guarantees that the text is in rowcxt or outlives the call.
 */
static void
sink_write(EntitySink *sink, const char *data, int len)
{
	if (sink->to_utf8)
	{
		char	   *converted = pg_server_to_any(data, len, PG_UTF8);

		if (converted != data)
		{
			store_write(sink->file, converted, strlen(converted));
			pfree(converted);
			return;
		}
	}
	store_write(sink->file, data, len);
}

static void
sink_open_part(EntitySink *sink, int part)
{
	ExportedFile *ef = palloc0(sizeof(ExportedFile));
	char	   *base = lower_copy(sink->ent->entity_type);
	const char *ext = sink->job->format == EXPORT_FORMAT_CSV ? "csv" : "jsonl";

	ef->entity_type = sink->ent->entity_type;
	ef->part = part;
	ef->file_name = part == 1 ? psprintf("%s.%s", base, ext)
		: psprintf("%s_part%d.%s", base, part, ext);
	sink->file = store_open(sink->dir, ef->file_name);
	sink->ef = ef;
	if (sink->job->format == EXPORT_FORMAT_CSV)
	{
		resetStringInfo(&sink->buf);
		csv_append_header(&sink->buf, sink->fmt);
		sink_write(sink, sink->buf.data, sink->buf.len);
	}
}

static void
sink_close_part(EntitySink *sink)
{
	ExportedFile *ef = sink->ef;

	ef->bytes = store_bytes(sink->file);
	store_close(sink->file, ef->sha256);
	sink->job->files = lappend(sink->job->files, ef);
	sink->job->bytes += ef->bytes;

	/* A copy that outlives a failure of the job. */
	if (sink->job->outcome)
	{
		JobOutcome *outcome = sink->job->outcome;
		MemoryContext old = MemoryContextSwitchTo(outcome->cxt);
		ExportedFile *copy = palloc(sizeof(ExportedFile));

		*copy = *ef;
		copy->entity_type = pstrdup(ef->entity_type);
		copy->file_name = pstrdup(ef->file_name);
		outcome->files = lappend(outcome->files, copy);
		MemoryContextSwitchTo(old);
	}
}

/* Start the export of an entity type whose rows have descriptor rowdesc. */
static void
sink_begin(EntitySink *sink, JobState *job, EntityExport *ent, const char *dir,
		   TupleDesc rowdesc)
{
	sink->job = job;
	sink->ent = ent;
	sink->dir = dir;
	sink->fmt = row_format_create(rowdesc, CurrentMemoryContext);
	initStringInfo(&sink->buf);
	sink->max_bytes = dataexport_max_file_size_bytes;
	sink->rowcxt = AllocSetContextCreate(CurrentMemoryContext, "dataexport row",
										 ALLOCSET_DEFAULT_SIZES);
	sink->to_utf8 = GetDatabaseEncoding() != PG_UTF8 &&
		GetDatabaseEncoding() != PG_SQL_ASCII;
	sink_open_part(sink, 1);
}

static inline void
sink_format_row(EntitySink *sink, Datum *values, bool *nulls, bool deleted)
{
	MemoryContext old = MemoryContextSwitchTo(sink->rowcxt);

	resetStringInfo(&sink->buf);
	if (sink->job->format == EXPORT_FORMAT_CSV)
		csv_append_row(&sink->buf, sink->fmt, values, nulls, deleted);
	else
		json_append_row(&sink->buf, sink->fmt, values, nulls, deleted);
	MemoryContextSwitchTo(old);
}

static void
sink_row(EntitySink *sink, Datum *values, bool *nulls, bool deleted)
{
	sink_format_row(sink, values, nulls, deleted);

	/*
	 * Split before a row that would pass the limit (SPEC section 6).  The
	 * limit counts bytes as written; converted text may differ in length
	 * from buf, which is checked here (a few bytes of slack per row at most
	 * in databases that are not UTF-8).
	 */
	if (sink->ef->rows > 0 && store_bytes(sink->file) + sink->buf.len > sink->max_bytes)
	{
		sink_close_part(sink);
		sink_open_part(sink, sink->ef->part + 1);
		/* opening wrote the header through buf: format the row again */
		sink_format_row(sink, values, nulls, deleted);
	}
	{
		MemoryContext old = MemoryContextSwitchTo(sink->rowcxt);

		sink_write(sink, sink->buf.data, sink->buf.len);
		MemoryContextSwitchTo(old);
	}
	sink->ef->rows++;
	sink->job->rows++;
	MemoryContextReset(sink->rowcxt);
}

static void
sink_end(EntitySink *sink)
{
	sink_close_part(sink);
	MemoryContextDelete(sink->rowcxt);
	pfree(sink->buf.data);
}

/*
 * A full export without row-level security: scan the table in the job's
 * snapshot and hand each tuple's values straight to the writer, as COPY TO
 * does (no executor, no copy of the tuple).
 */
static void
export_entity_scan(JobState *job, EntityExport *ent, const char *dir)
{
	Relation	rel = table_open(ent->relid, AccessShareLock);
	Snapshot	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	EntitySink	sink;

	sink_begin(&sink, job, ent, dir, RelationGetDescr(rel));
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		slot_getallattrs(slot);
		sink_row(&sink, slot->tts_values, slot->tts_isnull, false);
	}
	sink_end(&sink);

	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
}

/*
 * An export through a query: deltas, and full exports that row-level
 * security applies to.  Rows stream from a cursor.
 */
static void
export_entity_query(JobState *job, EntityExport *ent, const char *dir)
{
	char	   *query = export_query(ent);
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2];
	SPIPlanPtr	plan;
	Portal		portal;
	TupleDesc	resultdesc = NULL;
	EntitySink	sink;
	Datum	   *values = NULL;
	bool	   *nulls = NULL;

	args[0] = ObjectIdGetDatum(ent->relid);
	args[1] = ent->previous ? CStringGetTextDatum(ent->previous) : (Datum) 0;

	plan = SPI_prepare(query, ent->previous ? 2 : 0, argtypes);
	if (plan == NULL)
		elog(ERROR, "could not prepare the export of %s: %s",
			 ent->entity_type, SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, args, NULL, true);

	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, EXPORT_FETCH_ROWS);
		if (resultdesc == NULL)
		{
			TupleDesc	rowdesc;
			int			j;

			/* Columns of the table, without the final "deleted". */
			resultdesc = CreateTupleDescCopy(SPI_tuptable->tupdesc);
			rowdesc = CreateTemplateTupleDesc(resultdesc->natts - 1);
			for (j = 1; j < resultdesc->natts; j++)
				TupleDescCopyEntry(rowdesc, j, resultdesc, j);
			values = palloc(sizeof(Datum) * resultdesc->natts);
			nulls = palloc(sizeof(bool) * resultdesc->natts);
			sink_begin(&sink, job, ent, dir, rowdesc);
		}
		if (SPI_processed == 0)
			break;

		for (i = 0; i < SPI_processed; i++)
		{
			CHECK_FOR_INTERRUPTS();
			heap_deform_tuple(SPI_tuptable->vals[i], resultdesc, values, nulls);
			sink_row(&sink, values, nulls,
					 DatumGetBool(values[resultdesc->natts - 1]));
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_freetuptable(SPI_tuptable);
	SPI_cursor_close(portal);
	sink_end(&sink);
}

/*
 * Export one entity type, as the job's owner, into dir.  An error names the
 * entity type, so that a job's error_message says which export broke.
 */
static void
export_entity(JobState *job, EntityExport *ent, const char *dir)
{
	MemoryContext cxt = CurrentMemoryContext;

	ent->rls = check_enable_rls(ent->relid, InvalidOid, false) == RLS_ENABLED;
	PG_TRY();
	{
		/* A delta is only as good as the capture behind it. */
		if (ent->previous != NULL)
			capture_check_triggers(ent->relid);
		if (ent->previous == NULL && !ent->rls)
			export_entity_scan(job, ent, dir);
		else
		{
			exporting_relid = ent->relid;
			export_entity_query(job, ent, dir);
			exporting_relid = InvalidOid;
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		exporting_relid = InvalidOid;
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->elevel != ERROR || edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
			PG_RE_THROW();
		FlushErrorState();
		edata->message = psprintf("could not export entity type \"%s\": %s",
								  ent->entity_type, edata->message);
		ReThrowError(edata);
	}
	PG_END_TRY();
}

/* ------------------------------------------------------------------------
 * The job
 * ------------------------------------------------------------------------
 */

static char *
spi_text(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

static void
spi_exec(const char *sql, int nargs, Oid *argtypes, Datum *args, const char *nulls, int expect)
{
	int			ret = SPI_execute_with_args(sql, nargs, argtypes, args, nulls, false, 0);

	if (ret != expect)
		elog(ERROR, "SPI failed (%s): %s", SPI_result_code_string(ret), sql);
}

/*
 * Lock the tables of the job's entity types before the job takes its
 * snapshot, and return their OIDs.
 *
 * TRUNCATE, and the forms of ALTER TABLE that rewrite a table, are not
 * MVCC-safe: once they commit, the table looks empty to a snapshot taken
 * before.  Were the job to open a table only after taking its snapshot, such
 * a command committing in between would hide from the job changes that its
 * snapshot sees, and they would be missing from its files (SPEC section 7).
 * Locked first, a table is truncated either before the snapshot, which then
 * sees it, or after the job.  The lock also keeps a table from being dropped
 * while the job runs; the export of a table that vanished half-way through
 * a job cannot even name it.
 *
 * The job's entity types and their tables are read with a catalog snapshot,
 * which does not fix the transaction's snapshot; job_load checks that the
 * job's snapshot sees the same tables.
 */
static List *
job_lock_tables(int64 job_id)
{
	Oid			nspid = get_namespace_oid(DATAEXPORT_SCHEMA, false);
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Datum	   *types = NULL;
	int			ntypes = 0;
	AttrNumber	typeatt;
	AttrNumber	relatt;
	List	   *locked = NIL;

	rel = table_open(get_relname_relid("job", nspid), AccessShareLock);
	ScanKeyInit(&key, get_attnum(RelationGetRelid(rel), "job_id"),
				BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(job_id));
	scan = systable_beginscan(rel, RelationGetPrimaryKeyIndex(rel), true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, get_attnum(RelationGetRelid(rel), "entity_types"),
									 RelationGetDescr(rel), &isnull);

		if (!isnull)
			deconstruct_array(DatumGetArrayTypePCopy(d), TEXTOID, -1, false, TYPALIGN_INT,
							  &types, NULL, &ntypes);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	/* A few rows: scanned whole, compared as job_load compares them. */
	rel = table_open(get_relname_relid("entity", nspid), AccessShareLock);
	typeatt = get_attnum(RelationGetRelid(rel), "entity_type");
	relatt = get_attnum(RelationGetRelid(rel), "relation");
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		type = heap_getattr(tup, typeatt, RelationGetDescr(rel), &isnull);
		char	   *name;
		Datum		relid;
		int			i;

		if (isnull)
			continue;
		name = TextDatumGetCString(type);
		for (i = 0; i < ntypes; i++)
		{
			if (strcmp(name, TextDatumGetCString(types[i])) != 0)
				continue;
			relid = heap_getattr(tup, relatt, RelationGetDescr(rel), &isnull);
			if (!isnull)
				locked = lappend_oid(locked, DatumGetObjectId(relid));
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	/* In OID order, as a command that locks several tables would. */
	list_sort(locked, list_oid_cmp);
	{
		ListCell   *lc;

		foreach(lc, locked)
			LockRelationOid(lfirst_oid(lc), AccessShareLock);
	}
	return locked;
}

/*
 * Read the job and its entity types; check that the owner may export them.
 * locked: the tables job_lock_tables locked before the snapshot.
 */
static JobState *
job_load(int64 job_id, List *locked)
{
	JobState   *job = palloc0(sizeof(JobState));
	Oid			argtypes[3] = {INT8OID, TEXTOID, INT8OID};
	Datum		args[3];
	Datum		typesdatum;
	bool		isnull;
	Datum	   *types;
	int			ntypes;
	int			i;

	job->job_id = job_id;
	args[0] = Int64GetDatum(job_id);

	/* The first statement of the transaction: it fixes the job's snapshot. */
	spi_exec("SELECT coalesce(j.schedule_id, 0), j.owner::oid, j.export_file_format,"
			 "       j.entity_types, pg_catalog.pg_current_snapshot()::text"
			 "  FROM dataexport.job j WHERE j.job_id = $1 AND j.status = 'RUNNING'",
			 1, argtypes, args, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("job " INT64_FORMAT " is not running", job_id)));

	job->schedule_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	job->owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	job->format = strcmp(spi_text(0, 3), "JSONL") == 0 ? EXPORT_FORMAT_JSONL : EXPORT_FORMAT_CSV;
	typesdatum = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull);
	job->snapshot = spi_text(0, 5);
	deconstruct_array(DatumGetArrayTypePCopy(typesdatum), TEXTOID, -1, false, TYPALIGN_INT,
					  &types, NULL, &ntypes);

	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(job->owner)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the owner of job " INT64_FORMAT " no longer exists", job_id)));

	for (i = 0; i < ntypes; i++)
	{
		EntityExport *ent = palloc0(sizeof(EntityExport));
		Datum		keysdatum;
		Datum	   *keys;
		int			k;

		ent->entity_type = TextDatumGetCString(types[i]);
		args[1] = CStringGetTextDatum(ent->entity_type);
		args[2] = Int64GetDatum(job->schedule_id);
		spi_exec("SELECT e.relation::oid, e.key_columns::text[],"
				 "       (SELECT se.last_snapshot::text FROM dataexport.schedule_entity se"
				 "         WHERE se.schedule_id = $3 AND se.entity_type = $2)"
				 "  FROM dataexport.entity e WHERE e.entity_type = $2",
				 3, argtypes, args, NULL, SPI_OK_SELECT);
		if (SPI_processed != 1)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("entity type \"%s\" is no longer registered", ent->entity_type)));
		ent->relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		keysdatum = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
		deconstruct_array(DatumGetArrayTypePCopy(keysdatum), TEXTOID, -1, false, TYPALIGN_INT,
						  &keys, NULL, &ent->nkeys);
		ent->keys = palloc(sizeof(char *) * ent->nkeys);
		for (k = 0; k < ent->nkeys; k++)
			ent->keys[k] = TextDatumGetCString(keys[k]);
		ent->previous = spi_text(0, 3);

		/*
		 * Registered again, to another table, between job_lock_tables and
		 * the snapshot: that table could have been truncated in between.
		 */
		if (!list_member_oid(locked, ent->relid))
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("entity type \"%s\" was registered again while job " INT64_FORMAT " started",
							ent->entity_type, job_id),
					 errhint("The next job of the schedule exports its changes.")));
		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(ent->relid)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("the table of entity type \"%s\" no longer exists", ent->entity_type),
					 errhint("Register the entity type again, or remove it from the schedule.")));
		if (pg_class_aclcheck(ent->relid, job->owner, ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for table %s of entity type \"%s\"",
							get_rel_name(ent->relid), ent->entity_type),
					 errdetail("The job runs with the privileges of its owner, %s.",
							   GetUserNameFromId(job->owner, false))));
		job->entities = lappend(job->entities, ent);
	}
	return job;
}

/* One job_file row per file written. */
static void
record_files(int64 job_id, List *files)
{
	Oid			argtypes[7] = {INT8OID, TEXTOID, INT4OID, TEXTOID, INT8OID, INT8OID, TEXTOID};
	Datum		args[7];
	ListCell   *lc;

	args[0] = Int64GetDatum(job_id);
	foreach(lc, files)
	{
		ExportedFile *ef = lfirst(lc);

		args[1] = CStringGetTextDatum(ef->entity_type);
		args[2] = Int32GetDatum(ef->part);
		args[3] = CStringGetTextDatum(ef->file_name);
		args[4] = Int64GetDatum(ef->rows);
		args[5] = Int64GetDatum(ef->bytes);
		args[6] = CStringGetTextDatum(ef->sha256);
		spi_exec("INSERT INTO dataexport.job_file"
				 " (job_id, entity_type, part, file_name, rows, bytes, sha256)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7)",
				 7, argtypes, args, NULL, SPI_OK_INSERT);
	}
}

/*
 * Record the files, the manifest and SUCCEEDED; move the export chain on.
 * Returns the manifest's text.
 */
static char *
job_record_success(JobState *job)
{
	char	   *manifest;
	Oid			argtypes[6] = {INT8OID, TEXTOID, INT8OID, INT8OID, INT4OID, INT8OID};
	Datum		args[6];

	record_files(job->job_id, job->files);

	args[0] = Int64GetDatum(job->job_id);
	args[1] = CStringGetTextDatum(job->snapshot);
	args[2] = Int64GetDatum(job->rows);
	args[3] = Int64GetDatum(job->bytes);
	args[4] = Int32GetDatum(dataexport_file_retention_s);
	args[5] = Int64GetDatum(job->schedule_id);
	spi_exec("UPDATE dataexport.job j"
			 "   SET status = 'SUCCEEDED', completed_at = clock_timestamp(),"
			 "       rows_exported = $3, bytes_written = $4,"
			 "       snapshot = $2::pg_catalog.pg_snapshot,"
			 "       expires_at = clock_timestamp() + make_interval(secs => $5),"
			 "       manifest = dataexport._manifest(j.job_id, $2,"
			 "           (SELECT se.last_snapshot::text FROM dataexport.schedule_entity se"
			 "             WHERE se.schedule_id = $6 AND se.entity_type = ANY (j.entity_types)"
			 "             ORDER BY se.last_job_id DESC LIMIT 1))"
			 " WHERE j.job_id = $1 RETURNING j.manifest::text",
			 6, argtypes, args, NULL, SPI_OK_UPDATE_RETURNING);
	if (SPI_processed != 1)
		elog(ERROR, "job " INT64_FORMAT " vanished", job->job_id);
	manifest = spi_text(0, 1);

	if (job->schedule_id != 0)
	{
		Oid			t[3] = {INT8OID, INT8OID, TEXTOID};
		Datum		a[3];

		a[0] = Int64GetDatum(job->schedule_id);
		a[1] = Int64GetDatum(job->job_id);
		a[2] = CStringGetTextDatum(job->snapshot);
		spi_exec("INSERT INTO dataexport.schedule_entity"
				 "    (schedule_id, entity_type, last_snapshot, last_job_id)"
				 " SELECT s.schedule_id, t, $3::pg_catalog.pg_snapshot, $2"
				 "   FROM dataexport.schedule s,"
				 "        unnest((SELECT j.entity_types FROM dataexport.job j WHERE j.job_id = $2)) t"
				 "  WHERE s.schedule_id = $1 AND t = ANY (s.entity_types)"
				 " ON CONFLICT (schedule_id, entity_type) DO UPDATE"
				 "    SET last_snapshot = excluded.last_snapshot, last_job_id = excluded.last_job_id",
				 3, t, a, NULL, SPI_OK_INSERT);
		spi_exec("UPDATE dataexport.schedule s SET last_run_at = j.started_at"
				 "  FROM dataexport.job j WHERE j.job_id = $2 AND s.schedule_id = $1",
				 2, t, a, NULL, SPI_OK_UPDATE);
	}
	return manifest;
}

void
job_execute(int64 job_id, JobOutcome *outcome)
{
	Oid			save_userid;
	int			save_sec_context;
	JobState   *job;
	char	   *dir;
	ListCell   *lc;
	int			nestlevel;
	int			catalog_nestlevel;
	List	   *locked;
	bool		pushed_snapshot = false;

	Assert(IsolationUsesXactSnapshot());

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	GetUserIdAndSecContext(&save_userid, &save_sec_context);

	/* The catalog, as the superuser. */
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	catalog_nestlevel = pin_catalog_search_path();
	/* Before the first statement, which takes the job's snapshot. */
	locked = job_lock_tables(job_id);
	/*
	 * The job's snapshot: the transaction snapshot, taken now that the
	 * tables are locked.  A background worker has no active snapshot for
	 * SPI; run_pending's first statement would take the same one.
	 */
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed_snapshot = true;
	}
	job = job_load(job_id, locked);
	job->outcome = outcome;
	dir = store_make_job_dir(job_id);

	/* The tables, as the owner, with a search_path no one can plant in. */
	SetUserIdAndSecContext(job->owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	/* Output functions of the types without a fast path see fixed settings. */
	row_format_pin_settings();
	foreach(lc, job->entities)
		export_entity(job, (EntityExport *) lfirst(lc), dir);
	AtEOXact_GUC(false, nestlevel);

	/* The record and the manifest, as the superuser again. */
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	{
		char	   *manifest = job_record_success(job);
		StoreFile  *mf = store_open(dir, "manifest.json");
		char		sha[PG_SHA256_DIGEST_STRING_LENGTH];

		store_write(mf, manifest, strlen(manifest));
		store_write(mf, "\n", 1);
		store_close(mf, sha);
	}

	/*
	 * Deliver to the job's destinations last, once its files and record are
	 * complete, and before its transaction commits: a delivery that fails
	 * fails the job, whose record and export chain then roll back, so that
	 * the next job exports and delivers the interval again.
	 */
	destinations_deliver(job->job_id);

	unpin_catalog_search_path(catalog_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	SPI_finish();
	if (pushed_snapshot)
		PopActiveSnapshot();
}

void
job_record_failure(int64 job_id, const char *message, int sqlerrcode,
				   JobOutcome *outcome)
{
	Oid			argtypes[4] = {INT8OID, TEXTOID, TEXTOID, INT4OID};
	Datum		args[4];
	CatalogAccess catalog;
	bool		pushed_snapshot = false;

	catalog_access_begin(&catalog);
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed_snapshot = true;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = Int64GetDatum(job_id);
	args[1] = CStringGetTextDatum(message);
	args[2] = CStringGetTextDatum(unpack_sql_state(sqlerrcode));
	args[3] = Int32GetDatum(dataexport_file_retention_s);
	spi_exec("UPDATE dataexport.job"
			 "   SET status = 'FAILED', completed_at = clock_timestamp(),"
			 "       error_message = $2, error_sqlstate = $3,"
			 "       expires_at = clock_timestamp() + make_interval(secs => $4)"
			 " WHERE job_id = $1 AND status = 'RUNNING'",
			 4, argtypes, args, NULL, SPI_OK_UPDATE);

	/* Files completed before the failure stay readable until they expire. */
	if (SPI_processed == 1 && outcome)
		record_files(job_id, outcome->files);
	SPI_finish();
	if (pushed_snapshot)
		PopActiveSnapshot();
	catalog_access_end(&catalog);
	store_remove_temporary(job_id);
}
