"""The Celery application.

Tasks live in each app's ``tasks.py`` and are discovered automatically. Periodic jobs are stored by
django-celery-beat's database scheduler, so their schedules can be edited in the admin; the default
entries are created by data migrations of the app that owns the job, one entry per kind of job.
"""

import os

from celery import Celery

from core.embedded_broker import install as install_embedded_broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
install_embedded_broker()  # ``filesystem://`` writes each message whole (core/embedded_broker.py)

app = Celery("tandem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
