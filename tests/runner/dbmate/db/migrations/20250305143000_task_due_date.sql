-- migrate:up
ALTER TABLE tasks ADD COLUMN due_on DATE;

-- migrate:down
ALTER TABLE tasks DROP COLUMN due_on;
