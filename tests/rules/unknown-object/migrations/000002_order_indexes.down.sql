DROP INDEX CONCURRENTLY ix_orders_status;
-- Dropped under a name the upgrade never created.
DROP INDEX CONCURRENTLY ix_orders_state_old;
