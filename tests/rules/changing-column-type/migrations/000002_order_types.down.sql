DROP TABLE refunds;
ALTER TABLE orders ALTER COLUMN status TYPE varchar(40);
ALTER TABLE orders ALTER COLUMN total_cents TYPE integer;
