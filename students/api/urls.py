"""The students API: students, training plans, placements and milestones (``config/api_urls.py`` mounts it
under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from students.api.views import MilestoneViewSet, PlacementViewSet, StudentViewSet, TrainingPlanViewSet

router = SimpleRouter()
router.register("students", StudentViewSet, basename="student")
router.register("training-plans", TrainingPlanViewSet, basename="training-plan")
router.register("placements", PlacementViewSet, basename="placement")
router.register("milestones", MilestoneViewSet, basename="milestone")
