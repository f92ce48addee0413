/*-------------------------------------------------------------------------
 * value_format.c
 *	  The text of one exported value, as JSON or as an (unquoted) CSV field.
 *
 * This file owns what a value looks like in an export file (SPEC section
 * 6); csv_writer.c and json_writer.c own the framing of a record, and
 * nothing here touches files.
 *
 * Nothing written here may depend on a session setting.  The common types
 * are therefore formatted here rather than by their output functions, which
 * follow TimeZone, DateStyle, IntervalStyle, extra_float_digits and
 * bytea_output.  Doing it here is also what makes the writers fast: the
 * per-row path looks nothing up and allocates nothing beyond detoasting and
 * the output functions of the rarer types (numeric, enums, ranges...), all
 * in the caller's per-row memory context.
 *
 * The text written, by type (JSON form; a CSV field holds the same text
 * without the quotes of a JSON string):
 *	 int2, int4, int8, oid	 digits: 42, -7
 *	 float4, float8			 shortest exact form (float8out with
 *							 extra_float_digits = 1): 0.1, 1e+100, -0;
 *							 NaN and infinities as "NaN", "Infinity",
 *							 "-Infinity"
 *	 numeric				 digits as numeric_out prints them: 2.50;
 *							 "NaN", "Infinity", "-Infinity" as strings
 *	 bool					 true, false
 *	 timestamptz			 "2024-06-01T10:00:00Z", in UTC; a fraction only
 *							 when non-zero, without trailing zeros:
 *							 "2024-06-01T10:00:00.5Z"
 *	 timestamp				 the same without Z
 *	 date					 "2024-06-01"
 *	 (all three)			 "infinity", "-infinity"; years are ISO 8601
 *							 astronomical years: 1 BC is 0000, 44 BC is
 *							 -0043, and years past 9999 carry a sign:
 *							 +10000
 *	 time					 "10:00:00", "10:00:00.25", "24:00:00"
 *	 timetz					 "10:00:00+05:30", "10:00:00-08:00", always
 *							 +HH:MM (and :SS when the offset has seconds)
 *	 interval				 as IntervalStyle iso_8601 prints it: "P1Y2M",
 *							 "P1DT2H", "PT0S", "P-1DT2H", "PT-0.5S"
 *	 uuid, text, varchar,	 the string
 *	 char(n)
 *	 json					 the text as stored, CR and LF (which can only be
 *							 white space between tokens) each made a space
 *	 jsonb					 its canonical text
 *	 bytea					 base64 (RFC 4648, padded, no line breaks)
 *	 arrays					 JSON arrays, elements formatted by their type,
 *							 nested for more dimensions, lower bounds
 *							 dropped: [[1,null],[3,4]]
 *	 composite types		 JSON objects keyed by field name
 *	 anything else			 its output function's text as a string (enums,
 *							 inet, ranges...), under the settings that
 *							 row_format_pin_settings pins; money follows
 *							 lc_monetary, which is not pinned
 *
 * A json or jsonb value that is JSON null and an SQL NULL are both null in
 * JSON Lines; CSV tells them apart (null against an empty field).
 *
 * The database encoding is assumed to be UTF8: strings are copied byte for
 * byte.  Converting other encodings is the caller's business.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/shortest_dec.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

#include "row_format.h"

/* Room for the longest date/time/interval text written below, quotes too. */
#define DATETIME_TEXT_MAX	96

static RowFormat *row_format_build(TupleDesc tupdesc, MemoryContext mcxt);
static void column_format_init(ColumnFormat *col, const char *name,
							   AttrNumber attnum, Oid typid,
							   MemoryContext mcxt);

/* ---------------------------------------------------------------------
 * Building the format: everything looked up once per column.
 * ---------------------------------------------------------------------
 */

