#!/usr/bin/env bash
# test/soak/soak.sh: the soak of issue 7 -- exports under concurrent writers
# and faults, every file replayed and compared with the truth (SPEC 5-7).
#
# What it does (doc/soak.md tells more):
#   1. a private cluster; first, in a database of its own, a self-test of
#      the checks: files of some jobs altered in different ways must each be
#      caught (selftest.sql); then tables soak.acct, soak.line, soak.evt with every
#      kind of column, registered as ACCT, LINE, EVT, and six tables of the
#      bundled m3ter model (create_m3ter_model, generate_m3ter_data:
#      ACCOUNTS, BILLS, BILL_LINE_ITEMS, ACCOUNT_PLANS, BALANCE_TRANSACTIONS,
#      PRICING_BANDS); a history of every row version of these tables (the
#      ground truth, setup.sql); three schedules: "soak csv" and "soak jsonl"
#      (all these types) and "soak victim" (EVT, plus the tables the drop
#      fault drops);
#   2. writers for SOAK_SECONDS: pgbench with random inserts, updates, key
#      changes, deletes, savepoints rolled back, whole transactions rolled
#      back; long transactions that sleep across exports; TRUNCATE now and
#      then; meanwhile each schedule exports every 1..SOAK_EXPORT_EVERY
#      seconds (run_schedule_now + CALL dataexport.run_pending(), or the
#      background worker with SOAK_RUNNER=worker);
#   3. faults, spread over the run, in the middle of a file of a running
#      job (SOAK_FAULTS, a comma list):
#        backend     kill -9 of the backend running the export
#        postmaster  kill -9 of the postmaster alone, then a restart
#        crash       kill -9 of the postmaster and all its processes (a host
#                    crash), then a restart
#        unwritable  the job's directory made read-only (chmod 500)
#        full        the storage file system full (a tmpfs remounted to the
#                    size in use; needs root, skipped otherwise)
#        drop        a table of the victim schedule dropped while it exports
#      after each: the job must be FAILED with the fault's reason, then every
#      finished job is checked and replayed (check.sql);
#   4. the writers stop, one last job per schedule, then: every job's files
#      replayed and compared with the truth as of its snapshot, every file
#      in the store checked, and the mirrors compared with the live tables.
# Prints transactions, changes, jobs, faults and differences; exits 0 only
# when there is no difference and every fault had the required outcome.
#
# Environment (all optional):
#   SOAK_SECONDS        writers' run time (600)
#   SOAK_CLIENTS        pgbench clients of the main mix (6)
#   SOAK_FAULTS         faults to inject, in turn (all of the above)
#   SOAK_FAULT_EVERY    seconds between faults (spread evenly when unset)
#   SOAK_EVT_ROWS       initial rows of soak.evt (60000)
#   SOAK_EXPORT_EVERY   longest pause between two exports of a schedule (3)
#   SOAK_MAX_FILE_SIZE  dataexport.max_file_size (256kB: many parts)
#   SOAK_RUNNER         session (CALL run_pending) or worker (preloaded)
#   SOAK_SEED           seed of the fault order and timing
#   SOAK_REQUIRE_FAULTS 1: fail when a fault kind was never injected
#   SOAK_SELFTEST       0: skip the self-test of the checks (selftest.sql)
#   SOAK_DIR            work directory (a new one under TEST_TMPDIR or /tmp)
#   SOAK_PORT           port (TEST_PORT, else 5447)
#   SOAK_KEEP           1: keep the work directory even on success
#   SOAK_TMPFS          0: keep the store in the data directory even as root
#                       (no tmpfs; fault "full" is then skipped)
#   SOAK_STORE_SIZE     size of that tmpfs (6g: files do not expire here)
#   SOAK_M3TER          0: leave out the m3ter model (used when the extension
#                       has dataexport.create_m3ter_model)
#   SOAK_M3TER_ACCOUNTS accounts of generate_m3ter_data (300)
#   PG_CONFIG, PG_BINDIR  a PostgreSQL install where pg_dataexport is
#                       installed (as `make test` provides); without them, a
#                       private copy of /usr/lib/postgresql/15 is made and the
#                       extension built into it from this tree
# Runs as root (servers then run as user postgres) or as an ordinary user.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_CLIENTS=${SOAK_CLIENTS:-6}
SOAK_FAULTS=${SOAK_FAULTS-backend,postmaster,crash,unwritable,full,drop}
SOAK_FAULT_EVERY=${SOAK_FAULT_EVERY:-}
SOAK_EVT_ROWS=${SOAK_EVT_ROWS:-60000}
SOAK_EXPORT_EVERY=${SOAK_EXPORT_EVERY:-3}
SOAK_MAX_FILE_SIZE=${SOAK_MAX_FILE_SIZE:-256kB}
SOAK_RUNNER=${SOAK_RUNNER:-session}
SOAK_SEED=${SOAK_SEED:-$(( $(date +%s) % 100000 ))}
SOAK_PORT=${SOAK_PORT:-${TEST_PORT:-5447}}
SOAK_KEEP=${SOAK_KEEP:-0}
SOAK_TMPFS=${SOAK_TMPFS:-1}
SOAK_M3TER=${SOAK_M3TER:-1}
SOAK_M3TER_ACCOUNTS=${SOAK_M3TER_ACCOUNTS:-300}
SLOTS=3000
BATCHES=500

RANDOM=$SOAK_SEED
t_start=$(date +%s)
say() { printf '[soak %4ds] %s\n' $(( $(date +%s) - t_start )) "$*"; }
die() { say "ERROR: $*"; exit 2; }

# ---------------------------------------------------------------------------
# Work directory, user, install
# ---------------------------------------------------------------------------

