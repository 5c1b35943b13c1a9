SET lock_timeout = '5s';
-- 000001 already created this index (a branch merged twice).
CREATE INDEX CONCURRENTLY ix_orders_status ON orders (status);
-- Fine: IF NOT EXISTS makes the repeat a no-op.
CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY);
