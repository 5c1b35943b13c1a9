from alembic import context

context.configure(url="postgresql://billing@localhost/billing", target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
