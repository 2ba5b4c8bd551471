-- pgbench script of the mixed load (scripts/bench), 15 %: a learner browses
-- the catalogue (a page of 20 visible offers) and opens one offer of their
-- course (what is left to do to accept it).  Variables (-D): accounts,
-- pcourses, courses, offers.
\set a random(1, :accounts)
\set i (:a - 1) % :pcourses
\set o :i + :i / 9 + 1 + :courses * random(0, 7)
\set page random(0, :offers / 40)
BEGIN;
SELECT enroll.act_as(:a);
SELECT id, code, title, price, currency, state FROM enroll.visible_offers ORDER BY id LIMIT 20 OFFSET 20 * :page;
SELECT enroll.offer_requirements(:o);
COMMIT;
