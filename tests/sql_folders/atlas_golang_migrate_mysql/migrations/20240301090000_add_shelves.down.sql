-- reverse: create "shelves" table
DROP TABLE `shelves`;
