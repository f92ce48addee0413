/*-------------------------------------------------------------------------
 * pg_dataexport.c
 *	  Module entry point: the dataexport.* settings.
 *
 * Reloadable settings are defined whenever the library is loaded; the
 * restart-only ones too (their value comes from the configuration file), so
 * that a session without shared_preload_libraries sees the same values as
 * the scheduler.  The background scheduler is registered only when the
 * library is preloaded (worker.c).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "capture.h"
#include "pg_dataexport.h"
#include "worker.h"

PG_MODULE_MAGIC;

char	   *dataexport_database_names = NULL;
char	   *dataexport_storage_dir = NULL;
char	   *dataexport_destination_root = NULL;
char	   *dataexport_max_file_size = NULL;
int64		dataexport_max_file_size_bytes = INT64CONST(6) * 1024 * 1024 * 1024;
int			dataexport_file_retention_s = 24 * 3600;
int			dataexport_min_interval_s = 15 * 60;
int			dataexport_job_history_retention_s = 30 * 24 * 3600;
int			dataexport_max_workers = 4;
bool		dataexport_enabled = true;

void		_PG_init(void);

/*
 * Parse a size such as '6GB', '512kB', '100MB' or '300' (bytes).  Units as
 * PostgreSQL's memory settings spell them: B, kB, MB, GB, TB.
 */
static bool
parse_size_bytes(const char *text, int64 *result)
{
	const char *p = text;
	int64		value = 0;
	bool		digits = false;

	while (isspace((unsigned char) *p))
		p++;
	while (isdigit((unsigned char) *p))
	{
		if (value > (PG_INT64_MAX - 9) / 10)
			return false;
		value = value * 10 + (*p - '0');
		digits = true;
		p++;
	}
	if (!digits)
		return false;
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
	{
		int64		mult;
		const char *unit = p;
		size_t		len = strlen(unit);

		while (len > 0 && isspace((unsigned char) unit[len - 1]))
			len--;
		if (len == 1 && unit[0] == 'B')
			mult = 1;
		else if (len == 2 && strncmp(unit, "kB", 2) == 0)
			mult = INT64CONST(1024);
		else if (len == 2 && strncmp(unit, "MB", 2) == 0)
			mult = INT64CONST(1024) * 1024;
		else if (len == 2 && strncmp(unit, "GB", 2) == 0)
			mult = INT64CONST(1024) * 1024 * 1024;
		else if (len == 2 && strncmp(unit, "TB", 2) == 0)
			mult = INT64CONST(1024) * 1024 * 1024 * 1024;
		else
			return false;
		if (value > PG_INT64_MAX / mult)
			return false;
		value *= mult;
	}
	*result = value;
	return true;
}

static bool
check_max_file_size(char **newval, void **extra, GucSource source)
{
	int64		bytes;
	int64	   *copy;

	if (!parse_size_bytes(*newval, &bytes) || bytes < 1)
	{
		GUC_check_errdetail("dataexport.max_file_size must be a positive size such as \"6GB\", \"100MB\" or \"4096\" (bytes).");
		return false;
	}
	copy = (int64 *) malloc(sizeof(int64));
	if (copy == NULL)
		return false;
	*copy = bytes;
	*extra = copy;
	return true;
}

static void
assign_max_file_size(const char *newval, void *extra)
{
	dataexport_max_file_size_bytes = *((int64 *) extra);
}

void
_PG_init(void)
{
	/*
	 * Restart-only settings are PGC_POSTMASTER when the library is
	 * preloaded.  Loaded later (no background scheduler), a library may not
	 * define such settings; they are then read from the configuration file
	 * as reloadable ones, which is all that session needs.
	 */
	GucContext	restart_only = process_shared_preload_libraries_in_progress ?
		PGC_POSTMASTER : PGC_SIGHUP;

	/*
	 * Reloadable settings.  max_file_size may also be set per session by a
	 * superuser, which is how tests make files split.
	 */
	DefineCustomStringVariable("dataexport.max_file_size",
							   "Size at which an exported file is split into parts.",
							   "A size with a unit (B, kB, MB, GB, TB); a bare number is bytes.",
							   &dataexport_max_file_size,
							   "6GB",
							   PGC_SUSET,
							   0,
							   check_max_file_size, assign_max_file_size, NULL);

	DefineCustomIntVariable("dataexport.file_retention",
							"How long exported files are kept after their job completes.",
							NULL,
							&dataexport_file_retention_s,
							24 * 3600, 0, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("dataexport.job_history_retention",
							"How long finished job records are kept.",
							"Their manifests go with them.",
							&dataexport_job_history_retention_s,
							30 * 24 * 3600, 60, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("dataexport.min_interval",
							"Shortest allowed gap between two runs of one schedule.",
							NULL,
							&dataexport_min_interval_s,
							15 * 60, 60, 24 * 3600,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("dataexport.enabled",
							 "Whether the background scheduler starts export jobs.",
							 NULL,
							 &dataexport_enabled,
							 true,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);

	/* Restart-only settings (see above). */
	DefineCustomStringVariable("dataexport.database_names",
							   "Databases whose schedules the background scheduler runs.",
							   "A comma-separated list of database names.",
							   &dataexport_database_names,
							   "postgres",
							   restart_only,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("dataexport.storage_dir",
							   "Directory where job files are kept until they expire.",
							   "A relative path is taken from the data directory.",
							   &dataexport_storage_dir,
							   "pg_dataexport",
							   restart_only,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("dataexport.destination_root",
							   "Directory below which every destination must lie.",
							   "Empty means that destinations are refused.",
							   &dataexport_destination_root,
							   "",
							   restart_only,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("dataexport.max_workers",
							"Export jobs running at once.",
							NULL,
							&dataexport_max_workers,
							4, 1, 64,
							restart_only,
							0,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("dataexport");

	capture_init();

	if (process_shared_preload_libraries_in_progress)
		worker_register_launcher();
}
