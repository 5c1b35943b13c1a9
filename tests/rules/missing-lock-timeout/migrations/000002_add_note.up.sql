-- No lock_timeout: ALTER waits behind long transactions and every query on orders
-- queues behind it.
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE customers ADD COLUMN phone text;
