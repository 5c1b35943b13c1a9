ALTER TABLE app.users DROP COLUMN plan_id;
