/*-------------------------------------------------------------------------
 * capture.c
 *	  Change capture on registered tables, and pruning of the change log.
 *
 * The trigger dataexport._capture() runs inside every write to a registered
 * table, so it is written to be cheap: it forms the log tuple and inserts it
 * with the heap and index AMs directly (no SPI, no planner).  What it needs
 * to know about a table and about the log (key columns, the log's indexes)
 * is looked up once per backend and kept until a relcache invalidation of
 * the table or of the log says it may have changed; the locks it takes on
 * the log are kept until the end of the transaction, as the executor keeps
 * those of the tables it writes.  It writes the log whatever the privileges
 * of the writing role: the log is not writable through SQL.
 *
 * What is logged, per changed key (SPEC section 7 and 20_entities.sql):
 *	 INSERT				the new key
 *	 UPDATE				the key; if the key changed, the old key with the old
 *						row's values (a deletion) and the new key
 *	 DELETE				the key with the row's last values
 *	 TRUNCATE			every row's key with its last values
 * Each entry carries the top-level transaction id, so that a job can tell
 * from its snapshots which entries are new to it (job_runner.c).
 *
 * This file must not decide what a job exports; it only records changes.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "catalog/index.h"
#include "catalog/pg_authid.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/procarray.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/uuid.h"
#include "utils/xid8.h"

#include "api.h"
#include "capture.h"
#include "pg_dataexport.h"
#include "row_format.h"

/* change_log's columns */
#define Natts_change_log		5
#define Anum_change_log_txid	1
#define Anum_change_log_relid	2
#define Anum_change_log_seq		3
#define Anum_change_log_key		4
#define Anum_change_log_old_row 5

/*
 * How a key column is written into the key's JSON.  For the common key
 * types the trigger writes the text that row_to_json would, itself; the
 * others go through row_to_json.
 */
typedef enum KeyKind
{
	KEY_GENERIC,				/* row_to_json of the key columns */
	KEY_INT2,
	KEY_INT4,
	KEY_INT8,
	KEY_UUID,
	KEY_TEXT					/* text, varchar */
} KeyKind;

/*
 * What the trigger knows about one capture trigger (one registered table),
 * kept across statements in capture_states.  Everything hangs off cxt, which
 * is reset when the state is rebuilt.
 */
typedef struct CaptureState
{
	Oid			tgoid;			/* hash key: the trigger */
	bool		valid;			/* cleared by capture_invalidate */
	MemoryContext cxt;
	Oid			relid;			/* the table */
	int			nkeys;
	AttrNumber *keyattnums;		/* key columns, in key order */
	TupleDesc	keydesc;		/* blessed descriptor of the key columns */
	bool		key_by_hand;	/* every key column has a KeyKind of its own */
	KeyKind    *keykinds;
	char	  **keylabels;		/* "name": as JSON, per key column */
	int		   *keylabel_lens;
	Oid			logrelid;
	Oid			seqrelid;
	int			nindexes;
	Oid		   *indexoids;
	IndexInfo **indexinfos;
} CaptureState;

/* Capture states by trigger OID, in CacheMemoryContext. */
static HTAB *capture_states = NULL;

/* Relcache invalidations seen so far (by capture_invalidate). */
static uint64 capture_invalidations = 0;

PG_FUNCTION_INFO_V1(pgde_capture);

/* The OID of a relation in schema dataexport. */
static Oid
dataexport_relid(const char *relname)
{
	Oid			nspid = get_namespace_oid(DATAEXPORT_SCHEMA, false);
	Oid			relid = get_relname_relid(relname, nspid);

	if (!OidIsValid(relid))
		elog(ERROR, "relation %s.%s does not exist", DATAEXPORT_SCHEMA, relname);
	return relid;
}

/*
 * A relcache invalidation: forget what was built from the relation (all,
 * for InvalidOid).  Only flags the states; they are rebuilt when next used.
 */
static void
capture_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	CaptureState *state;

	capture_invalidations++;
	hash_seq_init(&status, capture_states);
	while ((state = (CaptureState *) hash_seq_search(&status)) != NULL)
	{
		int			i;

		if (!OidIsValid(relid) || relid == state->relid ||
			relid == state->logrelid || relid == state->seqrelid)
			state->valid = false;
		for (i = 0; state->valid && i < state->nindexes; i++)
			if (relid == state->indexoids[i])
				state->valid = false;
	}
}

