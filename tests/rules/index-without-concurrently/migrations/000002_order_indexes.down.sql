DROP TABLE refunds;
DROP INDEX ix_orders_created_at;
DROP INDEX ix_orders_customer_id;
