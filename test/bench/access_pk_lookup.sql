-- pgbench script: the baseline, a bare primary-key lookup of one license
\set n :licenses
\set i random(1, :n)
SELECT * FROM enroll.license WHERE id = :i;
