ALTER TABLE legacy_users DROP COLUMN note;
