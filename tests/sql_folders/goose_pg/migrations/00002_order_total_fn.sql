-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION order_total_with_tax(o orders, rate numeric DEFAULT 0.2)
RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN round(o.total * (1 + rate), 2);
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DROP FUNCTION IF EXISTS order_total_with_tax(orders, numeric);
-- +goose StatementEnd
