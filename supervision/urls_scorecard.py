"""Inspection pages: scorecard (see supervision/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
