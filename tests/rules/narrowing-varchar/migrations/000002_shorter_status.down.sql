DROP TABLE refunds;
ALTER TABLE orders ALTER COLUMN status TYPE varchar(40);
