# The application package; its migrations live in migrations/.
