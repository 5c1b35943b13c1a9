DROP TABLE refunds;
ALTER TABLE orders DROP COLUMN currency;
ALTER TABLE orders DROP COLUMN updated_at;
ALTER TABLE orders DROP COLUMN public_id;
