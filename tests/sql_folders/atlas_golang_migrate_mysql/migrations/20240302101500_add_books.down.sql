-- reverse: create "books" table
DROP TABLE `books`;
