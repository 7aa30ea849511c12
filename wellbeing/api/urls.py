"""The wellbeing API (check-ins, counselling requests, appointments); ``config/api_urls.py`` mounts it
under /api/v1/."""

from rest_framework.routers import SimpleRouter

from wellbeing.api.views import AppointmentViewSet, CheckInViewSet, RequestViewSet

router = SimpleRouter()
router.register("wellbeing/check-ins", CheckInViewSet, basename="wellbeing-check-in")
router.register("wellbeing/requests", RequestViewSet, basename="wellbeing-request")
router.register("wellbeing/appointments", AppointmentViewSet, basename="wellbeing-appointment")
