"""The wellbeing API (check-ins, counselling, appointments and encrypted notes); ``config/api_urls.py`` mounts it
under /api/v1/."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
