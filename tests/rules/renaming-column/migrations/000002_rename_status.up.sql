SET lock_timeout = '5s';
-- Running application servers still read and write orders.status.
ALTER TABLE orders RENAME COLUMN status TO state;
-- Fine: refunds is created by this migration.
CREATE TABLE refunds (id bigint PRIMARY KEY, note text);
ALTER TABLE refunds RENAME COLUMN note TO reason;
