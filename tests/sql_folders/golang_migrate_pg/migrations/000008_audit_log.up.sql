CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    action text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    at timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (at);
