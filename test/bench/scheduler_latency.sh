#!/usr/bin/env bash
# test/bench/scheduler_latency.sh: how late the background scheduler starts
# jobs, and what it costs when idle.
#
#   bash test/bench/scheduler_latency.sh [MINUTES]
#
# On a fresh cluster that preloads pg_dataexport (min_interval lowered to
# one minute, TimeZone not UTC) it measures:
#
#   1. due time -> start of SCHEDULED jobs: ten schedules of every minute,
#      created five seconds apart, run for MINUTES minutes (default 3: at
#      least 20 runs); delay = started_at - due_at (due_at is the grid
#      instant);
#   2. queue -> start of jobs queued by export_now: 30 jobs, one after the
#      other; delay = started_at - created_at (created_at is taken before
#      the queuing transaction commits, so this includes the commit);
#   3. CPU used over 60 seconds by the idle scheduler (one daily schedule
#      present, nothing due) and by the launcher, from /proc/<pid>/stat
#      (utime + stime, clock ticks) and /proc/<pid>/schedstat (nanoseconds
#      on a CPU).
#
# Median and worst are printed for 1 and 2.  Runs as test/run_tests.sh does:
# in a copy of the tree, as an unprivileged user, against a private install.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/test/lib/common.sh"

[ -n "${DATAEXPORT_WORK:-}" ] || ensure_packages
enter_work_copy test/bench/scheduler_latency.sh "$@"

MINUTES=${1:-3}
DIR=$WORK/bench
PORT=$((50000 + RANDOM % 10000))
trap 'stop_cluster "$DIR"' EXIT

private_install
build_extension
start_cluster "$DIR" "$PORT" \
	"shared_preload_libraries = 'pg_dataexport'" \
	"dataexport.min_interval = '1min'" \
	"timezone = 'Asia/Kolkata'"

q() { "$PG_BINDIR/psql" -X -At -v ON_ERROR_STOP=1 -h "$DIR/sock" -p "$PORT" -d postgres "$@"; }

q -q >/dev/null <<'SQL'
CREATE EXTENSION pg_dataexport;
CREATE ROLE alice LOGIN;
CREATE TABLE accounts (id integer PRIMARY KEY, name text);
ALTER TABLE accounts OWNER TO alice;
SET ROLE alice;
SELECT dataexport.register_entity('ACCOUNTS', 'accounts');
INSERT INTO accounts SELECT g, 'n' || g FROM generate_series(1, 1000) g;
SQL

summary() {	# summary LABEL QUERY-OF-DELAYS-IN-SECONDS
	q -c "SELECT '$1: n = ' || count(*)
	          || ', median ' || round((percentile_cont(0.5) WITHIN GROUP (ORDER BY d) * 1000)::numeric, 1)
	          || ' ms, worst ' || round((max(d) * 1000)::numeric, 1) || ' ms'
	        FROM ($2) x(d)"
}

step "1. due time -> start: 10 schedules of every minute, for $MINUTES minutes"
for i in $(seq 1 10); do
	q -q -c "SET ROLE alice; SELECT dataexport.create_schedule('s$i', ARRAY['ACCOUNTS'], 'MINUTE', 1)" >/dev/null
	sleep 5
done
sleep $((MINUTES * 60 - 50))
# A little writing between runs, so that runs export something.
q -q -c "UPDATE accounts SET name = name || 'x' WHERE id % 10 = 0"
sleep 15

step "2. export_now -> start: 30 jobs"
for i in $(seq 1 30); do
	job=$(q -c "SET ROLE alice; SELECT dataexport.export_now(ARRAY['ACCOUNTS'])" | tail -n 1)
	q -c "SELECT dataexport.wait_for_job($job)" >/dev/null
	sleep 0.2
done

step "results"
summary "due -> start (SCHEDULED jobs)" \
	"SELECT extract(epoch FROM started_at - due_at) FROM dataexport.job WHERE kind = 'SCHEDULED'"
summary "queued -> start (export_now jobs)" \
	"SELECT extract(epoch FROM started_at - created_at) FROM dataexport.job WHERE kind = 'AD_HOC'"
q -c "SELECT 'jobs: ' || string_agg(kind || ' ' || status || ' ' || n, ', ')
        FROM (SELECT kind, status, count(*) n FROM dataexport.job GROUP BY 1, 2 ORDER BY 1, 2) x"

step "3. idle CPU over 60 s (one daily schedule, nothing due)"
q -q -c "SELECT dataexport.delete_schedule(schedule_id) FROM dataexport.schedules"
q -q -c "SET ROLE alice; SELECT dataexport.create_schedule('daily', ARRAY['ACCOUNTS'], 'DAY', 1)" >/dev/null
sleep 5
scheduler=$(q -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_dataexport scheduler'")
launcher=$(q -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_dataexport launcher'")
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
oncpu() { awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null || echo 0; }
s0=$(ticks "$scheduler"); l0=$(ticks "$launcher")
sn0=$(oncpu "$scheduler"); ln0=$(oncpu "$launcher")
sleep 60
s1=$(ticks "$scheduler"); l1=$(ticks "$launcher")
sn1=$(oncpu "$scheduler"); ln1=$(oncpu "$launcher")
hz=$(getconf CLK_TCK)
echo "idle scheduler (pid $scheduler): $((s1 - s0)) ticks of 1/$hz s (utime+stime), $(((sn1 - sn0) / 1000)) us on CPU (schedstat) in 60 s"
echo "idle launcher (pid $launcher): $((l1 - l0)) ticks of 1/$hz s (utime+stime), $(((ln1 - ln0) / 1000)) us on CPU (schedstat) in 60 s"
