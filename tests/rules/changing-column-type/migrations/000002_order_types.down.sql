DROP TABLE refunds;
ALTER TABLE orders ALTER COLUMN status TYPE varchar(40);
ALTER TABLE orders ALTER COLUMN total_cents TYPE integer;
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(10, 2);
ALTER TABLE orders ALTER COLUMN tax TYPE numeric(10, 2);
