CREATE TABLE app.audit (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), what text NOT NULL);
CREATE INDEX CONCURRENTLY audit_at_idx ON app.audit (at);
