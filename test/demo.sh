#!/usr/bin/env bash
# test/demo.sh: `make demo`.  The same setup as `make test` (missing Debian
# packages, a private PostgreSQL install in a temporary directory, an
# unprivileged user), then a throwaway cluster that preloads the library, and
# test/demo.sql run through psql so that every statement is printed with its
# result.  The cluster is stopped and the work directory removed at the end
# (kept when the demo fails).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/test/lib/common.sh"

[ -n "${DATAEXPORT_WORK:-}" ] || ensure_packages
enter_work_copy test/demo.sh "$@"

private_install
build_extension

cluster=$WORK/demo
port=$((50000 + RANDOM % 10000))
# The demo drives the jobs itself with CALL dataexport.run_pending(), so that
# its output comes in order; with dataexport.enabled = on the background
# scheduler would run them on its own.
start_cluster "$cluster" "$port" \
	"shared_preload_libraries = 'pg_dataexport'" \
	"dataexport.enabled = off"
trap 'stop_cluster "$cluster"' EXIT
step "demo cluster: $cluster/data, preloading pg_dataexport (psql -h $cluster/sock -p $port)"

if ! "$PG_BINDIR/psql" -X -e -P pager=off -h "$cluster/sock" -p "$port" \
	-d postgres -f test/demo.sql 2>&1; then
	echo
	step "the demo failed at the statement above; server log: $cluster/server.log"
	step "work directory kept for inspection: $WORK"
	exit 1
fi
echo
step "demo done; stopping its cluster"
