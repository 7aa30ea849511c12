"""Inspection pages: reports (see supervision/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
