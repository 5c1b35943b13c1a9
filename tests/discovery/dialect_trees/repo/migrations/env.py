from alembic import context

config = context.config

# One history per database: the folder is chosen from the connection in code.
dialect = config.get_main_option("sqlalchemy.url").split(":")[0]
context.script.version_locations = [f"migrations/versions/{dialect}"]

with context.begin_transaction():
    context.run_migrations()
