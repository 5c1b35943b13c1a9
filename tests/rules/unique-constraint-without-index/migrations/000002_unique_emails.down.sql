DROP TABLE refunds;
ALTER TABLE orders DROP CONSTRAINT uq_orders_id_customer;
ALTER TABLE customers DROP CONSTRAINT uq_customers_email;