static ValueKind
value_kind_of(Oid typid)
{
	switch (typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
			return VK_INT;
		case FLOAT4OID:
		case FLOAT8OID:
			return VK_FLOAT;
		case NUMERICOID:
			return VK_NUMERIC;
		case BOOLOID:
			return VK_BOOL;
		case TIMESTAMPTZOID:
			return VK_TIMESTAMPTZ;
		case TIMESTAMPOID:
			return VK_TIMESTAMP;
		case DATEOID:
			return VK_DATE;
		case TIMEOID:
			return VK_TIME;
		case TIMETZOID:
			return VK_TIMETZ;
		case INTERVALOID:
			return VK_INTERVAL;
		case JSONOID:
		case JSONBOID:
			return VK_JSON;
		case BYTEAOID:
			return VK_BYTEA;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:			/* bpcharout prints the padded value as is */
		case UUIDOID:
			return VK_TEXT;
		default:
			break;
	}
	if (OidIsValid(get_element_type(typid)))
		return VK_ARRAY;
	if (get_typtype(typid) == TYPTYPE_COMPOSITE)
		return VK_COMPOSITE;
	return VK_OTHER;
}

static void
column_format_init(ColumnFormat *col, const char *name, AttrNumber attnum,
				   Oid typid, MemoryContext mcxt)
{
	Oid			outfunc;
	bool		isvarlena;

	check_stack_depth();		/* nested arrays and composites recurse */

	col->attnum = attnum;
	col->typid = getBaseType(typid);
	col->kind = value_kind_of(col->typid);
	if (name != NULL)
	{
		StringInfoData key;

		col->name = pstrdup(name);
		initStringInfo(&key);
		append_json_string(&key, name, strlen(name));
		appendStringInfoChar(&key, ':');
		col->json_key = key.data;
		col->json_key_len = key.len;
	}

	getTypeOutputInfo(col->typid, &outfunc, &isvarlena);
	fmgr_info_cxt(outfunc, &col->outfunc, mcxt);

	if (col->kind == VK_ARRAY)
	{
		Oid			elemtype = get_element_type(col->typid);

		get_typlenbyvalalign(elemtype, &col->elmlen, &col->elmbyval,
							 &col->elmalign);
		col->elem = palloc0(sizeof(ColumnFormat));
		column_format_init(col->elem, NULL, 0, elemtype, mcxt);
	}
	else if (col->kind == VK_COMPOSITE)
	{
		TupleDesc	fields = lookup_rowtype_tupdesc_copy(col->typid, -1);

		col->fields = row_format_build(fields, mcxt);
	}
}

/* Build in the current memory context (which is mcxt). */
static RowFormat *
row_format_build(TupleDesc tupdesc, MemoryContext mcxt)
{
	RowFormat  *fmt = palloc0(sizeof(RowFormat));
	int			i;

	fmt->tupdesc = tupdesc;
	fmt->columns = palloc0(sizeof(ColumnFormat) * Max(tupdesc->natts, 1));
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);

		if (attr->attisdropped)
			continue;
		column_format_init(&fmt->columns[fmt->ncolumns++],
						   NameStr(attr->attname), attr->attnum,
						   attr->atttypid, mcxt);
	}
	return fmt;
}

RowFormat *
row_format_create(TupleDesc tupdesc, MemoryContext mcxt)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(mcxt);
	RowFormat  *fmt;

	fmt = row_format_build(CreateTupleDescCopy(tupdesc), mcxt);
	MemoryContextSwitchTo(oldcxt);
	return fmt;
}

/* ---------------------------------------------------------------------
 * Strings
 * ---------------------------------------------------------------------
 */

/* A varlena, detoasted only if it must be (short headers stay). */
static inline struct varlena *
detoast_packed(Datum value)
{
	return pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));
}

/* Bytes that RFC 8259 forbids raw inside a string: controls, " and \. */
static const bool json_escaped_byte[256] = {
	true, true, true, true, true, true, true, true,
	true, true, true, true, true, true, true, true,
	true, true, true, true, true, true, true, true,
	true, true, true, true, true, true, true, true,
	['"'] = true,
	['\\'] = true,
};

