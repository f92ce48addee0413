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
EXTVERSION = 0.1
MODULE_big = pg_dataexport
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA       = $(filter-out $(DATA_built),$(wildcard $(EXTENSION)--*--*.sql))

REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=$(EXTENSION)

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS   = -Wall -Wextra -Werror -Wno-unused-parameter \
              -Wno-missing-field-initializers -Wno-sign-compare

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard src/sql/*.sql))
	cat $^ > $@

.PHONY: demo test bench soak
demo:
	bash test/demo.sh

test:
	bash test/run_tests.sh

bench:
	bash test/bench/run.sh

soak:
	bash test/soak/run.sh
