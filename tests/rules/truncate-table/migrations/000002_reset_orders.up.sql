SET lock_timeout = '5s';
-- Every order is deleted, under an ACCESS EXCLUSIVE lock.
TRUNCATE orders;
-- Fine: staging is created by this migration.
CREATE TABLE staging (id bigint PRIMARY KEY);
TRUNCATE staging;
