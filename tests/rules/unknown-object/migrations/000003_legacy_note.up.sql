SET lock_timeout = '5s';
-- legacy_users is not created by any migration: assumed to predate the history (info).
ALTER TABLE legacy_users ADD COLUMN note text;
