#!/usr/bin/env bash
# test/bench/run.sh: `make bench`, the performance comparisons of issue 6.
#
# Builds the extension into a private copy of the Debian PostgreSQL 15
# install, starts a scratch cluster (as user postgres when run as root),
# generates accounts-shaped data (test/bench/setup.sql), runs every pair of
# the issue's targets table BENCH_RUNS times, the sides of a pair one after
# the other in an order that rotates from run to run, and prints markdown
# tables: the median, min and max of the per-run ratios, then the absolute
# figures.  Nothing outside BENCH_DIR is touched; the cluster is stopped at
# the end.
#
#   BENCH_SIZE=small   (default) a smoke run, well under a minute
#   BENCH_SIZE=full    the issue's sizes: 1M rows, 300k-row bulk DML,
#                      pgbench with 4 clients
#   BENCH_RUNS=5       runs of each pair (at least 5 are advised)
#   BENCH_DIR=/tmp/pgde-bench   install, cluster and scratch files
#   BENCH_PORT=5448    the cluster's port (Unix socket in BENCH_DIR only)
#
# How each figure is taken:
#   export jobs     completed_at - started_at of the job (dataexport.jobs):
#                   the export itself, file fsync and rename included, the
#                   queueing around it not
#   COPY, DML       psql's \timing of the statement
#   pgbench         tps of pgbench -n -c 4 -j 2 -T BENCH_PGBENCH_SECONDS
#   peak memory     VmHWM of the backend that ran the export, read from
#                   /proc/self/status right after CALL dataexport.run_pending()
#                   in a fresh session
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$root/test/bench
SIZE=${BENCH_SIZE:-small}
RUNS=${BENCH_RUNS:-5}
PORT=${BENCH_PORT:-5448}
DIR=${BENCH_DIR:-/tmp/pgde-bench}
PG_MAJOR=15

case $SIZE in
small)
	N_LARGE=20000 N_MID=2000 N_DML=10000 N_CHANGES=100
	PGBENCH_SECONDS=${BENCH_PGBENCH_SECONDS:-1}
	;;
full)
	N_LARGE=1000000 N_MID=100000 N_DML=300000 N_CHANGES=1000
	PGBENCH_SECONDS=${BENCH_PGBENCH_SECONDS:-10}
	;;
*)
	echo "BENCH_SIZE must be small or full, not '$SIZE'" >&2
	exit 2
	;;
esac

step() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Commands that must run as the server's user.
as_server() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ---------------------------------------------------------------------------
# Private install, build, cluster
# ---------------------------------------------------------------------------

SYS=/usr/lib/postgresql/$PG_MAJOR
[ -x "$SYS/bin/postgres" ] || die "$SYS/bin/postgres not found (Debian package postgresql-$PG_MAJOR)"

# PgQ, the C capture trigger we compare with.  Installed if missing and we
# may; without it the PgQ rows of the table are left out.
HAVE_PGQ=1
if ! [ -e "$SYS/lib/pgq_triggers.so" ]; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		step "installing postgresql-$PG_MAJOR-pgq3 (for the PgQ comparison)"
		{ apt-get install -y -q "postgresql-$PG_MAJOR-pgq3" ||
			{ apt-get update -q && apt-get install -y -q "postgresql-$PG_MAJOR-pgq3"; }; } \
			>"${TMPDIR:-/tmp}/pgde-bench-apt.log" 2>&1 || HAVE_PGQ=0
	else
		HAVE_PGQ=0
	fi
	[ -e "$SYS/lib/pgq_triggers.so" ] || HAVE_PGQ=0
	[ $HAVE_PGQ = 1 ] || step "PgQ is not available: its comparison is skipped"
fi

INST=$DIR/inst
DATA=$DIR/data
SOCK=$DIR/sock
SCRATCH=$DIR/scratch

if [ -f "$DATA/postmaster.pid" ]; then
	as_server "$INST/usr/lib/postgresql/$PG_MAJOR/bin/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
fi
rm -rf "$DIR"
mkdir -p "$INST/usr/lib/postgresql" "$INST/usr/share/postgresql" "$INST/usr/include" "$SOCK" "$SCRATCH"
cp -a "$SYS" "$INST/usr/lib/postgresql/"
cp -a "/usr/share/postgresql/$PG_MAJOR" "$INST/usr/share/postgresql/"
ln -s /usr/include/postgresql "$INST/usr/include/postgresql"
PG_CONFIG=$INST/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
BIN=$INST/usr/lib/postgresql/$PG_MAJOR/bin

