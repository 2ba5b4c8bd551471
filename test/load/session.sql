-- pgbench script of test/t/013_load.pl: the operator sets up a session (S1)
-- on one of the two session offers, with 2-5 participants from the shared
-- address pool and 0-2 spare seats.  One order in ten uses a hot reference
-- shared by all clients (the same order at once, or again with another
-- offer or seat count: already_done, PE021, PE020); the others a fresh
-- reference of this client.  PE002 while the offer is closed.
-- Variables: offer0, operator (-D).
\set n random(2, 5)
\set extra random(0, 2)
\set offer :offer0 + random(8, 9)
\set hot random(0, 9)
\set hotref random(1, 40)
\set ref random(1, 100000000)
BEGIN;
SELECT enroll.act_as(:operator);
SELECT public.load_session(CASE WHEN :hot = 0 THEN 'LOAD-HOT-' || :hotref ELSE 'LOAD-' || :client_id || '-' || :ref END,
                           :offer, :operator, :n, :extra);
COMMIT;
