-- Users and their login identities.
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE users (
    id         bigserial PRIMARY KEY,
    email      citext NOT NULL UNIQUE,
    full_name  text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE users IS 'People who can log in; see docs/auth.md; never delete rows';
