CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT NOT NULL, 
    description TEXT NOT NULL, 
    installed_on TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL, 
    success BOOLEAN NOT NULL, 
    checksum BLOB NOT NULL, 
    execution_time BIGINT NOT NULL, 
    PRIMARY KEY (version)
);

-- Running upgrade  -> 20240301090000

CREATE TABLE notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE tags (note_id INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE, tag TEXT NOT NULL, PRIMARY KEY (note_id, tag));

INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (20240301090000, 'create notes', 1, X'966d662ce58ca4a6a0709066d2234fc36df3e8bcfb4716cac0f7f099f472cfa2b1d2428ddd1b6f9494e081d6e044ecc6', -1);

-- Running upgrade 20240301090000 -> 20240302090000

CREATE TRIGGER notes_touch AFTER UPDATE OF title, body ON notes
BEGIN
    UPDATE notes SET updated_at = datetime('now') WHERE id = NEW.id;
END;

CREATE INDEX ix_tags_tag ON tags (tag);

INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (20240302090000, 'touch notes', 1, X'6c606b9968f58c5363788d7eba60377d9319182f0d35f5d52173628c2cef2ce37c91824da1b06d5dc0f331903889ec15', -1);

-- Running upgrade 20240302090000 -> 20240303090000

VACUUM;

INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (20240303090000, 'vacuum', 1, X'6f6828590fcd8f6a20494563d090fd7eefc28e877d00895fd423bfffe8adcc6fda41067a6c00d11d9a6c7243f42eccf0', -1);

-- Running upgrade 20240303090000 -> 20240304090000

ALTER TABLE notes ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;

INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (20240304090000, 'archive', 1, X'd914a4735d0c9a587e2467725d5ec19dbb68e25d6a0d3be57d5ffd19265e99367dbaa73a794a649540ddeef01443fa95', -1);


--- exit 0 ---
