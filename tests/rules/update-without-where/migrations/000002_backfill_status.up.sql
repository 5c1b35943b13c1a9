SET lock_timeout = '5s';
-- Rewrites (and locks) every row of orders in one transaction.
UPDATE orders SET status = 'open';
-- Fine: only the rows that need it.
UPDATE orders SET status = 'open' WHERE status IS NULL;
-- Fine: staging is created by this migration.
CREATE TABLE staging (id bigint PRIMARY KEY, done boolean);
UPDATE staging SET done = false;
