"""Celery tasks: draw (registered through supervision/tasks.py)."""
