"""The projects API (research and entrepreneurial projects, outputs and points); ``config/api_urls.py`` mounts it
under /api/v1/."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
