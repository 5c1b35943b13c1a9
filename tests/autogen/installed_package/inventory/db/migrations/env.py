from alembic import context
from sqlalchemy import engine_from_config, pool

from inventory.db import models

config = context.config


def run_migrations_online():
    # target_metadata set where it is used, as some packages write it.
    target_metadata = models.BASE.metadata
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
