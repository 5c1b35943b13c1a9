DROP TABLE refunds;
ALTER TABLE clients RENAME TO customers;