void
append_json_string(StringInfo buf, const char *s, int len)
{
	static const char hex[] = "0123456789abcdef";
	const char *end = s + len;
	const char *run = s;

	/* Most strings need no escape: one enlargement, one copy. */
	enlargeStringInfo(buf, len + 2);
	buf->data[buf->len++] = '"';
	for (; s < end; s++)
	{
		unsigned char c = (unsigned char) *s;
		char		esc[6];
		int			esclen = 2;

		if (likely(!json_escaped_byte[c]))
			continue;
		if (s > run)
			appendBinaryStringInfo(buf, run, s - run);
		run = s + 1;

		esc[0] = '\\';
		switch (c)
		{
			case '"':
				esc[1] = '"';
				break;
			case '\\':
				esc[1] = '\\';
				break;
			case '\n':
				esc[1] = 'n';
				break;
			case '\r':
				esc[1] = 'r';
				break;
			case '\t':
				esc[1] = 't';
				break;
			case '\b':
				esc[1] = 'b';
				break;
			case '\f':
				esc[1] = 'f';
				break;
			default:
				esc[1] = 'u';
				esc[2] = '0';
				esc[3] = '0';
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 0x0f];
				esclen = 6;
				break;
		}
		appendBinaryStringInfo(buf, esc, esclen);
	}
	if (s > run)
		appendBinaryStringInfo(buf, run, s - run);
	appendStringInfoCharMacro(buf, '"');
}

/* A word that is a string in JSON and bare in CSV: NaN, infinity... */
static void
append_word(StringInfo buf, const char *word, bool json)
{
	if (json)
		appendStringInfoCharMacro(buf, '"');
	appendStringInfoString(buf, word);
	if (json)
		appendStringInfoCharMacro(buf, '"');
}

static void
append_text(StringInfo buf, Datum value, bool json)
{
	struct varlena *v = detoast_packed(value);

	if (json)
		append_json_string(buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	else
		appendBinaryStringInfo(buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}

/* The two lower-case hex digits of every byte value. */
static const char hex_pairs[2 * 256 + 1] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* Write bytes [from, to) of u as hex at p; return the end. */
static inline char *
put_hex_bytes(char *p, const unsigned char *u, int from, int to)
{
	int			i;

	for (i = from; i < to; i++)
	{
		memcpy(p, hex_pairs + 2 * u[i], 2);
		p += 2;
	}
	return p;
}

/*
 * As uuid_out prints it: 8-4-4-4-12 lower-case hex digits, a byte pair at
 * a time (this runs for every uuid key the capture trigger logs and every
 * uuid value an export writes).
 */
void
append_uuid(StringInfo buf, Datum value, bool json)
{
	const unsigned char *u = DatumGetUUIDP(value)->data;
	char	   *p;

	enlargeStringInfo(buf, 2 * UUID_LEN + 6);
	p = buf->data + buf->len;
	if (json)
		*p++ = '"';
	p = put_hex_bytes(p, u, 0, 4);
	*p++ = '-';
	p = put_hex_bytes(p, u, 4, 6);
	*p++ = '-';
	p = put_hex_bytes(p, u, 6, 8);
	*p++ = '-';
	p = put_hex_bytes(p, u, 8, 10);
	*p++ = '-';
	p = put_hex_bytes(p, u, 10, UUID_LEN);
	if (json)
		*p++ = '"';
	*p = '\0';
	buf->len = p - buf->data;
}

/* ---------------------------------------------------------------------
 * Numbers
 * ---------------------------------------------------------------------
 */

static void
append_int(StringInfo buf, Oid typid, Datum value)
{
	char	   *p;

	enlargeStringInfo(buf, MAXINT8LEN + 1);
	p = buf->data + buf->len;
	switch (typid)
	{
		case INT2OID:
			buf->len += pg_ltoa(DatumGetInt16(value), p);
			break;
		case INT4OID:
			buf->len += pg_ltoa(DatumGetInt32(value), p);
			break;
		case INT8OID:
			buf->len += pg_lltoa(DatumGetInt64(value), p);
			break;
		default:				/* OIDOID */
			buf->len += pg_ultoa_n(DatumGetObjectId(value), p);
			break;
	}
	buf->data[buf->len] = '\0';
}

/*
 * float8out with extra_float_digits > 0 (the default, 1) prints the
 * shortest text that reads back exactly; so do we, whatever the session.
 * The results ("1e+100", "-0", "1.5e-07") are valid JSON numbers.
 */
static void
append_float(StringInfo buf, Oid typid, Datum value, bool json)
{
	double		d;

	if (typid == FLOAT4OID)
		d = (double) DatumGetFloat4(value);
	else
		d = DatumGetFloat8(value);

	if (isnan(d))
		append_word(buf, "NaN", json);
	else if (isinf(d))
		append_word(buf, d > 0 ? "Infinity" : "-Infinity", json);
	else
	{
		enlargeStringInfo(buf, DOUBLE_SHORTEST_DECIMAL_LEN);
		if (typid == FLOAT4OID)
			buf->len += float_to_shortest_decimal_bufn(DatumGetFloat4(value),
													   buf->data + buf->len);
		else
			buf->len += double_to_shortest_decimal_bufn(d,
														buf->data + buf->len);
		buf->data[buf->len] = '\0';
	}
}

/* numeric_out never reads a setting; its digits are the contract. */
static void
append_numeric(StringInfo buf, Datum value, bool json)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, value));

	if (s[0] == 'N' || s[0] == 'I' || (s[0] == '-' && s[1] == 'I'))
		append_word(buf, s, json);	/* NaN, Infinity, -Infinity */
	else
		appendStringInfoString(buf, s);
}

