ALTER TABLE accounts DROP COLUMN region;
ALTER TABLE coupons DROP COLUMN tenant_id;
