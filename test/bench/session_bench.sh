#!/usr/bin/env bash
# Benchmark of enroll.setup_course_session (issue: one call with N new
# participants costs at most 1.5x a plain SQL replay of the same rows, and
# grows linearly from 1,000 to 10,000 participants).
#
# Runs against the server in PGHOST/PGPORT/PGUSER (a superuser: the replay
# writes the tables by hand).  For each size it creates a fresh database with
# the extension, the course, its support course, the offer and the operator
# (session_setup.sql), then alternates RUNS times:
#   - setup:  BEGIN; act_as(operator); setup_course_session(fresh order,
#             N fresh addresses, the first a tutor); COMMIT
#   - replay: session_replay.sql: the same rows, counted per table from the
#             setup that just ran, inserted in one transaction with no check
# Each run is timed from before BEGIN to after COMMIT, with clock_timestamp()
# in the same psql session; participant lists are built before the clock
# starts, and a CHECKPOINT precedes every timed run.  The best run counts.
# Every replay is checked to write exactly the rows the setup wrote.
#
#   test/bench/session_bench.sh [sizes...]      default: 1000 10000
#   RUNS=5 test/bench/session_bench.sh 1000 5000 10000
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${RUNS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

tables="account course_group group_member purchase_order license enrollment role_assignment event"

# "table=count ..." of every table the setup writes
counts() {   # counts <db>
	local q="" t
	for t in $tables; do q="$q UNION ALL SELECT '$t' AS t, count(*) FROM enroll.$t"; done
	psql -X -q -At -F= -d "$1" -c "SELECT * FROM (${q# UNION ALL }) c ORDER BY t" | tr '\n' ' '
}

# per-table difference of two counts() outputs, "table=+n ..."
delta() {   # delta <before> <after>
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ");
		for (i = 1; i <= n; i++) { split(x[i], p, "="); split(y[i], q, "="); printf "%s=%d ", p[1], q[2] - p[2] }
	}'
}

# the participant list <label> of <n> fresh addresses, the first one a tutor
people() {   # people <db> <label> <n>
	psql -X -q -d "$1" -v ON_ERROR_STOP=1 -c "INSERT INTO public.bench_people
		SELECT '$2', jsonb_agg(jsonb_build_object('email', format('%s-%s@bench.example', '$2', g),
		                                          'firstname', 'First' || g, 'lastname', 'Last' || g,
		                                          'role', CASE WHEN g = 1 THEN 'tutor' ELSE 'learner' END) ORDER BY g)
		  FROM generate_series(1, $3) g" >/dev/null
}

# milliseconds taken by the statements on stdin, run between two clock readings
timed() {   # timed <db> [psql options...] < statements
	local db=$1; shift
	psql -X -q -At -d "$db" -v ON_ERROR_STOP=1 "$@" \
		-c 'CHECKPOINT' \
		-f <(echo "SELECT pg_catalog.clock_timestamp() AS bench_t0 \\gset"; cat; \
		     echo "SELECT 'ms=' || round(extract(epoch FROM pg_catalog.clock_timestamp() - :'bench_t0') * 1000, 1);") \
		| sed -n 's/^ms=//p'
}

best() { printf '%s\n' "$@" | sort -g | head -1; }

