CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
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

INSERT INTO alembic_version (version_num) VALUES ('000001') RETURNING alembic_version.version_num;

-- Running upgrade 000001 -> 000002

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE TYPE user_status AS ENUM ('active', 'invited', 'disabled');

ALTER TABLE users ADD COLUMN status user_status NOT NULL DEFAULT 'invited';

UPDATE alembic_version SET version_num='000002' WHERE alembic_version.version_num = '000001';

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

UPDATE alembic_version SET version_num='000003' WHERE alembic_version.version_num = '000002';

-- Running upgrade 000003 -> 000004

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

ALTER TYPE user_status ADD VALUE IF NOT EXISTS 'suspended' AFTER 'active';

UPDATE alembic_version SET version_num='000004' WHERE alembic_version.version_num = '000003';

-- Running upgrade 000004 -> 000005

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_created_at ON users (created_at);

UPDATE alembic_version SET version_num='000005' WHERE alembic_version.version_num = '000004';

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

UPDATE alembic_version SET version_num='000006' WHERE alembic_version.version_num = '000005';

-- Running upgrade 000006 -> 000007

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE TABLE teams (
    id bigserial PRIMARY KEY,
    name text NOT NULL
);

ALTER TABLE users ADD COLUMN team_id bigint REFERENCES teams (id);

UPDATE alembic_version SET version_num='000007' WHERE alembic_version.version_num = '000006';

-- Running upgrade 000007 -> 000008

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    action text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    at timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (at);

UPDATE alembic_version SET version_num='000008' WHERE alembic_version.version_num = '000007';


--- exit 0 ---
