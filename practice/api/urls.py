"""The practice API: practice-hour entries (``config/api_urls.py`` mounts it under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from practice.api.imports import HoursImportViewSet
from practice.api.views import PracticeLogViewSet

router = SimpleRouter()
router.register("practice-logs", PracticeLogViewSet, basename="practice-log")
router.register("practice-imports", HoursImportViewSet, basename="practice-import")
