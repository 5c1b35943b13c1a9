-- Lives in the second location but sorts between 1.2 and 1.10.
ALTER TABLE billing.invoices ADD COLUMN notes text;
