DROP TABLE coupons;
DROP TABLE reviews;
DROP TABLE carts;
DROP TABLE products;
DROP TABLE payments;
DROP TABLE invoices;
DROP TABLE accounts;
