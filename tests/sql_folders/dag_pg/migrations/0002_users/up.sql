CREATE TABLE app.users (id uuid PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES app.tenants (id), email text NOT NULL);
