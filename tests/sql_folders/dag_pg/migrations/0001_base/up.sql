CREATE SCHEMA app;
CREATE TABLE app.tenants (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
