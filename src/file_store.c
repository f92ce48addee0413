/*-------------------------------------------------------------------------
 * file_store.c
 *	  The job files kept under dataexport.storage_dir until they expire.
 *
 * Layout: <storage_dir>/<database oid>/<job id>/<entity>.csv (or .jsonl,
 * _part2..., manifest.json).  Directories are created 0700 and files 0600
 * (PostgreSQL's own modes): job files are not world-readable.
 *
 * Files go through OpenTransientFile, so an error closes them; what the
 * error leaves is a "*.tmp" file, which is never mistaken for a complete
 * one and which store_remove_temporary (or retention) removes.
 *
 * This file knows nothing of formats or of the catalog.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/file_perm.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/builtins.h"

#include "api.h"
#include "file_store.h"
#include "pg_dataexport.h"

#define STORE_BUFFER_SIZE (64 * 1024)

/*
 * Ask the kernel to start writing out each this many bytes as they are
 * written, so that the fsync before the rename finds most of the file on
 * disk already, instead of waiting for all of it.
 */
#define STORE_WRITEBACK_BYTES (2 * 1024 * 1024)

struct StoreFile
{
	char	   *tmp_path;
	char	   *final_path;
	int			fd;
	int64		bytes;
	int64		written;		/* bytes handed to write() */
	int64		writeback_from; /* start of the range not yet written back */
	pg_cryptohash_ctx *sha256;
	size_t		buffered;
	char		buffer[STORE_BUFFER_SIZE];
};

char *
store_job_dir(int64 job_id)
{
	return psprintf("%s/%u/" INT64_FORMAT, dataexport_storage_dir, MyDatabaseId, job_id);
}

/* mkdir that accepts an existing directory. */
static void
make_directory(const char *path)
{
	if (MakePGDirectory(path) < 0 && errno != EEXIST)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create directory \"%s\": %m", path)));
}

char *
store_make_job_dir(int64 job_id)
{
	char	   *dbdir = psprintf("%s/%u", dataexport_storage_dir, MyDatabaseId);

	make_directory(dataexport_storage_dir);
	make_directory(dbdir);
	pfree(dbdir);
	dbdir = store_job_dir(job_id);
	make_directory(dbdir);
	return dbdir;
}

StoreFile *
store_open(const char *dir, const char *name)
{
	StoreFile  *file = palloc(sizeof(StoreFile));

	file->final_path = psprintf("%s/%s", dir, name);
	file->tmp_path = psprintf("%s.tmp", file->final_path);
	file->fd = OpenTransientFile(file->tmp_path, O_CREAT | O_TRUNC | O_WRONLY | PG_BINARY);
	if (file->fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create file \"%s\": %m", file->tmp_path)));
	file->bytes = 0;
	file->written = 0;
	file->writeback_from = 0;
	file->buffered = 0;
	file->sha256 = pg_cryptohash_create(PG_SHA256);
	if (file->sha256 == NULL || pg_cryptohash_init(file->sha256) < 0)
		elog(ERROR, "could not initialize a sha256 context");
	return file;
}

/*
 * Hash and write out the buffer.  Hashing here, a buffer at a time, rather
 * than in store_write, costs one sha256 update per 64 kB instead of one per
 * row.
 */
static void
store_flush(StoreFile *file)
{
	const char *p = file->buffer;
	size_t		left = file->buffered;

	if (left > 0 &&
		pg_cryptohash_update(file->sha256, (const uint8 *) file->buffer, left) < 0)
		elog(ERROR, "could not update a sha256 context");
	while (left > 0)
	{
		ssize_t		written;

		errno = 0;
		written = write(file->fd, p, left);
		if (written <= 0)
		{
			/* A short write with no errno is a full disk. */
			if (errno == 0)
				errno = ENOSPC;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not write to file \"%s\": %m", file->tmp_path)));
		}
		p += written;
		left -= written;
		file->written += written;
	}
	file->buffered = 0;

	if (file->written - file->writeback_from >= STORE_WRITEBACK_BYTES)
	{
		pg_flush_data(file->fd, file->writeback_from,
					  file->written - file->writeback_from);
		file->writeback_from = file->written;
	}
}

void
store_write(StoreFile *file, const char *data, size_t len)
{
	file->bytes += len;

	while (len > 0)
	{
		size_t		room = STORE_BUFFER_SIZE - file->buffered;
		size_t		n = Min(room, len);

		memcpy(file->buffer + file->buffered, data, n);
		file->buffered += n;
		data += n;
		len -= n;
		if (file->buffered == STORE_BUFFER_SIZE)
			store_flush(file);
	}
}

int64
store_bytes(StoreFile *file)
{
	return file->bytes;
}