if [ -n "${SOAK_DIR:-}" ]; then
	W=$SOAK_DIR
	mkdir -p "$W"
elif [ -n "${TEST_TMPDIR:-}" ]; then
	W=$TEST_TMPDIR/soak
	mkdir -p "$W"
else
	W=$(mktemp -d /tmp/pg_dataexport_soak.XXXXXX)
fi
W=$(cd "$W" && pwd -P)	# no symbolic links: server processes are found by their directory
chmod 755 "$W"
LOG=$W/log
mkdir -p "$LOG" "$W/sock"

if [ "$(id -u)" -eq 0 ]; then
	id postgres >/dev/null 2>&1 || die "user postgres does not exist"
	AS=(runuser -u postgres --)
	IS_ROOT=1
else
	AS=()
	IS_ROOT=0
fi

if [ -z "${PG_BINDIR:-}" ]; then
	# A private copy of the PostgreSQL install, with the extension built
	# from a copy of this tree (the tree itself is left alone).
	inst=$W/inst
	say "private install in $inst, building pg_dataexport from $root"
	mkdir -p "$inst/usr/lib/postgresql" "$inst/usr/share/postgresql" "$inst/usr/include" "$W/src"
	cp -a /usr/lib/postgresql/15 "$inst/usr/lib/postgresql/" || die "no /usr/lib/postgresql/15"
	cp -a /usr/share/postgresql/15 "$inst/usr/share/postgresql/"
	ln -s /usr/include/postgresql "$inst/usr/include/postgresql"
	tar -C "$root" --exclude=./.git --exclude='*.o' --exclude='*.bc' --exclude='*.so' -cf - . |
		tar -C "$W/src" -xf -
	PG_CONFIG=$inst/usr/lib/postgresql/15/bin/pg_config
	if ! { make -C "$W/src" -s -j2 PG_CONFIG="$PG_CONFIG" &&
		make -C "$W/src" -s PG_CONFIG="$PG_CONFIG" install; } >"$LOG/build.log" 2>&1; then
		cat "$LOG/build.log"
		die "build failed"
	fi
	PG_BINDIR=$("$PG_CONFIG" --bindir)
fi
# pgbench opens its scripts itself, as the server's user: a copy it can read.
cp -a "$here/pgbench" "$W/pgbench"
[ "$IS_ROOT" -eq 1 ] && chown -R postgres: "$W"

DATA=$W/data
SOCK=$W/sock
STORE_MOUNT=
if [ "$IS_ROOT" -eq 1 ] && [ "$SOAK_TMPFS" = 1 ]; then
	# The store on a file system of its own, so that "full" is a real ENOSPC.
	STORE_MOUNT=$W/store
	STORE_SIZE=${SOAK_STORE_SIZE:-6g}
	mkdir -p "$STORE_MOUNT"
	if mount -t tmpfs -o "size=$STORE_SIZE,mode=0700,uid=$(id -u postgres),gid=$(id -g postgres)" \
		soak_store "$STORE_MOUNT" 2>"$LOG/mount.log"; then
		STORE=$STORE_MOUNT/pg_dataexport
	else
		say "cannot mount a tmpfs ($(cat "$LOG/mount.log")): fault 'full' will be skipped"
		STORE_MOUNT=
		STORE=$DATA/pg_dataexport
	fi
else
	STORE=$DATA/pg_dataexport
fi

# The processes of our server, old or new: they all run in its data
# directory (how leftovers of a killed postmaster are found).
server_procs() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/cwd" 2>/dev/null)" = "$DATA" ] && echo "${p#/proc/}"
	done
}

bg_pids=()

# The processes started by pid $1, and theirs, depth first.
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		descendants "$c"
		echo "$c"
	done
}

