/*-------------------------------------------------------------------------
 * capture.c
 *	  Change capture on registered tables, and pruning of the change log.
 *
 * Capture runs inside every write to a registered table, so it is written
 * to be cheap: the trigger dataexport._capture() for UPDATE, DELETE and
 * TRUNCATE, and for INSERT the trigger's WHEN condition
 * dataexport._capture_insert(), which captures without the trigger firing
 * (see "Capture in the WHEN condition" below).  Both form log rows and
 * insert them with the heap and index AMs directly (no SPI, no planner).
 * What they need to know about a table (key columns) and about the log
 * (its layout and indexes, if any) is looked up once per backend and kept
 * until a relcache invalidation says it may have changed; the locks taken
 * on the log are kept until the end of the transaction, as the executor
 * keeps those of the tables it writes.  The log is written whatever the
 * privileges of the writing role: it is not writable through SQL.
 *
 * What is logged, per changed key (SPEC section 7 and 20_entities.sql):
 *	 INSERT				an upsert of the new key (in the WHEN condition)
 *	 UPDATE				an upsert of the key; if the key changed, first a
 *						deletion of the old key with the old row's values
 *	 DELETE				a deletion of the key with the row's last values
 *	 TRUNCATE			a deletion of every row's key with its last values
 * Each log row carries the top-level transaction id, so that a job can tell
 * from its snapshots which rows are new to it (job_runner.c), and holds many
 * entries: keys json[] and, for deletions, old_rows json[].  Upserts are
 * gathered per table and written as one row of dozens of keys, at the end
 * of the statement (COPY FROM's, whose triggers fire outside the executor,
 * at the latest before commit); deletions are written at once, with the
 * next value of change_seq, which orders the deletions of one key.
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
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "storage/procarray.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
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
#define Anum_change_log_keys	4
#define Anum_change_log_old_rows 5

/*
 * Upsert keys are gathered into log rows of at most this many bytes of
 * keys, so that a log row stays below TOAST_TUPLE_THRESHOLD (about 2 kB):
 * inline, uncompressed, one heap tuple and one index entry for dozens of
 * changes.  A single larger key gets a row of its own (and is toasted).
 */
#define UPSERT_BATCH_BYTES		1800

/* A TRUNCATE logs its rows' last values in rows of at most this much. */
#define TRUNCATE_BATCH_ROWS		1000
#define TRUNCATE_BATCH_BYTES	(1024 * 1024)

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
} CaptureState;

/*
 * What the trigger knows about the log itself, shared by every table:
 * rebuilt when a relcache invalidation of the log, its sequence or one of
 * its indexes arrives.  by_entry is the layout of version 0.1 (one key
 * json and one old_row json per row), which the log has until ALTER
 * EXTENSION ... UPDATE: a newer library keeps writing and reading it.
 */
typedef struct LogInfo
{
	bool		valid;
	MemoryContext cxt;
	Oid			logrelid;
	Oid			seqrelid;
	bool		by_entry;
	int			nindexes;
	Oid		   *indexoids;
	IndexInfo **indexinfos;
} LogInfo;

/*
 * Upserts not yet written: the keys of inserted and updated rows, one
 * batch per table and subtransaction, written as one log row when full, at
 * the end of the statement (ExecutorFinish), and at the latest just before
 * commit or prepare.  Upserts need no order among themselves (a job reads
 * their rows from the table), so they can wait; deletions carry an order
 * (seq) and are written at once.
 *
 * A batch is written by the subtransaction that gathered it, so that its
 * log row lives and dies with the changes: a subtransaction that aborts
 * takes its batches away; one that commits hands them to its parent.
 * Batches are kept in order of nesting: a subtransaction's after its
 * parents'.  The keys are laid out as the data of a json[] array: each a
 * 4-byte varlena, padded to 4 bytes.  Everything is in TopTransactionContext.
 */
typedef struct UpsertBatch
{
	SubTransactionId subid;
	Oid			relid;
	int			nkeys;
	StringInfoData data;
} UpsertBatch;

static List *pending_upserts = NIL;

/* Capture states by trigger OID, in CacheMemoryContext. */
static HTAB *capture_states = NULL;
static LogInfo loginfo;

/* Relcache invalidations seen so far (by capture_invalidate). */
static uint64 capture_invalidations = 0;

/* Changes of roles and memberships seen so far. */
static uint64 capture_acl_generation = 0;

static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;

PG_FUNCTION_INFO_V1(pgde_capture);
PG_FUNCTION_INFO_V1(pgde_capture_flush);
PG_FUNCTION_INFO_V1(pgde_capture_insert);

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
	int			i;

	capture_invalidations++;
	if (!OidIsValid(relid) || relid == loginfo.logrelid || relid == loginfo.seqrelid)
		loginfo.valid = false;
	for (i = 0; loginfo.valid && i < loginfo.nindexes; i++)
		if (relid == loginfo.indexoids[i])
			loginfo.valid = false;

	if (capture_states == NULL)
		return;
	hash_seq_init(&status, capture_states);
	while ((state = (CaptureState *) hash_seq_search(&status)) != NULL)
		if (!OidIsValid(relid) || relid == state->relid)
			state->valid = false;
}