/* ---------------------------------------------------------------------
 * Dates and times
 * ---------------------------------------------------------------------
 */

/* n as exactly width digits (n >= 0, n < 10^width). */
static inline char *
put_digits(char *p, int64 n, int width)
{
	char	   *q = p + width;

	while (q > p)
	{
		*--q = '0' + (n % 10);
		n /= 10;
	}
	return p + width;
}

/*
 * YYYY-MM-DD with an ISO 8601 astronomical year (j2date's: 0 is 1 BC).
 * Years outside 0000-9999 use the expanded form, which carries a sign.
 */
static char *
put_date(char *p, int year, int mon, int mday)
{
	if (year < 0)
	{
		*p++ = '-';
		year = -year;
	}
	else if (year > 9999)
		*p++ = '+';
	if (year > 9999)
		p += pg_ultoa_n((uint32) year, p);
	else
		p = put_digits(p, year, 4);
	*p++ = '-';
	p = put_digits(p, mon, 2);
	*p++ = '-';
	return put_digits(p, mday, 2);
}

/* .ffffff without trailing zeros, nothing when usec is 0 (0 <= usec < 1e6). */
static char *
put_fraction(char *p, int usec)
{
	int			width = 6;

	if (usec == 0)
		return p;
	while (usec % 10 == 0)
	{
		usec /= 10;
		width--;
	}
	*p++ = '.';
	return put_digits(p, usec, width);
}

/* HH:MM:SS[.ffffff] of a time of day in microseconds (24:00:00 allowed). */
static char *
put_time_of_day(char *p, int64 usec)
{
	int64		hour = usec / USECS_PER_HOUR;
	int64		min;
	int64		sec;

	usec -= hour * USECS_PER_HOUR;
	min = usec / USECS_PER_MINUTE;
	usec -= min * USECS_PER_MINUTE;
	sec = usec / USECS_PER_SEC;
	usec -= sec * USECS_PER_SEC;

	p = put_digits(p, hour, 2);
	*p++ = ':';
	p = put_digits(p, min, 2);
	*p++ = ':';
	p = put_digits(p, sec, 2);
	return put_fraction(p, (int) usec);
}

/* Begin/finish writing fixed-size date/time text straight into buf. */
static inline char *
datetime_begin(StringInfo buf, bool json)
{
	char	   *p;

	enlargeStringInfo(buf, DATETIME_TEXT_MAX);
	p = buf->data + buf->len;
	if (json)
		*p++ = '"';
	return p;
}

