"""Curriculum pages (courses, offerings, enrolments, grades and teachers' qualifications); mounted under
/curriculum/ by ``config/urls.py``."""

from django.urls import URLPattern, URLResolver

app_name = "curriculum"
urlpatterns: list[URLPattern | URLResolver] = []
