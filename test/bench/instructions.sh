#!/usr/bin/env bash
# test/bench/instructions.sh: `make bench-instructions`, the capture's cost
# in instructions, which do not change from run to run as times do.
#
# The same three writes as `make bench` (a bulk INSERT, a bulk UPDATE, and
# single-row UPDATE transactions as pgbench runs them), on four copies of
# the accounts-shaped table: without a trigger (plain), with a C trigger
# that does nothing (test/bench/noop_trigger.c: the floor of any AFTER ROW
# trigger, PostgreSQL's own event queue and re-fetch of each row), with
# capture (registered with dataexport.register_entity: its triggers as they
# are), with PgQ's C trigger (pgq, when postgresql-15-pgq3 is installed).  Each write runs in a single-user
# backend under valgrind's callgrind, from the same copy of the data
# directory each time; a run of the same script without the write (which
# loads the libraries and fires the trigger once) is subtracted, so what is
# left is the write alone.  Prints, per row (per transaction for the
# single-row UPDATEs), the instructions of each side and their ratio to
# plain.  Instructions are not time (cache misses, I/O and the buffer
# traffic of a table larger than shared_buffers are not in them) but they
# tell exactly which part of the cost is whose.
#
#   BENCH_IR_ROWS=10000  rows of the bulk writes
#   BENCH_IR_TXNS=1000   single-row UPDATE transactions
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/test/lib/common.sh"

ROWS=${BENCH_IR_ROWS:-10000}
TXNS=${BENCH_IR_TXNS:-1000}
[[ $ROWS =~ ^[1-9][0-9]*$ && $TXNS =~ ^[1-9][0-9]*$ ]] ||
	die "BENCH_IR_ROWS and BENCH_IR_TXNS must be positive integers"

if [ -z "${DATAEXPORT_WORK:-}" ]; then
	ensure_packages
	for pkg in valgrind "postgresql-$PG_MAJOR-pgq3"; do
		[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" = installed ] && continue
		[ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 || continue
		step "Debian packages: installing $pkg"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null 2>&1 ||
			step "could not install $pkg"
	done
fi
command -v valgrind >/dev/null 2>&1 || die "valgrind is not installed (apt-get install valgrind)"
enter_work_copy test/bench/instructions.sh "$@"

# From here on: in the work copy ($SRC), as an unprivileged user.

here=$SRC/test/bench
private_install
build_extension
SIDES=(plain noop capture)
if [ -e "$("$PG_CONFIG" --pkglibdir)/pgq_triggers.so" ]; then
	SIDES+=(pgq)
else
	step "PgQ is not installed: its column is left out"
fi

# The no-op trigger, built with PGXS into the private install.
mkdir -p "$WORK/noop"
cp "$here/noop_trigger.c" "$WORK/noop/bench_noop_trigger.c"
printf 'MODULES = bench_noop_trigger\nPGXS := $(shell $(PG_CONFIG) --pgxs)\ninclude $(PGXS)\n' \
	>"$WORK/noop/Makefile"
make -s -C "$WORK/noop" PG_CONFIG="$PG_CONFIG" install >"$LOGDIR/noop.log" 2>&1 ||
	{ cat "$LOGDIR/noop.log"; die "could not build the no-op trigger"; }

CLUSTER=$WORK/ir
trap 'stop_servers_under "$WORK"' EXIT
start_cluster "$CLUSTER" 5449 "autovacuum = off" "max_wal_size = 1GB"
DATA=$CLUSTER/data
sql() { "$PG_BINDIR/psql" -X -h "$CLUSTER/sock" -p 5449 -d bench -q -At -v ON_ERROR_STOP=1 "$@"; }
"$PG_BINDIR/psql" -X -h "$CLUSTER/sock" -p 5449 -d postgres -q -c 'CREATE DATABASE bench'

step "data: $ROWS accounts in each of ${SIDES[*]}"
sql -c "CREATE EXTENSION pg_dataexport" -f "$here/setup.sql" >/dev/null
sql >/dev/null <<EOF
SELECT bench.make_table('accounts');
SELECT bench.copy_table('bench.accounts', name)
  FROM unnest(ARRAY['src', 'warm', 'ins_plain', 'ins_noop', 'ins_capture', 'ins_pgq',
                    'upd_plain', 'upd_noop', 'upd_capture', 'upd_pgq']) AS name;
SELECT bench.fill('bench.src', $ROWS, 'NEW/');
SELECT bench.fill('bench.warm', 1, 'WARM/');
SELECT bench.fill(('bench.upd_' || s)::regclass, $ROWS) FROM unnest(ARRAY['plain', 'noop', 'capture', 'pgq']) s;
CREATE FUNCTION bench.noop_trigger() RETURNS trigger
    AS '\$libdir/bench_noop_trigger', 'bench_noop_trigger' LANGUAGE C;
CREATE TRIGGER noop AFTER INSERT OR UPDATE OR DELETE ON bench.ins_noop
    FOR EACH ROW EXECUTE FUNCTION bench.noop_trigger();
CREATE TRIGGER noop AFTER INSERT OR UPDATE OR DELETE ON bench.upd_noop
    FOR EACH ROW EXECUTE FUNCTION bench.noop_trigger();
SELECT dataexport.register_entity('INS_CAPTURE', 'bench.ins_capture');
SELECT dataexport.register_entity('UPD_CAPTURE', 'bench.upd_capture');
EOF
if [[ " ${SIDES[*]} " == *" pgq "* ]]; then
	sql >/dev/null <<EOF
CREATE EXTENSION pgq;
SELECT pgq.create_queue('bench');
CREATE TRIGGER pgq_capture AFTER INSERT OR UPDATE OR DELETE ON bench.ins_pgq
    FOR EACH ROW EXECUTE FUNCTION pgq.logutriga('bench');
CREATE TRIGGER pgq_capture AFTER INSERT OR UPDATE OR DELETE ON bench.upd_pgq
    FOR EACH ROW EXECUTE FUNCTION pgq.logutriga('bench');
EOF
fi
sql -c "VACUUM ANALYZE" -c "CHECKPOINT"
mapfile -t IDS < <(sql -c "SELECT id FROM bench.upd_plain ORDER BY md5(id::text) LIMIT $TXNS")
stop_cluster "$CLUSTER"
cp -a "$DATA" "$CLUSTER/pristine"

# script WORKLOAD SIDE WITH_WRITE: the statements of one single-user run.
# Every run loads the libraries and fires its table's trigger once first,
# so that neither is counted in the write.
script() {
	local w=$1 side=$2 write=$3 id
	echo "LOAD 'pg_dataexport';"
	[ "$side" != pgq ] || echo "LOAD 'pgq_triggers';"
	[ "$side" != noop ] || echo "LOAD 'bench_noop_trigger';"
	case $w in
	insert)
		echo "INSERT INTO bench.ins_$side SELECT * FROM bench.warm;"
		[ "$write" = 0 ] || echo "INSERT INTO bench.ins_$side SELECT * FROM bench.src;"
		;;
	update)
		echo "UPDATE bench.upd_$side SET version = version WHERE id = '${IDS[0]}';"
		[ "$write" = 0 ] || echo "UPDATE bench.upd_$side SET version = version + 1, dt_last_modified = now();"
		;;
	single)
		echo "UPDATE bench.upd_$side SET version = version WHERE id = '${IDS[0]}';"
		if [ "$write" = 1 ]; then
			for id in "${IDS[@]}"; do
				echo "UPDATE bench.upd_$side SET version = version + 1, dt_last_modified = now() WHERE id = '$id';"
			done
		fi
		;;
	esac
}

