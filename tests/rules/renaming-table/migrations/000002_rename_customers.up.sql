SET lock_timeout = '5s';
-- Running application servers still query customers.
ALTER TABLE customers RENAME TO clients;
-- Fine: refunds_tmp is created by this migration.
CREATE TABLE refunds_tmp (id bigint PRIMARY KEY);
ALTER TABLE refunds_tmp RENAME TO refunds;
