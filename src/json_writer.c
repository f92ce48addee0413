/*-------------------------------------------------------------------------
 * json_writer.c
 *	  The framing of a JSON Lines export record: one object per line.
 *
 *	  {"id":1,"name":"a\"b","tags":["x",null],"deleted":false}
 *
 * Keys are the column names in table order (escaped once, when the format
 * is built), then "deleted"; every key is always present, NULL as null.  No
 * white space is added.  The values are value_format.c's, which never put a
 * raw line break inside a line, so each record is exactly one line.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "row_format.h"

void
json_append_row(StringInfo buf, const RowFormat *fmt,
				Datum *values, bool *isnull, bool deleted)
{
	int			i;

	appendStringInfoCharMacro(buf, '{');
	for (i = 0; i < fmt->ncolumns; i++)
	{
		const ColumnFormat *col = &fmt->columns[i];

		if (i > 0)
			appendStringInfoCharMacro(buf, ',');
		appendBinaryStringInfo(buf, col->json_key, col->json_key_len);
		value_append(buf, col, values[col->attnum - 1],
					 isnull[col->attnum - 1], true);
	}
	if (fmt->ncolumns > 0)
		appendStringInfoCharMacro(buf, ',');
	if (deleted)
		appendBinaryStringInfo(buf, "\"deleted\":true}\n", 16);
	else
		appendBinaryStringInfo(buf, "\"deleted\":false}\n", 17);
}
