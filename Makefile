# Makefile for pg_enroll
#
# Builds pg_enroll.so from src/*.c with PGXS and installs the versioned SQL
# scripts from sql/: the released scripts (pg_enroll--1.0.sql and the upgrade
# scripts, frozen once released) and pg_enroll--$(EXTVERSION).sql, the install
# script of the current version, built here from the living source
# sql/install/NN_*.sql (concatenated in name order).  `make installcheck` runs,
# in this order:
#   1. pg_regress tests      sql/NN_*.sql          -> expected/NN_*.out
#   2. isolation specs       test/isolation/specs  -> test/isolation/expected
#   3. TAP tests             test/t/*.pl (Perl PostgreSQL::Test::Cluster;
#                            test/t/*pgtap*.pl runs test/pgtap/*.sql through pg_prove)
# against the server of the pg_config on PATH (or PG_CONFIG=...).

EXTENSION  = pg_enroll
MODULE_big = pg_enroll

SRCS = $(sort $(wildcard src/*.c))
OBJS = $(SRCS:.c=.o)

EXTVERSION = 1.2

# released install and upgrade scripts, never edited (test/t/003_released.pl)
DATA = $(filter-out sql/pg_enroll--$(EXTVERSION).sql,$(sort $(wildcard sql/pg_enroll--*.sql)))
# the current version's install script, built from the living source
DATA_built = sql/pg_enroll--$(EXTVERSION).sql
INSTALL_SOURCES = $(sort $(wildcard sql/install/[0-9][0-9]_*.sql))

# Each suite is defined only when it has files, so an empty list is skipped
# (and scripts/test can switch a suite off with e.g. ISOLATION= on the
# command line).
REGRESS_SQL := $(sort $(wildcard sql/[0-9][0-9]_*.sql))
ifneq ($(REGRESS_SQL),)
REGRESS = $(patsubst sql/%.sql,%,$(REGRESS_SQL))
endif
REGRESS_OPTS = --inputdir=. --outputdir=. --load-extension=plpgsql --dbname=contrib_regression

ISOLATION_SPECS := $(sort $(wildcard test/isolation/specs/*.spec))
ifneq ($(ISOLATION_SPECS),)
ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(ISOLATION_SPECS))
endif
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation/output

PROVE_TESTS := $(sort $(wildcard test/t/*.pl))
ifneq ($(PROVE_TESTS),)
TAP_TESTS = 1
endif

PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

EXTRA_CLEAN = results regression.diffs regression.out test/isolation/output tmp_check log

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(OBJS): src/pg_enroll.h src/errcodes.h

sql/pg_enroll--$(EXTVERSION).sql: $(INSTALL_SOURCES)
	cat $^ > $@
include mk/dist.mk
