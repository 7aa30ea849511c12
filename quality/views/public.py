"""Quality pages: public (filled in by the work on #17)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
