#!/usr/bin/env bash
# test/run_tests.sh: `make test`.  Installs what is missing, builds the
# extension into a private PostgreSQL install, and runs every test suite over
# temporary clusters, as an unprivileged user.  Run it as root or as any user;
# see test/lib/common.sh for the setup.
#
# The suites, in order:
#
#   regress    sql/*.sql against expected/*.out: `make installcheck` (PGXS,
#              pg_regress) against a temporary instance configured with
#              test/regress.conf, which does not preload the library.
#   isolation  test/isolation/specs/*.spec against test/isolation/expected/*.out
#              (pg_isolation_regress) on a temporary server with the same
#              configuration, each spec in a fresh database of its own.
#   tap        test/t/*.pl, each with prove, PostgreSQL::Test::Cluster and
#              the private install first in PATH; each test makes its own
#              clusters (and preloads the library when it needs to).
#   suites     test/suites/*.sh, each executable script run from the build
#              tree; exit 0 is a pass, 77 a skip, anything else a failure.
#              The environment is described in test/suites/README.md.
#
# `bash test/run_tests.sh regress tap` runs only the suites named.
#
# The count is of test files: one per sql file, spec, TAP script or suite
# script (and the build, when it fails).  The last line is the summary,
# "N passed, N failed"; the exit status is non-zero when anything failed.
# On failure the diffs and logs are printed and the work directory is kept.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/test/lib/common.sh"

for suite in "$@"; do
	case $suite in
	regress | isolation | tap | suites) ;;
	*) die "unknown suite '$suite' (regress, isolation, tap, suites)" ;;
	esac
done

[ -n "${DATAEXPORT_WORK:-}" ] || ensure_packages
enter_work_copy test/run_tests.sh "$@"

# From here on: in the work copy ($SRC), as an unprivileged user.

# Each pg_regress or pg_isolation_regress run, TAP script and suite script is
# stopped after this many seconds, so that a hung test fails the run with a
# summary instead of eating CI's whole budget.
TEST_TIMEOUT=${TEST_TIMEOUT:-1200}
trap 'stop_servers_under "$WORK"' EXIT

passed=0
failed=0
skipped=0
failures=()

record() {	# record NAME STATUS: STATUS 0 pass, 77 skip, else failure
	case $2 in
	0) passed=$((passed + 1)) ;;
	77) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)); failures+=("$1") ;;
	esac
}

finish() {
	[ $skipped -eq 0 ] || echo "($skipped skipped)"
	if [ $failed -gt 0 ]; then
		echo "failed: ${failures[*]}"
		echo "work directory kept for inspection: $WORK"
	fi
	echo "$passed passed, $failed failed"
	[ $failed -eq 0 ] && exit 0
	exit 1
}

# A port for the temporary instances.  They listen only on a Unix socket in a
# directory of their own, so the number cannot clash with another server.
port=$((50000 + RANDOM % 10000))

# pg_regress_count LOG EXPECTED: set suite_passed and suite_failed from the
# summary line pg_regress (or pg_isolation_regress) printed; when it printed
# none (it could not start), all EXPECTED tests failed.
pg_regress_count() {
	local log=$1 expected=$2 line n m k
	suite_passed=0
	suite_failed=$expected
	line=$(grep -E '^ *(All [0-9]+ tests passed|[0-9]+ of [0-9]+ tests (passed|failed))' "$log" | tail -n 1 || true)
	if [[ $line =~ All\ ([0-9]+)\ tests\ passed ]]; then
		suite_passed=${BASH_REMATCH[1]}; suite_failed=0
	elif [[ $line =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ passed ]]; then
		# "N of M tests passed, K failed test(s) ignored"
		suite_passed=${BASH_REMATCH[2]}; suite_failed=0
	elif [[ $line =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ failed(,\ ([0-9]+)\ of\ these\ failures\ ignored)? ]]; then
		n=${BASH_REMATCH[1]}; m=${BASH_REMATCH[2]}; k=${BASH_REMATCH[4]:-0}
		suite_failed=$((n - k)); suite_passed=$((m - suite_failed))
	fi
}

add_counts() {	# add_counts SUITE
	passed=$((passed + suite_passed))
	failed=$((failed + suite_failed))
	[ "$suite_failed" -eq 0 ] || failures+=("$1($suite_failed)")
}

# pg_regress's chatter that says nothing (the full output is in $LOGDIR).
quiet='/^\(CREATE\|ALTER\) DATABASE$/d; /^CREATE EXTENSION$/d; /^+++ regress install-check/d'

temp_config=()
[ -f test/regress.conf ] && temp_config=(--temp-config="$SRC/test/regress.conf")

# server_trouble LOG: the server log's lines that say a backend crashed or
# failed badly, which a diff alone does not explain.
server_trouble() {
	grep -E 'PANIC|TRAP:|terminated by signal|exited with exit code [^01]|FATAL' "$1" 2>/dev/null |
		head -n 40 || true
}

