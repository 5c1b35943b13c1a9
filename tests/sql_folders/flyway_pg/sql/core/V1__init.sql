CREATE SCHEMA IF NOT EXISTS billing;
CREATE TABLE billing.invoices (
    id bigserial PRIMARY KEY,
    number text NOT NULL UNIQUE,
    amount_cents bigint NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON billing.invoices TO ${app_role};
