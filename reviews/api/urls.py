"""The internal supervision API (review rounds, mutual reviews, concerns and replies, supervision meetings);
``config/api_urls.py`` mounts it under /api/v1/."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
