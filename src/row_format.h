/*-------------------------------------------------------------------------
 * row_format.h
 *	  Turning one exported row into a CSV record or a JSON Lines object.
 *
 * The job runner builds a RowFormat once per entity type and export (as
 * COPY TO looks up output functions once per column), then calls
 * csv_append_row or json_append_row for every row.  The text produced does
 * not depend on any session setting (TimeZone, DateStyle, IntervalStyle,
 * extra_float_digits, bytea_output): SPEC section 6.
 *
 * value_format.c owns the text of one value; csv_writer.c and json_writer.c
 * own the framing of a record.  None of them touches files: the caller hands
 * a StringInfo and writes it out (file_store.c).
 *-------------------------------------------------------------------------
 */
#ifndef ROW_FORMAT_H
#define ROW_FORMAT_H

#include "postgres.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "lib/stringinfo.h"

/* How value_format.c renders a column; chosen once per column. */
typedef enum ValueKind
{
	VK_TEXT,					/* a string without calling the output function:
								 * text, varchar, char(n), uuid */
	VK_INT,						/* int2/int4/int8/oid: JSON number */
	VK_FLOAT,					/* float4/float8: shortest exact form; NaN,
								 * Infinity, -Infinity as strings */
	VK_NUMERIC,					/* numeric: digits exactly; NaN, Infinity,
								 * -Infinity as strings */
	VK_BOOL,					/* true / false */
	VK_TIMESTAMPTZ,				/* ISO 8601 UTC with Z */
	VK_TIMESTAMP,				/* ISO 8601 without zone */
	VK_DATE,					/* YYYY-MM-DD */
	VK_TIME,					/* HH:MM:SS[.ffffff] */
	VK_TIMETZ,					/* HH:MM:SS[.ffffff]+HH:MM[:SS] */
	VK_INTERVAL,				/* ISO 8601 duration, as IntervalStyle
								 * iso_8601 prints it */
	VK_JSON,					/* json/jsonb: embedded as JSON */
	VK_BYTEA,					/* base64 string */
	VK_ARRAY,					/* JSON array of its elements */
	VK_COMPOSITE,				/* JSON object of its fields */
	VK_OTHER					/* type output function, as a JSON string: name,
								 * enums, inet, ranges, money, xml... */
} ValueKind;

typedef struct ColumnFormat
{
	const char *name;			/* column name (NULL for an array element) */
	const char *json_key;		/* the name as a JSON key: "name": */
	int			json_key_len;
	AttrNumber	attnum;			/* 1-based position in the tuple */
	Oid			typid;			/* base type (domains resolved) */
	ValueKind	kind;
	FmgrInfo	outfunc;		/* the type's output function (VK_OTHER) */
	/* For VK_ARRAY: the element's format; for VK_COMPOSITE: its fields. */
	struct ColumnFormat *elem;
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	struct RowFormat *fields;
} ColumnFormat;

typedef struct RowFormat
{
	int			ncolumns;		/* non-dropped columns, in table order */
	ColumnFormat *columns;
	TupleDesc	tupdesc;		/* the descriptor it was built for */
} RowFormat;

/*
 * Build the format of every non-dropped column of tupdesc (which is
 * copied), in mcxt.  Type output functions are looked up here, never per
 * row.
 */
extern RowFormat *row_format_create(TupleDesc tupdesc, MemoryContext mcxt);

/*
 * Append one value as JSON (json = true) or as the unquoted text of a CSV
 * field (json = false; the caller quotes it).  A NULL is JSON null, or
 * nothing at all for CSV.
 *
 * This and the row functions below allocate (detoasted values, the output
 * of numeric_out and of VK_OTHER output functions) in CurrentMemoryContext:
 * call them in a per-row context that is reset after each row.
 */
extern void value_append(StringInfo buf, const ColumnFormat *col,
						 Datum value, bool isnull, bool json);

/*
 * Append s (len bytes of UTF-8, the database encoding) as a JSON string,
 * quotes included, escaping what RFC 8259 requires.
 */
extern void append_json_string(StringInfo buf, const char *s, int len);

/* Append a uuid as uuid_out writes it; as a JSON string if json. */
extern void append_uuid(StringInfo buf, Datum value, bool json);

/*
 * Pin the settings that type output functions read (TimeZone = UTC,
 * DateStyle = ISO, IntervalStyle = iso_8601, extra_float_digits = 1,
 * bytea_output = hex), so that the types value_format.c leaves to their
 * output function (ranges of timestamps, geometric types...) do not follow
 * the session either.  The values are saved at the caller's GUC nest level:
 * call it between NewGUCNestLevel() and AtEOXact_GUC(), around the export.
 */
extern void row_format_pin_settings(void);

/* The CSV header line: the columns, then "deleted", then "\n". */
extern void csv_append_header(StringInfo buf, const RowFormat *fmt);

/*
 * One CSV record (RFC 4180 quoting, "\n" at the end): the columns of the
 * row in table order, then deleted.  values/isnull are indexed by
 * attnum - 1 over the whole descriptor, dropped columns included.
 */
extern void csv_append_row(StringInfo buf, const RowFormat *fmt,
						   Datum *values, bool *isnull, bool deleted);

/* One JSON object and "\n"; keys are the column names, then "deleted". */
extern void json_append_row(StringInfo buf, const RowFormat *fmt,
							Datum *values, bool *isnull, bool deleted);

#endif							/* ROW_FORMAT_H */