cleanup() {
	local rc=$? p procs
	# Our helpers and everything they started (pgbench, psql, timeout).
	procs=
	for p in "${bg_pids[@]}" ${check_pid:-}; do procs="$procs $(descendants "$p") $p"; done
	[ -n "${procs// }" ] && kill $procs 2>/dev/null
	if [ -f "$DATA/postmaster.pid" ]; then
		"${AS[@]}" "$PG_BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1
	fi
	# What is left of our server (after a killed postmaster): its processes
	# run in its data directory.
	procs=$(server_procs)
	[ -n "$procs" ] && kill -9 $procs 2>/dev/null
	wait 2>/dev/null
	[ -n "$STORE_MOUNT" ] && umount "$STORE_MOUNT" 2>/dev/null
	if [ "$rc" -eq 0 ] && [ "$SOAK_KEEP" != 1 ] && [ -z "${SOAK_DIR:-}" ] && [ -z "${TEST_TMPDIR:-}" ]; then
		rm -rf "$W"
	else
		echo "work directory kept: $W (server log: $DATA/log/server.log)"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------
# Server and clients
# ---------------------------------------------------------------------------

PSQL=("${AS[@]}" "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$SOAK_PORT" -d postgres)
sql() { "${PSQL[@]}" -At -c "SET client_min_messages = warning" "$@"; }	# sql -c '...'
sqlt() { timeout -k 5 "$1" "${PSQL[@]}" -At -c "SET client_min_messages = warning" "${@:2}"; }

server_up() { "${AS[@]}" "$PG_BINDIR/pg_isready" -q -h "$SOCK" -p "$SOAK_PORT" -d postgres -t 1; }

wait_server() {	# wait_server SECONDS: until it accepts connections
	local deadline=$(( $(date +%s) + $1 ))
	until server_up && sql -c 'SELECT 1' >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.3
	done
}

start_server() {	# start, retrying while the old processes let go of shared memory
	local i
	for i in $(seq 1 60); do
		if "${AS[@]}" "$PG_BINDIR/pg_ctl" -D "$DATA" -l "$DATA/log/server.log" -w -t 60 start \
			>>"$LOG/pg_ctl.log" 2>&1; then
			wait_server 60 && return 0
		fi
		sleep 1
	done
	return 1
}

say "cluster in $DATA, port $SOAK_PORT, store $STORE, seed $SOAK_SEED"
"${AS[@]}" "$PG_BINDIR/initdb" -D "$DATA" -A trust -E UTF8 --no-locale --no-sync >"$LOG/initdb.log" 2>&1 ||
	{ cat "$LOG/initdb.log"; die "initdb failed"; }
"${AS[@]}" mkdir -p "$DATA/log"
{
	echo "listen_addresses = ''"
	echo "unix_socket_directories = '$SOCK'"
	echo "port = $SOAK_PORT"
	echo "max_connections = 80"
	echo "shared_buffers = 256MB"
	echo "log_line_prefix = '%m [%p] '"
	echo "log_min_messages = warning"
	echo "deadlock_timeout = 200ms"
	echo "dataexport.max_file_size = '$SOAK_MAX_FILE_SIZE'"
	echo "dataexport.min_interval = '1min'"
	echo "dataexport.storage_dir = '$STORE'"
	if [ "$SOAK_RUNNER" = worker ]; then
		echo "shared_preload_libraries = 'pg_dataexport'"
		echo "dataexport.database_names = 'postgres'"
	fi
} >>"$DATA/postgresql.conf"
start_server || die "the server does not start: $(tail -n 20 "$DATA/log/server.log")"

if [ "${SOAK_SELFTEST:-1}" = 1 ]; then
	# First, in a database of its own: the checks must catch altered files.
	say "self-test of the checks (selftest.sql)"
	sql -c "CREATE DATABASE soak_selftest" >/dev/null || die "CREATE DATABASE"
	{ echo "CREATE EXTENSION pg_dataexport;"; cat "$here/setup.sql" "$here/check.sql" "$here/selftest.sql"; } |
		"${AS[@]}" "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$SOAK_PORT" -d soak_selftest -f - \
		>"$LOG/selftest.log" 2>&1 || { cat "$LOG/selftest.log"; die "the self-test of the checks failed"; }
	say "$(grep 'self-test passed' "$LOG/selftest.log" | sed 's/^ *//')"
	sql -c "DROP DATABASE soak_selftest" >/dev/null
fi

say "setup: tables, ground truth, initial rows, schedules"
{ echo "CREATE EXTENSION pg_dataexport;"; cat "$here/setup.sql" "$here/check.sql"; } |
	"${PSQL[@]}" -f - >"$LOG/setup.log" 2>&1 || { cat "$LOG/setup.log"; die "setup failed"; }
sql -c "INSERT INTO soak.acct SELECT a.* FROM generate_series(1, $SLOTS) s, LATERAL soak.new_acct(s) a" \
	-c "INSERT INTO soak.line SELECT l.* FROM generate_series(1, $BATCHES) b, LATERAL soak.new_line(b, 4) l" \
	-c "INSERT INTO soak.evt SELECT * FROM soak.new_evt($SOAK_EVT_ROWS)" >/dev/null || die "initial rows"
TABLES="acct line evt"
if [ "$SOAK_M3TER" = 1 ] &&
	[ "$(sql -c "SELECT count(*) FROM pg_proc WHERE proname = 'create_m3ter_model'")" = 1 ]; then
	# The model, its tables tracked before it is filled (the history must
	# hold every row), then the writers' seeds.
	M3TER_TABLES="accounts bills bill_line_items account_plans balance_transactions pricing_bands"
	{
		echo "SELECT dataexport.create_m3ter_model('m3ter');"
		for t in $M3TER_TABLES; do echo "SELECT soak_check.track('$t', '{id}', 'm3ter');"; done
		cat "$here/m3ter.sql"
		echo "SELECT soak.m3ter_add(t, w) FROM (VALUES ('accounts', 2), ('bills', 2), ('bill_line_items', 3),"
		echo "    ('account_plans', 2), ('balance_transactions', 3), ('pricing_bands', 1)) v(t, w);"
		echo "SELECT dataexport.generate_m3ter_data('m3ter', $SOAK_M3TER_ACCOUNTS);"
		echo "SELECT soak.m3ter_seed();"
	} | "${PSQL[@]}" -f - >>"$LOG/setup.log" 2>&1 || { cat "$LOG/setup.log"; die "m3ter setup failed"; }
	TABLES="$TABLES $M3TER_TABLES"
else
	M3TER_TABLES=
	say "no m3ter model in this build (or SOAK_M3TER=0): soak tables only"
fi
TYPES=$(for t in $TABLES; do printf "'%s'," "${t^^}"; done)
TYPES=${TYPES%,}
read -r SID_CSV SID_JSONL SID_VICTIM < <(sql -F ' ' -c "
	SELECT dataexport.create_schedule('soak csv', ARRAY[$TYPES], 'MINUTE', 1,
	                                  export_file_format => 'CSV'),
	       dataexport.create_schedule('soak jsonl', ARRAY[$TYPES], 'MINUTE', 1,
	                                  export_file_format => 'JSONL'),
	       dataexport.create_schedule('soak victim', ARRAY['EVT'], 'MINUTE', 2,
	                                  export_file_format => 'CSV')")
[ -n "$SID_VICTIM" ] || die "schedules not created"
sql -c "SELECT soak_check.add_chain(s, t, upper(t)) FROM unnest(ARRAY[$SID_CSV, $SID_JSONL]) s,
	        unnest(string_to_array('$TABLES', ' ')::name[]) t" \
	-c "SELECT soak_check.add_chain($SID_VICTIM, 'evt', 'EVT')" >/dev/null || die "chains"
DBOID=$(sql -c "SELECT oid FROM pg_database WHERE datname = 'postgres'")
EVT_MAX=$(( SOAK_EVT_ROWS * 3 / 2 ))

# ---------------------------------------------------------------------------
# Writers and exporters
# ---------------------------------------------------------------------------

t_load=$(date +%s)
end_load=$(( t_load + SOAK_SECONDS ))
remaining() { echo $(( end_load - $(date +%s) )); }

PGB=("${AS[@]}" "$PG_BINDIR/pgbench" -n -h "$SOCK" -p "$SOAK_PORT" --max-tries=50
	-D slots=$SLOTS -D batches=$BATCHES -D evt_max=$EVT_MAX)
B=$W/pgbench

# run_writers NAME PGBENCH-ARGS...: pgbench until the end of the load,
# started again after a fault took the server away.
run_writers() {
	local name=$1 rem
	shift
	while :; do
		rem=$(remaining)
		[ "$rem" -ge 2 ] || break
		echo "=== start $(date +%T) for ${rem}s" >>"$LOG/pgbench_$name.log"
		"${PGB[@]}" -T "$rem" "$@" postgres >>"$LOG/pgbench_$name.log" 2>&1
		echo "=== exit $? $(date +%T)" >>"$LOG/pgbench_$name.log"
		sleep 1
	done
}

# run_exporter SCHEDULE: queue a run of the schedule every 1..N seconds; in
# session mode, run what is pending in this session.
run_exporter() {
	local sid=$1
	while [ "$(remaining)" -gt 0 ]; do
		if [ -e "$W/pause" ]; then	# a fault is being prepared
			sleep 0.5
			continue
		fi
		if [ "$SOAK_RUNNER" = worker ]; then
			sqlt 60 -c "SELECT dataexport.run_schedule_now($sid)" >>"$LOG/exporter_$sid.log" 2>&1
		else
			sqlt 600 -c "SELECT dataexport.run_schedule_now($sid)" \
				-c "CALL dataexport.run_pending()" >>"$LOG/exporter_$sid.log" 2>&1
		fi
		sleep $(( 1 + RANDOM % SOAK_EXPORT_EVERY ))
	done
}

# In worker mode the worker must be there.
if [ "$SOAK_RUNNER" = worker ]; then
	sql -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE '%dataexport%'" | grep -qv '^0$' ||
		die "SOAK_RUNNER=worker, but no pg_dataexport background worker is running"
fi

say "load: ${SOAK_SECONDS}s; $SOAK_CLIENTS clients of random writes, 2 of long transactions, TRUNCATE now and then"
m3ter_main=()
m3ter_long=()
m3ter_truncate=()
if [ -n "$M3TER_TABLES" ]; then
	m3ter_main=(-f "$B/m3ter_write.sql@16" -f "$B/m3ter_savepoint.sql@3")
	m3ter_long=(-f "$B/m3ter_long.sql@1")
	m3ter_truncate=(-f "$B/truncate_m3ter.sql@2")
fi
run_writers main -c "$SOAK_CLIENTS" -j 2 \
	-f "$B/acct_insert.sql@8" -f "$B/acct_update.sql@14" -f "$B/acct_rekey.sql@3" -f "$B/acct_delete.sql@4" \
	-f "$B/line_insert.sql@8" -f "$B/line_update.sql@10" -f "$B/line_rekey.sql@3" -f "$B/line_delete.sql@4" \
	-f "$B/evt_insert.sql@6" -f "$B/evt_update.sql@10" -f "$B/evt_rekey.sql@2" -f "$B/evt_delete.sql@3" \
	-f "$B/savepoint.sql@5" -f "$B/rollback.sql@3" "${m3ter_main[@]}" &
bg_pids+=($!)
run_writers long -c 2 -f "$B/long.sql@2" "${m3ter_long[@]}" &
bg_pids+=($!)
run_writers truncate -c 1 -R 0.1 -f "$B/truncate_line.sql@3" -f "$B/truncate_acct.sql@1" "${m3ter_truncate[@]}" &
bg_pids+=($!)
for sid in "$SID_CSV" "$SID_JSONL" "$SID_VICTIM"; do
	run_exporter "$sid" &
	bg_pids+=($!)
done

# ---------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------

faults_done=0
faults_failed=0
faults_missed=0
faults_skipped=0
kinds_done=
victims=0
FAULT_LOG=$LOG/faults.txt
: >"$FAULT_LOG"

fault_note() { say "$*"; echo "$*" >>"$FAULT_LOG"; }

# prepare_fault SCHEDULE: a job of the schedule (JOB) with every evt row
# changed, so that it writes many parts, and nothing queued before it that
# could take those changes: the exporters pause (until resume_exporters),
# the schedule's jobs in progress end, then the change and the job commit
# together.
prepare_fault() {
	local sid=$1 i
	touch "$W/pause"
	for i in $(seq 1 300); do
		[ "$(sqlt 30 -c "SELECT count(*) FROM dataexport.job WHERE schedule_id = $sid
		                  AND status IN ('PENDING', 'RUNNING')")" = 0 ] && break
		[ "$SOAK_RUNNER" = worker ] || sqlt 300 -c "CALL dataexport.run_pending()" >>"$LOG/fault_runner.log" 2>&1
		sleep 0.5
	done
	# Rows a writer holds are skipped: the change neither waits nor deadlocks.
	for i in 1 2 3; do
		JOB=$(sqlt 120 -c "BEGIN" -c "UPDATE soak.evt SET n = n + 1, at = clock_timestamp()
		                              WHERE id IN (SELECT id FROM soak.evt FOR UPDATE SKIP LOCKED)" \
			-c "SELECT dataexport.run_schedule_now($sid)" -c "COMMIT" 2>>"$LOG/fault_runner.log" | grep -E '^[0-9]+$')
		[ -n "$JOB" ] && return 0
		sleep 0.5
	done
	return 1
}
resume_exporters() { rm -f "$W/pause"; }

# strike_mid_file PROGRAM: run JOB (started here in session mode) and, in
# the middle of its EVT file (the changed rows: many parts), run PROGRAM
# ({pid}: the job's process) from the server.  Sets PID; fails if the job
# ended first.  The program leaves the pid in $W/struck first, since it may
# take this very session down with the server.
strike_mid_file() {
	rm -f "$W/struck"
	if [ "$SOAK_RUNNER" != worker ]; then
		sqlt 600 -c "CALL dataexport.run_pending()" >>"$LOG/fault_runner.log" 2>&1 &
	fi
	sqlt 120 -c "SELECT soak_check.wait_mid_file($JOB, '100s', 2,
	             \$p\$echo {pid} > $W/struck; $1\$p\$, 'evt')" >>"$LOG/fault_runner.log" 2>&1
	[ -s "$W/struck" ] || return 1
	PID=$(cat "$W/struck")
}

job_dir() { echo "$STORE/$DBOID/$1"; }
# tmp_files JOB: the job's partial files right now (kept in the log).
tmp_files() {
	ls -l --time-style=+%T.%N "$(job_dir "$1")" >"$LOG/job_$1.ls" 2>&1
	find "$(job_dir "$1")" -name '*.tmp' 2>/dev/null | wc -l
}

# job_outcome JOB SECONDS: wait for the job to end (running run_pending, which
# fails jobs whose process is gone); prints "STATUS|error".
job_outcome() {
	local job=$1 deadline=$(( $(date +%s) + $2 )) out
	while :; do
		out=$(sqlt 30 -c "SELECT status || '|' || coalesce(error_message, '') FROM dataexport.job WHERE job_id = $job" 2>/dev/null)
		case $out in SUCCEEDED*|FAILED*) echo "$out"; return 0 ;; esac
		[ "$(date +%s)" -lt "$deadline" ] || { echo "${out:-unknown}|timed out"; return 1; }
		[ "$SOAK_RUNNER" = worker ] || sqlt 300 -c "CALL dataexport.run_pending()" >>"$LOG/fault_runner.log" 2>&1
		sleep 1
	done
}

# expect_failed NAME JOB REGEX: the job must be FAILED with a reason
# matching REGEX; a wrong outcome is counted (the fault itself did strike).
expect_failed() {
	local name=$1 job=$2 re=$3 out
	out=$(job_outcome "$job" 120)
	if [[ $out == FAILED\|* ]] && [[ ${out#FAILED|} =~ $re ]]; then
		fault_note "fault $name: job $job FAILED: ${out#FAILED|}"
	else
		fault_note "fault $name: job $job ended '$out', expected FAILED with /$re/"
		faults_failed=$((faults_failed + 1))
	fi
	return 0
}

postmaster_pid() { head -n 1 "$DATA/postmaster.pid" 2>/dev/null; }

# wait_procs_gone SECONDS PIDS...: until those processes have exited.
wait_procs_gone() {
	local deadline=$(( $(date +%s) + $1 )) p
	shift
	for p in "$@"; do
		while kill -0 "$p" 2>/dev/null; do
			[ "$(date +%s)" -lt "$deadline" ] || return 1
			sleep 0.2
		done
	done
}

fault_backend() {
	local sid=$1
	prepare_fault "$sid" || { resume_exporters; fault_note "fault backend: could not queue a job"; return 1; }
	if ! strike_mid_file 'kill -9 {pid}'; then
		resume_exporters
		fault_note "fault backend: job $JOB ended before it could be hit"
		return 1
	fi
	fault_note "fault backend: kill -9 of backend $PID in the middle of a file of job $JOB (schedule $sid): $(tmp_files "$JOB") partial file(s) left"
	resume_exporters
	wait_server 120 || { fault_note "server did not come back"; return 2; }
	expect_failed backend "$JOB" 'interrupted|restart|exited'
}

fault_postmaster() {
	local sid=$1 all=$2 pm prog left out
	prepare_fault "$sid" || { resume_exporters; fault_note "fault postmaster: could not queue a job"; return 1; }
	pm=$(postmaster_pid)
	if [ "$all" = 1 ]; then
		# A host crash: the postmaster and every process it started, at once
		# (listed before the kill: once the postmaster is gone they are
		# someone else's children).
		prog="kill -9 {pid} $pm \$(ps -o pid= --ppid $pm)"
	else
		prog="kill -9 $pm"
	fi
	if ! strike_mid_file "$prog"; then
		resume_exporters
		fault_note "fault postmaster: job $JOB ended before it could be hit"
		return 1
	fi
	resume_exporters
	if [ "$all" = 1 ]; then
		fault_note "fault crash: kill -9 of the postmaster $pm and all its processes in the middle of a file of job $JOB (schedule $sid, backend $PID): $(tmp_files "$JOB") partial file(s) left"
		# Any process forked in the instant of the kill goes the same way.
		left=$(server_procs)
		[ -n "$left" ] && kill -9 $left 2>/dev/null
	else
		fault_note "fault postmaster: kill -9 of the postmaster $pm in the middle of a file of job $JOB (schedule $sid, backend $PID)"
	fi
	# The old processes must let go of the shared memory before a new
	# postmaster can start.  Alone, the postmaster's death leaves busy
	# backends running until they finish or notice; after a minute, they go.
	if ! wait_procs_gone 60 $(server_procs); then
		left=$(server_procs)
		fault_note "fault postmaster: $(echo $left | wc -w) old server process(es) still running after 60s: killed"
		kill -9 $left 2>/dev/null
		wait_procs_gone 30 $left
	fi
	start_server || { fault_note "server did not restart"; return 2; }
	if [ "$all" = 1 ]; then
		expect_failed crash "$JOB" 'interrupted|restart|exited'
	else
		# The postmaster's death alone does not stop a backend that is busy:
		# the job may finish (its files then complete and listed) or not.
		out=$(job_outcome "$JOB" 120)
		case $out in
		SUCCEEDED*) fault_note "fault postmaster: job $JOB SUCCEEDED (its backend finished its work before it noticed)" ;;
		FAILED*) expect_failed postmaster "$JOB" 'interrupted|restart|exited' ;;
		*) fault_note "fault postmaster: job $JOB ended '$out'"; faults_failed=$((faults_failed + 1)) ;;
		esac
	fi
}

fault_unwritable() {
	local sid=$1 dir
	prepare_fault "$sid" || { resume_exporters; fault_note "fault unwritable: could not queue a job"; return 1; }
	dir=$(job_dir "$JOB")
	if ! strike_mid_file "chmod 500 $dir"; then
		resume_exporters
		chmod 700 "$dir" 2>/dev/null
		fault_note "fault unwritable: job $JOB ended before it could be hit"
		return 1
	fi
	resume_exporters
	fault_note "fault unwritable: chmod 500 $dir in the middle of a file of job $JOB (schedule $sid)"
	expect_failed unwritable "$JOB" 'Permission denied'
	chmod 700 "$dir"
}

fault_full() {
	local sid=$1 used tries=0 room=1048576
	if [ -z "$STORE_MOUNT" ]; then
		fault_note "fault full: skipped (needs root, to mount a tmpfs of its own)"
		return 3
	fi
	prepare_fault "$sid" || { resume_exporters; fault_note "fault full: could not queue a job"; return 1; }
	# Before the job starts, the store shrinks to what is in use plus 1 MB:
	# the job, which writes tens of MB, fills it part-way.  (The size may not
	# go below what is in use, which a job of another schedule may be
	# growing: again then.)
	while :; do
		used=$(df -B1 --output=used "$STORE_MOUNT" | tail -n 1 | tr -d ' ')
		mount -o remount,size=$(( used + room )) "$STORE_MOUNT" 2>>"$LOG/mount.log" && break
		tries=$((tries + 1))
		if [ "$tries" -ge 50 ]; then
			resume_exporters
			fault_note "fault full: could not shrink the tmpfs"
			faults_failed=$((faults_failed + 1))
			return 1
		fi
	done
	fault_note "fault full: store file system shrunk to $(( used + room )) bytes, 1 MB free, before job $JOB (schedule $sid)"
	[ "$SOAK_RUNNER" = worker ] || sqlt 600 -c "CALL dataexport.run_pending()" >>"$LOG/fault_runner.log" 2>&1
	resume_exporters
	expect_failed full "$JOB" 'No space left on device'
	mount -o remount,size=$STORE_SIZE "$STORE_MOUNT"
}

# A table of the victim schedule, exported once, changed, then dropped while
# the schedule's next job exports EVT (before the table).  The job either
# fails (the table is gone when it gets there) or holds the table and makes
# the DROP wait; then the next job must fail, and once the type is removed
# from the schedule, the EVT chain goes on: nothing lost.
fault_drop() {
	local v name out
	victims=$((victims + 1))
	v=victim_$victims
	name=${v^^}
	sql -c "SELECT soak.new_victim('$v')" \
		-c "SELECT dataexport.update_schedule($SID_VICTIM, entity_types => ARRAY['EVT', '$name'])" >/dev/null ||
		{ fault_note "fault drop: could not add $v"; faults_failed=$((faults_failed + 1)); return 1; }
	JOB=$(sqlt 60 -c "SELECT dataexport.run_schedule_now($SID_VICTIM)")
	out=$(job_outcome "$JOB" 300)
	sql -c "UPDATE soak.$v SET v = 'changed' WHERE id % 3 = 0" -c "DELETE FROM soak.$v WHERE id % 7 = 0" >/dev/null
	# From here on the table goes, whether or not the job is still running
	# when it does (then the next job must fail).
	if prepare_fault "$SID_VICTIM" && ! strike_mid_file ':'; then
		fault_note "fault drop: job $JOB ended before the DROP; the next job must fail"
	fi
	resume_exporters
	sqlt 300 -c "SET lock_timeout = '280s'" -c "DROP TABLE soak.$v" >>"$LOG/fault_drop.log" 2>&1
	out=$(job_outcome "$JOB" 300)
	if ! server_up || grep -q "terminated by signal 11" "$DATA/log/server.log"; then
		fault_note "fault drop: the server crashed when $v was dropped during job $JOB"
		faults_failed=$((faults_failed + 1))
		wait_server 120
	fi
	fault_note "fault drop: DROP TABLE soak.$v during job $JOB: job ${out%%|*} ${out#*|}"
	if [[ $out == SUCCEEDED* ]]; then
		JOB=$(sqlt 60 -c "SELECT dataexport.run_schedule_now($SID_VICTIM)")
	fi
	[[ $out == FAILED* ]] && [[ ! ${out#FAILED|} =~ no\ longer\ exists|does\ not\ exist ]] &&
		{ fault_note "fault drop: unexpected reason"; faults_failed=$((faults_failed + 1)); }
	[[ $out == SUCCEEDED* ]] && expect_failed drop "$JOB" 'no longer exists|does not exist'
	sql -c "SELECT dataexport.update_schedule($SID_VICTIM, entity_types => ARRAY['EVT'])" \
		-c "SELECT dataexport.unregister_entity('$name')" >/dev/null ||
		{ fault_note "fault drop: could not remove $name"; faults_failed=$((faults_failed + 1)); }
}

# The check after each fault: every job finished so far replayed, every
# file checked.  It runs in the background, one at a time, so that the load
# and the next fault go on; a check cut short by a later crash is simply
# covered by the next one (it is one transaction), and the final check
# covers every job.
check_pid=
check_wanted=0
check_now() {
	if [ -n "$check_pid" ] && kill -0 "$check_pid" 2>/dev/null; then
		check_wanted=1
		return
	fi
	check_wanted=0
	(
		out=$(sqlt 1800 -c "SELECT soak_check.check_pending()" -F '|' -c "SELECT * FROM soak_check.check_store()" \
			-c "SELECT count(*) FROM soak_check.finding" 2>&1 | tr '\n' ' ')
		say "check: jobs checked, store (final|tmp|unlisted files), differences so far: $out"
	) &
	check_pid=$!
}

run_fault() {	# run_fault KIND SCHEDULE
	case $1 in
	backend) fault_backend "$2" ;;
	postmaster) fault_postmaster "$2" 0 ;;
	crash) fault_postmaster "$2" 1 ;;
	unwritable) fault_unwritable "$2" ;;
	full) fault_full "$2" ;;
	drop) fault_drop ;;
	*) die "unknown fault $1" ;;
	esac
}

