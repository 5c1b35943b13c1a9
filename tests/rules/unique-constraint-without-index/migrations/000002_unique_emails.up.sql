SET lock_timeout = '5s';
-- Builds the unique index while blocking writes to customers.
ALTER TABLE customers ADD CONSTRAINT uq_customers_email UNIQUE (email);
-- Fine: the index is built concurrently first, then attached.
CREATE UNIQUE INDEX CONCURRENTLY ix_orders_id_customer ON orders (id, customer_id);
ALTER TABLE orders ADD CONSTRAINT uq_orders_id_customer UNIQUE USING INDEX ix_orders_id_customer;
-- Fine: refunds is created by this migration.
CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint NOT NULL);
ALTER TABLE refunds ADD CONSTRAINT uq_refunds_order UNIQUE (order_id);
