"""Internal supervision pages (review rounds, mutual reviews, concerns and replies, supervision meetings); mounted
under /reviews/ by ``config/urls.py``."""

from django.urls import URLPattern, URLResolver

app_name = "reviews"
urlpatterns: list[URLPattern | URLResolver] = []
