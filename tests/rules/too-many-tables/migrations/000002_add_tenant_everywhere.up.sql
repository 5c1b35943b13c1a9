SET lock_timeout = '5s';
-- Six existing tables changed in one migration.
ALTER TABLE accounts ADD COLUMN tenant_id bigint;
ALTER TABLE invoices ADD COLUMN tenant_id bigint;
ALTER TABLE payments ADD COLUMN tenant_id bigint;
ALTER TABLE products ADD COLUMN tenant_id bigint;
ALTER TABLE carts ADD COLUMN tenant_id bigint;
ALTER TABLE reviews ADD COLUMN tenant_id bigint;
-- Fine: new tables do not count.
CREATE TABLE tenants (id bigint PRIMARY KEY, name text);
ALTER TABLE tenants ADD COLUMN slug text;
