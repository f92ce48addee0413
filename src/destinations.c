/*-------------------------------------------------------------------------
 * destinations.c
 *	  Destinations: directories, confined below dataexport.destination_root,
 *	  to which each successful job's files are delivered (SPEC section 8).
 *
 * Confinement.  A destination's directory is stored resolved: the longest
 * existing prefix of the requested path goes through realpath() (symbolic
 * links followed) and must lie strictly below the resolved root and outside
 * the data directory.  Every later use opens the root, then each component
 * of the stored path with openat(O_NOFOLLOW | O_DIRECTORY), and the same for
 * the partition directories below it: as the stored path has no symbolic
 * link in it, meeting one means that a directory was swapped for a link
 * after the destination was created, and the delivery fails.  Walking by
 * descriptors also leaves no window between checking a path and using it.
 * Missing directories on the way are created, mode 0750.
 *
 * Delivery.  Each file is written under ".<name>.tmp" in its final
 * directory (created O_EXCL | O_NOFOLLOW, mode 0640), fsynced and renamed:
 * a file is there under its final name complete or not at all.  Files are
 * copied from the job's stored files, their sha256 checked against the job
 * record on the way, and gzip-compressed (zlib) when the destination says
 * so.  The data files go to every destination first, then each
 * destination's manifest, so that a manifest (which tells a loader that the
 * job is complete) is written only once every destination has the data.
 *
 * What this file must not do: decide what a job exports, or touch the
 * catalog beyond reading it (the caller records the job).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "destinations.h"
#include "file_store.h"
#include "pg_dataexport.h"

#define DESTINATION_DIR_MODE	0750
#define DESTINATION_FILE_MODE	0640
#define COPY_BUFFER_SIZE		(64 * 1024)

/* The directory below each destination that holds the manifests. */
#define MANIFEST_DIR			"_manifests"

/* ------------------------------------------------------------------------
 * Raw descriptors
 *
 * openat() needs descriptors that fd.c does not manage.  They are counted
 * with ReserveExternalFD and registered here, so that the PG_CATCH of each
 * entry point (and the next entry, should one be missed) closes them.
 * ------------------------------------------------------------------------
 */

#define MAX_TRACKED_FDS 8

static int	tracked_fds[MAX_TRACKED_FDS];
static int	n_tracked_fds = 0;

/* The temporary file being written, removed if an error interrupts it. */
typedef struct DestFile DestFile;
static DestFile *pending_file = NULL;

static void
track_fd(int fd)
{
	if (n_tracked_fds == MAX_TRACKED_FDS)
	{
		close(fd);
		elog(ERROR, "too many directories open for a delivery");
	}
	ReserveExternalFD();
	tracked_fds[n_tracked_fds++] = fd;
}

static void
close_fd(int fd)
{
	int			i;

	for (i = 0; i < n_tracked_fds; i++)
	{
		if (tracked_fds[i] == fd)
		{
			tracked_fds[i] = tracked_fds[--n_tracked_fds];
			close(fd);
			ReleaseExternalFD();
			return;
		}
	}
	elog(ERROR, "descriptor %d is not open", fd);
}

static void cleanup_after_error(void);

/* ------------------------------------------------------------------------
 * The root and walking below it
 * ------------------------------------------------------------------------
 */

/*
 * dataexport.destination_root, resolved.  With create, a missing root is
 * created (its parent must exist): creating a destination is an
 * administrator's act.  Delivery never creates it: a root that is gone may
 * be an unmounted volume, and files written to the disk beneath would go
 * unnoticed.
 */
static char *
resolved_root(bool create)
{
	const char *root = dataexport_destination_root;
	char	   *resolved;
	char	   *result;

	if (root == NULL || root[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("destinations are disabled"),
				 errdetail("dataexport.destination_root is empty."),
				 errhint("Set dataexport.destination_root in postgresql.conf to the directory below which destinations may lie, and restart the server.")));

	resolved = realpath(root, NULL);
	if (resolved == NULL && errno == ENOENT && create)
	{
		if (mkdir(root, DESTINATION_DIR_MODE) == 0)
		{
			if (chmod(root, DESTINATION_DIR_MODE) != 0)
				ereport(ERROR,
						(errcode_for_file_access(),
						 errmsg("could not change the mode of directory \"%s\": %m", root)));
		}
		else if (errno != EEXIST)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not create dataexport.destination_root \"%s\": %m", root)));
		resolved = realpath(root, NULL);
	}
	if (resolved == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not resolve dataexport.destination_root \"%s\": %m", root)));
	result = pstrdup(resolved);
	free(resolved);
	return result;
}

