"""Registers the public (anonymous) API of published inspection results."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Add the public inspection viewsets to the API router."""
    from supervision.api.public import PublicInspectionViewSet

    router.register("public/inspections", PublicInspectionViewSet, basename="public-inspection")