/*
 * A change of role membership may change what a role may write: the
 * privileges the WHEN functions checked are checked again (when_state).
 */
static void
capture_membership_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	capture_acl_generation++;
}

static void
capture_register_callback(void)
{
	static bool registered = false;

	if (!registered)
	{
		CacheRegisterRelcacheCallback(capture_invalidate, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, capture_membership_changed, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHOID, capture_membership_changed, (Datum) 0);
		registered = true;
	}
}

/*
 * Build what is known about the log.  Valid only if no invalidation
 * arrived meanwhile (opening a relation lets them in); callers build again
 * until it is.
 */
static void
loginfo_build(void)
{
	MemoryContext old;
	Relation	logrel;
	List	   *indexes;
	ListCell   *lc;
	int			i;
	uint64		invalidations = capture_invalidations;

	capture_register_callback();
	if (loginfo.cxt == NULL)
		loginfo.cxt = AllocSetContextCreate(CacheMemoryContext,
											"dataexport change log",
											ALLOCSET_SMALL_SIZES);
	loginfo.valid = false;
	MemoryContextReset(loginfo.cxt);
	loginfo.logrelid = InvalidOid;
	loginfo.seqrelid = InvalidOid;
	loginfo.nindexes = 0;
	old = MemoryContextSwitchTo(loginfo.cxt);

	loginfo.logrelid = dataexport_relid("change_log");
	loginfo.seqrelid = dataexport_relid("change_seq");

	logrel = table_open(loginfo.logrelid, AccessShareLock);
	loginfo.by_entry =
		(TupleDescAttr(RelationGetDescr(logrel), Anum_change_log_keys - 1)->atttypid == JSONOID);
	indexes = RelationGetIndexList(logrel);
	loginfo.nindexes = list_length(indexes);
	loginfo.indexoids = palloc(sizeof(Oid) * loginfo.nindexes);
	loginfo.indexinfos = palloc(sizeof(IndexInfo *) * loginfo.nindexes);
	i = 0;
	foreach(lc, indexes)
	{
		Relation	idx = index_open(lfirst_oid(lc), AccessShareLock);
		IndexInfo  *ii = BuildIndexInfo(idx);

		if (ii->ii_Expressions != NIL || ii->ii_Predicate != NIL)
			elog(ERROR, "index \"%s\" on the change log is not a plain index",
				 RelationGetRelationName(idx));
		loginfo.indexoids[i] = lfirst_oid(lc);
		loginfo.indexinfos[i] = ii;
		index_close(idx, NoLock);
		i++;
	}
	table_close(logrel, NoLock);

	MemoryContextSwitchTo(old);
	loginfo.valid = (capture_invalidations == invalidations);
}

static void
loginfo_get(void)
{
	while (!loginfo.valid)
		loginfo_build();
}

/*
 * Open the log, locked until the end of the transaction.  Taking the lock
 * may let in an invalidation: what is known of the log is then rebuilt,
 * under the lock, which keeps the log's layout and indexes from changing
 * from here on.
 */
static Relation
log_open(void)
{
	for (;;)
	{
		Relation	logrel;

		loginfo_get();
		logrel = table_open(loginfo.logrelid, RowExclusiveLock);
		if (loginfo.valid)
			return logrel;
		table_close(logrel, NoLock);
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
 * valid only if no invalidation arrived while it was built; the caller
 * builds again until it is.
 */
static void
capture_state_build(CaptureState *state, Relation rel, Trigger *trigger)
{
	MemoryContext old;
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;
	uint64		invalidations = capture_invalidations;

	state->valid = false;
	MemoryContextReset(state->cxt);
	state->relid = InvalidOid;
	old = MemoryContextSwitchTo(state->cxt);

	state->relid = RelationGetRelid(rel);

	if (trigger->tgnargs < 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("trigger \"%s\" on table \"%s\" names no key columns",
						trigger->tgname, RelationGetRelationName(rel)),
				 errhint("Register the table with dataexport.register_entity; do not create this trigger by hand.")));

	if (trigger->tgnargs > INDEX_MAX_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_COLUMNS),
				 errmsg("trigger \"%s\" on table \"%s\" names %d key columns, more than %d",
						trigger->tgname, RelationGetRelationName(rel),
						trigger->tgnargs, INDEX_MAX_KEYS)));
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

	MemoryContextSwitchTo(old);
	state->valid = (capture_invalidations == invalidations);
}

/*
 * The capture trigger of rel for the event (TRIGGER_TYPE_INSERT, ...): an
 * enabled one if there is one, else a disabled one (*enabled false), else
 * NULL.  The triggers register_entity installs are found by their
 * function, whatever they are called and however their events are split
 * among them (0.2 had one trigger for INSERT, UPDATE and DELETE).
 */
