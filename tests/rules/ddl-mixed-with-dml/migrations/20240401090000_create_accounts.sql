-- migrate:up
CREATE TABLE accounts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    plan VARCHAR(20)
) ENGINE=InnoDB;

-- migrate:down
DROP TABLE accounts;
