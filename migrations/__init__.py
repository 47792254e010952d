"""Alembic migrations; shipped inside the package so `headshot-bot db upgrade` works after `pip install .`."""
