SET lock_timeout = '5s';
-- Takes an ACCESS EXCLUSIVE lock on orders while the index goes.
DROP INDEX ix_orders_customer_id;
-- Fine: dropped concurrently.
DROP INDEX CONCURRENTLY ix_orders_created_at;
-- Fine: the index and its table are created by this migration.
CREATE TABLE drafts (id bigint PRIMARY KEY, title text);
CREATE INDEX ix_drafts_title ON drafts (title);
DROP INDEX ix_drafts_title;
