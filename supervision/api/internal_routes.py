"""Registers the scoped supervision API (inspections, findings, corrective actions, reports)."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Add the supervision viewsets to the API router."""
