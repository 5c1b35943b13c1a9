ALTER TABLE users DROP COLUMN team_id;
DROP TABLE teams;
