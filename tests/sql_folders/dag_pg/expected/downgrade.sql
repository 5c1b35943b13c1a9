BEGIN;

-- Running downgrade 0007 -> 0006

ALTER TABLE app.users DROP COLUMN plan_id;

UPDATE alembic_version SET version_num='0006' WHERE alembic_version.version_num = '0007';

COMMIT;

BEGIN;

-- Running downgrade 0006 -> 0002, 0003, 0004, 0005

INSERT INTO alembic_version (version_num) VALUES ('0002') RETURNING alembic_version.version_num;

INSERT INTO alembic_version (version_num) VALUES ('0003') RETURNING alembic_version.version_num;

INSERT INTO alembic_version (version_num) VALUES ('0004') RETURNING alembic_version.version_num;

UPDATE alembic_version SET version_num='0005' WHERE alembic_version.version_num = '0006';

COMMIT;

BEGIN;

-- Running downgrade 0002 -> 0001

DROP TABLE app.users;

DELETE FROM alembic_version WHERE alembic_version.version_num = '0002';

COMMIT;

BEGIN;

-- Running downgrade 0003 -> 0001

DROP TABLE app.plans;

DELETE FROM alembic_version WHERE alembic_version.version_num = '0003';

COMMIT;

BEGIN;

-- Running downgrade 0004 -> 0001

DROP EXTENSION IF EXISTS pg_trgm;

DELETE FROM alembic_version WHERE alembic_version.version_num = '0004';

COMMIT;

-- Running downgrade 0005 -> 0001

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

DROP TABLE app.audit;

UPDATE alembic_version SET version_num='0001' WHERE alembic_version.version_num = '0005';


--- exit 0 ---
