BEGIN;

CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
    version VARCHAR(50) NOT NULL, 
    run_on TIMESTAMP WITHOUT TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL, 
    PRIMARY KEY (version)
);

-- Running upgrade  -> 00000000000000

CREATE OR REPLACE FUNCTION app_manage_updated_at(_tbl regclass) RETURNS VOID AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s
                    FOR EACH ROW EXECUTE PROCEDURE app_set_updated_at()', _tbl);
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION app_set_updated_at() RETURNS trigger AS $$
BEGIN
    IF (NEW IS DISTINCT FROM OLD AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at) THEN
        NEW.updated_at := current_timestamp;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

INSERT INTO __diesel_schema_migrations (version) VALUES ('00000000000000');

COMMIT;

BEGIN;

-- Running upgrade 00000000000000 -> 20240105103000

CREATE TABLE posts (
    id SERIAL PRIMARY KEY,
    title VARCHAR NOT NULL,
    body TEXT NOT NULL,
    published BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

SELECT app_manage_updated_at('posts');

INSERT INTO __diesel_schema_migrations (version) VALUES ('20240105103000');

COMMIT;

-- Running upgrade 20240105103000 -> 20240201120000

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE INDEX CONCURRENTLY posts_published_idx ON posts (published) WHERE published;

INSERT INTO __diesel_schema_migrations (version) VALUES ('20240201120000');

BEGIN;

-- Running upgrade 20240201120000 -> 20240301090000

CREATE TABLE comments (
    id SERIAL PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    body TEXT NOT NULL
);

CREATE INDEX CONCURRENTLY comments_post_id_idx ON comments (post_id);

INSERT INTO __diesel_schema_migrations (version) VALUES ('20240301090000');

COMMIT;


--- stderr ---
error[invalid-metadata]: migrations/2024-03-01-090000_comments/metadata.toml: `run_in_transaction` must be true or false
 --> migrations/2024-03-01-090000_comments/metadata.toml:1:1
  |
1 | run_in_transaction = "no"
  | ^


--- exit 1 ---