static inline void
datetime_end(StringInfo buf, char *p, bool json)
{
	if (json)
		*p++ = '"';
	*p = '\0';
	buf->len = p - buf->data;
}

/*
 * timestamp and timestamptz: a timestamptz is UTC microseconds, so both are
 * split the same way, without any time zone (as timestamp2tm does when
 * given no zone).
 */
static void
append_timestamp(StringInfo buf, Timestamp ts, bool utc, bool json)
{
	int64		date;
	int64		time;
	int			year,
				mon,
				mday;
	char	   *p;

	if (TIMESTAMP_NOT_FINITE(ts))
	{
		append_word(buf, TIMESTAMP_IS_NOBEGIN(ts) ? "-infinity" : "infinity",
					json);
		return;
	}
	date = ts / USECS_PER_DAY;
	time = ts - date * USECS_PER_DAY;
	if (time < 0)
	{
		time += USECS_PER_DAY;
		date -= 1;
	}
	date += POSTGRES_EPOCH_JDATE;
	if (date < 0 || date > (int64) INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	j2date((int) date, &year, &mon, &mday);

	p = datetime_begin(buf, json);
	p = put_date(p, year, mon, mday);
	*p++ = 'T';
	p = put_time_of_day(p, time);
	if (utc)
		*p++ = 'Z';
	datetime_end(buf, p, json);
}

static void
append_date(StringInfo buf, DateADT d, bool json)
{
	int			year,
				mon,
				mday;
	char	   *p;

	if (DATE_NOT_FINITE(d))
	{
		append_word(buf, DATE_IS_NOBEGIN(d) ? "-infinity" : "infinity", json);
		return;
	}
	j2date(d + POSTGRES_EPOCH_JDATE, &year, &mon, &mday);
	p = datetime_begin(buf, json);
	p = put_date(p, year, mon, mday);
	datetime_end(buf, p, json);
}

static void
append_time(StringInfo buf, TimeADT t, bool json)
{
	char	   *p = datetime_begin(buf, json);

	p = put_time_of_day(p, t);
	datetime_end(buf, p, json);
}

/* TimeTzADT.zone is seconds west of Greenwich; ISO 8601 wants east. */
static void
append_timetz(StringInfo buf, const TimeTzADT *t, bool json)
{
	int			east = -t->zone;
	char	   *p = datetime_begin(buf, json);

	p = put_time_of_day(p, t->time);
	*p++ = (east < 0) ? '-' : '+';
	east = Abs(east);
	p = put_digits(p, east / SECS_PER_HOUR, 2);
	*p++ = ':';
	p = put_digits(p, (east / SECS_PER_MINUTE) % MINS_PER_HOUR, 2);
	if (east % SECS_PER_MINUTE != 0)
	{
		*p++ = ':';
		p = put_digits(p, east % SECS_PER_MINUTE, 2);
	}
	datetime_end(buf, p, json);
}

/* One signed field of an ISO 8601 duration, omitted when zero. */
static inline char *
put_duration_part(char *p, int64 value, char unit)
{
	if (value == 0)
		return p;
	p += pg_lltoa(value, p);
	*p++ = unit;
	return p;
}

/*
 * Exactly what interval_out prints under IntervalStyle = iso_8601
 * (EncodeInterval): each field keeps its own sign, seconds and their
 * fraction share one sign, and a zero interval is PT0S.
 */
static void
append_interval(StringInfo buf, const Interval *iv, bool json)
{
	struct pg_itm itm;
	char	   *p;

#ifdef INTERVAL_NOT_FINITE		/* PostgreSQL 17 and later */
	if (INTERVAL_NOT_FINITE(iv))
	{
		append_word(buf, INTERVAL_IS_NOBEGIN(iv) ? "-infinity" : "infinity",
					json);
		return;
	}
#endif
	interval2itm(*iv, &itm);

	p = datetime_begin(buf, json);
	if (itm.tm_year == 0 && itm.tm_mon == 0 && itm.tm_mday == 0 &&
		itm.tm_hour == 0 && itm.tm_min == 0 && itm.tm_sec == 0 &&
		itm.tm_usec == 0)
	{
		memcpy(p, "PT0S", 4);
		p += 4;
		datetime_end(buf, p, json);
		return;
	}
	*p++ = 'P';
	p = put_duration_part(p, itm.tm_year, 'Y');
	p = put_duration_part(p, itm.tm_mon, 'M');
	p = put_duration_part(p, itm.tm_mday, 'D');
	if (itm.tm_hour != 0 || itm.tm_min != 0 || itm.tm_sec != 0 ||
		itm.tm_usec != 0)
		*p++ = 'T';
	p = put_duration_part(p, itm.tm_hour, 'H');
	p = put_duration_part(p, itm.tm_min, 'M');
	if (itm.tm_sec != 0 || itm.tm_usec != 0)
	{
		if (itm.tm_sec < 0 || itm.tm_usec < 0)
			*p++ = '-';
		p += pg_ultoa_n((uint32) Abs(itm.tm_sec), p);
		p = put_fraction(p, Abs(itm.tm_usec));
		*p++ = 'S';
	}
	datetime_end(buf, p, json);
}

/* ---------------------------------------------------------------------
 * json, jsonb, bytea
 * ---------------------------------------------------------------------
 */

/*
 * json keeps its text as written.  The json input function has already
 * validated it, and raw CR or LF cannot occur inside a JSON string, so any
 * CR or LF is white space between tokens: each becomes a space, which keeps
 * the value on one line without reparsing it.
 */
static void
append_json_text(StringInfo buf, Datum value)
{
	struct varlena *v = detoast_packed(value);
	const char *s = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);
	char	   *p;
	int			i;

	enlargeStringInfo(buf, len);
	p = buf->data + buf->len;
	memcpy(p, s, len);
	for (i = 0; i < len; i++)
	{
		if (unlikely(p[i] == '\n' || p[i] == '\r'))
			p[i] = ' ';
	}
	buf->len += len;
	buf->data[buf->len] = '\0';
}