static int
open_root(const char *root)
{
	int			fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open dataexport.destination_root \"%s\": %m", root)));
	track_fd(fd);
	return fd;
}

/* Why openat(name) failed in atfd: a symbolic link is an escape. */
static void
report_open_failure(int atfd, const char *name, const char *shown, const char *what)
{
	int			save_errno = errno;
	struct stat st;

	if (fstatat(atfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("\"%s\" is a symbolic link", shown),
				 errdetail("No directory below dataexport.destination_root on the way to a delivered file may be a symbolic link: it could lead outside the root.")));
	errno = save_errno;
	ereport(ERROR,
			(errcode_for_file_access(),
			 errmsg("could not open %s \"%s\": %m", what, shown)));
}

/*
 * Open the subdirectory name of atfd without following a symbolic link,
 * creating it (mode 0750, made durable) if missing and create is true.
 * shown is its full path, for messages.
 */
static int
open_subdirectory(int atfd, const char *name, const char *shown, bool create)
{
	int			fd;
	bool		created = false;

	if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
		strchr(name, '/') != NULL)
		elog(ERROR, "invalid directory name \"%s\"", name);

	fd = openat(atfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create)
	{
		if (mkdirat(atfd, name, DESTINATION_DIR_MODE) == 0)
			created = true;
		else if (errno != EEXIST)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not create directory \"%s\": %m", shown)));
		fd = openat(atfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		report_open_failure(atfd, name, shown, "directory");
	track_fd(fd);

	if (created)
	{
		/* The documented mode whatever the server's umask, and durable. */
		if (fchmod(fd, DESTINATION_DIR_MODE) != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not change the mode of directory \"%s\": %m", shown)));
		if (pg_fsync(atfd) != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not fsync the directory containing \"%s\": %m", shown)));
	}
	return fd;
}

/*
 * Open the directory rel (components separated by '/') below the open
 * directory atfd, whose path is shown, one component at a time.  Returns a
 * new descriptor; atfd stays open.
 */
static int
open_below(int atfd, const char *shown, const char *rel, bool create)
{
	char	   *copy = pstrdup(rel);
	char	   *comp;
	char	   *next;
	StringInfoData path;
	int			cur = -1;

	initStringInfo(&path);
	appendStringInfoString(&path, shown);
	for (comp = copy; comp != NULL; comp = next)
	{
		int			fd;

		next = strchr(comp, '/');
		if (next)
			*next++ = '\0';
		if (comp[0] == '\0')
			continue;
		appendStringInfo(&path, "/%s", comp);
		fd = open_subdirectory(cur >= 0 ? cur : atfd, comp, path.data, create);
		if (cur >= 0)
			close_fd(cur);
		cur = fd;
	}
	if (cur < 0)
		elog(ERROR, "empty directory path below \"%s\"", shown);
	pfree(copy);
	pfree(path.data);
	return cur;
}

/*
 * Open a destination's stored directory by walking from the root: it must
 * still lie below the (resolved) root and contain no symbolic link.
 * Missing directories are created again.
 */
static int
open_destination(const char *root, const char *name, const char *directory)
{
	size_t		rootlen = strlen(root);
	int			rootfd;
	int			fd;

	if (!path_is_prefix_of_path(root, directory) || directory[rootlen] != '/')
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("directory \"%s\" of destination \"%s\" is not below dataexport.destination_root",
						directory, name),
				 errdetail("dataexport.destination_root resolves to \"%s\".", root)));

	rootfd = open_root(root);
	fd = open_below(rootfd, root, directory + rootlen + 1, true);
	close_fd(rootfd);
	return fd;
}

/* ------------------------------------------------------------------------
 * Creating a destination: dataexport._destination_directory(directory)
 * ------------------------------------------------------------------------
 */

