SET lock_timeout = '5s';
-- Blocks every write to orders until the index is built.
CREATE INDEX ix_orders_customer_id ON orders (customer_id);
-- Fine: built concurrently (golang-migrate runs no transaction).
CREATE INDEX CONCURRENTLY ix_orders_created_at ON orders (created_at);
-- Fine: refunds is created by this migration, so no one is writing to it yet.
CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint NOT NULL);
CREATE INDEX ix_refunds_order_id ON refunds (order_id);
