-- Running downgrade 20240302101500 -> 20240301090000

DROP TABLE `books`;

UPDATE alembic_version SET version_num='20240301090000' WHERE alembic_version.version_num = '20240302101500';

-- Running downgrade 20240301090000 -> 

DROP TABLE `shelves`;

DELETE FROM alembic_version WHERE alembic_version.version_num = '20240301090000';


--- exit 0 ---
