DROP TABLE refunds;
ALTER TABLE orders RENAME COLUMN state TO status;