IFS=, read -r -a fault_list <<<"$SOAK_FAULTS"
nf=${#fault_list[@]}
every=${SOAK_FAULT_EVERY:-$(( SOAK_SECONDS / (nf + 1) ))}
[ "$every" -ge 5 ] || every=5
next_fault=$(( t_load + every ))
last_check=$(date +%s)
i=0
while [ "$(remaining)" -gt 10 ]; do
	now=$(date +%s)
	if [ "$nf" -eq 0 ] || [ "$now" -lt "$next_fault" ]; then
		# Between faults, a check now and then, so that the last one has
		# less to do.
		if [ "$check_wanted" = 1 ] || [ $(( now - last_check )) -ge 60 ]; then
			check_now
			last_check=$now
		fi
		sleep 1
		continue
	fi
	# In turn, in an order the seed shuffles, round after round; the
	# postmaster's death alone last in each round, since it may wait up to a
	# minute for busy backends to notice, and so would leave the kinds after
	# it no time in a short run (which requires every kind).
	if [ $(( i % nf )) -eq 0 ]; then
		mapfile -t fault_list < <(printf '%s\n' "${fault_list[@]}" |
			awk -v s="$RANDOM" 'BEGIN{srand(s)} {print ($0 == "postmaster") + rand() "\t" $0}' |
			sort -g | cut -f 2)
	fi
	f=${fault_list[$(( i % nf ))]}
	sid=$SID_CSV
	[ $(( RANDOM % 2 )) -eq 0 ] && sid=$SID_JSONL
	run_fault "$f" "$sid"
	rc=$?
	# Missed (the job ended first): again, twice at most.
	for retry in 1 2; do
		[ "$rc" -eq 1 ] || break
		say "fault $f: again"
		run_fault "$f" "$sid"
		rc=$?
	done
	[ "$rc" -ne 2 ] || die "the server did not come back after fault $f"
	[ "$rc" -eq 0 ] && { faults_done=$((faults_done + 1)); kinds_done="$kinds_done $f"; }
	[ "$rc" -eq 3 ] && { faults_skipped=$((faults_skipped + 1)); kinds_done="$kinds_done $f"; }
	[ "$rc" -eq 1 ] && { say "fault $f: not injected this time"; faults_missed=$((faults_missed + 1)); }
	check_now
	last_check=$(date +%s)
	i=$((i + 1))
	next_fault=$(( $(date +%s) + every / 2 + RANDOM % (every + 1) ))
done

# ---------------------------------------------------------------------------
# The end: writers stop, a last job per schedule, the checks
# ---------------------------------------------------------------------------

say "load over: waiting for the writers, the exporters and the last check to stop"
[ -n "$check_pid" ] && wait "$check_pid" 2>/dev/null
for p in "${bg_pids[@]}"; do
	deadline=$(( $(date +%s) + 120 ))
	while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.5; done
	kill "$p" 2>/dev/null
done
bg_pids=()
wait_server 120 || die "server down at the end"
# No writing session left: every change committed or rolled back.
for i in $(seq 1 120); do
	n=$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'
	             AND pid <> pg_backend_pid() AND state <> 'idle'")
	[ "$n" = 0 ] && break
	sleep 1
done
[ "$SOAK_RUNNER" = worker ] || sqlt 600 -c "CALL dataexport.run_pending()" >>"$LOG/final.log" 2>&1
final_jobs=()
for sid in "$SID_CSV" "$SID_JSONL" "$SID_VICTIM"; do
	final_jobs+=("$(sqlt 60 -c "SELECT dataexport.run_schedule_now($sid)")")
done
[ "$SOAK_RUNNER" = worker ] || sqlt 600 -c "CALL dataexport.run_pending()" >>"$LOG/final.log" 2>&1
final_ok=1
for j in "${final_jobs[@]}"; do
	out=$(job_outcome "$j" 300)
	[[ $out == SUCCEEDED* ]] || { say "final job $j: $out"; final_ok=0; }
done
say "final jobs ${final_jobs[*]} done; checking every job"

sqlt 3600 -c "SELECT soak_check.check_pending()" >/dev/null || die "check_pending failed"
read -r files_final files_tmp files_unlisted < <(sqlt 3600 -F ' ' -c "SELECT * FROM soak_check.check_store()") ||
	die "check_store failed"
sqlt 3600 -c "SELECT * FROM soak_check.final_compare()" >"$LOG/final_compare.txt" || die "final_compare failed"

# The server log: crashes other than the kill -9 we caused are findings.
crashes=$(grep -E 'terminated by signal [0-9]+' "$DATA/log/server.log" | grep -v 'signal 9:' || true)
panics=$(grep -E 'PANIC|TRAP:' "$DATA/log/server.log" || true)
if [ -n "$crashes$panics" ]; then
	printf '%s\n' "$crashes" "$panics" | while read -r l; do
		[ -n "$l" ] && sql -c "SELECT soak_check.note(NULL, NULL, NULL, 'server_crash', \$x\$$l\$x\$)" >/dev/null
	done
fi

# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

txns=$(grep -h '^number of transactions actually processed' "$LOG"/pgbench_*.log 2>/dev/null |
	awk '{s += $NF} END {print s + 0}')
pgb_failed=$(grep -h '^number of failed transactions' "$LOG"/pgbench_*.log 2>/dev/null |
	awk '{s += $5} END {print s + 0}')
pgb_retried=$(grep -h '^number of transactions retried' "$LOG"/pgbench_*.log 2>/dev/null |
	awk '{s += $5} END {print s + 0}')
echo
echo "==================== soak: figures ===================="
echo "seed $SOAK_SEED, load ${SOAK_SECONDS}s, runner $SOAK_RUNNER, max_file_size $SOAK_MAX_FILE_SIZE, total $(( $(date +%s) - t_start ))s"
echo "writer transactions (pgbench, committed): $txns; failed $pgb_failed, retried $pgb_retried (deadlocks, and runs cut by faults)"
sql -c "
	WITH h AS ($(for t in $TABLES; do printf "SELECT '%s' t, txid, op FROM soak_check.h_%s UNION ALL " "$t" "$t"; done | sed 's/ UNION ALL $//'))
	SELECT format('changes committed (row versions in the ground truth): %s in %s transactions (%s)',
	              count(*), count(DISTINCT txid),
	              (SELECT string_agg(t || ' ' || n, ', ') FROM (SELECT t, count(*) n FROM h GROUP BY t ORDER BY t) x))
	  FROM h"
sql -c "SELECT format('jobs: %s (%s); %s rows exported into %s files, %s MB',
	              count(*),
	              (SELECT string_agg(k, ', ') FROM (SELECT status || ' ' || count(*) k FROM dataexport.job GROUP BY status ORDER BY status) x),
	              sum(rows_exported) FILTER (WHERE status = 'SUCCEEDED'),
	              (SELECT count(*) FROM dataexport.job_file),
	              round(sum(bytes_written) FILTER (WHERE status = 'SUCCEEDED') / 1e6, 1))
	  FROM dataexport.job"
