CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE invoices (id bigint PRIMARY KEY);
CREATE TABLE payments (id bigint PRIMARY KEY);
CREATE TABLE products (id bigint PRIMARY KEY);
CREATE TABLE carts (id bigint PRIMARY KEY);
CREATE TABLE reviews (id bigint PRIMARY KEY);
CREATE TABLE coupons (id bigint PRIMARY KEY);
