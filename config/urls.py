"""Top-level URL map: pages, the versioned API, the schema and docs, the admin and the health check."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from core.api.schema_view import SchemaView
from core.views import healthz
from quality.urls import public_urlpatterns as public_quality_urlpatterns
from supervision.urls import public_urlpatterns as public_inspection_urlpatterns

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("partners/", include("partners.urls")),
    path("programmes/", include("programmes.urls")),
    path("students/", include("students.urls")),
    path("practice/", include("practice.urls")),
    path("curriculum/", include("curriculum.urls")),
    path("reviews/", include("reviews.urls")),
    path("inspections/", include("supervision.urls")),
    path("funds/", include("funds.urls")),
    path("integrity/", include("integrity.urls")),
    path("projects/", include("projects.urls")),
    path("wellbeing/", include("wellbeing.urls")),
    path("quality/", include("quality.urls")),
    path("public/inspections/", include((public_inspection_urlpatterns, "public"))),
    path("public/programmes/", include((public_quality_urlpatterns, "public-quality"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("config.api_urls")),
    # Generated once per process and language, not per request (core/api/schema_view.py).
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script as a file (?script), which the CSP allows; the inline
    # script of the plain view is blocked and left the page blank.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="core/swagger_ui.html"),
        name="api-docs",
    ),
]

# Uploaded files are never served from MEDIA_URL, not even in development: agreements, evidence and
# reports are downloaded through views that ask ``partners.access`` first.

# Under /api/, a path that matches no route and a crash answer in the API's error format, not an HTML page.
handler404 = "core.api.errors.page_not_found"
handler500 = "core.api.errors.server_error"