sql -c "SELECT format('jobs by kind: %s', string_agg(kind || ' ' || n, ', ')) FROM (SELECT kind, count(*) n FROM dataexport.job GROUP BY kind ORDER BY kind) x"
sql -c "SELECT format('failed jobs: %s', string_agg(e || ' x' || n, '; ')) FROM
	      (SELECT left(regexp_replace(error_message, '[0-9]+', 'N', 'g'), 90) e, count(*) n
	         FROM dataexport.job WHERE status = 'FAILED' GROUP BY 1 ORDER BY 2 DESC) x"
sql -c "SELECT format('checked: %s job exports of a table (%s full), %s file rows, %s mirror rows at the end; slowest check %ss',
	              count(*), count(*) FILTER (WHERE full_export), sum(file_rows),
	              (SELECT sum(mirror_rows) FROM soak_check.job_check j WHERE (job_id, tbl) IN
	                  (SELECT last_job_id, tbl FROM soak_check.chain)), max(round(seconds, 1)))
	  FROM soak_check.job_check"
echo "store: $files_final final-named files checked, $files_tmp partial *.tmp files (allowed), $files_unlisted complete files of failed jobs not in job_files"
echo "faults injected: $faults_done ($nf kinds, in turn); skipped: $faults_skipped; missed (the job ended first, three times): $faults_missed; with a wrong outcome: $faults_failed"
sed 's/^/  /' "$FAULT_LOG"
echo "final comparison (schedule, table, live rows, mirror rows, differences):"
sed 's/^/  /' "$LOG/final_compare.txt"
diffs=$(sql -c "SELECT count(*) FROM soak_check.finding")
echo "differences found: $diffs"
if [ "$diffs" != 0 ]; then
	sql -c "SELECT format('  job %s schedule %s %s %s: %s', job_id, schedule_id, tbl, kind, left(detail, 400))
	          FROM soak_check.finding ORDER BY id LIMIT 40"
fi
echo "========================================================"
kinds_missing=
for f in "${fault_list[@]}"; do
	[[ " $kinds_done " == *" $f "* ]] || kinds_missing="$kinds_missing $f"
done
if [ -n "$kinds_missing" ]; then
	echo "fault kinds never injected:$kinds_missing"
	[ "${SOAK_REQUIRE_FAULTS:-0}" = 1 ] && faults_failed=$((faults_failed + 1))
fi
if [ "$diffs" != 0 ] || [ "$faults_failed" != 0 ] || [ "$final_ok" != 1 ]; then
	say "FAILED"
	exit 1
fi
say "passed"
exit 0