/* The requested path, checked, with its existing prefix resolved. */
static char *
resolve_requested_directory(const char *requested)
{
	char	   *canonical;
	char	   *prefix;
	char	   *rest = NULL;
	char	   *resolved;
	char	   *full;
	const char *p;

	if (requested[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("directory must not be empty")));
	if (strlen(requested) >= MAXPGPATH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("directory is too long"),
				 errdetail("A directory is at most %d bytes.", MAXPGPATH - 1)));
	for (p = requested; *p; p++)
		if ((unsigned char) *p < 0x20 || *p == 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("directory must not contain control characters")));
	if (!is_absolute_path(requested))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("directory \"%s\" is not an absolute path", requested),
				 errhint("Give the full path of a directory below dataexport.destination_root.")));

	/* ".." is refused outright, even where it would stay below the root. */
	for (p = requested; *p; p++)
	{
		if (p[0] == '.' && p[1] == '.' && (p == requested || p[-1] == '/') &&
			(p[2] == '\0' || p[2] == '/'))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("directory \"%s\" must not contain \"..\"", requested)));
	}

	canonical = pstrdup(requested);
	canonicalize_path(canonical);

	/* Resolve the longest prefix that exists; the rest is created later. */
	prefix = pstrdup(canonical);
	for (;;)
	{
		char	   *slash;

		CHECK_FOR_INTERRUPTS();
		resolved = realpath(prefix, NULL);
		if (resolved != NULL)
			break;
		if (errno != ENOENT)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not resolve directory \"%s\": %m", prefix)));
		slash = strrchr(prefix, '/');
		if (slash == NULL || slash == prefix)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not resolve directory \"%s\": %m", canonical)));
		rest = rest ? psprintf("%s/%s", slash + 1, rest) : pstrdup(slash + 1);
		*slash = '\0';
	}
	full = rest ? psprintf("%s/%s", strcmp(resolved, "/") == 0 ? "" : resolved, rest)
		: pstrdup(resolved);
	free(resolved);
	return full;
}

PG_FUNCTION_INFO_V1(pgde_destination_directory);

/*
 * dataexport._destination_directory(directory text) RETURNS text
 *
 * Check that a requested destination directory resolves below
 * dataexport.destination_root, create it if missing, and return it
 * resolved (the form stored).  The caller's privileges are checked by
 * _create_destination; this function is not executable by PUBLIC.
 */
Datum
pgde_destination_directory(PG_FUNCTION_ARGS)
{
	char	   *requested;
	char	   *root;
	char	   *full;
	char	   *datadir;
	size_t		rootlen;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("directory must not be null")));
	requested = text_to_cstring(PG_GETARG_TEXT_PP(0));

	root = resolved_root(true);
	rootlen = strlen(root);
	full = resolve_requested_directory(requested);

	if (!path_is_prefix_of_path(root, full) || full[rootlen] != '/')
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("directory \"%s\" is not below dataexport.destination_root", requested),
				 strcmp(full, requested) != 0 ?
				 errdetail("It resolves to \"%s\".", full) : 0,
				 errhint("Destination directories must lie below \"%s\".", root)));

	datadir = realpath(DataDir, NULL);
	if (datadir != NULL && path_is_prefix_of_path(datadir, full))
	{
		free(datadir);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("directory \"%s\" is inside the data directory", requested)));
	}
	free(datadir);

	PG_TRY();
	{
		int			fd = open_destination(root, "", full);

		/* Refuse now what delivery could not do later. */
		if (faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("directory \"%s\" is not writable by the server: %m", full)));
		close_fd(fd);
	}
	PG_CATCH();
	{
		cleanup_after_error();
		PG_RE_THROW();
	}
	PG_END_TRY();

	PG_RETURN_TEXT_P(cstring_to_text(full));
}

/* ------------------------------------------------------------------------
 * Writing one delivered file: temporary name, fsync, rename
 * ------------------------------------------------------------------------
 */

struct DestFile
{
	int			dirfd;			/* the directory it is written in */
	const char *shown_dir;		/* that directory's path, for messages */
	char	   *tmp_name;
	char	   *final_name;
	int			fd;				/* the temporary file */
	bool		gzip;
	z_stream	zs;
	char	   *zbuf;
};

/* zlib allocates in the current memory context: an error frees it all. */
static voidpf
zalloc_palloc(voidpf opaque, uInt items, uInt size)
{
	return palloc((Size) items * size);
}

static void
zfree_palloc(voidpf opaque, voidpf address)
{
	pfree(address);
}