/* A jsonb scalar, as JsonbToCString prints it. */
static void
append_jsonb_scalar(StringInfo buf, const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			appendBinaryStringInfo(buf, "null", 4);
			break;
		case jbvString:
			append_json_string(buf, v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			appendStringInfoString(buf,
								   DatumGetCString(DirectFunctionCall1(numeric_out,
																	   NumericGetDatum(v->val.numeric))));
			break;
		case jbvBool:
			if (v->val.boolean)
				appendBinaryStringInfo(buf, "true", 4);
			else
				appendBinaryStringInfo(buf, "false", 5);
			break;
		default:
			elog(ERROR, "unexpected jsonb scalar type %d", (int) v->type);
	}
}

/*
 * jsonb's canonical text, exactly as JsonbToCString prints it
 * ({"a": 1, "b": [true, null]}: ", " between items, ": " after keys; a
 * top-level scalar bare), walking the value with the jsonb iterator.  Its
 * own printer escapes strings a byte at a time through escape_json, after
 * copying each; append_json_string escapes the same bytes the same way
 * (RFC 8259's, \uXXXX in lower case for the other controls) in runs.
 */
static void
append_jsonb(StringInfo buf, Datum value)
{
	Jsonb	   *jb = DatumGetJsonbP(value);
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbIteratorToken token;
	JsonbValue	v;
	bool		first = true;	/* nothing yet at this level: no ", " */
	bool		raw_scalar = false;

	while ((token = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		switch (token)
		{
			case WJB_BEGIN_ARRAY:
				if (!first)
					appendBinaryStringInfo(buf, ", ", 2);
				if (v.val.array.rawScalar)
					raw_scalar = true;
				else
					appendStringInfoCharMacro(buf, '[');
				first = true;
				break;
			case WJB_BEGIN_OBJECT:
				if (!first)
					appendBinaryStringInfo(buf, ", ", 2);
				appendStringInfoCharMacro(buf, '{');
				first = true;
				break;
			case WJB_KEY:
				if (!first)
					appendBinaryStringInfo(buf, ", ", 2);
				append_json_string(buf, v.val.string.val, v.val.string.len);
				appendBinaryStringInfo(buf, ": ", 2);
				first = true;	/* a container value takes no ", " */
				break;
			case WJB_VALUE:
			case WJB_ELEM:
				if (!first)
					appendBinaryStringInfo(buf, ", ", 2);
				append_jsonb_scalar(buf, &v);
				first = false;
				break;
			case WJB_END_ARRAY:
				if (!raw_scalar)
					appendStringInfoCharMacro(buf, ']');
				first = false;
				break;
			case WJB_END_OBJECT:
				appendStringInfoCharMacro(buf, '}');
				first = false;
				break;
			default:
				elog(ERROR, "unexpected jsonb iterator token %d", (int) token);
		}
	}
}

/* Base64 in slices whose length is a multiple of 3, so they concatenate. */
#define BASE64_SLICE	(3 * 16384)

static void
append_bytea(StringInfo buf, Datum value, bool json)
{
	struct varlena *v = detoast_packed(value);
	const char *s = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);
	int			done;

	if (json)
		appendStringInfoCharMacro(buf, '"');
	for (done = 0; done < len; done += BASE64_SLICE)
	{
		int			n = Min(len - done, BASE64_SLICE);
		int			room = pg_b64_enc_len(n);
		int			written;

		enlargeStringInfo(buf, room);
		written = pg_b64_encode(s + done, n, buf->data + buf->len, room);
		if (written < 0)
			elog(ERROR, "could not encode a bytea value as base64");
		buf->len += written;
		buf->data[buf->len] = '\0';
	}
	if (json)
		appendStringInfoCharMacro(buf, '"');
}

