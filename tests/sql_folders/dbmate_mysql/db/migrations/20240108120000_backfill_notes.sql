-- migrate:up transaction:false
UPDATE `accounts` SET `note` = CONCAT('imported ', `email`) WHERE `note` = '';

-- migrate:down
