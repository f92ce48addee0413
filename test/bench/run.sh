#!/usr/bin/env bash
# test/bench/run.sh: `make bench`, the performance comparisons of issue 6.
#
# Installs what is missing (test/lib/common.sh; PgQ's Debian package too,
# for the comparison with its C trigger), builds the extension into a
# private PostgreSQL install in a temporary copy of the tree, starts a
# scratch cluster there as an unprivileged user, generates accounts-shaped
# data (test/bench/setup.sql), runs every pair of the issue's targets table
# BENCH_RUNS times, the sides of a pair one right after the other in an
# order that changes from run to run, and prints markdown tables
# (test/bench/report.sql): the median, min and max of the per-run ratios,
# by wall-clock time and by CPU time, then the absolute figures.  Nothing
# outside the temporary directory is touched; the cluster is stopped at the
# end.
#
#   BENCH_SIZE=small   (default) a smoke run of the same steps, under a minute
#   BENCH_SIZE=full    the issue's sizes: 1M rows, 300k-row bulk DML,
#                      pgbench with 4 clients
#   BENCH_RUNS=5       runs of each pair
#   BENCH_PGBENCH_SECONDS  length of each pgbench run (small 1, full 10)
#   BENCH_PORT=5448    the cluster's port (it listens on a private socket)
#
# How each figure is taken:
#   export jobs   wall: completed_at - started_at of the job in
#                 dataexport.jobs (the export itself, its files' fsync and
#                 rename included; queueing and the job record around it
#                 not).  CPU: the backend's CPU time around CALL
#                 dataexport.run_pending(), which includes those.
#   COPY, DML     wall: psql's \timing of the statement; CPU: the backend's
#                 CPU time around it.
#   CPU time      the first field of /proc/self/schedstat of the backend
#                 (nanoseconds on a CPU), read through pg_read_file.  On a
#                 shared machine it is the steadier figure: wall time also
#                 counts the time the backend waited for a CPU.
#   pgbench       tps of pgbench -n -c 4 -j 2 -T BENCH_PGBENCH_SECONDS, each
#                 transaction one UPDATE of a random row, with
#                 synchronous_commit = off so that the WAL flush at commit
#                 (the same on both sides, and at the mercy of the disk)
#                 does not hide the trigger's cost.  By CPU: transactions
#                 per second of the four backends' CPU time (the
#                 postmaster's cutime + cstime once they have exited).
#   peak memory   VmHWM of the backend that ran a full CSV export, from
#                 /proc/self/status right after CALL dataexport.run_pending()
#                 in a fresh session.
#
# The tables: the large one (ACCOUNTS) is m3ter.accounts from
# dataexport.create_m3ter_model() when the extension has it, else
# bench.accounts with the same columns; every other table is a copy of its
# definition (LIKE ... INCLUDING ALL).  They are filled by setup.sql's
# generator, not by generate_m3ter_data, which would generate the other 19
# entity types at the same scale too.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/test/lib/common.sh"

SIZE=${BENCH_SIZE:-small}
RUNS=${BENCH_RUNS:-5}
PORT=${BENCH_PORT:-5448}
case $SIZE in
small)
	N_LARGE=20000 N_MID=2000 N_DML=10000 N_CHANGES=100
	PGBENCH_SECONDS=${BENCH_PGBENCH_SECONDS:-1}
	;;
full)
	N_LARGE=1000000 N_MID=100000 N_DML=300000 N_CHANGES=1000
	PGBENCH_SECONDS=${BENCH_PGBENCH_SECONDS:-10}
	;;
*) die "BENCH_SIZE must be small or full, not '$SIZE'" ;;
esac
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"

