-- migrate:up
CREATE TABLE tasks (
    id INTEGER NOT NULL PRIMARY KEY,
    project_id INTEGER NOT NULL,
    title VARCHAR(200) NOT NULL,
    done SMALLINT NOT NULL DEFAULT 0,
    CONSTRAINT fk_tasks_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);

-- migrate:down
DROP TABLE tasks;
