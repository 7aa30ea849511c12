"""Inspection pages: the spot-inspection draws (see supervision/urls.py), office only."""

from django.urls import URLPattern, path

from supervision.views.draw import DrawDetailView, DrawListView, DrawRunView

urlpatterns: list[URLPattern] = [
    path("draws/", DrawListView.as_view(), name="draws"),
    path("draws/run/", DrawRunView.as_view(), name="draw-run"),
    path("draws/<int:pk>/", DrawDetailView.as_view(), name="draw-detail"),
]
