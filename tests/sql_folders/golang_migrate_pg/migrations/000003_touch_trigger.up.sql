ALTER TABLE users ADD COLUMN updated_at timestamptz;

CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger AS $body$
BEGIN
    -- a semicolon inside the body; must not split
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$ LANGUAGE plpgsql;

CREATE TRIGGER users_touch BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