void
store_close(StoreFile *file, char *sha256_hex)
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	static const char hex[] = "0123456789abcdef";
	int			i;

	store_flush(file);
	if (pg_fsync(file->fd) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not fsync file \"%s\": %m", file->tmp_path)));
	if (CloseTransientFile(file->fd) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not close file \"%s\": %m", file->tmp_path)));
	file->fd = -1;

	/* Renames and fsyncs the directory: the final name means complete. */
	durable_rename(file->tmp_path, file->final_path, ERROR);

	if (pg_cryptohash_final(file->sha256, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not finish a sha256 context");
	pg_cryptohash_free(file->sha256);
	for (i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
	{
		sha256_hex[2 * i] = hex[digest[i] >> 4];
		sha256_hex[2 * i + 1] = hex[digest[i] & 0x0f];
	}
	sha256_hex[2 * PG_SHA256_DIGEST_LENGTH] = '\0';
}

/* Remove the files in dir whose names end with suffix (all when NULL). */
static void
remove_files(const char *dir, const char *suffix)
{
	DIR		   *d = AllocateDir(dir);
	struct dirent *de;
	size_t		suffixlen = suffix ? strlen(suffix) : 0;

	if (d == NULL && errno == ENOENT)
		return;
	while ((de = ReadDir(d, dir)) != NULL)
	{
		size_t		len = strlen(de->d_name);
		char	   *path;

		CHECK_FOR_INTERRUPTS();
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (suffix && (len < suffixlen || strcmp(de->d_name + len - suffixlen, suffix) != 0))
			continue;
		path = psprintf("%s/%s", dir, de->d_name);
		if (unlink(path) != 0 && errno != ENOENT)
			ereport(WARNING,
					(errcode_for_file_access(),
					 errmsg("could not remove file \"%s\": %m", path)));
		pfree(path);
	}
	FreeDir(d);
}

void
store_remove_temporary(int64 job_id)
{
	char	   *dir = store_job_dir(job_id);

	remove_files(dir, ".tmp");
	pfree(dir);
}

void
store_remove_job(int64 job_id)
{
	char	   *dir = store_job_dir(job_id);

	remove_files(dir, NULL);
	if (rmdir(dir) != 0 && errno != ENOENT)
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not remove directory \"%s\": %m", dir)));
	pfree(dir);
}

/*
 * dataexport.read_file(job_id, entity_type, part) RETURNS SETOF text
 *
 * The file's lines without their "\n": psql -XAt prints each followed by a
 * newline, which reproduces the file byte for byte (this is the download).
 * The caller must own the job (or be a superuser).
 */
PG_FUNCTION_INFO_V1(pgde_read_file);

/* A line of a file (UTF-8) as text in the database encoding. */
static Datum
line_datum(StringInfo line)
{
	char	   *converted = pg_any_to_server(line->data, line->len, PG_UTF8);

	if (converted != line->data)
		return PointerGetDatum(cstring_to_text(converted));
	return PointerGetDatum(cstring_to_text_with_len(line->data, line->len));
}

Datum
pgde_read_file(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			caller = GetUserId();
	int64		job_id;
	char	   *entity_type;
	int32		part;
	Oid			argtypes[3] = {INT8OID, TEXTOID, INT4OID};
	Datum		args[3];
	bool		isnull;
	Oid			owner;
	char	   *file_name = NULL;
	bool		expired = false;
	char	   *path;
	FILE	   *fp;
	StringInfoData line;
	char		chunk[8192];
	size_t		n;
	CatalogAccess catalog;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null",
						PG_ARGISNULL(0) ? "job_id" : PG_ARGISNULL(1) ? "entity_type" : "part")));
	job_id = PG_GETARG_INT64(0);
	entity_type = text_to_cstring(PG_GETARG_TEXT_PP(1));
	part = PG_GETARG_INT32(2);

	catalog_access_begin(&catalog);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = Int64GetDatum(job_id);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = Int32GetDatum(part);
	if (SPI_execute_with_args("SELECT j.owner::oid, f.file_name, f.expired"
							  "  FROM dataexport.job j"
							  "  LEFT JOIN dataexport.job_file f"
							  "    ON f.job_id = j.job_id AND f.entity_type = $2 AND f.part = $3"
							  " WHERE j.job_id = $1",
							  3, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the job catalog");
	if (SPI_processed == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		owner = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		if (!superuser_arg(caller) && owner != caller)
			SPI_processed = 0;	/* another role's job is unknown */
		else
		{
			char	   *name = SPI_getvalue(tup, desc, 2);

			if (name)
			{
				file_name = MemoryContextStrdup(rsinfo->econtext->ecxt_per_query_memory, name);
				expired = DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull));
			}
		}
	}
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("job " INT64_FORMAT " does not exist", job_id)));
	SPI_finish();
	catalog_access_end(&catalog);

	if (file_name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("job " INT64_FORMAT " has no file for entity type \"%.*s\", part %d",
						job_id, pg_mbcliplen(entity_type, strlen(entity_type), 100),
						entity_type, part),
				 errhint("The files of a job are listed in dataexport.job_files.")));
	if (expired)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("file \"%s\" of job " INT64_FORMAT " has expired", file_name, job_id),
				 errdetail("Files are removed dataexport.file_retention after their job completes.")));

	path = psprintf("%s/%s", store_job_dir(job_id), file_name);
	fp = AllocateFile(path, PG_BINARY_R);
	if (fp == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("file \"%s\" of job " INT64_FORMAT " is missing: %m", file_name, job_id)));

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	initStringInfo(&line);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
	{
		size_t		start = 0;
		size_t		i;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < n; i++)
		{
			if (chunk[i] == '\n')
			{
				Datum		value;
				bool		null = false;

				appendBinaryStringInfo(&line, chunk + start, i - start);
				value = line_datum(&line);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &null);
				pfree(DatumGetPointer(value));
				resetStringInfo(&line);
				start = i + 1;
			}
		}
		appendBinaryStringInfo(&line, chunk + start, n - start);
	}
	if (ferror(fp))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read file \"%s\": %m", path)));
	if (line.len > 0)
	{
		Datum		value = line_datum(&line);
		bool		null = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &null);
	}
	FreeFile(fp);
	return (Datum) 0;
}
