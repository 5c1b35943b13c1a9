ALTER TABLE orders DROP COLUMN due_on;
ALTER TABLE orders DROP COLUMN cancelled_at;
ALTER TABLE orders DROP COLUMN refunded_at;
ALTER TABLE orders DROP COLUMN paid_at;
DROP TABLE shipments;