run_regress() {
	local tests=(sql/*.sql) t0=$SECONDS rc=0
	[ -e "${tests[0]}" ] || { step "regress: no sql/*.sql"; return 0; }
	step "regress: ${#tests[@]} files in sql/ (pg_regress)"
	timeout -k 10 "$TEST_TIMEOUT" \
		make -s --no-print-directory installcheck PG_CONFIG="$PG_CONFIG" \
		EXTRA_REGRESS_OPTS="--temp-instance=$WORK/regress --port=$port ${temp_config[*]}" \
		2>&1 | tee "$LOGDIR/regress.log" | sed -e "$quiet" || rc=$?
	[ "$rc" -ne 124 ] || echo "regress: timed out after ${TEST_TIMEOUT}s"
	pg_regress_count "$LOGDIR/regress.log" ${#tests[@]}
	add_counts regress
	if [ "$suite_failed" -ne 0 ]; then
		[ -f regression.diffs ] && cat regression.diffs
		server_trouble log/postmaster.log
	fi
	step "regress: $suite_passed passed, $suite_failed failed ($((SECONDS - t0))s)"
}

# Each spec runs in a database of its own, created afresh (with the extension)
# on one temporary server, so that what a spec prints (ids from sequences,
# say) does not depend on which specs ran before it.
run_isolation() {
	local specs=(test/isolation/specs/*.spec) s name t0=$SECONDS rc
	local cluster=$WORK/isolation iso_port=$((port + 20))
	[ -e "${specs[0]}" ] || { step "isolation: no test/isolation/specs/*.spec"; return 0; }
	step "isolation: ${#specs[@]} specs in test/isolation/specs (pg_isolation_regress)"
	local conf=()
	[ -f test/regress.conf ] && conf=("include '$SRC/test/regress.conf'")
	if ! start_cluster "$cluster" "$iso_port" "${conf[@]}"; then
		suite_passed=0 suite_failed=${#specs[@]}
		add_counts isolation
		return 0
	fi
	for s in "${specs[@]}"; do
		name=$(basename "$s" .spec)
		rc=0
		mkdir -p "output_iso/$name"
		timeout -k 10 "$TEST_TIMEOUT" \
			"$PG_ISOLATION_REGRESS" --host="$cluster/sock" --port="$iso_port" \
			--bindir="$PG_BINDIR" --dbname=isolation_regression \
			--inputdir=test/isolation --outputdir="output_iso/$name" \
			--load-extension=pg_dataexport --encoding=UTF8 --no-locale \
			"$name" >"$LOGDIR/isolation_$name.log" 2>&1 || rc=$?
		grep -E '^(test|not ok|ok) ' "$LOGDIR/isolation_$name.log" ||
			echo "test $name: pg_isolation_regress failed, status $rc"
		record "$s" $rc
		if [ $rc -ne 0 ]; then
			[ $rc -ne 124 ] || echo "$s: timed out after ${TEST_TIMEOUT}s"
			if [ -f "output_iso/$name/regression.diffs" ]; then
				cat "output_iso/$name/regression.diffs"
			else
				cat "$LOGDIR/isolation_$name.log"
			fi
		fi
	done
	stop_cluster "$cluster"
	server_trouble "$cluster/server.log"
	step "isolation: done ($((SECONDS - t0))s)"
}

run_tap() {
	local tests=(test/t/*.pl) t t0 rc
	[ -e "${tests[0]}" ] || { step "tap: no test/t/*.pl"; return 0; }
	step "tap: ${#tests[@]} scripts in test/t (prove)"
	for t in "${tests[@]}"; do
		t0=$SECONDS
		rc=0
		# As PGXS's prove_installcheck does: TESTDIR holds tmp_check (logs,
		# data directories), PATH leads to the installation under test.
		( cd test && TESTDIR="$SRC/test" PATH="$PG_BINDIR:$PATH" \
			PG_REGRESS="$PG_REGRESS" \
			timeout -k 10 "$TEST_TIMEOUT" prove -I "$PG_PERL_LIB" -I "$SRC/test" "${t#test/}" ) \
			>"$LOGDIR/tap_$(basename "$t" .pl).log" 2>&1 || rc=$?
		record "$t" $rc
		if [ $rc -eq 0 ]; then
			step "tap: $t ok ($((SECONDS - t0))s)"
		else
			cat "$LOGDIR/tap_$(basename "$t" .pl).log"
			cat "test/tmp_check/log/regress_log_$(basename "$t" .pl)" 2>/dev/null || true
			[ $rc -ne 124 ] || echo "$t: timed out after ${TEST_TIMEOUT}s"
			step "tap: $t FAILED ($((SECONDS - t0))s)"
		fi
	done
}

run_suites() {
	local scripts=(test/suites/*.sh) s name t0 rc
	[ -e "${scripts[0]}" ] || { step "suites: no test/suites/*.sh"; return 0; }
	for s in "${scripts[@]}"; do
		name=$(basename "$s" .sh)
		t0=$SECONDS
		rc=0
		if [ ! -x "$s" ]; then
			echo "$s is not executable"
			record "$s" 1
			continue
		fi
		mkdir -p "$WORK/suites/$name"
		TEST_TMPDIR="$WORK/suites/$name" TEST_PORT=$((port + 40)) \
			timeout -k 10 "$TEST_TIMEOUT" "./$s" >"$LOGDIR/suite_$name.log" 2>&1 || rc=$?
		record "$s" $rc
		case $rc in
		0) step "suite $s ok ($((SECONDS - t0))s)" ;;
		77) step "suite $s skipped: $(tail -n 1 "$LOGDIR/suite_$name.log")" ;;
		*)
			cat "$LOGDIR/suite_$name.log"
			[ $rc -ne 124 ] || echo "$s: timed out after ${TEST_TIMEOUT}s"
			step "suite $s FAILED with status $rc ($((SECONDS - t0))s)"
			;;
		esac
	done
}

t_start=$SECONDS
private_install
if ! build_extension; then
	record build 1
	finish
fi
wanted() { [ $# -eq 0 ] || [[ " $* " == *" $suite "* ]]; }
for suite in regress isolation tap suites; do
	wanted "$@" || continue
	"run_$suite"
done
step "all suites: $((SECONDS - t_start))s"
finish