results=()
for n in "${sizes[@]}"; do
	db="bench_session_$n"
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
	psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION pg_enroll' >/dev/null
	psql -X -q -d "$db" -v ON_ERROR_STOP=1 -f "$here/session_setup.sql" >/dev/null
	ids=$(psql -X -q -At -F' ' -d "$db" -c "SELECT
		(SELECT id FROM enroll.offer WHERE code = 'SPOCM1'),
		(SELECT id FROM enroll.account WHERE email = 'operator@bench.example'),
		(SELECT id FROM enroll.course WHERE shortname = 'SPOCM1'),
		(SELECT id FROM enroll.course WHERE shortname = 'SPOCM1-SUPPORT'),
		(SELECT id FROM enroll.role WHERE shortname = 'student'),
		(SELECT id FROM enroll.role WHERE shortname = 'teacher'),
		(SELECT id FROM enroll.role WHERE shortname = 'delegated_manager'),
		(SELECT id FROM enroll.role WHERE shortname = 'delegated_user')")
	read -r offer operator course support student tutor manager user <<<"$ids"
	setup_ms=() replay_ms=()
	for r in $(seq 1 "$runs"); do
		# --- setup_course_session
		people "$db" "s$r" "$n"
		before=$(counts "$db")
		ms=$(timed "$db" <<-EOF
			BEGIN;
			SELECT enroll.act_as($operator);
			SELECT enroll.setup_course_session('BENCH-S$r', $offer, $operator, $n,
			       (SELECT people FROM public.bench_people WHERE label = 's$r')) -> 'seats';
			COMMIT;
		EOF
		)
		setup_ms+=("$ms")
		setup_delta=$(delta "$before" "$(counts "$db")")
		# events of each kind the setup wrote
		ev=$(psql -X -q -At -F' ' -d "$db" -c "SELECT
			count(*) FILTER (WHERE what = 'account.register'), count(*) FILTER (WHERE what = 'license.supersede'),
			count(*) FILTER (WHERE what = 'license.accept'),
			count(*) FILTER (WHERE what = 'enrollment.enroll' AND NOT details ? 'support'),
			count(*) FILTER (WHERE what = 'group_member.add'), count(*) FILTER (WHERE what = 'role_assignment.assign'),
			count(*) FILTER (WHERE what = 'enrollment.enroll' AND details ? 'support'),
			count(*) FILTER (WHERE what = 'purchase_order.setup')
			  FROM enroll.event WHERE xid = (SELECT e.xid FROM enroll.event e JOIN enroll.purchase_order p ON p.id = e.row_id
			                                  WHERE e.what = 'purchase_order.setup' AND p.order_ref = 'BENCH-S$r')")
		read -r ev_account ev_supersede ev_license ev_enroll ev_member ev_roles ev_support ev_order <<<"$ev"
		# --- plain SQL replay of the same rows
		people "$db" "r$r" "$n"
		before=$(counts "$db")
		ms=$(timed "$db" -v n="$n" -v label="r$r" -v order_ref="BENCH-R$r" -v report="BENCH-S$r" \
			-v course="$course" -v support="$support" -v offer="$offer" -v operator="$operator" \
			-v student="$student" -v tutor="$tutor" -v manager="$manager" -v user="$user" \
			-v ev_account="$ev_account" -v ev_supersede="$ev_supersede" -v ev_license="$ev_license" \
			-v ev_enroll="$ev_enroll" -v ev_member="$ev_member" -v ev_roles="$ev_roles" \
			-v ev_support="$ev_support" -v ev_order="$ev_order" < "$here/session_replay.sql")
		replay_ms+=("$ms")
		replay_delta=$(delta "$before" "$(counts "$db")")
		if [ "$setup_delta" != "$replay_delta" ]; then
			echo "replay wrote other rows than the setup (n=$n, run $r):" >&2
			echo "  setup:  $setup_delta" >&2
			echo "  replay: $replay_delta" >&2
			exit 1
		fi
		echo "n=$n run $r: setup ${setup_ms[-1]} ms, replay ${replay_ms[-1]} ms; rows: $setup_delta" >&2
	done
	results+=("$n $(best "${setup_ms[@]}") $(best "${replay_ms[@]}")")
	psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
done

printf '%-12s %10s %10s %8s %12s %12s\n' participants setup_ms replay_ms ratio setup_ms/p replay_ms/p
for line in "${results[@]}"; do
	read -r n s p <<<"$line"
	awk -v n="$n" -v s="$s" -v p="$p" 'BEGIN {
		printf "%-12d %10.1f %10.1f %8.2f %12.4f %12.4f\n", n, s, p, s / p, s / n, p / n }'
done
# linearity: time at the largest size / time at the smallest / size ratio (1.00 = linear)
if [ ${#results[@]} -ge 2 ]; then
	read -r n1 s1 p1 <<<"${results[0]}"
	read -r n2 s2 p2 <<<"${results[-1]}"
	awk -v n1="$n1" -v n2="$n2" -v s1="$s1" -v s2="$s2" -v p1="$p1" -v p2="$p2" 'BEGIN {
		printf "linearity %d -> %d (time ratio / size ratio, 1.00 = linear): setup %.2f, replay %.2f\n",
		       n1, n2, (s2 / s1) / (n2 / n1), (p2 / p1) / (n2 / n1) }'
fi
