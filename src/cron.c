/*-------------------------------------------------------------------------
 * cron.c
 *	  Cron expressions: parsing, next firing instant, shortest gap.
 *
 * The grammar is the one pg_cron accepts (its src/entry.c, after Vixie
 * cron), minus what a timetable cannot use:
 *
 *	 expression := field field field field field | special
 *	 field		:= item { "," item }		(day-of-month may also be "$" alone)
 *	 item		:= ( "*" | value [ "-" value ] ) [ "/" step ]
 *	 value		:= digits | three-letter name (months JAN-DEC, weekdays SUN-SAT)
 *	 special	:= @hourly | @daily | @midnight | @weekly | @monthly
 *				 | @yearly | @annually
 *
 * A step needs "*" or a range ("5/15" is refused, as by pg_cron); steps run
 * from 1 to the field's largest value; a range must not be reversed ("5-1",
 * which pg_cron silently takes as the empty set); weekday 7 is Sunday.
 * Fields are separated by blanks; anything else is refused rather than
 * skipped.  Unlike pg_cron, "@reboot" and the "N seconds" form are refused:
 * a schedule is a timetable, in whole minutes.
 *
 * Everything is evaluated in UTC from the timestamp's own value (days since
 * 2000-01-01 and the minute of the day): no time zone is ever consulted.
 * The Gregorian calendar repeats every 400 years (146097 days, a whole
 * number of weeks), so scanning one such cycle tells whether an expression
 * fires at all and how close two of its firing days can come.
 *
 * This file owns no state and reads neither the clock nor the catalog.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "miscadmin.h"
#include "utils/datetime.h"

#include "cron.h"

/* Days in one cycle of the Gregorian calendar (a whole number of weeks). */
#define GREGORIAN_CYCLE_DAYS 146097

#define MINUTES_PER_DAY 1440

/* One of the five fields, as the parser sees it. */
typedef struct CronField
{
	const char *label;			/* "minute", "day-of-week" ... */
	int			low;
	int			high;
	const char *const *names;	/* NULL, or names of low, low+1, ... */
	const char *names_hint;		/* "JAN-DEC" */
} CronField;

static const char *const month_names[] = {
	"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
	"JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL
};

static const char *const weekday_names[] = {
	"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL
};

enum
{
	FIELD_MINUTE,
	FIELD_HOUR,
	FIELD_DOM,
	FIELD_MONTH,
	FIELD_DOW,
	FIELD_COUNT
};

static const CronField cron_fields[FIELD_COUNT] = {
	{"minute", 0, 59, NULL, NULL},
	{"hour", 0, 23, NULL, NULL},
	{"day-of-month", 1, 31, NULL, NULL},
	{"month", 1, 12, month_names, "JAN-DEC"},
	{"day-of-week", 0, 7, weekday_names, "SUN-SAT"},
};

/* One blank-separated token of the expression. */
typedef struct CronToken
{
	const char *start;
	int			length;
} CronToken;

static bool
cron_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\f' || c == '\v';
}

static bool
cron_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
cron_is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char
cron_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char) (c - 'a' + 'A') : c;
}

/* Does the token spell "word" in any letter case? */
static bool
cron_token_is(const char *start, int length, const char *word)
{
	int			i;

	if ((int) strlen(word) != length)
		return false;
	for (i = 0; i < length; i++)
	{
		if (cron_upper(start[i]) != cron_upper(word[i]))
			return false;
	}
	return true;
}

/* Refuse the expression; detail says what is wrong (already formatted). */
static void
pg_attribute_noreturn()
cron_refuse(const char *expression, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid cron_expression \"%s\"", expression),
			 errdetail("%s", detail),
			 errhint("%s", CRON_GRAMMAR_HINT)));
}

