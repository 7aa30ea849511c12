"""The programmes API: programmes and agreements (``config/api_urls.py`` mounts it under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from programmes.api.views import AgreementViewSet, ProgrammeViewSet

router = SimpleRouter()
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("agreements", AgreementViewSet, basename="agreement")