static Trigger *
capture_trigger_for(Relation rel, int16 event, bool *enabled)
{
	Oid			funcoid = LookupFuncName(list_make2(makeString(DATAEXPORT_SCHEMA),
													makeString("_capture")),
										 0, NULL, false);
	Trigger    *found = NULL;
	int			i;

	*enabled = false;
	for (i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
	{
		Trigger    *t = &rel->trigdesc->triggers[i];

		if (t->tgfoid != funcoid || !(t->tgtype & event))
			continue;
		found = t;
		if (t->tgenabled == TRIGGER_FIRES_ON_ORIGIN || t->tgenabled == TRIGGER_FIRES_ALWAYS)
		{
			*enabled = true;
			break;
		}
	}
	return found;
}

/*
 * A backend-lifetime table of what capture knows, by OID (the entries'
 * first member), kept valid by the invalidation callbacks.
 */
static HTAB *
capture_hash_create(const char *name, Size entrysize)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = entrysize;
	ctl.hcxt = CacheMemoryContext;
	capture_register_callback();
	return hash_create(name, 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* The state of a capture trigger of rel, built or rebuilt if need be. */
static CaptureState *
capture_state_lookup(Relation rel, Trigger *trigger)
{
	CaptureState *state;
	bool		found;

	if (capture_states == NULL)
		capture_states = capture_hash_create("dataexport capture states",
											 sizeof(CaptureState));
	state = (CaptureState *) hash_search(capture_states, &trigger->tgoid,
										 HASH_ENTER, &found);
	if (!found)
	{
		state->valid = false;
		state->relid = InvalidOid;
		state->cxt = AllocSetContextCreate(CacheMemoryContext,
										   "dataexport capture state",
										   ALLOCSET_SMALL_SIZES);
	}
	while (!state->valid)
		capture_state_build(state, rel, trigger);
	return state;
}

/*
 * The state of the trigger being fired, kept in fn_extra between the rows
 * of a statement, and the last one used between statements.
 */
static CaptureState *
capture_state_get(FunctionCallInfo fcinfo, Relation rel, Trigger *trigger)
{
	static CaptureState *last = NULL;
	CaptureState *state = (CaptureState *) fcinfo->flinfo->fn_extra;

	if (state == NULL || state->tgoid != trigger->tgoid || !state->valid)
	{
		if (last != NULL && last->tgoid == trigger->tgoid && last->valid)
			state = last;
		else
			state = capture_state_lookup(rel, trigger);
		fcinfo->flinfo->fn_extra = state;
		last = state;
	}
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
 * Append a key to buf as a JSON object of its key columns, written as
 * row_to_json writes it: {"id":42}, {"a":"x\"y","b":"1b4e..."}.  values
 * and nulls are the key columns' values, in key order.  Without a
 * composite datum, type output calls or look-ups per row for the common
 * key types; through row_to_json for the others.
 */
static void
append_key_json_values(CaptureState *state, StringInfo buf, Datum *values, bool *nulls)
{
	int			i;

	if (!state->key_by_hand)
	{
		HeapTuple	keytuple = heap_form_tuple(state->keydesc, values, nulls);
		text	   *json = DatumGetTextPP(composite_to_json_datum(keytuple, state->keydesc));

		appendBinaryStringInfo(buf, VARDATA_ANY(json), VARSIZE_ANY_EXHDR(json));
		return;
	}

	appendStringInfoCharMacro(buf, '{');
	for (i = 0; i < state->nkeys; i++)
	{
		Datum		value = values[i];

		if (i > 0)
			appendStringInfoCharMacro(buf, ',');
		appendBinaryStringInfo(buf, state->keylabels[i], state->keylabel_lens[i]);
		if (nulls[i])
		{
			appendBinaryStringInfo(buf, "null", 4);
			continue;
		}
		enlargeStringInfo(buf, MAXINT8LEN + 1);
		switch (state->keykinds[i])
		{
			case KEY_INT2:
				buf->len += pg_ltoa(DatumGetInt16(value), buf->data + buf->len);
				break;
			case KEY_INT4:
				buf->len += pg_ltoa(DatumGetInt32(value), buf->data + buf->len);
				break;
			case KEY_INT8:
				buf->len += pg_lltoa(DatumGetInt64(value), buf->data + buf->len);
				break;
			case KEY_UUID:
				append_uuid(buf, value, true);
				break;
			case KEY_TEXT:
				{
					struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));

					append_json_string(buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
				}
				break;
			case KEY_GENERIC:
				elog(ERROR, "key column %d has no written form", i + 1);
		}
	}
	appendStringInfoCharMacro(buf, '}');
}

/* The key columns of a row, in key order. */
static void
key_values(CaptureState *state, HeapTuple tuple, TupleDesc desc, Datum *values, bool *nulls)
{
	int			i;

	for (i = 0; i < state->nkeys; i++)
		values[i] = heap_getattr(tuple, state->keyattnums[i], desc, &nulls[i]);
}

/* A key (its columns' values, in key order) as a json datum. */
static Datum
key_json_values(CaptureState *state, Datum *values, bool *nulls)
{
	StringInfoData buf;

	/* A json datum is a text: the varlena header goes first. */
	initStringInfo(&buf);
	buf.len = VARHDRSZ;
	append_key_json_values(state, &buf, values, nulls);
	SET_VARSIZE(buf.data, buf.len);
	return PointerGetDatum(buf.data);
}

/* The key of a row as a json datum. */
static Datum
key_to_json(CaptureState *state, HeapTuple tuple, TupleDesc desc)
{
	Datum		values[INDEX_MAX_KEYS];
	bool		nulls[INDEX_MAX_KEYS];

	key_values(state, tuple, desc, values, nulls);
	return key_json_values(state, values, nulls);
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

/* ------------------------------------------------------------------------
 * Writing log rows
 * ------------------------------------------------------------------------
 */

/* Insert one log row, with its index entries. */
static void
log_insert(Datum *values, bool *nulls)
{
	Relation	logrel = log_open();
	HeapTuple	tuple;
	int			i;

	tuple = heap_form_tuple(RelationGetDescr(logrel), values, nulls);
	simple_heap_insert(logrel, tuple);

	for (i = 0; i < loginfo.nindexes; i++)
	{
		IndexInfo  *ii = loginfo.indexinfos[i];
		Relation	idx = index_open(loginfo.indexoids[i], RowExclusiveLock);
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

/*
 * Insert one log row of relid: keys, and old_rows (or none: upserts).  A
 * row of deletions takes the next value of the sequence, which orders the
 * deletions of a key; upserts need none (the 0.1 layout gives every row
 * one).
 */
static void
log_row(Oid relid, Datum keys, Datum old_rows, bool has_old_rows)
{
	Datum		values[Natts_change_log];
	bool		nulls[Natts_change_log] = {false};
	bool		with_seq = has_old_rows || loginfo.by_entry;

	values[Anum_change_log_txid - 1] = FullTransactionIdGetDatum(GetTopFullTransactionId());
	values[Anum_change_log_relid - 1] = ObjectIdGetDatum(relid);
	values[Anum_change_log_seq - 1] =
		with_seq ? Int64GetDatum(nextval_internal(loginfo.seqrelid, false)) : (Datum) 0;
	nulls[Anum_change_log_seq - 1] = !with_seq;
	values[Anum_change_log_keys - 1] = keys;
	values[Anum_change_log_old_rows - 1] = old_rows;
	nulls[Anum_change_log_old_rows - 1] = !has_old_rows;
	log_insert(values, nulls);
}

/*
 * Write n entries of relid: keys, and for deletions their last values
 * (old_rows NULL for upserts), as one log row; in the 0.1 layout, a row
 * each.
 */
static void
log_write(Oid relid, int n, Datum *keys, Datum *old_rows)
{
	ArrayType  *keyarr;
	ArrayType  *oldarr = NULL;
	int			i;

	loginfo_get();
	if (loginfo.by_entry)
	{
		for (i = 0; i < n; i++)
			log_row(relid, keys[i], old_rows ? old_rows[i] : (Datum) 0, old_rows != NULL);
		return;
	}

	keyarr = construct_array(keys, n, JSONOID, -1, false, TYPALIGN_INT);
	if (old_rows)
		oldarr = construct_array(old_rows, n, JSONOID, -1, false, TYPALIGN_INT);
	log_row(relid, PointerGetDatum(keyarr), PointerGetDatum(oldarr), old_rows != NULL);
	pfree(keyarr);
	if (oldarr)
		pfree(oldarr);
}

/* Write a batch of upserts and empty it. */
static void
upsert_batch_write(UpsertBatch *batch)
{
	ArrayType  *keys;
	Size		nbytes;

	if (batch->nkeys == 0)
		return;
	loginfo_get();
	if (loginfo.by_entry)
	{
		/* The 0.1 layout: a row per key. */
		Datum	   *each = palloc(sizeof(Datum) * batch->nkeys);
		char	   *p = batch->data.data;
		int			i;

		for (i = 0; i < batch->nkeys; i++)
		{
			each[i] = PointerGetDatum(p);
			p += INTALIGN(VARSIZE(p));
		}
		log_write(batch->relid, batch->nkeys, each, NULL);
		pfree(each);
	}
	else
	{
		/* The gathered keys are already the data of a json[] array. */
		nbytes = ARR_OVERHEAD_NONULLS(1) + batch->data.len;
		keys = (ArrayType *) palloc0(nbytes);
		SET_VARSIZE(keys, nbytes);
		keys->ndim = 1;
		keys->dataoffset = 0;
		keys->elemtype = JSONOID;
		ARR_DIMS(keys)[0] = batch->nkeys;
		ARR_LBOUND(keys)[0] = 1;
		memcpy(ARR_DATA_PTR(keys), batch->data.data, batch->data.len);
		log_row(batch->relid, PointerGetDatum(keys), (Datum) 0, false);
		pfree(keys);
	}
	batch->nkeys = 0;
	resetStringInfo(&batch->data);
}

/* The open batch of relid in the current subtransaction, made if need be. */
static UpsertBatch *
upsert_batch_get(Oid relid)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	UpsertBatch *batch;
	MemoryContext old;
	int			i;

	/* The current subtransaction's batches are the last ones. */
	for (i = list_length(pending_upserts) - 1; i >= 0; i--)
	{
		batch = (UpsertBatch *) list_nth(pending_upserts, i);
		if (batch->subid != subid)
			break;
		if (batch->relid == relid)
			return batch;
	}

	old = MemoryContextSwitchTo(TopTransactionContext);
	batch = palloc(sizeof(UpsertBatch));
	batch->subid = subid;
	batch->relid = relid;
	batch->nkeys = 0;
	initStringInfo(&batch->data);
	pending_upserts = lappend(pending_upserts, batch);
	MemoryContextSwitchTo(old);
	return batch;
}

/*
 * Log an upsert of a key (its columns' values, in key order): gathered into
 * the table's batch, which is written when full.
 */
static void
log_upsert_values(CaptureState *state, Datum *values, bool *nulls)
{
	UpsertBatch *batch;
	StringInfo	buf;
	int			start;
	int			len;

	loginfo_get();
	if (loginfo.by_entry)
	{
		/* The 0.1 layout: a row per key, written at once. */
		Datum		key = key_json_values(state, values, nulls);

		log_write(state->relid, 1, &key, NULL);
		pfree(DatumGetPointer(key));
		return;
	}

	batch = upsert_batch_get(state->relid);
	buf = &batch->data;
	start = buf->len;

	/* A json varlena, as an element of the array: header, text, padding. */
	enlargeStringInfo(buf, VARHDRSZ);
	buf->len += VARHDRSZ;
	append_key_json_values(state, buf, values, nulls);
	len = buf->len - start;
	SET_VARSIZE(buf->data + start, len);
	enlargeStringInfo(buf, sizeof(int32));
	while (buf->len % sizeof(int32) != 0)
		buf->data[buf->len++] = '\0';
	buf->data[buf->len] = '\0';
	batch->nkeys++;

	/*
	 * A full batch is written at once, but never in parallel mode, where
	 * inserts are refused (no write runs in it in PostgreSQL 15): the batch
	 * then grows until the statement's end.
	 */
	if (buf->len > UPSERT_BATCH_BYTES && !IsInParallelMode())
	{
		if (batch->nkeys == 1)
			upsert_batch_write(batch);
		else
		{
			/* Write the others; this key starts the next row. */
			int			elemlen = buf->len - start;
			char	   *elem = palloc(elemlen);

			memcpy(elem, buf->data + start, elemlen);
			buf->len = start;
			batch->nkeys--;
			upsert_batch_write(batch);
			appendBinaryStringInfo(buf, elem, elemlen);
			batch->nkeys = 1;
			pfree(elem);
			if (buf->len > UPSERT_BATCH_BYTES)
				upsert_batch_write(batch);
		}
	}
}

/* Log an upsert of the row's key. */
static void
log_upsert(CaptureState *state, HeapTuple tuple, TupleDesc desc)
{
	Datum		values[INDEX_MAX_KEYS];
	bool		nulls[INDEX_MAX_KEYS];

	key_values(state, tuple, desc, values, nulls);
	log_upsert_values(state, values, nulls);
}

/* Log a deletion of the row's key with its last values, at once. */
static void
log_deletion(CaptureState *state, HeapTuple tuple, TupleDesc desc)
{
	Datum		key = key_to_json(state, tuple, desc);
	Datum		old_row = composite_to_json_datum(tuple, desc);

	log_write(state->relid, 1, &key, &old_row);
}

/* Forget the last pending batch (written or not). */
static void
pending_drop_last(void)
{
	UpsertBatch *batch = (UpsertBatch *) llast(pending_upserts);

	pending_upserts = list_delete_last(pending_upserts);
	pfree(batch->data.data);
	pfree(batch);
}

/*
 * Write the pending upserts of the current subtransaction (all of them,
 * with all = true, at commit).
 */
static void
capture_flush(bool all)
{
	SubTransactionId subid = GetCurrentSubTransactionId();

	while (pending_upserts != NIL)
	{
		UpsertBatch *batch = (UpsertBatch *) llast(pending_upserts);

		if (!all && batch->subid != subid)
			break;
		upsert_batch_write(batch);
		pending_drop_last();
	}
}

static void
capture_ExecutorFinish(QueryDesc *queryDesc)
{
	if (prev_ExecutorFinish)
		prev_ExecutorFinish(queryDesc);
	else
		standard_ExecutorFinish(queryDesc);

	/*
	 * The statement's AFTER triggers have fired: write what they gathered.
	 * Never while in parallel mode, where inserts are refused (PostgreSQL
	 * 15 leaves it before ExecutorFinish; the check keeps us from relying
	 * on that): the next statement's end or the commit writes them.
	 */
	if (pending_upserts != NIL && !IsInParallelMode())
		capture_flush(false);
}

static void
capture_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			/* Deferred triggers have fired; nothing can change rows now. */
			capture_flush(true);
			break;
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
			break;
		default:
			/* The batches were in TopTransactionContext, gone or going. */
			pending_upserts = NIL;
			break;
	}
}

static void
capture_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	switch (event)
	{
		case SUBXACT_EVENT_ABORT_SUB:
			/* Its changes are gone: so are their batches. */
			while (pending_upserts != NIL &&
				   ((UpsertBatch *) llast(pending_upserts))->subid >= mySubid)
				pending_drop_last();
			break;
		case SUBXACT_EVENT_COMMIT_SUB:
			/* Its changes are its parent's now: so are their batches. */
			foreach(lc, pending_upserts)
			{
				UpsertBatch *batch = (UpsertBatch *) lfirst(lc);

				if (batch->subid == mySubid)
					batch->subid = parentSubid;
			}
			break;
		default:
			break;
	}
}

/* Set up the end-of-statement and end-of-transaction writes (_PG_init). */
void
capture_init(void)
{
	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = capture_ExecutorFinish;
	RegisterXactCallback(capture_xact_callback, NULL);
	RegisterSubXactCallback(capture_subxact_callback, NULL);
}

/*
 * dataexport._capture_flush(): write the pending upserts of the current
 * subtransaction now (unregister_entity, before it removes a table's log).
 */
Datum
pgde_capture_flush(PG_FUNCTION_ARGS)
{
	capture_flush(false);
	PG_RETURN_VOID();
}

/*
 * Unpack one log row into the tuplestore as (seq, key, old_row) entries,
 * in either layout.
 */
void
capture_put_entries(TupleTableSlot *slot, Tuplestorestate *store, TupleDesc outdesc)
{
	Datum		values[3];
	bool		nulls[3];
	bool		keysnull;
	bool		oldnull;
	Datum		keys;
	Datum		old_rows;
	Datum	   *keyv;
	Datum	   *oldv = NULL;
	int			nkeys;
	int			nold = 0;
	int			i;

	values[0] = slot_getattr(slot, Anum_change_log_seq, &nulls[0]);
	keys = slot_getattr(slot, Anum_change_log_keys, &keysnull);
	old_rows = slot_getattr(slot, Anum_change_log_old_rows, &oldnull);
	if (keysnull)
		return;

	if (TupleDescAttr(slot->tts_tupleDescriptor, Anum_change_log_keys - 1)->atttypid == JSONOID)
	{
		values[1] = keys;
		nulls[1] = false;
		values[2] = old_rows;
		nulls[2] = oldnull;
		tuplestore_putvalues(store, outdesc, values, nulls);
		return;
	}

	deconstruct_array(DatumGetArrayTypeP(keys), JSONOID, -1, false, TYPALIGN_INT,
					  &keyv, NULL, &nkeys);
	if (!oldnull)
	{
		deconstruct_array(DatumGetArrayTypeP(old_rows), JSONOID, -1, false, TYPALIGN_INT,
						  &oldv, NULL, &nold);
		if (nold != nkeys)
			elog(ERROR, "change log row has %d keys and %d old rows", nkeys, nold);
	}
	for (i = 0; i < nkeys; i++)
	{
		values[1] = keyv[i];
		nulls[1] = false;
		values[2] = oldv ? oldv[i] : (Datum) 0;
		nulls[2] = (oldv == NULL);
		tuplestore_putvalues(store, outdesc, values, nulls);
	}
}

/*
 * TRUNCATE: log every row of the table as deleted, with its last values,
 * in rows of many entries.
 */
static void
capture_truncate(CaptureState *state, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);
	MemoryContext batchcxt = AllocSetContextCreate(CurrentMemoryContext,
												   "dataexport truncate batch",
												   ALLOCSET_DEFAULT_SIZES);
	Datum	   *keys = palloc(sizeof(Datum) * TRUNCATE_BATCH_ROWS);
	Datum	   *old_rows = palloc(sizeof(Datum) * TRUNCATE_BATCH_ROWS);
	int			n = 0;
	Size		bytes = 0;
	HeapTuple	tuple;

	/*
	 * The table is locked ACCESS EXCLUSIVE: a fresh snapshot sees every row
	 * that TRUNCATE is about to remove, including this transaction's own.
	 */
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(batchcxt);
		keys[n] = key_to_json(state, tuple, desc);
		old_rows[n] = composite_to_json_datum(tuple, desc);
		bytes += VARSIZE(DatumGetPointer(keys[n])) + VARSIZE(DatumGetPointer(old_rows[n]));
		n++;
		if (n == TRUNCATE_BATCH_ROWS || bytes >= TRUNCATE_BATCH_BYTES)
		{
			log_write(state->relid, n, keys, old_rows);
			n = 0;
			bytes = 0;
			MemoryContextSwitchTo(old);
			MemoryContextReset(batchcxt);
		}
		else
			MemoryContextSwitchTo(old);
	}
	if (n > 0)
		log_write(state->relid, n, keys, old_rows);
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	MemoryContextDelete(batchcxt);
	pfree(keys);
	pfree(old_rows);
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
		capture_truncate(state, rel);
		return PointerGetDatum(NULL);
	}

	if (!TRIGGER_FIRED_FOR_ROW(event) || !TRIGGER_FIRED_AFTER(event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("dataexport._capture() must fire AFTER ... FOR EACH ROW or BEFORE TRUNCATE")));

	if (TRIGGER_FIRED_BY_INSERT(event))
		log_upsert(state, trigdata->tg_trigtuple, desc);
	else if (TRIGGER_FIRED_BY_DELETE(event))
		log_deletion(state, trigdata->tg_trigtuple, desc);
	else if (TRIGGER_FIRED_BY_UPDATE(event))
	{
		HeapTuple	oldtuple = trigdata->tg_trigtuple;
		HeapTuple	newtuple = trigdata->tg_newtuple;

		if (!same_key(state, oldtuple, newtuple, desc))
			log_deletion(state, oldtuple, desc);
		log_upsert(state, newtuple, desc);
	}

	return PointerGetDatum(NULL);
}

