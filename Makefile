# pg_dataexport: PGXS build.
#
#   make               build the extension
#   make install       install it into the server found by pg_config
#   make demo          fresh-machine setup, then the main job end to end
#   make test          fresh-machine setup, then every test suite
#
# The install script is assembled from src/sql/*.sql, one file per concept,
# so that each concept's SQL is read (and reviewed) on its own.

EXTENSION  = pg_dataexport
EXTVERSION = 0.3
MODULE_big = pg_dataexport
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA       = $(filter-out $(DATA_built),$(wildcard $(EXTENSION)--*.sql))

# pg_regress: `make installcheck` against a running server, or `make test`,
# which runs the same against a temporary instance (test/run_tests.sh).
# Test databases are UTF8 with the C locale whatever the server's default.
REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=$(EXTENSION)
ENCODING     = UTF8
NO_LOCALE    = 1

PG_CPPFLAGS = -I$(srcdir)/src
# zlib, for gzip-compressed destinations (PostgreSQL itself links it).
SHLIB_LINK  = -lz
PG_CFLAGS   = -Wall -Wextra -Werror -Wno-unused-parameter \
              -Wno-missing-field-initializers -Wno-sign-compare

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
else
# Without pg_config only `make demo` and `make test` work: they install it.
all install installcheck:
	@echo "$(PG_CONFIG) not found: install postgresql-server-dev-15, or run make test / make demo, which do" >&2; exit 1
endif

$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard src/sql/*.sql))
	cat $^ > $@

# Each of these does its own setup on a fresh Debian 12 machine (see
# README.md, "Try it" and "Run the tests"): missing packages, a private
# PostgreSQL install in a temporary directory, an unprivileged user.  They never touch the system's
# PostgreSQL.
.PHONY: demo test bench bench-instructions soak
demo:
	bash test/demo.sh

test:
	bash test/run_tests.sh

bench:
	bash test/bench/run.sh

bench-instructions:
	bash test/bench/instructions.sh

soak:
	bash test/soak/run.sh
