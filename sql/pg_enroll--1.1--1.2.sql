/* pg_enroll--1.1--1.2.sql: carries a 1.1 database to 1.2.  Hand-written;
 * frozen once 1.2 is released.  A fresh 1.2 install runs pg_enroll--1.2.sql,
 * built from sql/install/; test/t/004_upgrade.pl checks that both give the
 * same catalogue and the same behaviour. */

\echo Use "ALTER EXTENSION pg_enroll UPDATE TO '1.2'" to load this file. \quit
