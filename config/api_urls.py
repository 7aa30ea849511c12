"""The API under /api/v1/: one router collects every app's viewsets."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import ObtainTokenApi
from partners.api.views import MembershipViewSet, PartnerViewSet, SiteViewSet

router = DefaultRouter()
router.register("partners", PartnerViewSet, basename="partner")
router.register("sites", SiteViewSet, basename="site")
router.register("memberships", MembershipViewSet, basename="membership")

app_name = "api"
urlpatterns = [
    path("auth/token/", ObtainTokenApi.as_view(), name="auth-token"),
    *router.urls,
]
