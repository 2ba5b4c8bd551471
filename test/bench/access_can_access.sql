-- pgbench script: the access check of a page view
\set n :licenses
\set i random(1, :n)
SELECT enroll.can_access(:i, (:i % 100) + 1);