/* The KeyKind of a key column of type typid (exactly; domains are generic). */
static KeyKind
key_kind_of(Oid typid)
{
	switch (typid)
	{
		case INT2OID:
			return KEY_INT2;
		case INT4OID:
			return KEY_INT4;
		case INT8OID:
			return KEY_INT8;
		case UUIDOID:
			return KEY_UUID;
		case TEXTOID:
		case VARCHAROID:
			return KEY_TEXT;
		default:
			return KEY_GENERIC;
	}
}

/*
 * Build a trigger's state: key columns come from the trigger's arguments,
 * which register_entity sets to the entity's key columns.  The state is
 * valid only if no invalidation arrived while it was built (opening a
 * relation lets them in); the caller builds again until it is.
 */
static void
capture_state_build(CaptureState *state, Relation rel, Trigger *trigger)
{
	MemoryContext old;
	TupleDesc	desc = RelationGetDescr(rel);
	Relation	logrel;
	List	   *indexes;
	ListCell   *lc;
	int			i;
	uint64		invalidations = capture_invalidations;

	state->valid = false;
	MemoryContextReset(state->cxt);
	state->relid = InvalidOid;
	state->logrelid = InvalidOid;
	state->seqrelid = InvalidOid;
	state->nindexes = 0;
	old = MemoryContextSwitchTo(state->cxt);

	state->relid = RelationGetRelid(rel);

	if (trigger->tgnargs < 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("trigger \"%s\" on table \"%s\" names no key columns",
						trigger->tgname, RelationGetRelationName(rel)),
				 errhint("Register the table with dataexport.register_entity; do not create this trigger by hand.")));

	state->nkeys = trigger->tgnargs;
	state->keyattnums = palloc(sizeof(AttrNumber) * state->nkeys);
	state->keydesc = CreateTemplateTupleDesc(state->nkeys);
	state->keykinds = palloc(sizeof(KeyKind) * state->nkeys);
	state->keylabels = palloc(sizeof(char *) * state->nkeys);
	state->keylabel_lens = palloc(sizeof(int) * state->nkeys);
	state->key_by_hand = true;
	for (i = 0; i < state->nkeys; i++)
	{
		const char *keyname = trigger->tgargs[i];
		int			attno;
		bool		found = false;

		for (attno = 0; attno < desc->natts; attno++)
		{
			Form_pg_attribute attr = TupleDescAttr(desc, attno);

			if (!attr->attisdropped && strcmp(NameStr(attr->attname), keyname) == 0)
			{
				StringInfoData label;

				state->keyattnums[i] = attno + 1;
				TupleDescCopyEntry(state->keydesc, i + 1, desc, attno + 1);
				state->keykinds[i] = key_kind_of(attr->atttypid);
				if (state->keykinds[i] == KEY_GENERIC)
					state->key_by_hand = false;
				initStringInfo(&label);
				append_json_string(&label, keyname, strlen(keyname));
				appendStringInfoChar(&label, ':');
				state->keylabels[i] = label.data;
				state->keylabel_lens[i] = label.len;
				found = true;
				break;
			}
		}
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("key column \"%s\" of registered table \"%s\" does not exist",
							keyname, RelationGetRelationName(rel)),
					 errhint("Unregister and register the entity type again after renaming or dropping a key column.")));
	}
	state->keydesc = BlessTupleDesc(state->keydesc);

	state->logrelid = dataexport_relid("change_log");
	state->seqrelid = dataexport_relid("change_seq");

	logrel = table_open(state->logrelid, AccessShareLock);
	indexes = RelationGetIndexList(logrel);
	state->nindexes = list_length(indexes);
	state->indexoids = palloc(sizeof(Oid) * state->nindexes);
	state->indexinfos = palloc(sizeof(IndexInfo *) * state->nindexes);
	i = 0;
	foreach(lc, indexes)
	{
		Relation	idx = index_open(lfirst_oid(lc), AccessShareLock);
		IndexInfo  *ii = BuildIndexInfo(idx);

		if (ii->ii_Expressions != NIL || ii->ii_Predicate != NIL)
			elog(ERROR, "index \"%s\" on the change log is not a plain index",
				 RelationGetRelationName(idx));
		state->indexoids[i] = lfirst_oid(lc);
		state->indexinfos[i] = ii;
		index_close(idx, NoLock);
		i++;
	}
	table_close(logrel, NoLock);

	MemoryContextSwitchTo(old);
	state->valid = (capture_invalidations == invalidations);
}

