CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> 20240105103000

CREATE TABLE `accounts` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `email` VARCHAR(255) NOT NULL,
  `note` VARCHAR(255) NOT NULL DEFAULT 'it\'s new; say hi', # MySQL comment with ; inside
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_accounts_email` (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO alembic_version (version_num) VALUES ('20240105103000');

-- Running upgrade 20240105103000 -> 20240106090000

ALTER TABLE `accounts` ADD COLUMN `balance_cents` BIGINT NOT NULL DEFAULT 0;

CREATE PROCEDURE credit_account(IN p_id BIGINT, IN p_cents BIGINT)
BEGIN
  UPDATE accounts SET balance_cents = balance_cents + p_cents WHERE id = p_id;
  IF ROW_COUNT() = 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no such account';
  END IF;
END;

UPDATE alembic_version SET version_num='20240106090000' WHERE alembic_version.version_num = '20240105103000';

-- Running upgrade 20240106090000 -> 20240107120000

UPDATE alembic_version SET version_num='20240107120000' WHERE alembic_version.version_num = '20240106090000';

-- Running upgrade 20240107120000 -> 20240108120000

UPDATE `accounts` SET `note` = CONCAT('imported ', `email`) WHERE `note` = '';

UPDATE alembic_version SET version_num='20240108120000' WHERE alembic_version.version_num = '20240107120000';

-- Running upgrade 20240108120000 -> 20240109083000

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

UPDATE alembic_version SET version_num='20240109083000' WHERE alembic_version.version_num = '20240108120000';


--- exit 0 ---
