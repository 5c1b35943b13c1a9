-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY ix_orders_customer_email ON orders (customer_email);

-- +goose Down
DROP INDEX CONCURRENTLY ix_orders_customer_email;
