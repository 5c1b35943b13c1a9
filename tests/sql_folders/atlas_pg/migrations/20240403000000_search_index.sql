-- atlas:txmode none

-- Create index "products_sku_trgm" to table: "products"
CREATE INDEX CONCURRENTLY "products_sku_lower" ON "products" (lower("sku"));
