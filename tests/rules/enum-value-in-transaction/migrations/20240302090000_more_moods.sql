-- migrate:up
SET lock_timeout = '5s';
-- Inside dbmate's transaction: refused before PostgreSQL 12, and the value is
-- unusable until the transaction commits.
ALTER TYPE mood ADD VALUE 'meh';

-- migrate:down
