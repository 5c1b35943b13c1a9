-- migrate:up
CREATE TABLE ledger_entries (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT UNSIGNED NOT NULL,
  cents BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_ledger_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE TRIGGER ledger_apply AFTER INSERT ON ledger_entries FOR EACH ROW
BEGIN
  UPDATE accounts SET balance_cents = balance_cents + NEW.cents WHERE id = NEW.account_id;
END;

-- migrate:down
DROP TRIGGER ledger_apply;
DROP TABLE ledger_entries;
