SET lock_timeout = '5s';
-- gen_random_uuid() is computed per row: orders is rewritten.
ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();
-- Fine from PostgreSQL 11: now() and constants are evaluated once and stored in the catalog.
ALTER TABLE orders ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL DEFAULT 'EUR';
-- Fine: refunds is created by this migration.
CREATE TABLE refunds (id bigint PRIMARY KEY);
ALTER TABLE refunds ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();
