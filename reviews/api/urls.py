"""The internal supervision API (review rounds, mutual reviews, concerns and replies, supervision meetings);
``config/api_urls.py`` mounts it under /api/v1/."""

from rest_framework.routers import SimpleRouter

from reviews.api.views import ConcernViewSet, MeetingViewSet, ReviewRoundViewSet, ReviewViewSet

router = SimpleRouter()
router.register("review-rounds", ReviewRoundViewSet, basename="review-round")
router.register("reviews", ReviewViewSet, basename="review")
router.register("concerns", ConcernViewSet, basename="concern")
router.register("meetings", MeetingViewSet, basename="meeting")
