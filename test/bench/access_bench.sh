#!/usr/bin/env bash
# Benchmark of the access check (issue: can_access at >= 80% of a bare
# primary-key lookup's throughput, flat from 10^4 to 10^6 licenses).
#
# Runs against the server in PGHOST/PGPORT/PGUSER (a superuser: the data is
# loaded by hand).  For each size it creates a database, loads the data,
# then runs pgbench on the bare lookup and on can_access, same clients,
# same duration, in the same run, and prints the figures and the ratio.
#
#   test/bench/access_bench.sh [sizes...]      default: 10000 1000000
#   BENCH_SECONDS=10 BENCH_CLIENTS=2 test/bench/access_bench.sh 10000
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-2}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 1000000)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
pgbench=${PGBENCH:-$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)}

tps() {   # tps <script> <db> <licenses>
	"$pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$seconds" \
		-D licenses="$3" -f "$1" "$2" 2>/dev/null | awk '/^tps/ {print $3; exit}'
}

printf '%-10s %14s %14s %8s\n' licenses pk_lookup_tps can_access_tps ratio
for n in "${sizes[@]}"; do
	db="bench_access_$n"
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
	psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION pg_enroll' >/dev/null
	psql -X -q -d "$db" -v ON_ERROR_STOP=1 -v licenses="$n" -f "$here/access_setup.sql" >/dev/null
	# what the check answers on this data (all active by construction)
	psql -X -q -At -d "$db" -c "SELECT 'statuses: ' || string_agg(s || '=' || c, ', ') FROM (SELECT enroll.access_status(g, (g % 100) + 1) s, count(*) c FROM generate_series(1, least($n, 10000)) g GROUP BY 1) x" >&2
	# warm up both paths, then measure in alternation
	tps "$here/access_pk_lookup.sql" "$db" "$n" >/dev/null
	pk=$(tps "$here/access_pk_lookup.sql" "$db" "$n")
	ca=$(tps "$here/access_can_access.sql" "$db" "$n")
	ratio=$(awk -v a="$ca" -v b="$pk" 'BEGIN {printf "%.2f", a / b}')
	printf '%-10s %14.0f %14.0f %8s\n' "$n" "$pk" "$ca" "$ratio"
	psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
done
