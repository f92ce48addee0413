/*-------------------------------------------------------------------------
 * schedule_timing.c
 *	  When a schedule runs: its grid of instants in UTC (SPEC section 4).
 *
 * This file owns the timing parameters of a schedule (schedule_type,
 * period, schedule_offset, cron_expression): which combinations are valid,
 * simple mode's grid, the dataexport.min_interval rule, and the internal
 * SQL functions dataexport._timing_check, _timing_next and
 * _timing_shortest_gap.  Cron expressions themselves are cron.c's.
 *
 * Simple mode, without offset: the anchor (creation, or the last timing
 * change) truncated to the second, then anchor + k * period for k >= 1.
 * With offset: the first instant strictly after the anchor whose minute is
 * the offset (HOUR) or whose hour is the offset at minute 0 (DAY), then
 * every period hours or days from there.
 *
 * Every computation is on the timestamp's value (microseconds since
 * 2000-01-01 00:00 UTC): the session's TimeZone never enters.  Nothing here
 * reads the clock or the catalog; callers pass every instant.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "cron.h"
#include "pg_dataexport.h"
#include "schedule_timing.h"

PG_FUNCTION_INFO_V1(dataexport_timing_check);
PG_FUNCTION_INFO_V1(dataexport_timing_next);
PG_FUNCTION_INFO_V1(dataexport_timing_shortest_gap);

#define TIMING_CHOICE_HINT \
	"Give schedule_type (MINUTE, HOUR or DAY) with period, and schedule_offset " \
	"if wanted; or give cron_expression alone."

#define TIMING_OFFSET_HINT \
	"schedule_offset is the minute past the hour (0-59) for HOUR and the hour " \
	"past midnight UTC (0-23) for DAY; MINUTE takes none."

/* Per unit: its name, its length and the longest period (ten years). */
typedef struct SimpleUnitInfo
{
	const char *name;
	const char *plural;			/* "minutes" */
	int64		usecs;
	int			max_period;
} SimpleUnitInfo;

static const SimpleUnitInfo unit_info[] = {
	[UNIT_MINUTE] = {"MINUTE", "minutes", USECS_PER_MINUTE, 10 * 365 * 24 * 60},
	[UNIT_HOUR] = {"HOUR", "hours", USECS_PER_HOUR, 10 * 365 * 24},
	[UNIT_DAY] = {"DAY", "days", USECS_PER_DAY, 10 * 365},
};

const char *
timing_unit_name(SimpleUnit unit)
{
	return unit_info[unit].name;
}

/* floor(a / b) for b > 0, whatever the sign of a. */
static int64
timing_floor_div(int64 a, int64 b)
{
	int64		q = a / b;

	if (a % b != 0 && a < 0)
		q--;
	return q;
}

/* "1 day 10 minutes", "5 minutes", "90 seconds" ... */
static char *
timing_format_duration(int64 seconds)
{
	static const struct
	{
		int64		seconds;
		const char *one;
		const char *many;
	}			parts[] = {
		{86400, "day", "days"},
		{3600, "hour", "hours"},
		{60, "minute", "minutes"},
		{1, "second", "seconds"},
	};
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < lengthof(parts); i++)
	{
		int64		count = seconds / parts[i].seconds;

		if (count == 0)
			continue;
		seconds -= count * parts[i].seconds;
		appendStringInfo(&buf, "%s" INT64_FORMAT " %s",
						 buf.len > 0 ? " " : "", count,
						 count == 1 ? parts[i].one : parts[i].many);
	}
	if (buf.len == 0)
		appendStringInfoString(&buf, "0 seconds");
	return buf.data;
}