/* ---------------------------------------------------------------------
 * Arrays and composites: always JSON, in CSV too
 * ---------------------------------------------------------------------
 */

static void
append_array(StringInfo buf, const ColumnFormat *col, Datum value)
{
	ArrayType  *arr = DatumGetArrayTypeP(value);
	int			ndim = ARR_NDIM(arr);
	int		   *dims = ARR_DIMS(arr);
	int			nitems = ArrayGetNItems(ndim, dims);
	const char *data = ARR_DATA_PTR(arr);
	bits8	   *bitmap = ARR_NULLBITMAP(arr);
	int			bitmask = 1;
	int			indx[MAXDIM];
	int			i;

	if (nitems == 0)
	{
		appendBinaryStringInfo(buf, "[]", 2);
		return;
	}
	for (i = 0; i < ndim; i++)
	{
		indx[i] = 0;
		appendStringInfoCharMacro(buf, '[');
	}
	for (i = 0; i < nitems; i++)
	{
		bool		isnull = (bitmap != NULL && (*bitmap & bitmask) == 0);
		Datum		item = (Datum) 0;

		if (!isnull)
		{
			item = fetch_att(data, col->elmbyval, col->elmlen);
			data = att_addlength_pointer(data, col->elmlen, data);
			data = (const char *) att_align_nominal(data, col->elmalign);
		}
		value_append(buf, col->elem, item, isnull, true);

		if (bitmap != NULL)
		{
			bitmask <<= 1;
			if (bitmask == 0x100)
			{
				bitmap++;
				bitmask = 1;
			}
		}

		/* Close the dimensions this element ended, open the next ones. */
		if (i + 1 < nitems)
		{
			int			j = ndim - 1;
			int			k;
			int			ended = 0;

			while (++indx[j] == dims[j])
			{
				indx[j] = 0;
				j--;
				ended++;
			}
			for (k = 0; k < ended; k++)
				appendStringInfoCharMacro(buf, ']');
			appendStringInfoCharMacro(buf, ',');
			for (k = 0; k < ended; k++)
				appendStringInfoCharMacro(buf, '[');
		}
	}
	for (i = 0; i < ndim; i++)
		appendStringInfoCharMacro(buf, ']');
}

