CREATE OR REPLACE VIEW billing.open_invoices AS
    SELECT id, number, amount_cents, due_date
    FROM billing.invoices
    WHERE status <> 'paid';
