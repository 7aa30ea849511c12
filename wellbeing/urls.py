"""Wellbeing pages (check-ins, counselling, appointments and encrypted notes); mounted under /wellbeing/ by
``config/urls.py``."""

from django.urls import URLPattern, URLResolver

app_name = "wellbeing"
urlpatterns: list[URLPattern | URLResolver] = []
