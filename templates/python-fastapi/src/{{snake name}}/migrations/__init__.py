"""Alembic migrations (inside the package so the installed app can migrate itself)."""
