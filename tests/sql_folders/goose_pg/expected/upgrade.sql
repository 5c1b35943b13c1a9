BEGIN;

CREATE TABLE IF NOT EXISTS goose_db_version (
    id SERIAL NOT NULL, 
    version_id BIGINT NOT NULL, 
    is_applied BOOLEAN NOT NULL, 
    tstamp TIMESTAMP WITHOUT TIME ZONE DEFAULT CURRENT_TIMESTAMP, 
    PRIMARY KEY (id)
);

INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);

-- Running upgrade  -> 00001

CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_email text NOT NULL,
    total numeric(12, 2) NOT NULL CHECK (total >= 0),
    placed_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO goose_db_version (version_id, is_applied) VALUES (1, true);

COMMIT;

BEGIN;

-- Running upgrade 00001 -> 00002

CREATE OR REPLACE FUNCTION order_total_with_tax(o orders, rate numeric DEFAULT 0.2)
RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN round(o.total * (1 + rate), 2);
END;
$$;

INSERT INTO goose_db_version (version_id, is_applied) VALUES (2, true);

COMMIT;

-- Running upgrade 00002 -> 00003

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE INDEX CONCURRENTLY ix_orders_customer_email ON orders (customer_email);

INSERT INTO goose_db_version (version_id, is_applied) VALUES (3, true);

BEGIN;

-- Running upgrade 00003 -> 00004

CREATE INDEX CONCURRENTLY ix_orders_placed_at ON orders (placed_at);

INSERT INTO goose_db_version (version_id, is_applied) VALUES (4, true);

COMMIT;

BEGIN;

-- Running upgrade 00004 -> 00005

ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';

UPDATE orders SET status = 'shipped' WHERE placed_at < now() - interval '30 days';

INSERT INTO goose_db_version (version_id, is_applied) VALUES (5, true);

COMMIT;


--- exit 0 ---
