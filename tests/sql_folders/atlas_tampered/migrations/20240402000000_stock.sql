-- Modify "products" table
ALTER TABLE "products" ADD COLUMN "stock" integer NOT NULL DEFAULT 10;
