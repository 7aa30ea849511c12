"""Registers the scoped supervision API (inspections, findings, corrective actions, reports)."""

from rest_framework.routers import DefaultRouter

from supervision.api.views import (
    CorrectiveActionViewSet,
    FindingViewSet,
    InspectionReportViewSet,
    InspectionViewSet,
)


def register(router: DefaultRouter) -> None:
    """Add the supervision viewsets to the API router."""
    router.register("inspections", InspectionViewSet, basename="inspection")
    router.register("findings", FindingViewSet, basename="finding")
    router.register("corrective-actions", CorrectiveActionViewSet, basename="corrective-action")
    router.register("inspection-reports", InspectionReportViewSet, basename="inspection-report")
