-- create "shelves" table
CREATE TABLE `shelves` (`id` bigint NOT NULL AUTO_INCREMENT, `label` varchar(64) NOT NULL, PRIMARY KEY (`id`)) CHARSET utf8mb4 COLLATE utf8mb4_bin;
