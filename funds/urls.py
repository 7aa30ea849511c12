"""Funds pages (training funds, allocations, expenditures, authority limits and flags); mounted under /funds/ by
``config/urls.py``."""

from django.urls import URLPattern, URLResolver

app_name = "funds"
urlpatterns: list[URLPattern | URLResolver] = []