/* The state of the trigger, built or rebuilt if need be. */
static CaptureState *
capture_state_get(FunctionCallInfo fcinfo, Relation rel, Trigger *trigger)
{
	CaptureState *state = (CaptureState *) fcinfo->flinfo->fn_extra;
	bool		found;

	if (state == NULL || state->tgoid != trigger->tgoid)
	{
		if (capture_states == NULL)
		{
			HASHCTL		ctl;

			ctl.keysize = sizeof(Oid);
			ctl.entrysize = sizeof(CaptureState);
			ctl.hcxt = CacheMemoryContext;
			capture_states = hash_create("dataexport capture states", 16, &ctl,
										 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
			CacheRegisterRelcacheCallback(capture_invalidate, (Datum) 0);
		}
		state = (CaptureState *) hash_search(capture_states, &trigger->tgoid,
											 HASH_ENTER, &found);
		if (!found)
		{
			state->valid = false;
			state->relid = state->logrelid = state->seqrelid = InvalidOid;
			state->nindexes = 0;
			state->cxt = AllocSetContextCreate(CacheMemoryContext,
											   "dataexport capture state",
											   ALLOCSET_SMALL_SIZES);
		}
		fcinfo->flinfo->fn_extra = state;
	}
	while (!state->valid)
		capture_state_build(state, rel, trigger);
	return state;
}

/* row_to_json of a composite, with floats written exactly. */
static Datum
composite_to_json_datum(HeapTuple tuple, TupleDesc desc)
{
	Datum		composite = heap_copy_tuple_as_datum(tuple, desc);
	int			saved = extra_float_digits;
	Datum		result;

	/* Shortest exact floats, whatever the writing session asked for. */
	extra_float_digits = 1;
	PG_TRY();
	{
		result = DirectFunctionCall1(row_to_json, composite);
	}
	PG_FINALLY();
	{
		extra_float_digits = saved;
	}
	PG_END_TRY();
	return result;
}

/*
 * The key of a row as a JSON object of its key columns, written as
 * row_to_json writes it: {"id":42}, {"a":"x\"y","b":"1b4e28ba-..."}.
 * Without a composite datum, type output calls or look-ups per row.
 */
static Datum
key_to_json_by_hand(CaptureState *state, HeapTuple tuple, TupleDesc desc)
{
	StringInfoData buf;
	int			i;

	/* A json datum is a text: the varlena header goes first. */
	initStringInfo(&buf);
	buf.len = VARHDRSZ;
	appendStringInfoCharMacro(&buf, '{');
	for (i = 0; i < state->nkeys; i++)
	{
		bool		isnull;
		Datum		value = heap_getattr(tuple, state->keyattnums[i], desc, &isnull);

		if (i > 0)
			appendStringInfoCharMacro(&buf, ',');
		appendBinaryStringInfo(&buf, state->keylabels[i], state->keylabel_lens[i]);
		if (isnull)
		{
			appendBinaryStringInfo(&buf, "null", 4);
			continue;
		}
		enlargeStringInfo(&buf, MAXINT8LEN + 1);
		switch (state->keykinds[i])
		{
			case KEY_INT2:
				buf.len += pg_ltoa(DatumGetInt16(value), buf.data + buf.len);
				break;
			case KEY_INT4:
				buf.len += pg_ltoa(DatumGetInt32(value), buf.data + buf.len);
				break;
			case KEY_INT8:
				buf.len += pg_lltoa(DatumGetInt64(value), buf.data + buf.len);
				break;
			case KEY_UUID:
				{
					static const char hex[] = "0123456789abcdef";
					const unsigned char *u = DatumGetUUIDP(value)->data;
					char	   *p;
					int			k;

					enlargeStringInfo(&buf, 2 * UUID_LEN + 6);
					p = buf.data + buf.len;
					*p++ = '"';
					for (k = 0; k < UUID_LEN; k++)
					{
						if (k == 4 || k == 6 || k == 8 || k == 10)
							*p++ = '-';
						*p++ = hex[u[k] >> 4];
						*p++ = hex[u[k] & 0x0f];
					}
					*p++ = '"';
					buf.len = p - buf.data;
				}
				break;
			case KEY_TEXT:
				{
					struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));

					append_json_string(&buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
				}
				break;
			case KEY_GENERIC:
				elog(ERROR, "key column %d has no written form", i + 1);
		}
	}
	appendStringInfoCharMacro(&buf, '}');
	SET_VARSIZE(buf.data, buf.len);
	return PointerGetDatum(buf.data);
}

