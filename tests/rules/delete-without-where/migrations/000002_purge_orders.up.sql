SET lock_timeout = '5s';
-- Deletes every order.
DELETE FROM orders;
-- Fine: only the rows meant.
DELETE FROM customers WHERE email = '';
-- Fine: staging is created by this migration.
CREATE TABLE staging (id bigint PRIMARY KEY);
DELETE FROM staging;
