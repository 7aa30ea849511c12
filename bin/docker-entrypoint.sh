#!/bin/sh
# The image's entrypoint. The first argument names the container's role:
#   web     apply migrations (one replica at a time), then serve with gunicorn on 0.0.0.0:8000
#   worker  a Celery worker
#   beat    Celery beat (the DatabaseScheduler from settings; run exactly one)
# Anything else runs as given, e.g. `gunicorn ...` (the image's default) or `python manage.py shell`.
# Extra arguments after a role go to the program it starts.
set -eu

role="${1:-}"
case "$role" in
  web)
    shift
    # Several web replicas may start together: a PostgreSQL advisory lock lets one migrate at a time,
    # and the others then find nothing left to do.
    python - <<'PY'
import django

django.setup()
from django.core.management import call_command
from django.db import connection

MIGRATE_LOCK = 7_402_151  # any constant shared by every replica
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK])
try:
    call_command("migrate", interactive=False)
finally:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK])
PY
    exec gunicorn config.wsgi:application --config python:config.gunicorn --bind 0.0.0.0:8000 --worker-tmp-dir /dev/shm --access-logfile - "$@"
    ;;
  worker)
    shift
    exec celery -A config worker -l INFO "$@"
    ;;
  beat)
    shift
    exec celery -A config beat -l INFO "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