/* Refuse the expression because of one of its fields. */
static void
pg_attribute_noreturn()
cron_refuse_field(const char *expression, const CronField *field,
				  const CronToken *token, const char *why)
{
	cron_refuse(expression,
				psprintf("In the %s field \"%.*s\": %s.",
						 field->label, token->length, token->start, why));
}

/*
 * Read a value (digits, or a name where the field has names) at *p, before
 * end; advance *p past it.  Values outside the field's range are refused.
 */
static int
cron_parse_value(const char *expression, const CronField *field,
				 const CronToken *token, const char **p, const char *end)
{
	const char *start = *p;
	const char *q = start;
	bool		all_digits = true;
	int			length;

	while (q < end && (cron_is_digit(*q) || cron_is_letter(*q)))
	{
		if (!cron_is_digit(*q))
			all_digits = false;
		q++;
	}
	length = (int) (q - start);
	*p = q;

	if (length == 0)
	{
		if (start < end)
			cron_refuse_field(expression, field, token,
							  psprintf("expected a value, found \"%.*s\"",
									   (int) (end - start), start));
		/* an empty item was refused before, so a character precedes */
		cron_refuse_field(expression, field, token,
						  psprintf("expected a value after \"%c\"", start[-1]));
	}

	if (all_digits)
	{
		int64		value = 0;
		const char *d;

		/* Digits beyond the range are refused; stop counting early. */
		for (d = start; d < q && value <= field->high; d++)
			value = value * 10 + (*d - '0');
		if (value < field->low || value > field->high)
			cron_refuse_field(expression, field, token,
							  psprintf("%.*s is out of range %d-%d",
									   length, start, field->low, field->high));
		return (int) value;
	}

	if (field->names != NULL)
	{
		int			i;

		for (i = 0; field->names[i] != NULL; i++)
		{
			if (cron_token_is(start, length, field->names[i]))
				return field->low == 0 ? i : i + field->low;
		}
		cron_refuse_field(expression, field, token,
						  psprintf("\"%.*s\" is neither a number (%d-%d) nor a name (%s)",
								   length, start, field->low, field->high,
								   field->names_hint));
	}
	cron_refuse_field(expression, field, token,
					  psprintf("\"%.*s\" is not a number (%d-%d)",
							   length, start, field->low, field->high));
}

/* Parse one field into a bitmap: bit v set for each value v it lists. */
static uint64
cron_parse_field(const char *expression, const CronField *field,
				 const CronToken *token)
{
	const char *p = token->start;
	const char *end = token->start + token->length;
	uint64		bits = 0;

	for (;;)
	{
		const char *item_end = p;
		int			first;
		int			last;
		int			step = 1;
		bool		ranged;
		int			v;

		while (item_end < end && *item_end != ',')
			item_end++;
		if (item_end == p)
			cron_refuse_field(expression, field, token,
							  "a list has an empty item");

		if (*p == '*')
		{
			first = field->low;
			last = field->high;
			ranged = true;
			p++;
		}
		else
		{
			first = cron_parse_value(expression, field, token, &p, item_end);
			last = first;
			ranged = false;
			if (p < item_end && *p == '-')
			{
				p++;
				last = cron_parse_value(expression, field, token, &p, item_end);
				ranged = true;
				if (last < first)
					cron_refuse_field(expression, field, token,
									  psprintf("the range %d-%d is reversed; a range runs from low to high",
											   first, last));
			}
		}

		if (p < item_end && *p == '/')
		{
			const char *digits = ++p;
			int64		value = 0;

			if (!ranged)
				cron_refuse_field(expression, field, token,
								  psprintf("a step needs * or a range before it, as in */%.*s or %d-%d/%.*s",
										   (int) (item_end - p), p,
										   first, field->high,
										   (int) (item_end - p), p));
			while (p < item_end && cron_is_digit(*p))
			{
				if (value <= field->high)
					value = value * 10 + (*p - '0');
				p++;
			}
			if (p == digits)
				cron_refuse_field(expression, field, token,
								  "expected a number after \"/\"");
			if (p == item_end && (value < 1 || value > field->high))
				cron_refuse_field(expression, field, token,
								  psprintf("the step %.*s is out of range 1-%d",
										   (int) (p - digits), digits,
										   field->high));
			step = (int) value;
		}

		if (p != item_end)
			cron_refuse_field(expression, field, token,
							  psprintf("unexpected \"%.*s\"",
									   (int) (item_end - p), p));

		for (v = first; v <= last; v += step)
			bits |= UINT64CONST(1) << v;

		if (item_end == end)
			break;
		p = item_end + 1;		/* past the comma */
		if (p == end)
			cron_refuse_field(expression, field, token,
							  "a list has an empty item");
	}
	return bits;
}

