ALTER TABLE billing.invoices ADD COLUMN due_date date;
