# test/lib/common.sh: setup shared by `make test`, `make demo` and the
# benchmark and soak scripts.  Sourced, not run.
#
# A script that needs PostgreSQL does, in this order:
#
#   . "$root/test/lib/common.sh"
#   ensure_packages                       # Debian packages, installed if missing
#   enter_work_copy test/x.sh "$@"        # re-runs the script in a temporary
#                                         # copy of the tree, as an unprivileged
#                                         # user; returns in that copy
#   private_install                       # a PostgreSQL 15 of our own in the copy
#   build_extension                       # make, make install into it
#
# Nothing here touches the system PostgreSQL: the extension is installed into
# a relocated copy of /usr/lib/postgresql/15 and /usr/share/postgresql/15
# under the work directory, and every cluster lives in the work directory.
# initdb and postgres refuse to run as root, so root hands over to the user
# `postgres` (created by the postgresql-common package).

PG_MAJOR=${PG_MAJOR:-15}
export PG_MAJOR

step() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The Debian packages every script needs.  gcc alone does not pull in the C
# library headers, and perl is what ships prove.
DEBIAN_PACKAGES=(
	"postgresql-$PG_MAJOR"
	"postgresql-client-$PG_MAJOR"
	"postgresql-server-dev-$PG_MAJOR"
	libipc-run-perl
	perl
	make
	gcc
	libc6-dev
)

# Install the packages that are missing (only those); apt-get update first,
# once, and only when something must be installed.
ensure_packages() {
	local missing=() p status
	if ! command -v dpkg-query >/dev/null 2>&1; then
		step "not a Debian system: assuming PostgreSQL $PG_MAJOR with its server headers, Perl IPC::Run, make and gcc are installed"
		return 0
	fi
	for p in "${DEBIAN_PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$status" = installed ] || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		step "Debian packages: all present"
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		die "missing Debian packages: ${missing[*]}
run as root, or first: sudo apt-get install -y ${missing[*]}"
	fi
	step "Debian packages: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q || die "apt-get update failed"
	apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		die "apt-get install failed"
}

# enter_work_copy SCRIPT ARGS...
#
# First call (from the user's shell): copy the source tree (without .git) to a
# new directory under /tmp, then run SCRIPT (a path relative to the tree's
# root) again in that copy, as `postgres` when we are root, and exit with its
# status.  The work directory is removed when the script succeeds and kept for
# inspection when it fails.
#
# Second call (inside the copy, DATAEXPORT_WORK set): sets WORK (the work
# directory), SRC (the copy, where everything is built) and LOGDIR, and
# returns.
enter_work_copy() {
	local script=$1
	shift
	if [ -n "${DATAEXPORT_WORK:-}" ]; then
		WORK=$DATAEXPORT_WORK
		SRC=$WORK/src
		LOGDIR=$WORK/log
		mkdir -p "$LOGDIR"
		cd "$SRC"
		# Settings from the caller's environment must not redirect our clients.
		unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGOPTIONS \
			PGDATA PGPASSWORD PGSSLMODE PGTZ PGDATESTYLE PGCLIENTENCODING
		return 0
	fi

	local root work rc=0 tmp=${TMPDIR:-/tmp}
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	# As root, /tmp: the caller's TMPDIR may be one postgres cannot enter.
	[ "$(id -u)" -eq 0 ] && tmp=/tmp
	work=$(mktemp -d "$tmp/pg_dataexport.XXXXXX")
	chmod 755 "$work"
	mkdir "$work/src" "$work/tmp"
	tar -C "$root" --exclude=./.git -cf - . | tar -C "$work/src" -xf -

	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 ||
			die "user postgres does not exist (it comes with postgresql-common)"
		chown -R postgres: "$work"
		step "work directory $work (copy of $root), running as postgres"
		# The caller's directory may be one postgres cannot enter (/root/...).
		cd "$work"
		runuser -u postgres -- env DATAEXPORT_WORK="$work" TMPDIR="$work/tmp" \
			bash "$work/src/$script" "$@" || rc=$?
	else
		step "work directory $work (copy of $root)"
		DATAEXPORT_WORK="$work" TMPDIR="$work/tmp" bash "$work/src/$script" "$@" || rc=$?
	fi
	[ $rc -eq 0 ] && rm -rf "$work"
	exit $rc
}

