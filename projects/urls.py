"""Projects pages (research and entrepreneurial projects, outputs and points); mounted under /projects/ by
``config/urls.py``."""

from django.urls import URLPattern, URLResolver

app_name = "projects"
urlpatterns: list[URLPattern | URLResolver] = []
