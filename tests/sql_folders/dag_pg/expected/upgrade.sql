BEGIN;

CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> 0001

CREATE SCHEMA app;

CREATE TABLE app.tenants (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);

INSERT INTO alembic_version (version_num) VALUES ('0001') RETURNING alembic_version.version_num;

COMMIT;

-- Running upgrade 0001 -> 0005

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE TABLE app.audit (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), what text NOT NULL);

CREATE INDEX CONCURRENTLY audit_at_idx ON app.audit (at);

UPDATE alembic_version SET version_num='0005' WHERE alembic_version.version_num = '0001';

BEGIN;

-- Running upgrade 0001 -> 0004

CREATE EXTENSION IF NOT EXISTS pg_trgm;

INSERT INTO alembic_version (version_num) VALUES ('0004') RETURNING alembic_version.version_num;

COMMIT;

BEGIN;

-- Running upgrade 0001 -> 0003

CREATE TABLE app.plans (id text PRIMARY KEY, monthly_cents integer NOT NULL);

INSERT INTO alembic_version (version_num) VALUES ('0003') RETURNING alembic_version.version_num;

COMMIT;

BEGIN;

-- Running upgrade 0001 -> 0002

CREATE TABLE app.users (id uuid PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES app.tenants (id), email text NOT NULL);

INSERT INTO alembic_version (version_num) VALUES ('0002') RETURNING alembic_version.version_num;

COMMIT;

BEGIN;

-- Running upgrade 0002, 0003, 0004, 0005 -> 0006

DELETE FROM alembic_version WHERE alembic_version.version_num = '0002';

DELETE FROM alembic_version WHERE alembic_version.version_num = '0003';

DELETE FROM alembic_version WHERE alembic_version.version_num = '0004';

UPDATE alembic_version SET version_num='0006' WHERE alembic_version.version_num = '0005';

COMMIT;

BEGIN;

-- Running upgrade 0006 -> 0007

ALTER TABLE app.users ADD COLUMN plan_id text REFERENCES app.plans (id);

UPDATE alembic_version SET version_num='0007' WHERE alembic_version.version_num = '0006';

COMMIT;


--- exit 0 ---
