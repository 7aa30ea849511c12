"""The quality API (``config/api_urls.py`` mounts it under /api/v1/): the office's quality reports
(``quality-reports``) and the published versions (``public/quality-reports``)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
