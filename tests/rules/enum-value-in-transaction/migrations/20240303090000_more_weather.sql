-- migrate:up transaction:false
-- Fine: this migration runs outside a transaction.
ALTER TYPE weather ADD VALUE 'windy';

-- migrate:down
