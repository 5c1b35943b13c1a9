-- 1.10 sorts after 1.2: Flyway compares versions part by part, numerically.
ALTER TABLE billing.invoices ADD COLUMN paid_at timestamptz;