/* Parse schedule_type: MINUTE, HOUR or DAY in any letter case. */
static SimpleUnit
timing_parse_unit(const char *schedule_type)
{
	int			i;

	for (i = 0; i < lengthof(unit_info); i++)
	{
		if (pg_strcasecmp(schedule_type, unit_info[i].name) == 0)
			return (SimpleUnit) i;
	}
	/* Quote at most 100 bytes of it (whole characters): input may be huge. */
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid schedule_type \"%.*s\"",
					pg_mbcliplen(schedule_type, strlen(schedule_type), 100), schedule_type),
			 errdetail("schedule_type is MINUTE, HOUR or DAY, in any letter case."),
			 errhint(TIMING_CHOICE_HINT)));
	pg_unreachable();
}

static void
timing_parse_simple(const char *schedule_type, bool period_isnull, int period,
					bool offset_isnull, int offset, TimestampTz anchor,
					ScheduleTiming *timing)
{
	SimpleUnit	unit;

	if (schedule_type == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("schedule_type must not be null when %s is given",
						period_isnull ? "schedule_offset" : "period"),
				 errhint(TIMING_CHOICE_HINT)));
	unit = timing_parse_unit(schedule_type);

	if (period_isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("period must not be null with schedule_type %s",
						unit_info[unit].name),
				 errhint(TIMING_CHOICE_HINT)));
	if (period < 1 || period > unit_info[unit].max_period)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period %d is out of range for schedule_type %s",
						period, unit_info[unit].name),
				 errdetail("period must be between 1 and %d (ten years of %s).",
						   unit_info[unit].max_period, unit_info[unit].plural)));

	if (!offset_isnull)
	{
		if (unit == UNIT_MINUTE)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("schedule_offset is not allowed with schedule_type MINUTE"),
					 errhint(TIMING_OFFSET_HINT)));
		if (offset < 0 || offset > (unit == UNIT_HOUR ? 59 : 23))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("schedule_offset %d is out of range for schedule_type %s",
							offset, unit_info[unit].name),
					 errdetail(unit == UNIT_HOUR ?
							   "For HOUR, schedule_offset is the minute past the hour (0-59)." :
							   "For DAY, schedule_offset is the hour past midnight UTC (0-23)."),
					 errhint(TIMING_OFFSET_HINT)));
	}

	if (!IS_VALID_TIMESTAMP(anchor))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("anchor of a simple-mode timing must be a finite timestamp")));

	timing->mode = TIMING_SIMPLE;
	timing->unit = unit;
	timing->period = period;
	timing->offset = offset_isnull ? -1 : offset;
	timing->anchor = anchor;
	timing->cron = NULL;
}

void
timing_load(const char *schedule_type, bool period_isnull, int period,
			bool offset_isnull, int offset, const char *cron_expression,
			TimestampTz anchor, ScheduleTiming *timing)
{
	bool		simple_given = schedule_type != NULL || !period_isnull || !offset_isnull;

	memset(timing, 0, sizeof(ScheduleTiming));

	if (cron_expression != NULL)
	{
		if (simple_given)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cron_expression cannot be combined with schedule_type, period or schedule_offset"),
					 errhint(TIMING_CHOICE_HINT)));
		timing->mode = TIMING_CRON;
		timing->offset = -1;
		timing->anchor = anchor;
		timing->cron = cron_parse(cron_expression);
		return;
	}

	if (!simple_given)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a timing needs schedule_type with period, or cron_expression"),
				 errhint(TIMING_CHOICE_HINT)));

	timing_parse_simple(schedule_type, period_isnull, period, offset_isnull,
						offset, anchor, timing);
}

void
timing_parse(const char *schedule_type, bool period_isnull, int period,
			 bool offset_isnull, int offset, const char *cron_expression,
			 TimestampTz anchor, ScheduleTiming *timing)
{
	timing_load(schedule_type, period_isnull, period, offset_isnull, offset,
				cron_expression, anchor, timing);
	timing_check_min_interval(timing);
}

