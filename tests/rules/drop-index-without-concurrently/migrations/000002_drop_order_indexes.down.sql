DROP TABLE drafts;
CREATE INDEX CONCURRENTLY ix_orders_created_at ON orders (created_at);
CREATE INDEX CONCURRENTLY ix_orders_customer_id ON orders (customer_id);
