CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> 20240301090000

CREATE TABLE `shelves` (`id` bigint NOT NULL AUTO_INCREMENT, `label` varchar(64) NOT NULL, PRIMARY KEY (`id`)) CHARSET utf8mb4 COLLATE utf8mb4_bin;

INSERT INTO alembic_version (version_num) VALUES ('20240301090000');

-- Running upgrade 20240301090000 -> 20240302101500

CREATE TABLE `books` (`id` bigint NOT NULL AUTO_INCREMENT, `title` varchar(200) NOT NULL, `shelf_id` bigint NULL, PRIMARY KEY (`id`)) CHARSET utf8mb4 COLLATE utf8mb4_bin;

UPDATE alembic_version SET version_num='20240302101500' WHERE alembic_version.version_num = '20240301090000';


--- exit 0 ---