static void
append_composite(StringInfo buf, const ColumnFormat *col, Datum value)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(value);
	const RowFormat *fmt = col->fields;
	int			natts = fmt->tupdesc->natts;
	HeapTupleData tuple;
	Datum	   *values;
	bool	   *isnull;
	int			i;

	tuple.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = td;

	/* Rare enough to allocate: this lives until the caller's row reset. */
	values = palloc(sizeof(Datum) * Max(natts, 1));
	isnull = palloc(sizeof(bool) * Max(natts, 1));
	heap_deform_tuple(&tuple, fmt->tupdesc, values, isnull);

	appendStringInfoCharMacro(buf, '{');
	for (i = 0; i < fmt->ncolumns; i++)
	{
		const ColumnFormat *field = &fmt->columns[i];

		if (i > 0)
			appendStringInfoCharMacro(buf, ',');
		appendBinaryStringInfo(buf, field->json_key, field->json_key_len);
		value_append(buf, field, values[field->attnum - 1],
					 isnull[field->attnum - 1], true);
	}
	appendStringInfoCharMacro(buf, '}');
}

/* ---------------------------------------------------------------------
 * One value
 * ---------------------------------------------------------------------
 */

void
value_append(StringInfo buf, const ColumnFormat *col, Datum value,
			 bool isnull, bool json)
{
	if (isnull)
	{
		if (json)
			appendBinaryStringInfo(buf, "null", 4);
		return;
	}

	switch (col->kind)
	{
		case VK_TEXT:
			if (col->typid == UUIDOID)
				append_uuid(buf, value, json);
			else
				append_text(buf, value, json);
			break;
		case VK_INT:
			append_int(buf, col->typid, value);
			break;
		case VK_FLOAT:
			append_float(buf, col->typid, value, json);
			break;
		case VK_NUMERIC:
			append_numeric(buf, value, json);
			break;
		case VK_BOOL:
			if (DatumGetBool(value))
				appendBinaryStringInfo(buf, "true", 4);
			else
				appendBinaryStringInfo(buf, "false", 5);
			break;
		case VK_TIMESTAMPTZ:
			append_timestamp(buf, DatumGetTimestampTz(value), true, json);
			break;
		case VK_TIMESTAMP:
			append_timestamp(buf, DatumGetTimestamp(value), false, json);
			break;
		case VK_DATE:
			append_date(buf, DatumGetDateADT(value), json);
			break;
		case VK_TIME:
			append_time(buf, DatumGetTimeADT(value), json);
			break;
		case VK_TIMETZ:
			append_timetz(buf, DatumGetTimeTzADTP(value), json);
			break;
		case VK_INTERVAL:
			append_interval(buf, DatumGetIntervalP(value), json);
			break;
		case VK_JSON:
			if (col->typid == JSONBOID)
				append_jsonb(buf, value);
			else
				append_json_text(buf, value);
			break;
		case VK_BYTEA:
			append_bytea(buf, value, json);
			break;
		case VK_ARRAY:
			check_stack_depth();
			append_array(buf, col, value);
			break;
		case VK_COMPOSITE:
			check_stack_depth();
			append_composite(buf, col, value);
			break;
		case VK_OTHER:
			{
				char	   *s = OutputFunctionCall((FmgrInfo *) &col->outfunc,
												   value);

				if (json)
					append_json_string(buf, s, strlen(s));
				else
					appendStringInfoString(buf, s);
			}
			break;
	}
}

/* ---------------------------------------------------------------------
 * Settings for the output functions we do call
 * ---------------------------------------------------------------------
 */

void
row_format_pin_settings(void)
{
	static const char *const pinned[][2] = {
		{"TimeZone", "UTC"},
		{"DateStyle", "ISO, YMD"},
		{"IntervalStyle", "iso_8601"},
		{"extra_float_digits", "1"},
		{"bytea_output", "hex"},
	};
	int			i;

	for (i = 0; i < lengthof(pinned); i++)
		(void) set_config_option(pinned[i][0], pinned[i][1],
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
}
