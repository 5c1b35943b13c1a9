BEGIN;

CREATE TABLE IF NOT EXISTS flyway_schema_history (
    installed_rank INTEGER NOT NULL, 
    version VARCHAR(50), 
    description VARCHAR(200), 
    type VARCHAR(20) NOT NULL, 
    script VARCHAR(1000) NOT NULL, 
    checksum INTEGER, 
    installed_by VARCHAR(100) NOT NULL, 
    installed_on TIMESTAMP WITHOUT TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL, 
    execution_time INTEGER NOT NULL, 
    success BOOLEAN NOT NULL, 
    PRIMARY KEY (installed_rank)
);

-- Running upgrade  -> 1

CREATE SCHEMA IF NOT EXISTS billing;

CREATE TABLE billing.invoices (
    id bigserial PRIMARY KEY,
    number text NOT NULL UNIQUE,
    amount_cents bigint NOT NULL
);

GRANT SELECT, INSERT, UPDATE ON billing.invoices TO ${app_role};

INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) SELECT COALESCE(MAX(installed_rank), 0) + 1, '1', 'init', 'SQL', 'V1__init.sql', -1447526123, 'migplan', 0, true FROM flyway_schema_history;

COMMIT;

BEGIN;

-- Running upgrade 1 -> 1.1

ALTER TABLE billing.invoices ADD COLUMN due_date date;

INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) SELECT COALESCE(MAX(installed_rank), 0) + 1, '1.1', 'add due date', 'SQL', 'V1.1__add_due_date.sql', 147060878, 'migplan', 0, true FROM flyway_schema_history;

COMMIT;

BEGIN;

-- Running upgrade 1.1 -> 1.2

CREATE TYPE billing.invoice_status AS ENUM ('draft', 'sent', 'paid');

ALTER TABLE billing.invoices ADD COLUMN status billing.invoice_status NOT NULL DEFAULT 'draft';

INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) SELECT COALESCE(MAX(installed_rank), 0) + 1, '1.2', 'invoice status', 'SQL', 'V1_2__invoice_status.sql', -1041045750, 'migplan', 0, true FROM flyway_schema_history;

COMMIT;

BEGIN;

-- Running upgrade 1.2 -> 1.5

ALTER TABLE billing.invoices ADD COLUMN notes text;

INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) SELECT COALESCE(MAX(installed_rank), 0) + 1, '1.5', 'invoice notes', 'SQL', 'V1.5__invoice_notes.sql', 1351132817, 'migplan', 0, true FROM flyway_schema_history;

COMMIT;

BEGIN;

-- Running upgrade 1.5 -> 1.10

ALTER TABLE billing.invoices ADD COLUMN paid_at timestamptz;

INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) SELECT COALESCE(MAX(installed_rank), 0) + 1, '1.10', 'paid at', 'SQL', 'V1.10__paid_at.sql', -827135787, 'migplan', 0, true FROM flyway_schema_history;

COMMIT;

BEGIN;

-- Running upgrade 1.10 -> 2

CREATE TABLE billing.payments (
    id bigserial PRIMARY KEY,
    invoice_id bigint NOT NULL REFERENCES billing.invoices (id),
    amount_cents bigint NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) SELECT COALESCE(MAX(installed_rank), 0) + 1, '2', 'payments', 'SQL', 'V2__payments.sql', -1849624956, 'migplan', 0, true FROM flyway_schema_history;

COMMIT;

-- Running upgrade 2 -> 3

-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)

CREATE INDEX CONCURRENTLY ix_payments_invoice_id ON billing.payments (invoice_id);

INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) SELECT COALESCE(MAX(installed_rank), 0) + 1, '3', 'payments invoice index', 'SQL', 'V3__payments_invoice_index.sql', -1155883833, 'migplan', 0, true FROM flyway_schema_history;

BEGIN;

-- Running repeatable sql/core/R__invoice_views.sql (checksum -1771583697, re-applied when it changes)

CREATE OR REPLACE VIEW billing.open_invoices AS
    SELECT id, number, amount_cents, due_date
    FROM billing.invoices
    WHERE status <> 'paid';

INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) SELECT COALESCE(MAX(installed_rank), 0) + 1, NULL, 'invoice views', 'SQL', 'R__invoice_views.sql', -1771583697, 'migplan', 0, true FROM flyway_schema_history;

COMMIT;


--- stderr ---
error[duplicate-version]: version 1.1 of sql_extra/V1.1__duplicate_by_mistake.sql is already used by sql/core/V1.1__add_due_date.sql
 --> sql_extra/V1.1__duplicate_by_mistake.sql:1:1
  |
1 | ALTER TABLE billing.invoices ADD COLUMN due_date date;
  | ^
  |
help: give one of them the next free version; this one is left out of the history


--- exit 1 ---
