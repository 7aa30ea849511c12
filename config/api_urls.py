"""The API under /api/v1/: the token endpoint, every app's API, and the root that lists them.

Each app routes its own viewsets in ``<app>/api/urls.py`` (a ``router``). The routes of all of them are
built here by one ``DefaultRouter`` that takes over their registrations, in the order of ``APP_ROUTERS``:
so the root at /api/v1/ lists every app's resources, each route keeps its name (``partner-list``,
``site-detail``, ...) in the ``api`` namespace, and every route has its format suffix (``.json``), as
when all the viewsets were registered here. See docs/decisions/0010-routing-per-app.md.
"""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter, SimpleRouter

from accounts.api.views import TokenApi
from curriculum.api.urls import router as curriculum_router
from funds.api.urls import router as funds_router
from integrity.api.urls import router as integrity_router
from partners.api.urls import router as partners_router
from practice.api.urls import router as practice_router
from programmes.api.urls import router as programmes_router
from projects.api.urls import router as projects_router
from quality.api.urls import router as quality_router
from reviews.api.urls import router as reviews_router
from students.api.urls import router as students_router
from supervision.api.urls import router as supervision_router
from wellbeing.api.urls import router as wellbeing_router

APP_ROUTERS: list[SimpleRouter] = [
    partners_router,
    programmes_router,
    students_router,
    practice_router,
    curriculum_router,
    reviews_router,
    supervision_router,
    funds_router,
    integrity_router,
    projects_router,
    wellbeing_router,
    quality_router,
]

router = DefaultRouter()
for app_router in APP_ROUTERS:
    for prefix, viewset, basename in app_router.registry:
        # register() (not registry.extend) refuses a basename that two apps both claim.
        router.register(prefix, viewset, basename=basename)

app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenApi.as_view(), name="auth-token"),
    *router.urls,
]
