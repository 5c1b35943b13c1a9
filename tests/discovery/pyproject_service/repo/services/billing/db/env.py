from alembic import context

from billing.models import metadata

context.configure(target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
