# mk/dist.mk: `make dist`, the release archive for PGXN (included at the end
# of the Makefile).
#
#   make dist                       NAME-VERSION.zip of HEAD, in the top directory
#   make dist DIST_REF=v1.2.0       ... of the release tag: how releases are cut
#   make dist DIST_DIR=/some/dir    ... written to another directory
#
# NAME and VERSION are those of DIST_REF's META.json (pg_enroll, 1.2.0).  The
# archive is `git archive --format=zip --prefix=NAME-VERSION/ DIST_REF` (the
# committed files only: uncommitted changes are not released), plus every
# file that META.json's "provides" names and DIST_REF does not hold: the
# current version's install script sql/pg_enroll--X.Y.sql is git-ignored,
# built from sql/install/, and it is built here from DIST_REF's own files
# with DIST_REF's own Makefile, in a temporary directory (the working tree
# is neither read nor written, except for the archive).  test/t/006_dist.pl
# checks that the archive holds what META.json promises and that it builds
# and installs with PGXS.
#
# Cutting a release: set the version in pg_enroll.control, the Makefile,
# META.json (twice) and debian/changelog, commit, `git tag v1.2.0`, then
# `make dist DIST_REF=v1.2.0` and upload pg_enroll-1.2.0.zip to PGXN.

DIST_REF ?= HEAD
DIST_DIR ?= .
GIT ?= git

.PHONY: dist
dist:
	@set -e; \
	ref=$$($(GIT) rev-parse --verify --quiet '$(DIST_REF)^{commit}') \
		|| { echo "make dist: '$(DIST_REF)' names no commit of this git repository" >&2; exit 1; }; \
	tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/pg_enroll-dist.XXXXXX"); \
	trap 'rm -rf "$$tmp"' EXIT; \
	mkdir "$$tmp/tree"; \
	$(GIT) archive --format=tar "$$ref" | tar -C "$$tmp/tree" -xf -; \
	test -f "$$tmp/tree/META.json" || { echo "make dist: $(DIST_REF) has no META.json" >&2; exit 1; }; \
	$(PERL) -MJSON::PP \
		-e 'local $$/; open my $$fh, "<", $$ARGV[0] or die "$$ARGV[0]: $$!\n";' \
		-e 'my $$m = JSON::PP->new->decode(<$$fh>);' \
		-e 'defined $$m->{name} && defined $$m->{version} or die "META.json: no name or version\n";' \
		-e 'print "$$m->{name}-$$m->{version}\n";' \
		-e 'print "$$_->{file}\n" for values %{ $$m->{provides} || {} };' \
		"$$tmp/tree/META.json" >"$$tmp/meta"; \
	name=$$(head -n 1 "$$tmp/meta"); \
	set --; \
	for f in $$(tail -n +2 "$$tmp/meta" | sort -u); do \
		test ! -e "$$tmp/tree/$$f" || continue; \
		$(MAKE) --no-print-directory -C "$$tmp/tree" "$$f" PG_CONFIG='$(PG_CONFIG)' >/dev/null \
			|| { echo "make dist: META.json provides $$f, which $(DIST_REF) neither holds nor builds" >&2; exit 1; }; \
		d=$$(dirname "$$f"); \
		if [ "$$d" = . ]; then set -- "$$@" --prefix="$$name/"; else set -- "$$@" --prefix="$$name/$$d/"; fi; \
		set -- "$$@" --add-file="$$tmp/tree/$$f"; \
	done; \
	mkdir -p '$(DIST_DIR)'; \
	$(GIT) archive --format=zip "$$@" --prefix="$$name/" -o '$(DIST_DIR)'/"$$name.zip" "$$ref"; \
	echo "make dist: $(DIST_DIR)/$$name.zip ($(DIST_REF), $$($(GIT) rev-parse --short "$$ref"))"; \
	case '$(DIST_REF)' in \
		v[0-9]*) ;; \
		*) echo "make dist: note: releases are cut from their tag: make dist DIST_REF=v$${name##*-}" ;; \
	esac
