SET lock_timeout = '5s';
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status text
);
CREATE INDEX ix_orders_status ON orders (status);
