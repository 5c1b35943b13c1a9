-- An old table that never got a primary key.
CREATE TABLE events (
    event_id bigint NOT NULL,
    payload jsonb
);
CREATE TABLE audit_log (
    entry_id bigint NOT NULL,
    message text
);