/* ------------------------------------------------------------------------
 * Capture in the WHEN condition of the INSERT trigger
 *
 * An AFTER ROW trigger costs PostgreSQL an event queued per row and the row
 * fetched again by its TID when the event fires at the end of the
 * statement.  Its WHEN condition, though, is evaluated as soon as the row is
 * written, on the row in hand, and when it is false nothing is queued
 * (CREATE TRIGGER: "it is not necessary to queue an event nor to re-fetch
 * the row").  So register_entity gives the INSERT capture trigger a WHEN
 * condition that does the capture itself, and is false:
 *
 *	 AFTER INSERT ... WHEN (dataexport._capture_insert('t'::regclass, NEW.k1, ...))
 *
 * The condition is compiled once per statement, which costs more than the
 * queue and the re-fetch of one row (about five rows' worth, counted with
 * make bench-instructions): a bulk INSERT or COPY gains, a single-row
 * INSERT loses a little.  UPDATE keeps a trigger without a condition: the
 * single-row UPDATE transactions that issue 6 measures would lose more
 * than bulk UPDATEs gain (test/bench/RESULTS.md).
 * ------------------------------------------------------------------------
 */

/*
 * What _capture_insert knows of a table, kept across statements in
 * when_tables: the state of its INSERT capture trigger, and the role found
 * allowed to insert into the table.  Valid while the state is (a GRANT or
 * REVOKE on the table invalidates its relcache entry, and so the state) and
 * no role or membership changed.
 */
