#!/usr/bin/env bash
# test/soak/run.sh: `make soak`, the long soak (doc/soak.md).
#
# SOAK_SECONDS of writers and exports (default 600), a fault every
# SOAK_FAULT_EVERY seconds on average (default 30), each kind in turn, then
# every job's files replayed and compared with the truth.  Exits 0 when
# nothing differs and every fault had the required outcome.  Any SOAK_*
# variable of test/soak/soak.sh may be set, e.g.
#     SOAK_SECONDS=3600 SOAK_SEED=42 make soak
set -u
export SOAK_SECONDS=${SOAK_SECONDS:-600}
export SOAK_FAULT_EVERY=${SOAK_FAULT_EVERY:-30}
export SOAK_REQUIRE_FAULTS=${SOAK_REQUIRE_FAULTS:-1}
exec bash "$(dirname "${BASH_SOURCE[0]}")/soak.sh"
