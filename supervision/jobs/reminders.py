"""Celery tasks: reminders (registered through supervision/tasks.py)."""
