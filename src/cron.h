/*-------------------------------------------------------------------------
 * cron.h
 *	  Cron expressions: the five-field grammar pg_cron accepts, in UTC.
 *
 * cron.c owns parsing an expression into sets of minutes, hours, days of
 * the month, months and days of the week, finding the next instant that
 * matches, and the shortest gap between two consecutive instants over the
 * whole calendar.  It reads neither the clock nor the catalog, and knows
 * nothing of dataexport.min_interval (schedule_timing.c applies that).
 *-------------------------------------------------------------------------
 */
#ifndef CRON_H
#define CRON_H

#include "postgres.h"
#include "datatype/timestamp.h"

/* The longest expression accepted, in bytes (as pg_cron). */
#define CRON_MAX_EXPRESSION_LENGTH 1000

/* The hint every refused expression carries. */
#define CRON_GRAMMAR_HINT \
	"A cron expression has five fields: minute (0-59) hour (0-23) " \
	"day-of-month (1-31 or $) month (1-12 or JAN-DEC) " \
	"day-of-week (0-7 or SUN-SAT), each *, a value, a range a-b, " \
	"a step */n or a-b/n, or a comma list of these; or it is one of " \
	"@hourly, @daily, @weekly, @monthly, @yearly.  Times are UTC."

struct CronSchedule
{
	uint64		minutes;		/* bit m set: minute m (0-59) fires */
	uint32		hours;			/* bit h: hour h (0-23) */
	uint32		days_of_month;	/* bit d: day d (1-31) */
	uint32		months;			/* bit m: month m (1-12) */
	uint32		days_of_week;	/* bit d: weekday d, 0 = Sunday (7 folded in) */
	bool		last_day_of_month;	/* "$" in day-of-month */

	/*
	 * A day-of-month or day-of-week field that begins with "*" counts as
	 * unrestricted: then a day must match both fields.  When neither does,
	 * a day matching either fires (cron's rule, as in pg_cron).
	 */
	bool		dom_star;
	bool		dow_star;

	/* Shortest distance in days between two consecutive firing days. */
	int32		min_day_gap;
};

typedef struct CronSchedule CronSchedule;

/*
 * Parse an expression (palloc'd in the current memory context), or
 * ereport(ERROR) with SQLSTATE 22023 naming cron_expression, the field that
 * is wrong and why, and the grammar in the hint.  Expressions that can
 * never fire (0 0 30 2 *) are refused too.
 */
extern CronSchedule *cron_parse(const char *expression);

/*
 * The first instant strictly after "after" (finite) that the expression
 * fires at; DT_NOEND when it lies beyond the timestamp range.
 */
extern TimestampTz cron_next_after(const CronSchedule *cron, TimestampTz after);

/* The shortest gap, in minutes, between two consecutive firing instants. */
extern int64 cron_shortest_gap_minutes(const CronSchedule *cron);

#endif							/* CRON_H */