/* The key of a row as a JSON object of its key columns. */
static Datum
key_to_json(CaptureState *state, HeapTuple tuple, TupleDesc desc)
{
	Datum	   *values;
	bool	   *nulls;
	HeapTuple	keytuple;
	int			i;

	if (state->key_by_hand)
		return key_to_json_by_hand(state, tuple, desc);

	values = palloc(sizeof(Datum) * state->nkeys);
	nulls = palloc(sizeof(bool) * state->nkeys);
	for (i = 0; i < state->nkeys; i++)
		values[i] = heap_getattr(tuple, state->keyattnums[i], desc, &nulls[i]);
	keytuple = heap_form_tuple(state->keydesc, values, nulls);
	return composite_to_json_datum(keytuple, state->keydesc);
}

/* Whether two versions of a row have the same key, compared binary. */
static bool
same_key(CaptureState *state, HeapTuple a, HeapTuple b, TupleDesc desc)
{
	int			i;

	for (i = 0; i < state->nkeys; i++)
	{
		AttrNumber	attno = state->keyattnums[i];
		Form_pg_attribute attr = TupleDescAttr(desc, attno - 1);
		bool		anull,
					bnull;
		Datum		av = heap_getattr(a, attno, desc, &anull);
		Datum		bv = heap_getattr(b, attno, desc, &bnull);

		if (anull != bnull)
			return false;
		if (!anull && !datumIsEqual(av, bv, attr->attbyval, attr->attlen))
			return false;
	}
	return true;
}

/*
 * Open the log, locked until the end of the transaction.  Taking the lock
 * may let in an invalidation of the state: it is then rebuilt, under the
 * lock, which keeps the log's indexes from changing from here on.
 */
static Relation
capture_open_log(CaptureState *state, Relation rel, Trigger *trigger)
{
	for (;;)
	{
		Relation	logrel = table_open(state->logrelid, RowExclusiveLock);

		if (state->valid)
			return logrel;
		table_close(logrel, NoLock);
		while (!state->valid)
			capture_state_build(state, rel, trigger);
	}
}

/* Append one entry to the change log. */
static void
log_change(CaptureState *state, Relation rel, Trigger *trigger,
		   Datum key, bool has_old_row, Datum old_row)
{
	Relation	logrel;
	Datum		values[Natts_change_log];
	bool		nulls[Natts_change_log] = {false};
	HeapTuple	tuple;
	int			i;

	logrel = capture_open_log(state, rel, trigger);

	values[Anum_change_log_txid - 1] = FullTransactionIdGetDatum(GetTopFullTransactionId());
	values[Anum_change_log_relid - 1] = ObjectIdGetDatum(state->relid);
	values[Anum_change_log_seq - 1] = Int64GetDatum(nextval_internal(state->seqrelid, false));
	values[Anum_change_log_key - 1] = key;
	values[Anum_change_log_old_row - 1] = old_row;
	nulls[Anum_change_log_old_row - 1] = !has_old_row;

	tuple = heap_form_tuple(RelationGetDescr(logrel), values, nulls);
	simple_heap_insert(logrel, tuple);

	for (i = 0; i < state->nindexes; i++)
	{
		IndexInfo  *ii = state->indexinfos[i];
		Relation	idx = index_open(state->indexoids[i], RowExclusiveLock);
		Datum		idxvalues[INDEX_MAX_KEYS];
		bool		idxnulls[INDEX_MAX_KEYS];
		int			k;

		for (k = 0; k < ii->ii_NumIndexAttrs; k++)
		{
			AttrNumber	heapattno = ii->ii_IndexAttrNumbers[k];

			idxvalues[k] = values[heapattno - 1];
			idxnulls[k] = nulls[heapattno - 1];
		}
		index_insert(idx, idxvalues, idxnulls, &tuple->t_self, logrel,
					 UNIQUE_CHECK_NO, false, ii);
		index_close(idx, NoLock);
	}
	table_close(logrel, NoLock);
	heap_freetuple(tuple);
}