static DestFile *
dest_open(int dirfd, const char *shown_dir, const char *final_name, bool gzip)
{
	DestFile   *f = palloc0(sizeof(DestFile));

	f->dirfd = dirfd;
	f->shown_dir = shown_dir;
	f->final_name = pstrdup(final_name);
	f->tmp_name = psprintf(".%s.tmp", final_name);
	f->gzip = gzip;

	/*
	 * A leftover of an interrupted delivery goes first; O_EXCL then makes
	 * sure that what is written is a new file, not something planted under
	 * the temporary name (a link to another file).
	 */
	if (unlinkat(dirfd, f->tmp_name, 0) != 0 && errno != ENOENT)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not remove file \"%s/%s\": %m", shown_dir, f->tmp_name)));
	f->fd = openat(dirfd, f->tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				   DESTINATION_FILE_MODE);
	if (f->fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create file \"%s/%s\": %m", shown_dir, f->tmp_name)));
	track_fd(f->fd);
	pending_file = f;
	if (fchmod(f->fd, DESTINATION_FILE_MODE) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not change the mode of file \"%s/%s\": %m", shown_dir, f->tmp_name)));

	if (gzip)
	{
		f->zs.zalloc = zalloc_palloc;
		f->zs.zfree = zfree_palloc;
		f->zs.opaque = NULL;
		/* windowBits 15 + 16: a gzip stream, with a header of fixed content */
		if (deflateInit2(&f->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
						 Z_DEFAULT_STRATEGY) != Z_OK)
			elog(ERROR, "could not initialize gzip compression: %s",
				 f->zs.msg ? f->zs.msg : "unknown error");
		f->zbuf = palloc(COPY_BUFFER_SIZE);
	}
	return f;
}

static void
dest_write_raw(DestFile *f, const char *data, size_t len)
{
	while (len > 0)
	{
		ssize_t		written;

		errno = 0;
		written = write(f->fd, data, len);
		if (written <= 0)
		{
			/* A short write with no errno is a full disk. */
			if (errno == 0)
				errno = ENOSPC;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not write to file \"%s/%s\": %m", f->shown_dir, f->tmp_name)));
		}
		data += written;
		len -= written;
	}
}

/* Run deflate over what zs holds, writing out what it produces. */
static void
dest_deflate(DestFile *f, int flush)
{
	int			ret;

	do
	{
		f->zs.next_out = (Bytef *) f->zbuf;
		f->zs.avail_out = COPY_BUFFER_SIZE;
		ret = deflate(&f->zs, flush);
		if (ret == Z_STREAM_ERROR)
			elog(ERROR, "gzip compression failed");
		dest_write_raw(f, f->zbuf, COPY_BUFFER_SIZE - f->zs.avail_out);
	} while (f->zs.avail_out == 0);
	if (flush == Z_FINISH && ret != Z_STREAM_END)
		elog(ERROR, "gzip compression did not finish");
}

static void
dest_write(DestFile *f, const char *data, size_t len)
{
	if (!f->gzip)
	{
		dest_write_raw(f, data, len);
		return;
	}
	f->zs.next_in = (Bytef *) data;
	f->zs.avail_in = (uInt) len;
	dest_deflate(f, Z_NO_FLUSH);
}

/* Finish, fsync, and publish under the final name. */
static void
dest_close(DestFile *f)
{
	if (f->gzip)
	{
		f->zs.next_in = NULL;
		f->zs.avail_in = 0;
		dest_deflate(f, Z_FINISH);
		deflateEnd(&f->zs);
	}
	if (pg_fsync(f->fd) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not fsync file \"%s/%s\": %m", f->shown_dir, f->tmp_name)));
	close_fd(f->fd);
	f->fd = -1;
	if (renameat(f->dirfd, f->tmp_name, f->dirfd, f->final_name) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not rename file \"%s/%s\" to \"%s\": %m",
						f->shown_dir, f->tmp_name, f->final_name)));
	pending_file = NULL;
	if (pg_fsync(f->dirfd) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not fsync directory \"%s\": %m", f->shown_dir)));
}

/* After an error: remove the temporary file being written, close all. */
static void
cleanup_after_error(void)
{
	if (pending_file != NULL)
	{
		(void) unlinkat(pending_file->dirfd, pending_file->tmp_name, 0);
		pending_file = NULL;
	}
	while (n_tracked_fds > 0)
	{
		close(tracked_fds[--n_tracked_fds]);
		ReleaseExternalFD();
	}
}

