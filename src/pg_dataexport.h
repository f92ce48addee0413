/*-------------------------------------------------------------------------
 * pg_dataexport.h
 *	  Settings and definitions shared by every module of pg_dataexport.
 *
 * Each module has a header of its own; this one holds only what all of them
 * need: the dataexport.* settings and the export formats.
 *-------------------------------------------------------------------------
 */
#ifndef PG_DATAEXPORT_H
#define PG_DATAEXPORT_H

#include "postgres.h"

#define DATAEXPORT_SCHEMA "dataexport"

/* export_file_format */
typedef enum ExportFormat
{
	EXPORT_FORMAT_CSV,
	EXPORT_FORMAT_JSONL
} ExportFormat;

/* dataexport.* settings (defined in pg_dataexport.c) */
extern char *dataexport_database_names;
extern char *dataexport_storage_dir;
extern char *dataexport_destination_root;
extern char *dataexport_max_file_size;	/* text such as '6GB'; see below */
extern int	dataexport_file_retention_s;	/* seconds */
extern int	dataexport_min_interval_s;	/* seconds */
extern int	dataexport_job_history_retention_s;	/* seconds */
extern int	dataexport_max_workers;
extern bool dataexport_enabled;

/* dataexport.max_file_size in bytes (parsed by its check hook). */
extern int64 dataexport_max_file_size_bytes;

#endif							/* PG_DATAEXPORT_H */
