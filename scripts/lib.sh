# shellcheck shell=bash
#
# scripts/lib.sh: shared by scripts/test and scripts/demo (sourced, never run).
#
#   pe_ensure_packages      install the Debian packages that are missing
#   pe_make_workdir         a private temp dir, removed on exit (pe_cleanup)
#   pe_copy_tree SRC DST    the working tree (committed + uncommitted, no
#                           build output) copied for a clean build
#   pe_private_pg DIR       a private copy of the PostgreSQL installation in
#                           DIR (owned by the runner); PE_PG_CONFIG and
#                           PE_PG_BINDIR point into it from then on
#   pe_build_install DIR [VAR=VALUE...]
#                           make && make install into the private copy (as
#                           the runner)
#   pe_cluster_start        a throwaway cluster in the work dir: own port,
#                           unix socket in the work dir, no TCP
#   pe_san_build DIR        pe_build_install with ASan/UBSan (PE_SAN_FLAGS)
#   pe_san_cluster_start    a throwaway cluster whose postmaster preloads
#                           the sanitizer runtime (reports in PE_SAN_LOGS)
#   pe_as_runner CMD...     run CMD as the unprivileged user that owns the
#                           work dir and the cluster (postgres when root)
#   pe_cleanup              stop the cluster, remove the work dir
#
# Nothing is ever written to the system's PostgreSQL directories: the
# extension is installed into private copies of the installation under the
# work dir (pe_private_pg), whose servers load it from there.  So runs on
# one machine share no installed files, and a cluster of the machine's own
# PostgreSQL never sees a build under test.
#
# Settings (environment): PE_KEEP=1 keeps the work dir (and stops the
# cluster) for inspection.

# shellcheck disable=SC2034  # variables used by the scripts that source this
PE_PG_MAJOR=15
# the system installation (Debian packages): only read, and copied
PE_SYS_PG_BINDIR=/usr/lib/postgresql/$PE_PG_MAJOR/bin
PE_SYS_PG_CONFIG=$PE_SYS_PG_BINDIR/pg_config
# what pe_private_pg DIR copies: /X to DIR/X for each X
PE_SYS_PG_DIRS=(
	"usr/lib/postgresql/$PE_PG_MAJOR"
	"usr/share/postgresql/$PE_PG_MAJOR"
	usr/include/postgresql
)
# the private copy in use (pe_private_pg): every build, install, cluster
# and test goes through these
PE_PG_PREFIX=""
PE_PG_BINDIR=""
PE_PG_CONFIG=""
PE_PACKAGES=(
	"postgresql-$PE_PG_MAJOR"
	"postgresql-server-dev-$PE_PG_MAJOR"
	"postgresql-$PE_PG_MAJOR-pgtap"
	libtap-parser-sourcehandler-pgtap-perl
	libipc-run-perl
	build-essential
	clang
	libclang-rt-14-dev
)

PE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PE_WORK=""          # set by pe_make_workdir
PE_CLUSTER_UP=0
PE_CLUSTER_DATA=""  # data dir of the running cluster, set by pe_cluster_start
PE_CLUSTER_LOG=""   # its server log, set by pe_cluster_start
PE_CLUSTER_BINDIR="" # the bindir of the installation it runs from
PE_RUN_USER=""      # set by pe_make_workdir

pe_log() { printf '==> %s\n' "$*"; }
pe_warn() { printf 'warning: %s\n' "$*" >&2; }
pe_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

pe_is_root() { [ "$(id -u)" -eq 0 ]; }

# Debian packages of PE_PACKAGES that are not installed, one per line.
pe_missing_packages() {
	local p status
	for p in "${PE_PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$status" = installed ] || printf '%s\n' "$p"
	done
}

