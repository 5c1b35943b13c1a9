DROP TRIGGER IF EXISTS users_touch ON users;
DROP FUNCTION IF EXISTS touch_updated_at();
ALTER TABLE users DROP COLUMN updated_at;
