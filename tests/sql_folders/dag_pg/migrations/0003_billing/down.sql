DROP TABLE app.plans;
