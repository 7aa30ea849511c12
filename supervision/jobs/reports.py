"""Celery tasks: reports (registered through supervision/tasks.py)."""