typedef struct WhenTable
{
	Oid			relid;			/* hash key: the table */
	CaptureState *state;
	Oid			userid;
	uint64		acl_generation;
} WhenTable;

static HTAB *when_tables = NULL;

/*
 * The capture state behind a call of _capture_insert: found from the table
 * (the first argument) and its INSERT capture trigger.  The function is
 * open to every role (every writer of a registered table evaluates it), so
 * a call made by hand is held to what a write could do: the caller must be
 * allowed to INSERT into the table, and the arguments must have the key
 * columns' types.  Such a call logs a key as changed; a job then exports
 * that key's current row, if it has one, as an insert would have made it
 * do.  Checked once per statement (fn_extra marks the call site as
 * checked) and per role; the table's state is looked up once per backend.
 */
/* Whether wt holds a state checked for userid, still valid. */
static inline bool
when_table_valid(WhenTable *wt, Oid userid)
{
	return wt->state != NULL && wt->state->valid && wt->userid == userid &&
		wt->acl_generation == capture_acl_generation;
}

static CaptureState *
when_state(FunctionCallInfo fcinfo)
{
	WhenTable  *wt = (WhenTable *) fcinfo->flinfo->fn_extra;
	Oid			userid = GetUserId();
	Oid			relid;
	bool		found;
	CaptureState *state;
	int			nargs;
	int			i;

	if (wt != NULL && when_table_valid(wt, userid))
		return wt->state;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation must not be null")));
	if (when_tables == NULL)
		when_tables = capture_hash_create("dataexport capture tables",
										  sizeof(WhenTable));
	relid = PG_GETARG_OID(0);
	wt = (WhenTable *) hash_search(when_tables, &relid, HASH_ENTER, &found);
	if (!found)
		wt->state = NULL;

	if (!when_table_valid(wt, userid))
	{
		uint64		acl_generation = capture_acl_generation;
		Relation	rel;
		Trigger    *trigger;
		bool		enabled;

		wt->state = NULL;
		rel = try_table_open(relid, AccessShareLock);
		if (rel == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation with OID %u does not exist", relid)));
		if (pg_class_aclcheck(relid, userid, ACL_INSERT) != ACLCHECK_OK &&
			pg_attribute_aclcheck_all(relid, userid, ACL_INSERT, ACLMASK_ANY) != ACLCHECK_OK)
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));

		trigger = capture_trigger_for(rel, TRIGGER_TYPE_INSERT, &enabled);
		if (trigger == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" has no capture trigger for INSERT",
							RelationGetRelationName(rel)),
					 errhint("dataexport._capture_insert() is called by the WHEN condition of the trigger that dataexport.register_entity installs.")));
		state = capture_state_lookup(rel, trigger);
		table_close(rel, NoLock);
		wt->userid = userid;
		wt->acl_generation = acl_generation;
		wt->state = state;
	}
	state = wt->state;

	nargs = PG_NARGS();
	if (nargs != 1 + state->nkeys)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dataexport._capture_insert() for table \"%s\" takes %d key values, not %d",
						get_rel_name(state->relid), state->nkeys, nargs - 1)));
	for (i = 1; i < nargs; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(state->keydesc, i - 1);

		if (get_fn_expr_argtype(fcinfo->flinfo, i) != attr->atttypid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("argument %d of dataexport._capture_insert() is not of the type of key column \"%s\" of table \"%s\"",
							i + 1, NameStr(attr->attname), get_rel_name(state->relid))));
	}

	/* This call site is checked: its next rows skip all of the above. */
	fcinfo->flinfo->fn_extra = wt;
	return state;
}

