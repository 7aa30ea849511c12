"""The academic integrity API (submissions, originality checks and the violations register); ``config/api_urls.py``
mounts it under /api/v1/."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
