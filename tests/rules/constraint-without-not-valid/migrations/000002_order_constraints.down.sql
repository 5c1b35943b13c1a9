DROP TABLE refunds;
ALTER TABLE customers DROP CONSTRAINT ck_customers_email;
ALTER TABLE orders DROP CONSTRAINT ck_orders_total;
ALTER TABLE orders DROP CONSTRAINT fk_orders_customer;