# Install what is missing (root), or say what to install and exit 1.
# When this run installs the server package, the cluster 15/main that Debian
# creates and starts is stopped again: the tests never use it.
pe_ensure_packages() {
	local missing new_server=0 i
	command -v dpkg-query >/dev/null || pe_die "dpkg-query not found: these scripts expect Debian 12"
	mapfile -t missing < <(pe_missing_packages)
	if [ "${#missing[@]}" -eq 0 ]; then
		pe_log "packages: all present"
		return 0
	fi
	if ! pe_is_root; then
		printf 'error: missing Debian packages: %s\n' "${missing[*]}" >&2
		printf 'install them as root with:\n  apt-get update && apt-get install -y --no-install-recommends %s\n' \
			"${missing[*]}" >&2
		exit 1
	fi
	for i in "${missing[@]}"; do
		[ "$i" = "postgresql-$PE_PG_MAJOR" ] && new_server=1
	done
	pe_log "packages: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	for i in 1 2 3; do
		apt-get update -q && break
		[ "$i" -eq 3 ] && pe_die "apt-get update failed 3 times"
		sleep $((i * 5))
	done
	for i in 1 2 3; do
		apt-get install -q -y --no-install-recommends "${missing[@]}" </dev/null && break
		[ "$i" -eq 3 ] && pe_die "apt-get install failed 3 times"
		sleep $((i * 5))
	done
	if [ "$new_server" -eq 1 ] && command -v pg_ctlcluster >/dev/null \
		&& [ -d "/etc/postgresql/$PE_PG_MAJOR/main" ]; then
		pe_log "stopping the Debian cluster $PE_PG_MAJOR/main created by the package (not used)"
		pg_ctlcluster "$PE_PG_MAJOR" main stop >/dev/null 2>&1 || true
	fi
	[ -x "$PE_SYS_PG_CONFIG" ] || pe_die "$PE_SYS_PG_CONFIG missing after installation"
}

# Private work dir, owned by the user that will run the cluster: postgres
# when we are root (initdb refuses root), else ourselves.
pe_make_workdir() {
	PE_WORK=$(mktemp -d "${TMPDIR:-/tmp}/pg_enroll.XXXXXX")
	if pe_is_root; then
		PE_RUN_USER=postgres
		id -u "$PE_RUN_USER" >/dev/null 2>&1 || pe_die "user $PE_RUN_USER missing (installed by postgresql-common)"
		chown "$PE_RUN_USER": "$PE_WORK"
	else
		PE_RUN_USER=$(id -un)
	fi
	chmod 0755 "$PE_WORK"
}

# Run a command as PE_RUN_USER with a clean, predictable environment.
# The suites run in a UTF-8 locale whatever the caller's environment (CI may
# have no LANG at all): clusters that the TAP tests create with a plain
# initdb then get UTF8, which the e-mail normalizer and session setup need.
pe_as_runner() {
	if pe_is_root; then
		runuser -u "$PE_RUN_USER" -- env HOME="$PE_WORK" USER="$PE_RUN_USER" LOGNAME="$PE_RUN_USER" \
			LANG=C.UTF-8 LC_ALL=C.UTF-8 "$@"
	else
		LANG=C.UTF-8 LC_ALL=C.UTF-8 "$@"
	fi
}

# Copy the working tree SRC to DST: every file git knows or would add
# (committed and uncommitted, not ignored build output), or, outside a git
# checkout, everything but .git.  DST then belongs to PE_RUN_USER.
pe_copy_tree() {
	local src=$1 dst=$2
	mkdir -p "$dst"
	if command -v git >/dev/null && git -c safe.directory='*' -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$src" && git -c safe.directory='*' ls-files -z --cached --others --exclude-standard \
			| while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
			| tar --null -T - -cf -) | tar -C "$dst" -xf -
	else
		(cd "$src" && tar --exclude=./.git -cf - .) | tar -C "$dst" -xf -
		make -C "$dst" clean PG_CONFIG="$PE_SYS_PG_CONFIG" >/dev/null 2>&1 || true
	fi
	if pe_is_root; then chown -R "$PE_RUN_USER": "$dst"; fi
}

