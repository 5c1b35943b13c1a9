SET lock_timeout = '5s';
-- Checks every order row while holding a lock that blocks writes.
ALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total_cents >= 0);
-- Fine: NOT VALID skips the scan; VALIDATE CONSTRAINT later takes a weaker lock.
ALTER TABLE customers ADD CONSTRAINT ck_customers_email CHECK (email <> '') NOT VALID;
-- Fine: refunds is new and empty.
CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint NOT NULL);
ALTER TABLE refunds ADD CONSTRAINT fk_refunds_order FOREIGN KEY (order_id) REFERENCES orders (id);
