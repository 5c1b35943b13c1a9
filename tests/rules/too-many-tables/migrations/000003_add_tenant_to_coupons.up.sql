SET lock_timeout = '5s';
-- Fine: five or fewer existing tables.
ALTER TABLE coupons ADD COLUMN tenant_id bigint;
ALTER TABLE accounts ADD COLUMN region text;