# PgQ, the C capture trigger we compare with: Debian's postgresql-15-pgq3,
# installed (as root) before the private install copies the system's files.
if [ -z "${DATAEXPORT_WORK:-}" ]; then
	ensure_packages
	if ! [ -e "/usr/lib/postgresql/$PG_MAJOR/lib/pgq_triggers.so" ] &&
		[ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		step "Debian packages: installing postgresql-$PG_MAJOR-pgq3 (for the PgQ comparison)"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q "postgresql-$PG_MAJOR-pgq3" >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1 &&
				apt-get install -y -q "postgresql-$PG_MAJOR-pgq3" >/dev/null 2>&1; } ||
			step "could not install postgresql-$PG_MAJOR-pgq3"
	fi
fi
enter_work_copy test/bench/run.sh "$@"

# From here on: in the work copy ($SRC), as an unprivileged user.

here=$SRC/test/bench
private_install
build_extension
HAVE_PGQ=1
[ -e "$("$PG_CONFIG" --pkglibdir)/pgq_triggers.so" ] || {
	HAVE_PGQ=0
	step "PgQ is not installed: its comparisons are left out"
}

CLUSTER=$WORK/bench
SCRATCH=$WORK/scratch
mkdir -p "$SCRATCH"
trap 'stop_servers_under "$WORK"' EXIT
start_cluster "$CLUSTER" "$PORT" \
	"max_wal_size = 2GB" "checkpoint_timeout = 30min" "autovacuum = off" \
	"dataexport.min_interval = '1min'"
DATA=$CLUSTER/data
step "scratch cluster in $CLUSTER"

