-- migrate:up
CREATE TABLE accounts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    nick VARCHAR(40)
) ENGINE=InnoDB;

-- migrate:down
DROP TABLE accounts;
