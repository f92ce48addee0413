/*-------------------------------------------------------------------------
 * file_store.h
 *	  Where job files live until they expire, and how they are written.
 *
 * A file is written under "<name>.tmp", flushed, fsynced and renamed to its
 * final name only when complete (durable_rename), so that a crash never
 * leaves a partly written file under a final name.  The sha256 and size are
 * computed as the bytes go out.
 *-------------------------------------------------------------------------
 */
#ifndef FILE_STORE_H
#define FILE_STORE_H

#include "common/sha2.h"

typedef struct StoreFile StoreFile;

/* The directory of a job's files: <storage_dir>/<database oid>/<job id>. */
extern char *store_job_dir(int64 job_id);

/* Same, created (with its parents) if missing. */
extern char *store_make_job_dir(int64 job_id);

/* Start writing dir/name (under a temporary name). */
extern StoreFile *store_open(const char *dir, const char *name);

extern void store_write(StoreFile *file, const char *data, size_t len);

/* Bytes written so far. */
extern int64 store_bytes(StoreFile *file);

/*
 * Flush, fsync and publish under the final name; the lower-case hex sha256
 * of the content goes to sha256_hex (PG_SHA256_DIGEST_STRING_LENGTH bytes).
 */
extern void store_close(StoreFile *file, char *sha256_hex);

/* Remove the temporary files a failed or interrupted job left in its dir. */
extern void store_remove_temporary(int64 job_id);

/* Remove a job's directory and everything in it (retention). */
extern void store_remove_job(int64 job_id);

#endif							/* FILE_STORE_H */