CONN=(-X -h "$CLUSTER/sock" -p "$PORT")
# psql, quiet, stopping at the first error, on the database bench.
sql() { "$PG_BINDIR/psql" "${CONN[@]}" -d bench -q -At -v ON_ERROR_STOP=1 "$@"; }
# record MEASURE RUN VALUE UNIT
record() {
	sql -c "INSERT INTO bench.result (measure, run, value, unit) VALUES ('$1', $2, $3, '$4')"
}
# The run's order of the sides given: rotated by the run number, reversed on
# even runs, so that no side always goes first or after the same other.
order() {
	local run=$1 n i
	shift
	local items=("$@") out=()
	n=${#items[@]}
	for ((i = 0; i < n; i++)); do out+=("${items[$(((i + run) % n))]}"); done
	if ((run % 2 == 0)); then
		for ((i = n - 1; i >= 0; i--)); do echo "${out[$i]}"; done
	else
		printf '%s\n' "${out[@]}"
	fi
}

"$PG_BINDIR/psql" "${CONN[@]}" -d postgres -q -c 'CREATE DATABASE bench'

# CPU time of the backend so far, in nanoseconds, as SQL.
CPU_NS="split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint"
HAVE_CPU=1
[ "$(sql -c "SELECT (pg_stat_file('/proc/self/schedstat', true)).size IS NOT NULL")" = t ] || {
	HAVE_CPU=0
	step "no /proc/self/schedstat: CPU times are left out"
	CPU_NS=0
}

# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

t0=$SECONDS
sql -c "CREATE EXTENSION pg_dataexport"
# What is measured must be right: keys logged as row_to_json writes them.
keycheck=$(sql -f "$here/../../sql/capture_keys.sql" 2>&1 | grep ': .* entries, differ ') || true
[ -n "$keycheck" ] && ! printf '%s\n' "$keycheck" | grep -qv 'differ 0$' ||
	die "the capture trigger logs keys other than row_to_json's:
$keycheck"
step "logged keys checked against row_to_json ($(printf '%s\n' "$keycheck" | wc -l) key types)"

step "generating data: $N_LARGE and $N_MID accounts, a $N_DML-row DML source"
sql -f "$here/setup.sql" >/dev/null
if [ "$(sql -c "SELECT to_regprocedure('dataexport.create_m3ter_model(name)') IS NOT NULL")" = t ]; then
	# The model's own ACCOUNTS table, registered by create_m3ter_model.
	LARGE=m3ter.accounts
	sql -c "SELECT dataexport.create_m3ter_model('m3ter')" >/dev/null
else
	LARGE=bench.accounts
	sql -c "SELECT bench.make_table('accounts')" \
		-c "SELECT dataexport.register_entity('ACCOUNTS', 'bench.accounts')" >/dev/null
fi
sql >/dev/null <<EOF
SELECT bench.copy_table('$LARGE', name)
  FROM unnest(ARRAY['accounts_mid', 'dml_source', 'pgb_plain', 'pgb_capture', 'pgb_pgq']) AS name;
SELECT bench.fill('$LARGE', $N_LARGE);
SELECT bench.fill('bench.accounts_mid', $N_MID);
SELECT bench.fill('bench.dml_source', $N_DML, 'NEW/');
SELECT bench.fill('bench.pgb_plain', $N_MID);
SELECT bench.fill('bench.pgb_capture', $N_MID);
SELECT bench.fill('bench.pgb_pgq', $N_MID);
SELECT dataexport.register_entity('ACCOUNTS_MID', 'bench.accounts_mid');
SELECT dataexport.register_entity('PGBENCH_CAPTURE', 'bench.pgb_capture');
EOF
if [ $HAVE_PGQ = 1 ]; then
	sql >/dev/null <<EOF
CREATE EXTENSION pgq;
SELECT pgq.create_queue('bench');
CREATE TRIGGER pgq_capture AFTER INSERT OR UPDATE OR DELETE ON bench.pgb_pgq
    FOR EACH ROW EXECUTE FUNCTION pgq.logutriga('bench');
EOF
fi
# The schedules whose deltas are measured, with their first (full) exports
# done; run_pending also prunes the log of the loads.
sql >/dev/null <<EOF
SELECT dataexport.create_schedule('bench large', ARRAY['ACCOUNTS'], 'DAY', 1);
SELECT dataexport.create_schedule('bench mid', ARRAY['ACCOUNTS_MID'], 'DAY', 1);
CALL dataexport.run_pending();
VACUUM ANALYZE;
CHECKPOINT;
EOF
[ "$(sql -c "SELECT count(*) FROM dataexport.jobs WHERE status <> 'SUCCEEDED'")" = 0 ] ||
	die "the first exports failed: $(sql -c "SELECT error_message FROM dataexport.jobs")"
SCHED_LARGE=$(sql -c "SELECT schedule_id FROM dataexport.schedules WHERE name = 'bench large'")
SCHED_MID=$(sql -c "SELECT schedule_id FROM dataexport.schedules WHERE name = 'bench mid'")
remove_job_files() { rm -rf "$DATA"/pg_dataexport/*/"$1"; }
for j in $(sql -c "SELECT job_id FROM dataexport.jobs"); do remove_job_files "$j"; done
step "data ready ($((SECONDS - t0))s): $LARGE is $(sql -c "SELECT pg_size_pretty(pg_total_relation_size('$LARGE'))")"

for side in plain capture pgq; do
	cat >"$SCRATCH/pgbench_$side.sql" <<EOF
\set a random(1, $N_MID)
UPDATE bench.pgb_$side SET version = version + 1, dt_last_modified = now() WHERE id = md5('ACCOUNTS/' || :a)::uuid;
EOF
done

# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------

# run_job SQL: SQL queues a job and returns its id; the job runs in the same
# (fresh) session.  Prints "job_id wall_ms cpu_ms VmHWM_kB" and removes the
# job's files.
run_job() {
	local out job ms cpu status hwm
	out=$(sql <<EOF
SELECT ($1) AS job \gset
SELECT $CPU_NS AS cpu0 \gset
CALL dataexport.run_pending();
SELECT job_id, extract(epoch FROM completed_at - started_at) * 1000,
       ($CPU_NS - :cpu0) / 1e6, status,
       (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]
  FROM dataexport.jobs WHERE job_id = :job;
EOF
	) || die "could not run: $1"
	IFS='|' read -r job ms cpu status hwm <<<"$out"
	[ "$status" = SUCCEEDED ] ||
		die "job $job: $status: $(sql -c "SELECT error_message FROM dataexport.jobs WHERE job_id = $job")"
	remove_job_files "$job"
	echo "$job $ms $cpu $hwm"
}

# timed STATEMENT: prints "wall_ms cpu_ms" (\timing, and CPU time around it).
timed() {
	local out ms cpu
	out=$(sql <<EOF
SELECT $CPU_NS AS cpu0 \gset
\timing on
$1;
\timing off
SELECT ($CPU_NS - :cpu0) / 1e6;
EOF
	) || die "failed: $1"
	ms=$(printf '%s\n' "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | head -1)
	cpu=$(printf '%s\n' "$out" | tail -1)
	[ -n "$ms" ] || die "no timing for: $1"
	echo "$ms $cpu"
}

# record_timed MEASURE RUN "wall cpu"
record_timed() {
	local wall cpu
	read -r wall cpu <<<"$3"
	record "$1" "$2" "$wall" ms
	[ $HAVE_CPU = 0 ] || record "$1.cpu" "$2" "$cpu" "CPU ms"
}

# copy_to QUERY OPTIONS: COPY (QUERY) TO a file; prints "wall_ms cpu_ms".
copy_to() {
	local f=$SCRATCH/copy.out r
	r=$(timed "COPY ($1) TO '$f' $2")
	rm -f "$f"
	echo "$r"
}

# Warm the caches: one export and one COPY, not recorded.
step "warming up"
run_job "SELECT dataexport.export_now(ARRAY['ACCOUNTS'], 'CSV')" >/dev/null
copy_to "SELECT * FROM $LARGE" "(FORMAT csv, HEADER)" >/dev/null

measure_exports() {
	local run=$1 what job ms cpu hwm
	for what in $(order "$run" export_csv copy_csv export_jsonl copy_json); do
		case $what in
		export_csv)
			read -r job ms cpu hwm < <(run_job "SELECT dataexport.export_now(ARRAY['ACCOUNTS'], 'CSV')")
			record_timed export_csv "$run" "$ms $cpu"
			record hwm_large "$run" "$hwm" kB
			;;
		export_jsonl)
			read -r job ms cpu hwm < <(run_job "SELECT dataexport.export_now(ARRAY['ACCOUNTS'], 'JSONL')")
			record_timed export_jsonl "$run" "$ms $cpu"
			;;
		copy_csv)
			record_timed copy_csv "$run" "$(copy_to "SELECT * FROM $LARGE" "(FORMAT csv, HEADER)")"
			;;
		copy_json)
			record_timed copy_json "$run" "$(copy_to "SELECT row_to_json(t) FROM $LARGE t" "")"
			;;
		esac
	done
	read -r job ms cpu hwm < <(run_job "SELECT dataexport.export_now(ARRAY['ACCOUNTS_MID'], 'CSV')")
	record_timed export_csv_mid "$run" "$ms $cpu"
	record hwm_mid "$run" "$hwm" kB
}

# Change N_CHANGES distinct rows of a table of n rows, others in each run.
change_rows() {
	sql -c "UPDATE $1 SET version = version + 1, dt_last_modified = now()
	         WHERE id IN (SELECT md5('ACCOUNTS/' || (1 + (k * 7919 + $3 * 104729) % $2))::uuid
	                        FROM generate_series(1, $N_CHANGES) k)"
}

measure_deltas() {
	local run=$1 what job ms cpu hwm sched
	change_rows "$LARGE" "$N_LARGE" "$run"
	change_rows bench.accounts_mid "$N_MID" "$run"
	for what in $(order "$run" delta_large delta_mid); do
		sched=$SCHED_LARGE
		[ "$what" = delta_mid ] && sched=$SCHED_MID
		read -r job ms cpu hwm < <(run_job "SELECT dataexport.run_schedule_now($sched)")
		[ "$(sql -c "SELECT rows_exported FROM dataexport.jobs WHERE job_id = $job")" = "$N_CHANGES" ] ||
			die "delta job $job did not export $N_CHANGES rows"
		record_timed "$what" "$run" "$ms $cpu"
	done
}

measure_dml() {
	local run=$1 sides=(plain capture) side
	[ $HAVE_PGQ = 0 ] || sides+=(pgq)
	for side in "${sides[@]}"; do
		sql -c "SELECT bench.copy_table('$LARGE', 'dml_$side')" >/dev/null
	done
	sql -c "SELECT dataexport.register_entity('DML_CAPTURE', 'bench.dml_capture')" >/dev/null
	[ $HAVE_PGQ = 0 ] || sql -c "CREATE TRIGGER pgq_capture AFTER INSERT OR UPDATE OR DELETE ON bench.dml_pgq
	                              FOR EACH ROW EXECUTE FUNCTION pgq.logutriga('bench')"
	for side in $(order "$run" "${sides[@]}"); do
		sql -c CHECKPOINT
		record_timed "insert_$side" "$run" "$(timed "INSERT INTO bench.dml_$side SELECT * FROM bench.dml_source")"
	done
	for side in $(order "$run" "${sides[@]}"); do
		sql -c CHECKPOINT
		record_timed "update_$side" "$run" "$(timed "UPDATE bench.dml_$side SET version = version + 1, dt_last_modified = now()")"
	done
	sql -c "SELECT dataexport.unregister_entity('DML_CAPTURE')" >/dev/null
	for side in "${sides[@]}"; do sql -c "DROP TABLE bench.dml_$side"; done
	[ $HAVE_PGQ = 0 ] || sql -c "TRUNCATE pgq.event_template CASCADE"
	sql -c "VACUUM dataexport.change_log"
}

# CPU time of the server's exited children (its backends, once pgbench has
# disconnected and they are reaped), in clock ticks: cutime + cstime of the
# postmaster.
children_cpu_ticks() {
	awk '{ print $16 + $17 }' "/proc/$(head -1 "$DATA/postmaster.pid")/stat"
}
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

measure_pgbench() {
	local run=$1 sides=(plain capture) side out tps n c0 c1 i
	[ $HAVE_PGQ = 0 ] || sides+=(pgq)
	for side in $(order "$run" "${sides[@]}"); do
		sql -c CHECKPOINT
		c0=$(children_cpu_ticks)
		out=$(PGOPTIONS="-c synchronous_commit=off" "$PG_BINDIR/pgbench" "${CONN[@]:1}" \
			-n -c 4 -j 2 -T "$PGBENCH_SECONDS" -f "$SCRATCH/pgbench_$side.sql" bench 2>&1) ||
			{ echo "$out"; die "pgbench failed"; }
		tps=$(printf '%s\n' "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | tail -1)
		n=$(printf '%s\n' "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
		[ -n "$tps" ] && [ -n "$n" ] || { echo "$out"; die "no tps from pgbench"; }
		record "tps_$side" "$run" "$tps" tps
		# Transactions per second of backend CPU, once the backends are gone.
		for ((i = 0; i < 50; i++)); do
			[ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgbench'")" = 0 ] && break
			sleep 0.1
		done
		sleep 0.1
		c1=$(children_cpu_ticks)
		[ $HAVE_CPU = 0 ] || [ "$c1" -le "$c0" ] ||
			record "tps_$side.cpu" "$run" "$n::float8 * $CLK_TCK / ($c1 - $c0)" "transactions per CPU second"
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

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
echo
echo "## pg_dataexport benchmark, BENCH_SIZE=$SIZE"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores (${cpu_model:-unknown CPU}), $mem of memory," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;" \
	"PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}'); $RUNS runs;" \
	"large table $LARGE, $N_LARGE rows; mid table $N_MID rows; $N_CHANGES changed rows per delta;" \
	"bulk DML of $N_DML rows; pgbench -c 4 -j 2 -T $PGBENCH_SECONDS."
echo
sql -f "$here/report.sql"
