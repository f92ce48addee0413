#!/usr/bin/env bash
# test/soak/short.sh: the soak in about two minutes, for `make test`.
#
# The same soak as `make soak` (test/soak/soak.sh; doc/soak.md), shorter:
# 85 seconds of writers and exports on a smaller data set, each fault once
# (kill -9 of the export's backend, of the postmaster alone, of the whole
# server; the store made read-only; the store full, as root; a table dropped
# while its schedule runs), then every job's files replayed and compared.
# Exits 0 when nothing differs and every fault had the required outcome.
#
# Self-contained: run it as root or as any user, from anywhere:
#     bash test/soak/short.sh
# With PG_CONFIG and PG_BINDIR set (as `make test` sets them for the scripts
# in test/suites/), it uses that install, where pg_dataexport must be
# installed; else it makes a private copy of /usr/lib/postgresql/15 and
# builds the extension into it.  TEST_TMPDIR and TEST_PORT, when set, give
# its work directory and port.  Any SOAK_* variable of soak.sh may be set
# to change the run.
set -u
# 85 s: six faults, each followed by a pause of 2.5 to 7.5 s, took 60 to 75 s
# of a 70 s load, and one kind was now and then left out (a failure, since
# every kind is required).
export SOAK_SECONDS=${SOAK_SECONDS:-85}
export SOAK_CLIENTS=${SOAK_CLIENTS:-4}
export SOAK_EVT_ROWS=${SOAK_EVT_ROWS:-10000}
export SOAK_M3TER_ACCOUNTS=${SOAK_M3TER_ACCOUNTS:-100}
export SOAK_EXPORT_EVERY=${SOAK_EXPORT_EVERY:-6}
export SOAK_FAULT_EVERY=${SOAK_FAULT_EVERY:-5}
export SOAK_FAULTS=${SOAK_FAULTS-backend,postmaster,crash,unwritable,full,drop}
export SOAK_REQUIRE_FAULTS=${SOAK_REQUIRE_FAULTS:-1}
exec bash "$(dirname "${BASH_SOURCE[0]}")/soak.sh"
