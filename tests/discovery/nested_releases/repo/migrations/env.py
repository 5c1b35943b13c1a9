import os

from alembic import context

config = context.config

# Each release keeps its expand and contract steps apart; the folders are added here, so
# alembic.ini does not list them.
here = os.path.dirname(__file__)
releases = sorted(os.listdir(os.path.join(here, "versions")))
config.set_main_option(
    "version_locations",
    " ".join(os.path.join(here, "versions", r, step) for r in releases for step in ("expand", "contract")),
)


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_offline()
