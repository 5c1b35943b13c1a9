-- Table-level FOREIGN KEY: MySQL parses and ignores a column-level REFERENCES.
CREATE TABLE books (
    id INTEGER NOT NULL PRIMARY KEY,
    author_id INTEGER NOT NULL,
    title VARCHAR(200) NOT NULL,
    published DATE,
    CONSTRAINT fk_books_author FOREIGN KEY (author_id) REFERENCES authors (id)
);

CREATE INDEX ix_books_title ON books (title);