step "building pg_dataexport into $INST"
if ! { make -C "$root" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" &&
	make -C "$root" -s install PG_CONFIG="$PG_CONFIG"; } >"$DIR/build.log" 2>&1; then
	cat "$DIR/build.log"
	die "build failed"
fi

[ "$(id -u)" -ne 0 ] || chown -R postgres: "$DIR"
step "scratch cluster in $DATA, port $PORT"
as_server "$BIN/initdb" -D "$DATA" -A trust -U postgres -E UTF8 --no-locale --no-sync >"$DIR/initdb.log" 2>&1 ||
	{ cat "$DIR/initdb.log"; die "initdb failed"; }
cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$SOCK'
port = $PORT
max_wal_size = 2GB
checkpoint_timeout = 30min
autovacuum = off
dataexport.min_interval = '1min'
EOF
as_server "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w start >/dev/null ||
	{ cat "$DIR/server.log"; die "the cluster did not start"; }
stop_cluster() {
	as_server "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
}
trap stop_cluster EXIT

CONN=(-X -h "$SOCK" -p "$PORT" -U postgres)
# psql, quiet, stop at the first error; the database bench.
sql() { "$BIN/psql" "${CONN[@]}" -d bench -q -At -v ON_ERROR_STOP=1 "$@"; }
# The milliseconds of one statement, by psql's \timing.
timed() {
	local out ms
	out=$(sql -c '\timing on' -c "$1") || die "failed: $1"
	ms=$(printf '%s\n' "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
	[ -n "$ms" ] || die "no timing for: $1"
	echo "$ms"
}
# record MEASURE RUN VALUE UNIT
record() {
	sql -c "INSERT INTO bench.result (measure, run, value, unit) VALUES ('$1', $2, $3, '$4')"
}
# The run's order of the items given: rotated by the run number, reversed on
# even runs, so that no side always goes first or follows the same other.
order() {
	local run=$1 n i
	shift
	local items=("$@")
	n=${#items[@]}
	local out=()
	for ((i = 0; i < n; i++)); do out+=("${items[$(((i + run) % n))]}"); done
	if ((run % 2 == 0)); then
		for ((i = n - 1; i >= 0; i--)); do echo "${out[$i]}"; done
	else
		printf '%s\n' "${out[@]}"
	fi
}

"$BIN/psql" "${CONN[@]}" -d postgres -q -c 'CREATE DATABASE bench' >/dev/null

# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

t0=$SECONDS
step "generating data: $N_LARGE and $N_MID accounts, $N_DML-row DML source"
sql -f "$here/setup.sql" >/dev/null
sql >/dev/null <<EOF
SELECT bench.make_table('accounts'), bench.make_table('accounts_mid'),
       bench.make_table('dml_source'),
       bench.make_table('pgb_plain'), bench.make_table('pgb_capture'), bench.make_table('pgb_pgq');
SELECT bench.fill('bench.accounts', $N_LARGE);
SELECT bench.fill('bench.accounts_mid', $N_MID);
SELECT bench.fill('bench.dml_source', $N_DML, 'NEW/');
SELECT bench.fill('bench.pgb_plain', $N_MID);
SELECT bench.fill('bench.pgb_capture', $N_MID);
SELECT bench.fill('bench.pgb_pgq', $N_MID);
SELECT dataexport.register_entity('ACCOUNTS', 'bench.accounts');
SELECT dataexport.register_entity('ACCOUNTS_MID', 'bench.accounts_mid');
SELECT dataexport.register_entity('PGBENCH_CAPTURE', 'bench.pgb_capture');
VACUUM ANALYZE;
EOF
if [ $HAVE_PGQ = 1 ]; then
	sql >/dev/null <<EOF
CREATE EXTENSION pgq;
SELECT pgq.create_queue('bench');
CREATE TRIGGER pgq_capture AFTER INSERT OR UPDATE OR DELETE ON bench.pgb_pgq
    FOR EACH ROW EXECUTE FUNCTION pgq.logutriga('bench');
EOF
fi
step "data ready ($((SECONDS - t0))s): $(sql -c "SELECT pg_size_pretty(pg_total_relation_size('bench.accounts'))") for the large table"

# The schedules whose deltas are measured, with their initial exports done.
sql >/dev/null <<EOF
SELECT dataexport.create_schedule('bench large', ARRAY['ACCOUNTS'], 'DAY', 1);
SELECT dataexport.create_schedule('bench mid', ARRAY['ACCOUNTS_MID'], 'DAY', 1);
CALL dataexport.run_pending();
EOF
SCHED_LARGE=$(sql -c "SELECT schedule_id FROM dataexport.schedules WHERE name = 'bench large'")
SCHED_MID=$(sql -c "SELECT schedule_id FROM dataexport.schedules WHERE name = 'bench mid'")
remove_job_files() { rm -rf "$DATA"/pg_dataexport/*/"$1"; }
for j in $(sql -c "SELECT job_id FROM dataexport.jobs"); do remove_job_files "$j"; done
[ "$(sql -c "SELECT count(*) FROM dataexport.jobs WHERE status <> 'SUCCEEDED'")" = 0 ] ||
	die "the initial exports failed: $(sql -c "SELECT error_message FROM dataexport.jobs")"

for side in plain capture pgq; do
	cat >"$SCRATCH/pgbench_$side.sql" <<EOF
\set a random(1, $N_MID)
UPDATE bench.pgb_$side SET version = version + 1, dt_last_modified = now() WHERE id = md5('ACCOUNTS/' || :a)::uuid;
EOF
done
[ "$(id -u)" -ne 0 ] || chown -R postgres: "$SCRATCH"

# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------

# run_job SQL-RETURNING-JOB-ID: runs it and the job in one fresh session;
# prints "job_id milliseconds VmHWM_kB" and removes the job's files.
run_job() {
	local out
	out=$(sql <<EOF
SELECT ($1) AS job \gset
CALL dataexport.run_pending();
SELECT job_id, extract(epoch FROM completed_at - started_at) * 1000, status,
       (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]
  FROM dataexport.jobs WHERE job_id = :job;
EOF
	) || die "job failed to run: $1"
	IFS='|' read -r job ms status hwm <<<"$out"
	[ "$status" = SUCCEEDED ] || die "job $job: $status: $(sql -c "SELECT error_message FROM dataexport.jobs WHERE job_id = $job")"
	remove_job_files "$job"
	echo "$job $ms $hwm"
}

# copy_to SQL-QUERY FORMAT-OPTIONS: \timing of COPY (query) TO a file.
copy_to() {
	local f=$SCRATCH/copy.out ms
	ms=$(timed "COPY ($1) TO '$f' $2")
	rm -f "$f"
	echo "$ms"
}

# Warm the caches: one of each export and COPY, not recorded.
step "warming up"
run_job "SELECT dataexport.export_now(ARRAY['ACCOUNTS'], 'CSV')" >/dev/null
copy_to "SELECT * FROM bench.accounts" "(FORMAT csv, HEADER)" >/dev/null

measure_exports() {
	local run=$1 what job ms hwm
	for what in $(order "$run" export_csv copy_csv export_jsonl copy_json); do
		case $what in
		export_csv)
			read -r job ms hwm < <(run_job "SELECT dataexport.export_now(ARRAY['ACCOUNTS'], 'CSV')")
			record export_csv "$run" "$ms" ms
			record hwm_large "$run" "$hwm" kB
			;;
		export_jsonl)
			read -r job ms hwm < <(run_job "SELECT dataexport.export_now(ARRAY['ACCOUNTS'], 'JSONL')")
			record export_jsonl "$run" "$ms" ms
			;;
		copy_csv)
			record copy_csv "$run" "$(copy_to "SELECT * FROM bench.accounts" "(FORMAT csv, HEADER)")" ms
			;;
		copy_json)
			record copy_json "$run" "$(copy_to "SELECT row_to_json(t) FROM bench.accounts t" "")" ms
			;;
		esac
	done
	read -r job ms hwm < <(run_job "SELECT dataexport.export_now(ARRAY['ACCOUNTS_MID'], 'CSV')")
	record export_csv_mid "$run" "$ms" ms
	record hwm_mid "$run" "$hwm" kB
}

# N_CHANGES distinct rows of a table of n rows, different in each run.
change_rows() {
	sql -c "UPDATE bench.$1 SET version = version + 1, dt_last_modified = now()
	         WHERE id IN (SELECT md5('ACCOUNTS/' || (1 + (k * 7919 + $3 * 104729) % $2))::uuid
	                        FROM generate_series(1, $N_CHANGES) k)"
}

measure_deltas() {
	local run=$1 what job ms hwm
	change_rows accounts "$N_LARGE" "$run"
	change_rows accounts_mid "$N_MID" "$run"
	for what in $(order "$run" delta_large delta_mid); do
		case $what in
		delta_large) read -r job ms hwm < <(run_job "SELECT dataexport.run_schedule_now($SCHED_LARGE)") ;;
		delta_mid) read -r job ms hwm < <(run_job "SELECT dataexport.run_schedule_now($SCHED_MID)") ;;
		esac
		[ "$(sql -c "SELECT rows_exported FROM dataexport.jobs WHERE job_id = $job")" = "$N_CHANGES" ] ||
			die "delta job $job did not export $N_CHANGES rows"
		record "$what" "$run" "$ms" ms
	done
}

measure_dml() {
	local run=$1 sides=(plain capture) side
	[ $HAVE_PGQ = 1 ] && sides+=(pgq)
	for side in "${sides[@]}"; do
		sql -c "SELECT bench.make_table('dml_$side')" >/dev/null
	done
	sql -c "SELECT dataexport.register_entity('DML_CAPTURE', 'bench.dml_capture')" >/dev/null
	[ $HAVE_PGQ = 1 ] && sql -c "CREATE TRIGGER pgq_capture AFTER INSERT OR UPDATE OR DELETE ON bench.dml_pgq
	                              FOR EACH ROW EXECUTE FUNCTION pgq.logutriga('bench')"
	for side in $(order "$run" "${sides[@]}"); do
		sql -c CHECKPOINT
		record "insert_$side" "$run" "$(timed "INSERT INTO bench.dml_$side SELECT * FROM bench.dml_source")" ms
	done
	for side in $(order "$run" "${sides[@]}"); do
		sql -c CHECKPOINT
		record "update_$side" "$run" "$(timed "UPDATE bench.dml_$side SET version = version + 1, dt_last_modified = now()")" ms
	done
	sql -c "SELECT dataexport.unregister_entity('DML_CAPTURE')" >/dev/null
	for side in "${sides[@]}"; do sql -c "DROP TABLE bench.dml_$side"; done
	[ $HAVE_PGQ = 1 ] && sql -c "TRUNCATE pgq.event_template CASCADE" 2>/dev/null || true
	sql -c "VACUUM dataexport.change_log"
}

measure_pgbench() {
	local run=$1 sides=(plain capture) side out tps
	[ $HAVE_PGQ = 1 ] && sides+=(pgq)
	for side in $(order "$run" "${sides[@]}"); do
		sql -c CHECKPOINT
		out=$("$BIN/pgbench" -h "$SOCK" -p "$PORT" -U postgres -n -c 4 -j 2 -T "$PGBENCH_SECONDS" \
			-f "$SCRATCH/pgbench_$side.sql" bench 2>&1) || { echo "$out"; die "pgbench failed"; }
		tps=$(printf '%s\n' "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | tail -1)
		[ -n "$tps" ] || { echo "$out"; die "no tps from pgbench"; }
		record "tps_$side" "$run" "$tps" tps
	done
}

for ((run = 1; run <= RUNS; run++)); do
	t0=$SECONDS
	measure_exports "$run"
	measure_deltas "$run"
	measure_dml "$run"
	measure_pgbench "$run"
	step "run $run of $RUNS done ($((SECONDS - t0))s)"
done

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
{
	echo "## pg_dataexport benchmark, BENCH_SIZE=$SIZE"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores ($cpu), $mem;" \
		"PostgreSQL $("$BIN/postgres" --version | awk '{print $3}');" \
		"$RUNS runs; large table $N_LARGE rows, mid table $N_MID rows," \
		"$N_CHANGES changed rows per delta, bulk DML of $N_DML rows," \
		"pgbench -c 4 -j 2 -T $PGBENCH_SECONDS."
	echo
	sql -f "$here/report.sql"
} | tee "$DIR/results.md"
