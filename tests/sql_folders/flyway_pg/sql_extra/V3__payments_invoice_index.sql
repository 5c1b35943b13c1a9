CREATE INDEX CONCURRENTLY ix_payments_invoice_id ON billing.payments (invoice_id);
