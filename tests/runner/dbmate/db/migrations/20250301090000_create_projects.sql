-- migrate:up
CREATE TABLE projects (
    id INTEGER NOT NULL PRIMARY KEY,
    code VARCHAR(16) NOT NULL,
    name VARCHAR(120) NOT NULL,
    archived SMALLINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX uq_projects_code ON projects (code);

-- migrate:down
DROP TABLE projects;
