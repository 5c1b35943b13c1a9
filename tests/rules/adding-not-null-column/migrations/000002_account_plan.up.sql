SET lock_timeout = '5s';
-- Fails as soon as accounts has a row: existing rows get no value.
ALTER TABLE accounts ADD COLUMN plan text NOT NULL;
-- Fine: a default fills existing rows; nullable columns need nothing.
ALTER TABLE accounts ADD COLUMN tier text NOT NULL DEFAULT 'free';
ALTER TABLE accounts ADD COLUMN note text;
-- Fine: invites is created by this migration, so it has no rows yet.
CREATE TABLE invites (id bigint PRIMARY KEY);
ALTER TABLE invites ADD COLUMN code text NOT NULL;