# instructions WORKLOAD SIDE WITH_WRITE: the instructions of one run, from
# the pristine data directory.
instructions() {
	local tag=$1.$2.$3 n
	rm -rf "$DATA"
	cp -a "$CLUSTER/pristine" "$DATA"
	script "$1" "$2" "$3" >"$WORK/$tag.sql"
	valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.$tag" \
		"$PG_BINDIR/postgres" --single -D "$DATA" -c autovacuum=off bench \
		<"$WORK/$tag.sql" >"$LOGDIR/$tag.out" 2>"$LOGDIR/$tag.err" ||
		{ tail -20 "$LOGDIR/$tag.err"; die "the run $tag failed"; }
	grep -q "ERROR:" "$LOGDIR/$tag.out" "$LOGDIR/$tag.err" && { grep "ERROR:" "$LOGDIR/$tag.out" "$LOGDIR/$tag.err"; die "the run $tag failed"; }
	n=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$LOGDIR/$tag.err")
	[ -n "$n" ] || die "no instruction count for $tag"
	echo "$n"
}

declare -A PER
t0=$SECONDS
for w in insert update single; do
	for side in "${SIDES[@]}"; do
		base=$(instructions $w "$side" 0)
		full=$(instructions $w "$side" 1)
		[ $w = single ] && n=$TXNS || n=$ROWS
		PER[$w.$side]=$(((full - base) / n))
		step "$w $side: $((full - base)) instructions, ${PER[$w.$side]} per ${w/single/transaction}"
	done
done
step "measured in $((SECONDS - t0))s"

echo
echo "Instructions per row (per transaction for the single-row UPDATEs), and the ratio to plain:"
echo
printf '| write |'; for side in "${SIDES[@]}"; do printf ' %s |' "$side"; done
printf ' capture over no-op |\n|---|'
for _ in "${SIDES[@]}"; do printf -- '---|'; done
printf -- '---|\n'
for w in insert update single; do
	case $w in
	insert) label="bulk INSERT of $ROWS rows" ;;
	update) label="bulk UPDATE of $ROWS rows" ;;
	single) label="$TXNS single-row UPDATE transactions" ;;
	esac
	printf '| %s |' "$label"
	for side in "${SIDES[@]}"; do
		awk -v v="${PER[$w.$side]}" -v p="${PER[$w.plain]}" \
			'BEGIN { printf " %d (%.3f) |", v, v / p }'
	done
	awk -v c="${PER[$w.capture]}" -v o="${PER[$w.noop]}" -v p="${PER[$w.plain]}" \
		'BEGIN { printf " %+d (%+.1f%% of plain) |\n", c - o, 100 * (c - o) / p }'
done