# pe_private_pg DIR: a private copy of the PostgreSQL installation in DIR
# (PE_SYS_PG_DIRS: the server, its libraries and PGXS, the share dir with
# the extensions pgTAP and plpgsql, the headers), made as PE_RUN_USER so that
# it belongs to it: "make install" into it needs no root.  Debian's
# PostgreSQL is relocatable: the copy's pg_config reports its own
# directories, and its postgres loads extensions from its own lib/ and
# share/extension.  pg_enroll files that an earlier "make install" left in
# the system directories are not copied (a stale one must not make a test
# pass).  From then on PE_PG_CONFIG and PE_PG_BINDIR point into the copy.
# Make it after pe_ensure_packages (pgTAP comes with the copy).  Run it in
# the current shell (not in a pipeline): it sets those variables.  Returns
# non-zero (variables unchanged) when the copy cannot be made.
pe_private_pg() {
	local dir=$1 d lib ext got
	[ -n "$PE_WORK" ] || { pe_warn "pe_private_pg: no work dir (pe_make_workdir first)"; return 1; }
	case $dir in
		"$PE_WORK"/*) ;;
		*) pe_warn "pe_private_pg: $dir is not in $PE_WORK"; return 1 ;;
	esac
	[ ! -e "$dir" ] || { pe_warn "pe_private_pg: $dir exists"; return 1; }
	pe_log "private PostgreSQL: copying the installation to $dir"
	for d in "${PE_SYS_PG_DIRS[@]}"; do
		[ -d "/$d" ] || { pe_warn "/$d missing"; return 1; }
		pe_as_runner mkdir -p "$(dirname "$dir/$d")" || return 1
		pe_as_runner cp -a "/$d" "$dir/$d" || { pe_warn "copying /$d to $dir/$d failed"; return 1; }
	done
	lib=$dir/usr/lib/postgresql/$PE_PG_MAJOR/lib
	ext=$dir/usr/share/postgresql/$PE_PG_MAJOR/extension
	pe_as_runner rm -rf "$lib"/pg_enroll.so "$lib"/bitcode/pg_enroll "$lib"/bitcode/pg_enroll.index.bc \
		"$ext"/pg_enroll.control "$ext"/pg_enroll--*.sql || return 1
	# the copy must describe itself, or PGXS would install into the system
	for d in --bindir --pkglibdir --sharedir --includedir-server --pgxs; do
		got=$("$dir/usr/lib/postgresql/$PE_PG_MAJOR/bin/pg_config" "$d") || return 1
		case $got in
			"$dir"/*) ;;
			*) pe_warn "pg_config $d of the copy is $got, not under $dir: the installation is not relocatable"
				return 1 ;;
		esac
	done
	PE_PG_PREFIX=$dir
	PE_PG_BINDIR=$dir/usr/lib/postgresql/$PE_PG_MAJOR/bin
	PE_PG_CONFIG=$PE_PG_BINDIR/pg_config
}

# pe_need_private: die unless pe_private_pg has run (PE_PG_CONFIG empty
# would make PGXS fall back to the pg_config on PATH: the system's).
pe_need_private() {
	if [ -z "$PE_PG_PREFIX" ] || [ ! -x "$PE_PG_CONFIG" ]; then
		pe_die "no private PostgreSQL installation (pe_private_pg first)"
	fi
}

# pe_build_install DIR [VAR=VALUE...]: build the extension in DIR and install
# it into the private copy (PE_PG_CONFIG), as PE_RUN_USER; VAR=VALUE are
# passed to both makes (e.g. COPT=...).
pe_build_install() {
	local dir=$1 jobs
	shift
	pe_need_private
	jobs=$(nproc 2>/dev/null || echo 2)
	pe_log "build: make -C $dir${*:+ $*} (PG_CONFIG=$PE_PG_CONFIG)"
	pe_as_runner make -C "$dir" -j"$jobs" PG_CONFIG="$PE_PG_CONFIG" "$@" || return 1
	pe_log "install: make -C $dir install (into $PE_PG_PREFIX)"
	pe_as_runner make -C "$dir" install PG_CONFIG="$PE_PG_CONFIG" "$@" || return 1
}

# pe_released_pg DIR: a third private installation with the library and SQL
# scripts of the last released version (the commit named in
# sql/released.library), built from the repository's history; prints the
# install path (DIR/usr/lib/postgresql/MAJOR) for test/t/004_upgrade.pl's
# PE_RELEASED_PG.  Needs the git history (a clone, as CI has): without it,
# returns 1 and the upgrade test loads no data through the released library.
# Leaves the current private installation (PE_PG_*) as it was.
pe_released_pg() {
	local dir=$1 commit src save_prefix=$PE_PG_PREFIX save_bindir=$PE_PG_BINDIR save_config=$PE_PG_CONFIG rc=0
	commit=$(awk '!/^#/ && NF == 2 { c = $2 } END { print c }' "$PE_ROOT/sql/released.library" 2>/dev/null)
	[ -n "$commit" ] || { pe_warn "sql/released.library names no commit"; return 1; }
	git -c safe.directory='*' -C "$PE_ROOT" cat-file -e "$commit^{commit}" 2>/dev/null \
		|| { pe_warn "commit $commit is not in this checkout's history"; return 1; }
	src=$PE_WORK/src-released
	pe_as_runner mkdir -p "$src"
	git -c safe.directory='*' -C "$PE_ROOT" archive "$commit" | pe_as_runner tar -x -C "$src" || return 1
	pe_private_pg "$dir" >&2 || return 1
	pe_build_install "$src" >&2 || rc=1
	[ "$rc" -eq 0 ] && printf '%s\n' "$dir/usr/lib/postgresql/$PE_PG_MAJOR"
	PE_PG_PREFIX=$save_prefix PE_PG_BINDIR=$save_bindir PE_PG_CONFIG=$save_config
	return "$rc"
}

# A TCP port nobody listens on (the cluster listens on its unix socket only,
# but the port also names the socket and shows in logs, so keep it unique;
# the socket dir is the run's own, so two runs that drew the same number
# would still not meet).
pe_free_port() {
	local port tries=0
	port=$((20000 + RANDOM % 20000))
	while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
		port=$((port + 1))
		tries=$((tries + 1))
		[ "$tries" -lt 200 ] || pe_die "no free port found"
	done
	printf '%s\n' "$port"
}

# initdb + start a throwaway cluster in $PE_WORK, with the binaries (and so
# the extensions) of the private installation in use (pe_private_pg), on a
# port of its own (pe_free_port); exports PGHOST, PGPORT, PGUSER,
# PGDATABASE for the commands that follow.
#   pe_cluster_start [NAME [VAR=VALUE...]]
# NAME: data dir $PE_WORK/NAME, logs $PE_WORK/NAME-server.log and
# NAME-initdb.log (default: data dir $PE_WORK/data, logs server.log and
# initdb.log); VAR=VALUE: environment of the postmaster only (and so of
# every backend).
pe_cluster_start() {
	local name=${1:-data} sock=$PE_WORK/sock port data log initlog
	[ "$#" -eq 0 ] || shift
	data=$PE_WORK/$name
	log=$PE_WORK/server.log
	[ "$name" = data ] || log=$PE_WORK/$name-server.log
	pe_need_private
	initlog=$PE_WORK/initdb.log
	[ "$name" = data ] || initlog=$PE_WORK/$name-initdb.log
	port=$(pe_free_port)
	pe_as_runner mkdir -p "$sock"
	pe_log "cluster: initdb $data (port $port, socket $sock, server $PE_PG_BINDIR)"
	pe_as_runner "$PE_PG_BINDIR/initdb" -D "$data" -U "$PE_RUN_USER" -A trust \
		--encoding=UTF8 --locale=C.UTF-8 --no-sync >"$initlog" 2>&1 \
		|| { cat "$initlog"; pe_die "initdb failed"; }
	pe_as_runner tee -a "$data/postgresql.conf" >/dev/null <<-EOF

		# pg_enroll test cluster (scripts/lib.sh)
		listen_addresses = ''
		port = $port
		unix_socket_directories = '$sock'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		max_prepared_transactions = 10
		max_connections = 50
		log_line_prefix = '%m [%p] %q%u@%d '
		log_min_messages = warning
	EOF
	pe_as_runner env "$@" "$PE_PG_BINDIR/pg_ctl" -D "$data" -l "$log" -w -t 120 start >/dev/null \
		|| { cat "$log"; pe_die "the cluster did not start"; }
	PE_CLUSTER_UP=1
	PE_CLUSTER_DATA=$data
	PE_CLUSTER_LOG=$log
	PE_CLUSTER_BINDIR=$PE_PG_BINDIR
	export PGHOST=$sock PGPORT=$port PGUSER=$PE_RUN_USER PGDATABASE=postgres
	unset PGSERVICE PGPASSWORD PGOPTIONS PGSSLMODE PGHOSTADDR
}

pe_cluster_stop() {
	if [ "$PE_CLUSTER_UP" -eq 1 ]; then
		pe_as_runner "$PE_CLUSTER_BINDIR/pg_ctl" -D "$PE_CLUSTER_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 \
			|| pe_as_runner "$PE_CLUSTER_BINDIR/pg_ctl" -D "$PE_CLUSTER_DATA" -m immediate stop >/dev/null 2>&1 \
			|| true
		PE_CLUSTER_UP=0
	fi
}

# --- AddressSanitizer / UBSan build ------------------------------------------
# The extension compiled and linked (PGXS adds COPT to CFLAGS and LDFLAGS)
# with these; the postgres binary is not instrumented, so the postmaster
# preloads libasan (libubsan comes in as a dependency of pg_enroll.so).
PE_SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
PE_SAN_LOGS=""      # dir of the sanitizer reports, set by pe_san_cluster_start

# pe_san_build DIR: build DIR (a clean copy of the tree) with PE_SAN_FLAGS
# and install it into the private copy in use, which must be a second one
# (pe_private_pg), not the one holding the normal build.
pe_san_build() {
	pe_build_install "$1" COPT="$PE_SAN_FLAGS"
}

# pe_san_cluster_start: pe_cluster_start san-data, the postmaster running with
# the ASan runtime preloaded; ASan reports go to $PE_SAN_LOGS/asan.PID, UBSan
# reports to the server log (stderr: libubsan's log_path is not its own, the
# preloaded libasan's __sanitizer_set_report_path wins); either ends the
# backend, which fails the test that caused it.  Leak detection is off:
# memory contexts are freed wholesale, not free()d.
#
# Two workarounds, in a small preloaded shim compiled here:
# - preloaded into an uninstrumented postgres, libasan initialises lazily at
#   the first malloc, which (Debian 12) happens inside libgpg-error's
#   constructor while bindtextdomain() holds glibc's _nl_state_lock; the
#   init looks up swift_demangle with dlsym and calls dlerror(), whose
#   gettext() takes that lock again: postgres hangs before main.  A stub
#   swift_demangle (NULL: "not a Swift name") makes the lookup succeed, so
#   dlerror() has nothing to translate;
# - libubsan initialises at its first report, in a backend, and reads
#   UBSAN_OPTIONS from /proc/self/environ, which the postmaster has
#   overwritten with its process title by then: the options would be
#   ignored.  The shim copies UBSAN_OPTIONS at startup and hands it back
#   through __ubsan_default_options() (so it must come before libubsan,
#   which has its own, in the symbol search order: it is preloaded, and
#   libubsan only comes in with pg_enroll.so).
pe_san_cluster_start() {
	local asan shim=$PE_WORK/san-shim
	asan=$(gcc -print-file-name=libasan.so)
	if [ ! -e "$asan" ]; then
		pe_warn "libasan.so not found (gcc -print-file-name=libasan.so)"
		return 1
	fi
	PE_SAN_LOGS=$PE_WORK/san-logs
	pe_as_runner mkdir -p "$PE_SAN_LOGS" "$shim"
	pe_as_runner tee "$shim/san-shim.c" >/dev/null <<-'EOF'
		#include <stddef.h>
		#include <stdint.h>
		#include <stdlib.h>
		#include <string.h>
		char *swift_demangle(const char *name, size_t len, char *buf, size_t *buflen, uint32_t flags);
		const char *__ubsan_default_options(void);
		static char ubsan_options[4096];
		char *swift_demangle(const char *name, size_t len, char *buf, size_t *buflen, uint32_t flags)
		{
			return NULL;
		}
		__attribute__((constructor)) static void save_ubsan_options(void)
		{
			const char *o = getenv("UBSAN_OPTIONS");
			if (o != NULL)
				strncpy(ubsan_options, o, sizeof(ubsan_options) - 1);
		}
		const char *__ubsan_default_options(void)
		{
			return ubsan_options;
		}
	EOF
	pe_as_runner gcc -shared -fPIC -Wall -Wno-unused-parameter -o "$shim/san-shim.so" "$shim/san-shim.c" || return 1
	# a hang here would leave pg_ctl waiting for its timeout: check that
	# postgres starts under the preload at all
	if ! pe_as_runner timeout 60 env LD_PRELOAD="$asan $shim/san-shim.so" ASAN_OPTIONS=detect_leaks=0 \
		"$PE_PG_BINDIR/postgres" -V; then
		pe_warn "postgres -V with LD_PRELOAD=$asan failed or hung"
		return 1
	fi
	pe_cluster_start san-data \
		LD_PRELOAD="$asan $shim/san-shim.so" \
		ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$PE_SAN_LOGS/asan" \
		UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
}

# EXIT trap of both scripts: never leave a server or a temp dir behind (the
# private installations are in the temp dir).
pe_cleanup() {
	local rc=$?
	set +e
	pe_cluster_stop
	if [ -n "$PE_WORK" ] && [ -d "$PE_WORK" ]; then
		if [ "${PE_KEEP:-0}" = 1 ]; then
			printf 'kept %s (PE_KEEP=1)\n' "$PE_WORK" >&2
		else
			rm -rf "$PE_WORK"
		fi
	fi
	return "$rc"
}
