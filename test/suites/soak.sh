#!/usr/bin/env bash
# The short soak (test/soak/short.sh): concurrent writers, exports and
# faults for about two minutes, then every job's files replayed and compared
# with the source; any difference fails.  `make soak` runs the long one.
exec bash "$(dirname "${BASH_SOURCE[0]}")/../soak/short.sh"
