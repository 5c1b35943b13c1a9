CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT NOT NULL, 
    dirty BOOLEAN NOT NULL, 
    PRIMARY KEY (version)
);

-- Running upgrade  -> 000001

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE users (
    id         bigserial PRIMARY KEY,
    email      citext NOT NULL UNIQUE,
    full_name  text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE users IS 'People who can log in; see docs/auth.md; never delete rows';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (1, false);

-- Running upgrade 000001 -> 000002

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE TYPE user_status AS ENUM ('active', 'invited', 'disabled');

ALTER TABLE users ADD COLUMN status user_status NOT NULL DEFAULT 'invited';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (2, false);

-- Running upgrade 000002 -> 000003

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

ALTER TABLE users ADD COLUMN updated_at timestamptz;

CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger AS $body$
BEGIN
    -- a semicolon inside the body; must not split
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$ LANGUAGE plpgsql;

CREATE TRIGGER users_touch BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (3, false);

-- Running upgrade 000003 -> 000004

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

ALTER TYPE user_status ADD VALUE IF NOT EXISTS 'suspended' AFTER 'active';

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (4, false);

-- Running upgrade 000004 -> 000005

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_created_at ON users (created_at);

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (5, false);

-- Running upgrade 000005 -> 000006

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

BEGIN;

UPDATE users SET full_name = split_part(email::text, '@', 1) WHERE full_name = '';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM users WHERE full_name = '') THEN
        RAISE NOTICE 'some users still have no name; check them';
    END IF;
END
$$;

COMMIT;

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (6, false);

-- Running upgrade 000006 -> 000007

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE TABLE teams (
    id bigserial PRIMARY KEY,
    name text NOT NULL
);

ALTER TABLE users ADD COLUMN team_id bigint REFERENCES teams (id);

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (7, false);

-- Running upgrade 000007 -> 000008

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    action text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    at timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (at);

DELETE FROM schema_migrations;

INSERT INTO schema_migrations (version, dirty) VALUES (8, false);


--- exit 0 ---
