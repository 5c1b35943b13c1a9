INSERT INTO authors (id, name, born) VALUES
    (1, 'Octavia Example', '1947-06-22'),
    (2, 'Stanisław Sample', NULL);

INSERT INTO books (id, author_id, title, isbn) VALUES
    (1, 1, 'Kindred Placeholder', '978-0-00-000001-1'),
    (2, 2, 'The Cyberiad; or, a test', NULL),
    (3, 2, 'Solaris''s Sample', NULL);

UPDATE books SET published = '1979-01-01' WHERE id = 1;
