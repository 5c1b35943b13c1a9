INSERT INTO users (email, full_name) VALUES ('dev@example.com', 'Dev');
