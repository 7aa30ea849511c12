"""The projects API (research and entrepreneurial projects, outputs and points); ``config/api_urls.py`` mounts it
under /api/v1/."""

from rest_framework.routers import SimpleRouter

from projects.api.views import PointAwardViewSet, ProjectOutputViewSet, ProjectViewSet

router = SimpleRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("project-outputs", ProjectOutputViewSet, basename="project-output")
router.register("points", PointAwardViewSet, basename="point")
