-- migrate:up
ALTER TABLE `accounts` ADD COLUMN `balance_cents` BIGINT NOT NULL DEFAULT 0;

CREATE PROCEDURE credit_account(IN p_id BIGINT, IN p_cents BIGINT)
BEGIN
  UPDATE accounts SET balance_cents = balance_cents + p_cents WHERE id = p_id;
  IF ROW_COUNT() = 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no such account';
  END IF;
END;

-- migrate:down
DROP PROCEDURE IF EXISTS credit_account;
ALTER TABLE `accounts` DROP COLUMN `balance_cents`;
