-- migrate:up
SET lock_wait_timeout = 5;
-- MySQL 5.7 has no RENAME COLUMN: a syntax error on the target server.
ALTER TABLE accounts RENAME COLUMN email TO email_address;
-- Fine for this rule: CHANGE works on every version (it is still a rename).
ALTER TABLE accounts CHANGE nick nickname VARCHAR(40);

-- migrate:down
ALTER TABLE accounts CHANGE nickname nick VARCHAR(40);
ALTER TABLE accounts CHANGE email_address email VARCHAR(255) NOT NULL;
