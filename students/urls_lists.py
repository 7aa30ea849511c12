"""Placeholder: filled by the training-plan issue."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
