-- Added after hashing
ALTER TABLE "products" ADD COLUMN "archived" boolean NOT NULL DEFAULT false;
