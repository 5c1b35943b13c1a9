CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL
);
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL,
    status varchar(40),
    total_cents integer NOT NULL,
    amount numeric(10, 2),
    tax numeric(10, 2),
    created_at timestamptz NOT NULL DEFAULT now()
);