/* ------------------------------------------------------------------------
 * Delivering a job
 * ------------------------------------------------------------------------
 */

typedef struct JobFile
{
	char	   *entity_type;
	int			part;
	char	   *file_name;		/* in the job's store directory */
	char	   *sha256;
} JobFile;

typedef struct Destination
{
	char	   *name;
	char	   *directory;
	bool		type_first;
	bool		gzip;
	char	  **paths;			/* per job file, relative to directory */
} Destination;

static char *
lower_copy(const char *s)
{
	char	   *r = pstrdup(s);
	char	   *p;

	for (p = r; *p; p++)
		*p = pg_ascii_tolower((unsigned char) *p);
	return r;
}

/* Copy one stored file into dirfd, checking it against its sha256. */
static void
deliver_file(int64 job_id, const char *store_dir, const JobFile *jf,
			 int dirfd, const char *shown_dir, const char *final_name, bool gzip)
{
	char	   *src_path = psprintf("%s/%s", store_dir, jf->file_name);
	int			src;
	char	   *buf = palloc(COPY_BUFFER_SIZE);
	pg_cryptohash_ctx *sha;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char		hex[PG_SHA256_DIGEST_STRING_LENGTH];
	DestFile   *f;
	int			i;

	src = OpenTransientFile(src_path, O_RDONLY | PG_BINARY);
	if (src < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\" of job " INT64_FORMAT ": %m",
						src_path, job_id)));
	sha = pg_cryptohash_create(PG_SHA256);
	if (sha == NULL || pg_cryptohash_init(sha) < 0)
		elog(ERROR, "could not initialize a sha256 context");

	f = dest_open(dirfd, shown_dir, final_name, gzip);
	for (;;)
	{
		ssize_t		n;

		CHECK_FOR_INTERRUPTS();
		n = read(src, buf, COPY_BUFFER_SIZE);
		if (n < 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read file \"%s\": %m", src_path)));
		if (n == 0)
			break;
		if (pg_cryptohash_update(sha, (uint8 *) buf, n) < 0)
			elog(ERROR, "could not update a sha256 context");
		dest_write(f, buf, n);
	}
	CloseTransientFile(src);

	if (pg_cryptohash_final(sha, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not finish a sha256 context");
	pg_cryptohash_free(sha);
	for (i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	if (strcmp(hex, jf->sha256) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("file \"%s\" of job " INT64_FORMAT " changed since it was written",
						jf->file_name, job_id),
				 errdetail("Its sha256 is %s, not %s as recorded.", hex, jf->sha256)));

	dest_close(f);
	pfree(buf);
	pfree(src_path);
}

/* Write a manifest (in memory) as <directory>/_manifests/<job_id>.json. */
static void
deliver_manifest(int64 job_id, const char *root, Destination *d, const char *manifest)
{
	int			dirfd = open_destination(root, d->name, d->directory);
	int			mfd = open_below(dirfd, d->directory, MANIFEST_DIR, true);
	char	   *shown = psprintf("%s/%s", d->directory, MANIFEST_DIR);
	char	   *name = psprintf(INT64_FORMAT ".json", job_id);
	DestFile   *f = dest_open(mfd, shown, name, false);

	dest_write(f, manifest, strlen(manifest));
	dest_write(f, "\n", 1);
	dest_close(f);
	close_fd(mfd);
	close_fd(dirfd);
}

static char *
spi_value(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/* The job's manifest for one destination: each file with its path. */
static char *
destination_manifest(const char *manifest, Destination *d, JobFile *files, int nfiles)
{
	Datum	   *types = palloc(sizeof(Datum) * Max(nfiles, 1));
	Datum	   *parts = palloc(sizeof(Datum) * Max(nfiles, 1));
	Datum	   *paths = palloc(sizeof(Datum) * Max(nfiles, 1));
	Oid			argtypes[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTARRAYOID, INT4ARRAYOID, TEXTARRAYOID};
	Datum		args[6];
	int			i;
	int			ret;

	for (i = 0; i < nfiles; i++)
	{
		types[i] = CStringGetTextDatum(files[i].entity_type);
		parts[i] = Int32GetDatum(files[i].part);
		paths[i] = CStringGetTextDatum(d->paths[i]);
	}
	args[0] = CStringGetTextDatum(manifest);
	args[1] = CStringGetTextDatum(d->name);
	args[2] = CStringGetTextDatum(d->gzip ? "gzip" : "none");
	args[3] = PointerGetDatum(construct_array(types, nfiles, TEXTOID, -1, false, TYPALIGN_INT));
	args[4] = PointerGetDatum(construct_array(parts, nfiles, INT4OID, 4, true, TYPALIGN_INT));
	args[5] = PointerGetDatum(construct_array(paths, nfiles, TEXTOID, -1, false, TYPALIGN_INT));

	ret = SPI_execute_with_args(
		"SELECT (x.m || pg_catalog.jsonb_build_object("
		"           'destination', $2, 'compression', $3,"
		"           'files', coalesce((SELECT pg_catalog.jsonb_agg("
		"                                  e.f || pg_catalog.jsonb_build_object('path', p.path)"
		"                                  ORDER BY e.i)"
		"                                FROM pg_catalog.jsonb_array_elements(x.m -> 'files')"
		"                                     WITH ORDINALITY e(f, i)"
		"                                JOIN ROWS FROM (pg_catalog.unnest($4), pg_catalog.unnest($5),"
		"                                                pg_catalog.unnest($6)) p(entity_type, part, path)"
		"                                  ON p.entity_type = e.f ->> 'entity_type'"
		"                                 AND p.part = (e.f ->> 'part')::integer),"
		"                             '[]'::jsonb)))::text"
		"  FROM (SELECT $1::jsonb AS m) x",
		6, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not build the manifest of destination \"%s\"", d->name);
	return spi_value(0, 1);
}

/*
 * Re-raise the error being handled, its message prefixed with the
 * destination, after removing what the delivery left half done.
 */
static void
rethrow_naming_destination(int64 job_id, const char *name, MemoryContext cxt)
{
	ErrorData  *edata;

	cleanup_after_error();
	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
		edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
		PG_RE_THROW();
	FlushErrorState();
	edata->message = psprintf("could not deliver job " INT64_FORMAT " to destination \"%s\": %s",
							  job_id, name, edata->message);
	ReThrowError(edata);
}

/* The data files of a job, to one destination, in Hive-style partitions. */
static void
deliver_data_files(int64 job_id, const char *root, Destination *d,
				   const JobFile *files, int nfiles, const char *store_dir,
				   const char *date, const char *hour)
{
	int			dirfd = open_destination(root, d->name, d->directory);
	int			i;

	d->paths = palloc(sizeof(char *) * Max(nfiles, 1));
	for (i = 0; i < nfiles; i++)
	{
		char	   *type_part = psprintf("type=%s", lower_copy(files[i].entity_type));
		char	   *time_part = psprintf("date=%s/hour=%s", date, hour);
		char	   *rel = d->type_first ? psprintf("%s/%s", type_part, time_part)
			: psprintf("%s/%s", time_part, type_part);
		char	   *shown = psprintf("%s/%s", d->directory, rel);
		char	   *final = psprintf(INT64_FORMAT "_%s%s", job_id, files[i].file_name,
									 d->gzip ? ".gz" : "");
		int			subfd = open_below(dirfd, d->directory, rel, true);

		deliver_file(job_id, store_dir, &files[i], subfd, shown, final, d->gzip);
		close_fd(subfd);
		d->paths[i] = psprintf("%s/%s", rel, final);
	}
	close_fd(dirfd);
}

void
destinations_deliver(int64 job_id)
{
	Oid			argtypes[2] = {INT8OID, OIDOID};
	Datum		args[2];
	bool		isnull;
	ArrayType  *names;
	Oid			owner;
	char	   *date;
	char	   *hour;
	char	   *manifest;
	char	   *store_dir;
	char	   *root;
	JobFile    *files;
	int			nfiles;
	Destination *dests;
	int			ndests;
	int			i;
	int			k;

	cleanup_after_error();		/* nothing should be left; be sure */

	args[0] = Int64GetDatum(job_id);
	if (SPI_execute_with_args("SELECT j.destinations, j.owner::oid,"
							  "       pg_catalog.to_char(j.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),"
							  "       pg_catalog.to_char(j.started_at AT TIME ZONE 'UTC', 'HH24'),"
							  "       j.manifest::text"
							  "  FROM dataexport.job j WHERE j.job_id = $1",
							  1, argtypes, args, NULL, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "job " INT64_FORMAT " vanished", job_id);
	names = DatumGetArrayTypePCopy(SPI_getbinval(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc, 1, &isnull));
	if (ArrayGetNItems(ARR_NDIM(names), ARR_DIMS(names)) == 0)
		return;
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	date = spi_value(0, 3);
	hour = spi_value(0, 4);
	manifest = spi_value(0, 5);
	if (date == NULL || manifest == NULL)
		elog(ERROR, "job " INT64_FORMAT " has no start time or manifest", job_id);

	/* The job's files, in manifest order. */
	if (SPI_execute_with_args("SELECT f.entity_type, f.part, f.file_name, f.sha256"
							  "  FROM dataexport.job_file f JOIN dataexport.job j USING (job_id)"
							  " WHERE f.job_id = $1"
							  " ORDER BY pg_catalog.array_position(j.entity_types, f.entity_type), f.part",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the files of job " INT64_FORMAT, job_id);
	nfiles = (int) SPI_processed;
	files = palloc0(sizeof(JobFile) * Max(nfiles, 1));
	for (i = 0; i < nfiles; i++)
	{
		files[i].entity_type = spi_value(i, 1);
		files[i].part = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
		files[i].file_name = spi_value(i, 3);
		files[i].sha256 = spi_value(i, 4);
	}

	/*
	 * The destinations, in the job's order.  The owner must still be
	 * allowed to use each one: the right is checked again at run time, as
	 * SELECT on the tables is.
	 */
	args[0] = PointerGetDatum(names);
	args[1] = ObjectIdGetDatum(owner);
	argtypes[0] = TEXTARRAYOID;
	if (SPI_execute_with_args("SELECT u.name, d.directory, d.partition_order, d.compression,"
							  "       dataexport._may_use_destination($2, d.created_by)"
							  "  FROM pg_catalog.unnest($1) WITH ORDINALITY u(name, i)"
							  "  LEFT JOIN dataexport.destination d ON d.name = u.name"
							  " ORDER BY u.i",
							  2, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the destinations of job " INT64_FORMAT, job_id);
	ndests = (int) SPI_processed;
	dests = palloc0(sizeof(Destination) * ndests);
	for (i = 0; i < ndests; i++)
	{
		Destination *d = &dests[i];
		char	   *may_use;

		d->name = spi_value(i, 1);
		d->directory = spi_value(i, 2);
		if (d->directory == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("destination \"%s\" of job " INT64_FORMAT " no longer exists",
							d->name, job_id)));
		d->type_first = strcmp(spi_value(i, 3), "TYPE_FIRST") == 0;
		d->gzip = strcmp(spi_value(i, 4), "gzip") == 0;
		may_use = spi_value(i, 5);
		if (may_use == NULL || strcmp(may_use, "t") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for destination \"%s\"", d->name),
					 errdetail("The job runs with the privileges of its owner, %s, who may no longer use the destination.",
							   GetUserNameFromId(owner, false))));
	}

	if (dataexport_destination_root == NULL || dataexport_destination_root[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not deliver job " INT64_FORMAT ": destinations are disabled (dataexport.destination_root is empty)",
						job_id),
				 errhint("Set dataexport.destination_root in postgresql.conf and restart the server, or remove the destinations from the schedule.")));
	root = resolved_root(false);
	store_dir = store_job_dir(job_id);

	/* The data files, to every destination. */
	for (k = 0; k < ndests; k++)
	{
		MemoryContext cxt = CurrentMemoryContext;

		PG_TRY();
		{
			deliver_data_files(job_id, root, &dests[k], files, nfiles, store_dir, date, hour);
		}
		PG_CATCH();
		{
			rethrow_naming_destination(job_id, dests[k].name, cxt);
		}
		PG_END_TRY();
	}

	/* Then the manifests: each tells a loader that the job is complete. */
	for (k = 0; k < ndests; k++)
	{
		MemoryContext cxt = CurrentMemoryContext;
		char	   *text = destination_manifest(manifest, &dests[k], files, nfiles);

		PG_TRY();
		{
			deliver_manifest(job_id, root, &dests[k], text);
		}
		PG_CATCH();
		{
			rethrow_naming_destination(job_id, dests[k].name, cxt);
		}
		PG_END_TRY();
	}
}
