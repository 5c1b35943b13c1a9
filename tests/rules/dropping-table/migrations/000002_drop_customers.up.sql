SET lock_timeout = '5s';
-- Every customer row is lost.
DROP TABLE customers;
-- Fine: staging is created by this migration.
CREATE TABLE staging (id bigint PRIMARY KEY);
DROP TABLE staging;
