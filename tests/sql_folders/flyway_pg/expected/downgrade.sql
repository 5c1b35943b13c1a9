BEGIN;

-- Running downgrade 1.1 -> 1

ALTER TABLE billing.invoices DROP COLUMN due_date;

INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) SELECT COALESCE(MAX(installed_rank), 0) + 1, '1.1', 'add due date', 'UNDO_SQL', 'U1.1__add_due_date.sql', 0, 'migplan', 0, true FROM flyway_schema_history;

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
