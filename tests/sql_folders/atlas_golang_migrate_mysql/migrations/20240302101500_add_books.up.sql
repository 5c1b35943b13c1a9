-- create "books" table
CREATE TABLE `books` (`id` bigint NOT NULL AUTO_INCREMENT, `title` varchar(200) NOT NULL, `shelf_id` bigint NULL, PRIMARY KEY (`id`)) CHARSET utf8mb4 COLLATE utf8mb4_bin;
