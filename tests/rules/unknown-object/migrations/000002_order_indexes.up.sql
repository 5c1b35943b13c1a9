SET lock_timeout = '5s';
-- No migration creates column orders.state (it is called status).
CREATE INDEX CONCURRENTLY ix_orders_state ON orders (state);
-- Fine: the column exists.
CREATE INDEX CONCURRENTLY ix_orders_status ON orders (status);
