CREATE TYPE user_status AS ENUM ('active', 'invited', 'disabled');
ALTER TABLE users ADD COLUMN status user_status NOT NULL DEFAULT 'invited';
