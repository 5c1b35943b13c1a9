-- migrate:up
-- Fine: a data-only migration.
UPDATE accounts SET plan = 'basic' WHERE plan IS NULL;

-- migrate:down
UPDATE accounts SET plan = NULL WHERE plan = 'basic';
