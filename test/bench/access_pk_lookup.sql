-- pgbench script (scripts/bench): the baseline of can_access, a prepared
-- primary-key lookup of one license in the look-alike table base.license
-- (as many rows as enroll.license).  Variables (-D): licenses.
\set i random(1, :licenses)
SELECT * FROM base.license WHERE id = :i;
