-- migrate:up
INSERT INTO projects (id, code, name) VALUES (1, 'INBOX', 'Inbox; everything unsorted');
INSERT INTO tasks (id, project_id, title) VALUES (1, 1, 'Read the ''getting started'' page');

-- migrate:down
DELETE FROM tasks WHERE project_id = 1;
DELETE FROM projects WHERE id = 1;