/* Does day "jd" (a Julian day number) fire? */
static bool
cron_day_matches(const CronSchedule *cron, int jd)
{
	int			year;
	int			month;
	int			day;
	bool		dom_hit;
	bool		dow_hit;

	j2date(jd, &year, &month, &day);
	if ((cron->months & (((uint32) 1) << month)) == 0)
		return false;
	dom_hit = (cron->days_of_month & (((uint32) 1) << day)) != 0 ||
		(cron->last_day_of_month && day == day_tab[isleap(year)][month - 1]);
	dow_hit = (cron->days_of_week & (((uint32) 1) << j2day(jd))) != 0;
	if (cron->dom_star || cron->dow_star)
		return dom_hit && dow_hit;
	return dom_hit || dow_hit;
}

/*
 * The first firing day in [from, to] (Julian day numbers), or -1.  Months
 * that never fire are skipped whole.
 */
static int
cron_next_day(const CronSchedule *cron, int from, int to)
{
	int			jd = from;

	while (jd <= to)
	{
		int			year;
		int			month;
		int			day;

		j2date(jd, &year, &month, &day);
		if ((cron->months & (((uint32) 1) << month)) == 0)
		{
			CHECK_FOR_INTERRUPTS();
			jd = (month == 12) ? date2j(year + 1, 1, 1) : date2j(year, month + 1, 1);
			continue;
		}
		if (cron_day_matches(cron, jd))
			return jd;
		jd++;
	}
	return -1;
}

/* The first firing minute of the day at or after "minute_of_day", or -1. */
static int
cron_next_time_of_day(const CronSchedule *cron, int minute_of_day)
{
	int			hour;

	for (hour = minute_of_day / 60; hour < 24; hour++)
	{
		int			minute;

		if ((cron->hours & (((uint32) 1) << hour)) == 0)
			continue;
		minute = (hour == minute_of_day / 60) ? minute_of_day % 60 : 0;
		for (; minute < 60; minute++)
		{
			if (cron->minutes & (UINT64CONST(1) << minute))
				return hour * 60 + minute;
		}
	}
	return -1;
}

/*
 * The shortest distance in days between consecutive firing days over a
 * whole Gregorian cycle, the wrap to the next cycle included; 0 when no day
 * ever fires.
 */
static int32
cron_compute_min_day_gap(const CronSchedule *cron)
{
	int			first;
	int			previous;
	int			last;
	int32		best = INT32_MAX;

	first = cron_next_day(cron, POSTGRES_EPOCH_JDATE,
						  POSTGRES_EPOCH_JDATE + GREGORIAN_CYCLE_DAYS - 1);
	if (first < 0)
		return 0;

	/* first + one cycle fires again, so the last gap below is the wrap. */
	last = first + GREGORIAN_CYCLE_DAYS;
	previous = first;
	while (best > 1)
	{
		int			next = cron_next_day(cron, previous + 1, last);

		if (next < 0)
			break;				/* cannot happen: "last" fires */
		best = Min(best, next - previous);
		if (next == last)
			break;
		previous = next;
	}
	return best;
}

