DROP TABLE refunds;
ALTER TABLE orders ADD COLUMN status varchar(40);
