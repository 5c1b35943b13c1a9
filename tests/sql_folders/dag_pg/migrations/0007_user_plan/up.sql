ALTER TABLE app.users ADD COLUMN plan_id text REFERENCES app.plans (id);
