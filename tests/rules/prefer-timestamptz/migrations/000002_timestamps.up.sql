SET lock_timeout = '5s';
-- Wall-clock times with no zone.
CREATE TABLE shipments (
    id bigint PRIMARY KEY,
    shipped_at timestamp NOT NULL,
    delivered_at timestamp without time zone
);
ALTER TABLE orders ADD COLUMN paid_at timestamp;
-- Fine: timestamptz / with time zone, and dates.
ALTER TABLE orders ADD COLUMN refunded_at timestamptz;
ALTER TABLE orders ADD COLUMN cancelled_at timestamp with time zone;
ALTER TABLE orders ADD COLUMN due_on date;
