-- +goose Up
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';
UPDATE orders SET status = 'shipped' WHERE placed_at < now() - interval '30 days';

-- +goose Down
ALTER TABLE orders DROP COLUMN status;