/* Expand one of the @ forms into its five fields. */
static void
cron_parse_special(const char *expression, const CronToken *token,
				   CronSchedule *cron)
{
	const char *word = token->start + 1;
	int			length = token->length - 1;

	cron->minutes = UINT64CONST(1);		/* minute 0 */
	cron->hours = 0xFFFFFF;		/* every hour */
	cron->days_of_month = 0xFFFFFFFE;	/* days 1-31 */
	cron->months = 0x1FFE;		/* months 1-12 */
	cron->days_of_week = 0x7F;	/* every weekday */
	cron->dom_star = true;
	cron->dow_star = true;

	if (cron_token_is(word, length, "hourly"))
		return;
	cron->hours = ((uint32) 1);	/* hour 0 */
	if (cron_token_is(word, length, "daily") ||
		cron_token_is(word, length, "midnight"))
		return;
	if (cron_token_is(word, length, "weekly"))
	{
		cron->days_of_week = ((uint32) 1);	/* Sunday */
		cron->dow_star = false;
		return;
	}
	cron->days_of_month = ((uint32) 1) << 1;	/* day 1 */
	cron->dom_star = false;
	if (cron_token_is(word, length, "monthly"))
		return;
	if (cron_token_is(word, length, "yearly") ||
		cron_token_is(word, length, "annually"))
	{
		cron->months = ((uint32) 1) << 1; /* January */
		return;
	}
	if (cron_token_is(word, length, "reboot") ||
		cron_token_is(word, length, "restart"))
		cron_refuse(expression,
					"@reboot is not supported: a schedule runs on a timetable, not at server start.");
	cron_refuse(expression,
				psprintf("\"%.*s\" is not one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually.",
						 token->length, token->start));
}

CronSchedule *
cron_parse(const char *expression)
{
	size_t		length = strlen(expression);
	CronToken	tokens[FIELD_COUNT];
	int			ntokens = 0;
	const char *p;
	CronSchedule *cron;
	int			i;

	if (length > CRON_MAX_EXPRESSION_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cron_expression is too long"),
				 errdetail("It has %zu bytes; at most %d are accepted.",
						   length, CRON_MAX_EXPRESSION_LENGTH),
				 errhint("%s", CRON_GRAMMAR_HINT)));

	/* Split into blank-separated tokens, counting those beyond five. */
	p = expression;
	for (;;)
	{
		const char *start;

		while (*p != '\0' && cron_is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && !cron_is_blank(*p))
			p++;
		if (ntokens < FIELD_COUNT)
		{
			tokens[ntokens].start = start;
			tokens[ntokens].length = (int) (p - start);
		}
		ntokens++;
	}

	if (ntokens == 0)
		cron_refuse(expression, "The expression is empty.");

	cron = (CronSchedule *) palloc0(sizeof(CronSchedule));

	if (tokens[0].start[0] == '@')
	{
		if (ntokens > 1)
			cron_refuse(expression,
						"An @ form stands alone, without other fields.");
		cron_parse_special(expression, &tokens[0], cron);
	}
	else
	{
		if (ntokens == 2 &&
			(cron_token_is(tokens[1].start, tokens[1].length, "seconds") ||
			 cron_token_is(tokens[1].start, tokens[1].length, "second")))
			cron_refuse(expression,
						"The interval form \"N seconds\" is not supported: runs are at least a minute apart.");
		if (ntokens != FIELD_COUNT)
			cron_refuse(expression,
						psprintf("It has %d field%s; a cron expression has five%s.",
								 ntokens, ntokens == 1 ? "" : "s",
								 ntokens == 6 ? " (there is no seconds field)" : ""));

		for (i = 0; i < FIELD_COUNT; i++)
		{
			const CronToken *token = &tokens[i];
			uint64		bits;

			if (memchr(token->start, '$', token->length) != NULL)
			{
				if (i != FIELD_DOM)
					cron_refuse_field(expression, &cron_fields[i], token,
									  "$ (last day of the month) belongs in the day-of-month field");
				if (token->length != 1)
					cron_refuse_field(expression, &cron_fields[i], token,
									  "$ (last day of the month) must stand alone in its field");
				cron->last_day_of_month = true;
				continue;
			}

			bits = cron_parse_field(expression, &cron_fields[i], token);
			switch (i)
			{
				case FIELD_MINUTE:
					cron->minutes = bits;
					break;
				case FIELD_HOUR:
					cron->hours = (uint32) bits;
					break;
				case FIELD_DOM:
					cron->days_of_month = (uint32) bits;
					cron->dom_star = (token->start[0] == '*');
					break;
				case FIELD_MONTH:
					cron->months = (uint32) bits;
					break;
				case FIELD_DOW:
					/* 7 is Sunday, as 0 is */
					if (bits & (UINT64CONST(1) << 7))
						bits = (bits | UINT64CONST(1)) & ~(UINT64CONST(1) << 7);
					cron->days_of_week = (uint32) bits;
					cron->dow_star = (token->start[0] == '*');
					break;
			}
		}
	}

	cron->min_day_gap = cron_compute_min_day_gap(cron);
	if (cron->min_day_gap == 0)
		cron_refuse(expression,
					"No date ever matches its day-of-month, month and day-of-week fields.");
	return cron;
}

