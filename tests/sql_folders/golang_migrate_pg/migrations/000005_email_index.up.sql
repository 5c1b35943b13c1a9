-- golang-migrate does not wrap files in a transaction, so CONCURRENTLY works here.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_created_at ON users (created_at);
