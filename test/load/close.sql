-- pgbench script of test/t/013_load.pl: an administrator keeps one of the
-- four closable offers (LOAD-O6..O8, LOAD-S10) on its schedule: closed
-- (valid_until => now) one 3-second slot in three, reopened (valid_until a
-- day ahead) otherwise.  Variables: offer0, admin (-D).
\set k random(0, 3)
\set offer :offer0 + (case when :k = 3 then 9 else :k + 5 end)
BEGIN;
SELECT enroll.act_as(:admin);
SELECT public.load_try('close', 'SELECT public.load_sync_offer(' || :offer || ', ' || :k || ')');
COMMIT;