# A private PostgreSQL installation: the Debian binaries copied under the work
# directory.  The copied pg_config reports the copied paths, so `make install`
# with it installs into the copy, and the copied server loads its extensions
# from there.  The server headers are not copied: pg_config reports them
# under the copy, so a symbolic link points there to the system ones.
#
# Sets and exports PG_CONFIG, PG_BINDIR, PGXS_DIR, PG_REGRESS,
# PG_ISOLATION_REGRESS and PG_PERL_LIB.
private_install() {
	local inst=$WORK/inst
	[ -x "/usr/lib/postgresql/$PG_MAJOR/bin/postgres" ] ||
		die "/usr/lib/postgresql/$PG_MAJOR/bin/postgres not found"
	mkdir -p "$inst/usr/lib/postgresql" "$inst/usr/share/postgresql" "$inst/usr/include"
	cp -a "/usr/lib/postgresql/$PG_MAJOR" "$inst/usr/lib/postgresql/"
	cp -a "/usr/share/postgresql/$PG_MAJOR" "$inst/usr/share/postgresql/"
	ln -s /usr/include/postgresql "$inst/usr/include/postgresql"

	PG_CONFIG=$inst/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
	PG_BINDIR=$("$PG_CONFIG" --bindir)
	PGXS_DIR=$(cd "$(dirname "$("$PG_CONFIG" --pgxs)")/../.." && pwd)
	PG_REGRESS=$PGXS_DIR/src/test/regress/pg_regress
	PG_ISOLATION_REGRESS=$PGXS_DIR/src/test/isolation/pg_isolation_regress
	PG_PERL_LIB=$PGXS_DIR/src/test/perl
	export PG_CONFIG PG_BINDIR PGXS_DIR PG_REGRESS PG_ISOLATION_REGRESS PG_PERL_LIB
	case $PG_BINDIR in
	"$inst"/*) ;;
	*) die "the copied pg_config reports $PG_BINDIR, not a path under $inst" ;;
	esac
	step "private PostgreSQL $PG_MAJOR install in $inst"
}

# Build the extension with -Werror and install it into the private install.
# The build's output goes to $LOGDIR/build.log, printed when it fails.
build_extension() {
	local t0=$SECONDS
	if ! { make -s clean PG_CONFIG="$PG_CONFIG" &&
		make -j"$(nproc 2>/dev/null || echo 2)" PG_CONFIG="$PG_CONFIG" &&
		make install PG_CONFIG="$PG_CONFIG"; } >"$LOGDIR/build.log" 2>&1; then
		cat "$LOGDIR/build.log"
		step "build failed (log above: $LOGDIR/build.log)"
		return 1
	fi
	step "built and installed pg_dataexport into the private install ($((SECONDS - t0))s)"
}

# start_cluster DIR PORT [CONF_LINE...]
#
# initdb a cluster in DIR/data (UTF8, C locale) and start it, listening only
# on a Unix socket in DIR/sock (so PORT cannot clash with anything outside);
# each CONF_LINE is appended to postgresql.conf.  Connect with
# psql -h DIR/sock -p PORT.  Its log is DIR/server.log.
start_cluster() {
	local dir=$1 port=$2 line
	shift 2
	mkdir -p "$dir/sock"
	"$PG_BINDIR/initdb" -D "$dir/data" -A trust -E UTF8 --no-locale --no-sync \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir/sock'"
		echo "port = $port"
		for line in "$@"; do echo "$line"; done
	} >>"$dir/data/postgresql.conf"
	"$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null ||
		{ cat "$dir/server.log"; return 1; }
}

# stop_cluster DIR: stop the cluster started by start_cluster DIR, if running.
stop_cluster() {
	local dir=$1
	if [ -f "$dir/data/postmaster.pid" ]; then
		"$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
	fi
}

# stop_servers_under DIR: stop (immediately) every server whose data
# directory lies under DIR.  For the end of a run: a test that was killed
# (timeout, ^C) may have left its server behind.
stop_servers_under() {
	local pidfile
	[ -n "${PG_BINDIR:-}" ] || return 0
	find "$1" -name postmaster.pid 2>/dev/null | while read -r pidfile; do
		"$PG_BINDIR/pg_ctl" -D "$(dirname "$pidfile")" -m immediate -w stop \
			>/dev/null 2>&1 || true
	done
}
