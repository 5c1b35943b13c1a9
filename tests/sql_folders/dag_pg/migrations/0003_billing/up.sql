CREATE TABLE app.plans (id text PRIMARY KEY, monthly_cents integer NOT NULL);
