"""The Celery application.

Tasks live in each app's ``tasks.py`` and are discovered automatically. Periodic jobs are stored by
django-celery-beat's database scheduler, so their schedules can be edited in the admin; the default
entries are created by data migrations of the app that owns the job, one entry per kind of job.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tandem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