/* TRUNCATE: log every row of the table as deleted, with its last values. */
static void
capture_truncate(CaptureState *state, Relation rel, Trigger *trigger)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext,
												 "dataexport truncate row",
												 ALLOCSET_DEFAULT_SIZES);
	HeapTuple	tuple;

	/*
	 * The table is locked ACCESS EXCLUSIVE: a fresh snapshot sees every row
	 * that TRUNCATE is about to remove, including this transaction's own.
	 */
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(rowcxt);
		log_change(state, rel, trigger, key_to_json(state, tuple, desc), true,
				   composite_to_json_datum(tuple, desc));
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	MemoryContextDelete(rowcxt);
}

Datum
pgde_capture(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	Trigger    *trigger;
	TupleDesc	desc;
	CaptureState *state;
	TriggerEvent event;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("dataexport._capture() must be called as a trigger")));

	rel = trigdata->tg_relation;
	trigger = trigdata->tg_trigger;
	desc = RelationGetDescr(rel);
	event = trigdata->tg_event;
	state = capture_state_get(fcinfo, rel, trigger);

	if (TRIGGER_FIRED_BY_TRUNCATE(event))
	{
		capture_truncate(state, rel, trigger);
		return PointerGetDatum(NULL);
	}

	if (!TRIGGER_FIRED_FOR_ROW(event) || !TRIGGER_FIRED_AFTER(event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("dataexport._capture() must fire AFTER ... FOR EACH ROW or BEFORE TRUNCATE")));

	if (TRIGGER_FIRED_BY_INSERT(event))
		log_change(state, rel, trigger,
				   key_to_json(state, trigdata->tg_trigtuple, desc), false, (Datum) 0);
	else if (TRIGGER_FIRED_BY_DELETE(event))
		log_change(state, rel, trigger,
				   key_to_json(state, trigdata->tg_trigtuple, desc), true,
				   composite_to_json_datum(trigdata->tg_trigtuple, desc));
	else if (TRIGGER_FIRED_BY_UPDATE(event))
	{
		HeapTuple	oldtuple = trigdata->tg_trigtuple;
		HeapTuple	newtuple = trigdata->tg_newtuple;

		if (!same_key(state, oldtuple, newtuple, desc))
			log_change(state, rel, trigger,
					   key_to_json(state, oldtuple, desc), true,
					   composite_to_json_datum(oldtuple, desc));
		log_change(state, rel, trigger,
				   key_to_json(state, newtuple, desc), false, (Datum) 0);
	}

	return PointerGetDatum(NULL);
}

/*
 * Remove the log entries that no schedule can need any more.
 *
 * An entry is needed while some schedule's last export of its table did not
 * see it.  Entries below the horizon H are visible to every snapshot taken
 * from now on; H is read before the snapshot that reads the schedules'
 * chain, so that a job that commits its snapshot in between is either seen
 * or still holds H back.  Runs in READ COMMITTED; returns entries removed.
 */
int64
capture_prune(void)
{
	TransactionId oldest = GetOldestNonRemovableTransactionId(NULL);
	FullTransactionId next = ReadNextFullTransactionId();
	FullTransactionId horizon;
	Oid			argtypes[1] = {XID8OID};
	Datum		args[1];
	int			ret;
	CatalogAccess catalog;

	/* Widen the 32-bit horizon to 64 bits: it lies at most 2^31 before next. */
	horizon = FullTransactionIdFromU64(U64FromFullTransactionId(next) -
									   (uint32) (XidFromFullTransactionId(next) - oldest));
	args[0] = FullTransactionIdGetDatum(horizon);

	/* The log is the extension's: prune it as the superuser. */
	catalog_access_begin(&catalog);

	/* A fresh statement snapshot, taken after the horizon was read. */
	CommandCounterIncrement();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
								"DELETE FROM dataexport.change_log l"
								"  USING (SELECT e.relation::oid AS relid,"
								"                least($1, (SELECT min(pg_catalog.pg_snapshot_xmin(se.last_snapshot))"
								"                             FROM dataexport.schedule_entity se"
								"                             JOIN dataexport.schedule s USING (schedule_id)"
								"                            WHERE se.entity_type = e.entity_type"
								"                              AND e.entity_type = ANY (s.entity_types))) AS horizon"
								"           FROM dataexport.entity e) h"
								" WHERE l.relid = h.relid AND l.txid < h.horizon",
								1, argtypes, args, NULL, false, 0);
	if (ret != SPI_OK_DELETE)
		elog(ERROR, "could not prune the change log: %s", SPI_result_code_string(ret));
	SPI_finish();
	catalog_access_end(&catalog);
	return (int64) SPI_processed;
}
