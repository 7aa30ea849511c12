"""Quality pages under /quality/ (namespace ``quality``: the office's reports, the comparison and the live
dashboard) and the public version under /public/programmes/ (``public_urlpatterns``, namespace
``public-quality``; ``config/urls.py`` includes it)."""

from __future__ import annotations

from django.urls import URLPattern

from quality.views import dashboard, public, reports

app_name = "quality"
urlpatterns: list[URLPattern] = [*reports.urlpatterns, *dashboard.urlpatterns]
public_urlpatterns: list[URLPattern] = [*public.urlpatterns]
