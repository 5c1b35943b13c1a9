DROP TABLE tenants;
ALTER TABLE reviews DROP COLUMN tenant_id;
ALTER TABLE carts DROP COLUMN tenant_id;
ALTER TABLE products DROP COLUMN tenant_id;
ALTER TABLE payments DROP COLUMN tenant_id;
ALTER TABLE invoices DROP COLUMN tenant_id;
ALTER TABLE accounts DROP COLUMN tenant_id;