int64
timing_shortest_gap_seconds(const ScheduleTiming *timing)
{
	if (timing->mode == TIMING_CRON)
		return cron_shortest_gap_minutes(timing->cron) * 60;
	return (int64) timing->period * (unit_info[timing->unit].usecs / USECS_PER_SEC);
}

void
timing_check_min_interval(const ScheduleTiming *timing)
{
	int64		gap = timing_shortest_gap_seconds(timing);
	char	   *gap_text;
	char	   *min_text;

	if (gap >= dataexport_min_interval_s)
		return;

	gap_text = timing_format_duration(gap);
	min_text = timing_format_duration(dataexport_min_interval_s);
	if (timing->mode == TIMING_CRON)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cron_expression schedules runs %s apart, closer than dataexport.min_interval (%s)",
						gap_text, min_text),
				 errdetail("Runs of this schedule can come %s apart.", gap_text),
				 errhint("Choose a timing whose runs are at least %s apart.",
						 min_text)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("period %d with schedule_type %s schedules runs %s apart, closer than dataexport.min_interval (%s)",
					timing->period, unit_info[timing->unit].name,
					gap_text, min_text),
			 errdetail("Runs of this schedule can come %s apart.", gap_text),
			 errhint("Choose a timing whose runs are at least %s apart.",
					 min_text)));
}

/* The first instant of a simple-mode grid, or DT_NOEND beyond the range. */
static TimestampTz
timing_simple_first(const ScheduleTiming *timing)
{
	int64		step = timing->period * unit_info[timing->unit].usecs;
	TimestampTz anchor = timing->anchor;
	TimestampTz first;

	if (timing->offset < 0)
	{
		TimestampTz base = timing_floor_div(anchor, USECS_PER_SEC) * USECS_PER_SEC;

		if (pg_add_s64_overflow(base, step, &first))
			return DT_NOEND;
	}
	else if (timing->unit == UNIT_HOUR)
	{
		first = timing_floor_div(anchor, USECS_PER_HOUR) * USECS_PER_HOUR +
			timing->offset * USECS_PER_MINUTE;
		if (first <= anchor)
			first += USECS_PER_HOUR;
	}
	else
	{
		first = timing_floor_div(anchor, USECS_PER_DAY) * USECS_PER_DAY +
			timing->offset * USECS_PER_HOUR;
		if (first <= anchor)
			first += USECS_PER_DAY;
	}
	return first < END_TIMESTAMP ? first : DT_NOEND;
}

static TimestampTz
timing_simple_next_after(const ScheduleTiming *timing, TimestampTz after)
{
	uint64		step = (uint64) timing->period * unit_info[timing->unit].usecs;
	TimestampTz first = timing_simple_first(timing);
	uint64		distance;
	uint64		offset;

	if (first == DT_NOEND || after == DT_NOEND)
		return DT_NOEND;
	if (after < first)
		return first;

	/* first <= after < END_TIMESTAMP: the distance fits in uint64 */
	distance = (uint64) after - (uint64) first;
	offset = (distance / step + 1) * step;
	if (offset > (uint64) (END_TIMESTAMP - 1) - (uint64) first)
		return DT_NOEND;
	return (TimestampTz) ((uint64) first + offset);
}

TimestampTz
timing_next_after(const ScheduleTiming *timing, TimestampTz after)
{
	if (TIMESTAMP_IS_NOBEGIN(after))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("after must not be -infinity")));
	if (timing->mode == TIMING_CRON)
		return cron_next_after(timing->cron, after);
	return timing_simple_next_after(timing, after);
}

/* Read the four timing arguments of the SQL functions, starting at arg 0. */
static void
timing_args(FunctionCallInfo fcinfo, char **schedule_type, char **cron_expression)
{
	*schedule_type = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	*cron_expression = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
}

/*
 * dataexport._timing_check(schedule_type, period, schedule_offset,
 * cron_expression) RETURNS text: validate a timing as create_schedule and
 * update_schedule take it, dataexport.min_interval included; return
 * schedule_type as stored (upper case), or NULL for a cron expression.
 */
