CREATE TABLE billing.payments (
    id bigserial PRIMARY KEY,
    invoice_id bigint NOT NULL REFERENCES billing.invoices (id),
    amount_cents bigint NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
