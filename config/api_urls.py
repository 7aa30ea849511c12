"""The API under /api/v1/: one router collects every app's viewsets."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import TokenApi
from partners.api.views import MembershipViewSet, PartnerViewSet, SiteViewSet
from practice.api.views import PracticeLogViewSet
from programmes.api.views import AgreementViewSet, ProgrammeViewSet
from students.api.views import MilestoneViewSet, PlacementViewSet, StudentViewSet, TrainingPlanViewSet
from supervision.api import internal_routes as supervision_routes
from supervision.api import public_routes as public_supervision_routes

router = DefaultRouter()
router.register("partners", PartnerViewSet, basename="partner")
router.register("sites", SiteViewSet, basename="site")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("students", StudentViewSet, basename="student")
router.register("training-plans", TrainingPlanViewSet, basename="training-plan")
router.register("placements", PlacementViewSet, basename="placement")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("practice-logs", PracticeLogViewSet, basename="practice-log")
supervision_routes.register(router)
public_supervision_routes.register(router)

app_name = "api"
urlpatterns = [
    path("auth/token/", TokenApi.as_view(), name="auth-token"),
    *router.urls,
]