/* floor(a / b) for b > 0, whatever the sign of a. */
static int64
cron_floor_div(int64 a, int64 b)
{
	int64		q = a / b;

	if (a % b != 0 && a < 0)
		q--;
	return q;
}

TimestampTz
cron_next_after(const CronSchedule *cron, TimestampTz after)
{
	int64		day;
	int			minute_of_day;
	int			jd;
	int			limit;

	Assert(after != DT_NOBEGIN);
	if (after >= END_TIMESTAMP)
		return DT_NOEND;

	/* The next whole minute strictly after "after". */
	day = cron_floor_div(after, USECS_PER_DAY);
	minute_of_day = (int) ((after - day * USECS_PER_DAY) / USECS_PER_MINUTE) + 1;
	if (minute_of_day == MINUTES_PER_DAY)
	{
		day++;
		minute_of_day = 0;
	}
	jd = (int) (day + POSTGRES_EPOCH_JDATE);

	/* Every expression fires within any one cycle of the calendar. */
	limit = Min(jd + GREGORIAN_CYCLE_DAYS, TIMESTAMP_END_JULIAN - 1);
	while (jd <= limit)
	{
		int			fire_day = cron_next_day(cron, jd, limit);
		int			fire_minute;

		if (fire_day < 0)
			break;
		fire_minute = cron_next_time_of_day(cron,
											fire_day == jd ? minute_of_day : 0);
		if (fire_minute >= 0)
			return (TimestampTz) (fire_day - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY +
				(TimestampTz) fire_minute * USECS_PER_MINUTE;
		/* nothing left on the first day: go on from the next one */
		jd = fire_day + 1;
		minute_of_day = 0;
	}
	return DT_NOEND;
}

int64
cron_shortest_gap_minutes(const CronSchedule *cron)
{
	int			first = -1;
	int			previous = -1;
	int64		best = PG_INT64_MAX;
	int			t;

	/* Within a day: consecutive firing minutes. */
	for (t = 0; t < MINUTES_PER_DAY; t++)
	{
		if ((cron->hours & (((uint32) 1) << (t / 60))) == 0 ||
			(cron->minutes & (UINT64CONST(1) << (t % 60))) == 0)
			continue;
		if (first < 0)
			first = t;
		else
			best = Min(best, t - previous);
		previous = t;
	}
	Assert(first >= 0);

	/* Across days: the last run of one firing day to the first of the next. */
	best = Min(best,
			   (int64) cron->min_day_gap * MINUTES_PER_DAY - (previous - first));
	return best;
}