Datum
dataexport_timing_check(PG_FUNCTION_ARGS)
{
	char	   *schedule_type;
	char	   *cron_expression;
	ScheduleTiming timing;

	timing_args(fcinfo, &schedule_type, &cron_expression);
	timing_parse(schedule_type,
				 PG_ARGISNULL(1), PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1),
				 PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2),
				 cron_expression, 0, &timing);
	if (timing.mode == TIMING_CRON)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(timing_unit_name(timing.unit)));
}

/*
 * dataexport._timing_shortest_gap(schedule_type, period, schedule_offset,
 * cron_expression) RETURNS interval: the shortest gap between two
 * consecutive instants of the grid, whatever dataexport.min_interval says.
 */
Datum
dataexport_timing_shortest_gap(PG_FUNCTION_ARGS)
{
	char	   *schedule_type;
	char	   *cron_expression;
	ScheduleTiming timing;
	int64		seconds;
	Interval   *result;

	timing_args(fcinfo, &schedule_type, &cron_expression);
	timing_load(schedule_type,
				PG_ARGISNULL(1), PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1),
				PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2),
				cron_expression, 0, &timing);
	seconds = timing_shortest_gap_seconds(&timing);

	/* days and seconds apart, so that the text reads "1 day 00:10:00" */
	result = (Interval *) palloc0(sizeof(Interval));
	result->day = (int32) (seconds / 86400);
	result->time = (seconds % 86400) * USECS_PER_SEC;
	PG_RETURN_INTERVAL_P(result);
}

typedef struct TimingNextState
{
	ScheduleTiming timing;
	TimestampTz last;
	int			remaining;
} TimingNextState;

/*
 * dataexport._timing_next(schedule_type, period, schedule_offset,
 * cron_expression, anchor, after, n) RETURNS SETOF timestamptz: the first n
 * instants of the grid strictly after "after".  The timing is checked as
 * _timing_check does, except for dataexport.min_interval: a stored timing
 * stays readable after the setting is raised.  anchor is needed in simple
 * mode only.
 */
Datum
dataexport_timing_next(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	TimingNextState *state;
	TimestampTz next;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcontext;
		char	   *schedule_type;
		char	   *cron_expression;
		TimestampTz after;

		funcctx = SRF_FIRSTCALL_INIT();
		oldcontext = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);

		if (PG_ARGISNULL(6))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("n must not be null")));
		if (PG_ARGISNULL(5))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("after must not be null")));
		after = PG_GETARG_TIMESTAMPTZ(5);
		if (TIMESTAMP_IS_NOBEGIN(after))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("after must not be -infinity")));

		state = (TimingNextState *) palloc0(sizeof(TimingNextState));
		timing_args(fcinfo, &schedule_type, &cron_expression);
		timing_load(schedule_type,
					PG_ARGISNULL(1), PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1),
					PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2),
					cron_expression,
					PG_ARGISNULL(4) ? 0 : PG_GETARG_TIMESTAMPTZ(4),
					&state->timing);
		if (state->timing.mode == TIMING_SIMPLE && PG_ARGISNULL(4))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("anchor must not be null for schedule_type %s",
							timing_unit_name(state->timing.unit))));
		state->last = after;
		state->remaining = PG_GETARG_INT32(6);
		funcctx->user_fctx = state;
		MemoryContextSwitchTo(oldcontext);
	}

	funcctx = SRF_PERCALL_SETUP();
	state = (TimingNextState *) funcctx->user_fctx;

	if (state->remaining <= 0)
		SRF_RETURN_DONE(funcctx);
	next = timing_next_after(&state->timing, state->last);
	if (next == DT_NOEND)
		SRF_RETURN_DONE(funcctx);
	state->last = next;
	state->remaining--;
	SRF_RETURN_NEXT(funcctx, TimestampTzGetDatum(next));
}
