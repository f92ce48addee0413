/*-------------------------------------------------------------------------
 * schedule_timing.h
 *	  When a schedule runs: its grid of instants in UTC (SPEC section 4).
 *
 * schedule_timing.c owns simple mode (MINUTE/HOUR/DAY, period, offset) and
 * the dataexport.min_interval rule; cron.c owns cron expressions.  Nothing
 * here reads the clock or the catalog: callers pass every instant, so timing
 * can be evaluated (and tested) at any moment.
 *-------------------------------------------------------------------------
 */
#ifndef SCHEDULE_TIMING_H
#define SCHEDULE_TIMING_H

#include "postgres.h"
#include "datatype/timestamp.h"

typedef struct CronSchedule CronSchedule;	/* cron.h */

typedef enum TimingMode
{
	TIMING_SIMPLE,
	TIMING_CRON
} TimingMode;

typedef enum SimpleUnit
{
	UNIT_MINUTE,
	UNIT_HOUR,
	UNIT_DAY
} SimpleUnit;

typedef struct ScheduleTiming
{
	TimingMode	mode;
	/* simple mode */
	SimpleUnit	unit;
	int			period;
	int			offset;			/* -1 when none */
	TimestampTz anchor;			/* creation, or the last timing change */
	/* cron mode */
	CronSchedule *cron;
} ScheduleTiming;

/*
 * Parse and validate the timing parameters of create_schedule /
 * update_schedule, ereport(ERROR) with SQLSTATE 22023 or 22004 naming the
 * field on any bad value, including a grid closer than
 * dataexport.min_interval.  On success fills *timing (allocated in the
 * current memory context).
 */
extern void timing_parse(const char *schedule_type, bool period_isnull, int period,
						 bool offset_isnull, int offset, const char *cron_expression,
						 TimestampTz anchor, ScheduleTiming *timing);

/*
 * The same as timing_parse without the dataexport.min_interval rule: for a
 * timing accepted before (read back from the catalog), which must keep
 * working after the setting is raised.
 */
extern void timing_load(const char *schedule_type, bool period_isnull, int period,
						bool offset_isnull, int offset, const char *cron_expression,
						TimestampTz anchor, ScheduleTiming *timing);

/*
 * The first instant of the grid strictly after "after" (which must not be
 * -infinity); DT_NOEND when there is none within the timestamp range.
 */
extern TimestampTz timing_next_after(const ScheduleTiming *timing, TimestampTz after);

/* The shortest gap between two consecutive instants of the grid, in seconds. */
extern int64 timing_shortest_gap_seconds(const ScheduleTiming *timing);

/*
 * ereport(ERROR) with SQLSTATE 22023 if the grid has two instants closer
 * than dataexport.min_interval (timing_parse calls it).
 */
extern void timing_check_min_interval(const ScheduleTiming *timing);

/* "MINUTE", "HOUR" or "DAY": schedule_type as stored. */
extern const char *timing_unit_name(SimpleUnit unit);

#endif							/* SCHEDULE_TIMING_H */
