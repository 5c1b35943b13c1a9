CREATE TABLE teams (
    id bigserial PRIMARY KEY,
    name text NOT NULL
);

ALTER TABLE users ADD COLUMN team_id bigint REFERENCES teams (id);
