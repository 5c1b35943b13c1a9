DROP TABLE imports;
ALTER TABLE audit_log DROP CONSTRAINT pk_audit_log;
ALTER TABLE events DROP CONSTRAINT events_pkey;
