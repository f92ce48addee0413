/*-------------------------------------------------------------------------
 * csv_writer.c
 *	  The framing of a CSV export record: header line, field separators,
 *	  RFC 4180 quoting, the deleted column and the "\n" line end.
 *
 * The text of each field is value_format.c's (the same text as the JSONL
 * value, strings unquoted); this file only decides whether a field is
 * quoted.  As COPY ... (FORMAT csv) does, a field is quoted when it holds a
 * comma, a double quote, CR or LF, and embedded double quotes are doubled.
 * A NULL is an empty unquoted field and an empty string is "", so the two
 * stay apart.  Since every record ends with the deleted column, no line
 * can be a lone \. (COPY FROM's end-of-data marker).
 *
 * The field is appended first and quoted in place afterwards: most fields
 * need no quotes, and those cost one scan and no copy.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"

#include "row_format.h"

/* Bytes that make RFC 4180 quote a field. */
static const bool csv_special_byte[256] = {
	[','] = true,
	['"'] = true,
	['\n'] = true,
	['\r'] = true,
};

/*
 * Quote the field that occupies buf->data[start .. buf->len) if it needs
 * quotes: it is empty (an empty string, as opposed to NULL), or it holds a
 * special byte.
 */
static void
csv_quote_field(StringInfo buf, int start)
{
	char	   *data = buf->data;
	int			end = buf->len;
	int			nquotes = 0;
	bool		special = false;
	int			r;
	int			w;

	for (r = start; r < end; r++)
	{
		unsigned char c = (unsigned char) data[r];

		if (unlikely(csv_special_byte[c]))
		{
			special = true;
			if (c == '"')
				nquotes++;
		}
	}
	if (!special && end > start)
		return;

	/* Grow by the two quotes and one per embedded quote, then shift right. */
	enlargeStringInfo(buf, nquotes + 2);
	data = buf->data;
	w = end + nquotes + 1;		/* where the closing quote goes */
	data[w + 1] = '\0';
	data[w--] = '"';
	for (r = end - 1; r >= start; r--)
	{
		data[w--] = data[r];
		if (data[r] == '"')
			data[w--] = '"';
	}
	Assert(w == start);
	data[start] = '"';
	buf->len = end + nquotes + 2;
}

/* Whether a value can need quotes; the others are plain ASCII words. */
static inline bool
csv_column_may_need_quotes(const ColumnFormat *col)
{
	switch (col->kind)
	{
		case VK_TEXT:
			return col->typid != UUIDOID;
		case VK_OTHER:
		case VK_JSON:
		case VK_ARRAY:
		case VK_COMPOSITE:
		case VK_BYTEA:			/* only when empty */
			return true;
		default:
			return false;
	}
}

void
csv_append_header(StringInfo buf, const RowFormat *fmt)
{
	int			i;

	for (i = 0; i < fmt->ncolumns; i++)
	{
		int			start;

		if (i > 0)
			appendStringInfoCharMacro(buf, ',');
		start = buf->len;
		appendStringInfoString(buf, fmt->columns[i].name);
		csv_quote_field(buf, start);
	}
	if (fmt->ncolumns > 0)
		appendStringInfoCharMacro(buf, ',');
	appendBinaryStringInfo(buf, "deleted\n", 8);
}

void
csv_append_row(StringInfo buf, const RowFormat *fmt,
			   Datum *values, bool *isnull, bool deleted)
{
	int			i;

	for (i = 0; i < fmt->ncolumns; i++)
	{
		const ColumnFormat *col = &fmt->columns[i];
		int			att = col->attnum - 1;

		if (i > 0)
			appendStringInfoCharMacro(buf, ',');
		if (isnull[att])
			continue;			/* NULL: nothing between the commas */
		if (csv_column_may_need_quotes(col))
		{
			int			start = buf->len;

			value_append(buf, col, values[att], false, false);
			csv_quote_field(buf, start);
		}
		else
			value_append(buf, col, values[att], false, false);
	}
	if (fmt->ncolumns > 0)
		appendStringInfoCharMacro(buf, ',');
	if (deleted)
		appendBinaryStringInfo(buf, "true\n", 5);
	else
		appendBinaryStringInfo(buf, "false\n", 6);
}
