SET lock_timeout = '5s';
-- Builds the primary key's index while blocking writes to events.
ALTER TABLE events ADD PRIMARY KEY (event_id);
-- Fine: the unique index is built concurrently first, then attached.
CREATE UNIQUE INDEX CONCURRENTLY ix_audit_log_entry_id ON audit_log (entry_id);
ALTER TABLE audit_log ADD CONSTRAINT pk_audit_log PRIMARY KEY USING INDEX ix_audit_log_entry_id;
-- Fine: imports is created by this migration.
CREATE TABLE imports (import_id bigint NOT NULL);
ALTER TABLE imports ADD PRIMARY KEY (import_id);