/*
 * dataexport._capture_insert(relation regclass, VARIADIC key "any"): the
 * WHEN condition of the INSERT capture trigger.  Gathers the new row's key;
 * always false.
 */
Datum
pgde_capture_insert(PG_FUNCTION_ARGS)
{
	CaptureState *state = when_state(fcinfo);
	Datum		values[INDEX_MAX_KEYS];
	bool		nulls[INDEX_MAX_KEYS];
	int			i;

	for (i = 0; i < state->nkeys; i++)
	{
		nulls[i] = PG_ARGISNULL(1 + i);
		values[i] = nulls[i] ? (Datum) 0 : PG_GETARG_DATUM(1 + i);
	}
	log_upsert_values(state, values, nulls);
	PG_RETURN_BOOL(false);
}

/*
 * Check that every change to the table is being captured: its capture
 * triggers for INSERT, UPDATE, DELETE and TRUNCATE are all there and fire
 * in ordinary sessions.  An export job checks before it exports a delta,
 * so that a trigger dropped (DROP TRIGGER, or DROP COLUMN ... CASCADE of a
 * key column, on which the INSERT trigger's WHEN condition depends) or
 * disabled (ALTER TABLE ... DISABLE TRIGGER) fails the job instead of
 * leaving changes out of its files without a word.  The caller holds a
 * lock on the table.
 */
