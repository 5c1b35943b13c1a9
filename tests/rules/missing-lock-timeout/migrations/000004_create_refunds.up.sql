-- Fine: only new tables, nobody waits on them.
CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint NOT NULL);
CREATE INDEX ix_refunds_order_id ON refunds (order_id);
