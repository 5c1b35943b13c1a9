DROP TABLE app.tenants;
DROP SCHEMA app;