void
capture_check_triggers(Oid relid)
{
	static const struct
	{
		int16		type;
		const char *event;
	}			events[] = {
		{TRIGGER_TYPE_INSERT, "INSERT"},
		{TRIGGER_TYPE_UPDATE, "UPDATE"},
		{TRIGGER_TYPE_DELETE, "DELETE"},
		{TRIGGER_TYPE_TRUNCATE, "TRUNCATE"},
	};
	Relation	rel = table_open(relid, NoLock);
	int			e;

	for (e = 0; e < lengthof(events); e++)
	{
		bool		enabled;
		Trigger    *trigger = capture_trigger_for(rel, events[e].type, &enabled);

		if (trigger == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the capture trigger for %s on table \"%s\" is missing",
							events[e].event, RelationGetRelationName(rel)),
					 errdetail("Changes to the table are not all being captured: a delta would miss some."),
					 errhint("Unregister and register the entity type again (dropping a key column with CASCADE drops the INSERT trigger).")));
		if (!enabled)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the capture trigger for %s on table \"%s\" (%s) is disabled",
							events[e].event, RelationGetRelationName(rel), trigger->tgname),
					 errdetail("Changes to the table are not all being captured: a delta would miss some."),
					 errhint("ALTER TABLE %s ENABLE TRIGGER %s; changes made while it was disabled are not in the log.",
							 quote_identifier(RelationGetRelationName(rel)),
							 quote_identifier(trigger->tgname))));
	}
	table_close(rel, NoLock);
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
