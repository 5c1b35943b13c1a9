DELETE FROM books WHERE id IN (1, 2, 3);
DELETE FROM authors WHERE id IN (1, 2);
