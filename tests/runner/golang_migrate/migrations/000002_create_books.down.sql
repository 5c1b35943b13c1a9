-- The index goes with the table (DROP INDEX is spelled differently on MySQL).
DROP TABLE books;
