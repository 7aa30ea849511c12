# Tandem's production image: one image for the web server, the Celery worker and Celery beat.
# The role is the first argument (see bin/docker-entrypoint.sh); with none, it runs gunicorn.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint 70's native libraries. libharfbuzz-subset0 keeps font subsetting fast (without it a
# one-page CJK PDF takes seconds); fonts-noto-cjk renders Chinese text instead of empty boxes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 \
      libpangoft2-1.0-0 \
      libharfbuzz-subset0 \
      libharfbuzz0b \
      fonts-noto-cjk \
      shared-mime-info \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 tandem \
 && useradd --system --uid 10001 --gid tandem --home-dir /app --no-create-home --shell /usr/sbin/nologin tandem

WORKDIR /app

# Runtime dependencies only (test and lint tools are in requirements-dev.txt), in their own layer so a
# code change does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Production settings in the image; STATIC_ROOT and MEDIA_ROOT are fixed paths inside it.
ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/var/media \
    WEB_CONCURRENCY=3

# Build-time steps run with the production settings, so that collectstatic writes the hashed,
# compressed files and the manifest that production's whitenoise storage reads (local settings would
# write neither). Production settings refuse to import without a secret key, PostgreSQL and Redis:
# these placeholder values satisfy that check and are never used to connect; they do not persist in
# the image.
RUN SECRET_KEY=build-time-placeholder-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
    WELLBEING_ENCRYPTION_KEYS=YnVpbGQtdGltZS1wbGFjZWhvbGRlci1idWlsZC10aW0= \
    sh -c 'python manage.py compile_catalogues && python manage.py collectstatic --noinput' \
 && mkdir -p /app/var/media \
 && chown -R tandem:tandem /app/var

# The code stays owned by root and read-only for the app; only var/ (uploaded media) is writable.
USER tandem

EXPOSE 8000
ENTRYPOINT ["/bin/sh", "/app/bin/docker-entrypoint.sh"]
# config/gunicorn.py keeps gunicorn from announcing itself in a Server header.
CMD ["gunicorn", "config.wsgi:application", "--config", "python:config.gunicorn", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
