"""Academic integrity pages (submissions, originality checks and the violations register); mounted under
/integrity/ by ``config/urls.py``."""

from django.urls import URLPattern, URLResolver

app_name = "integrity"
urlpatterns: list[URLPattern | URLResolver] = []
