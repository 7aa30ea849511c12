"""The public API of published quality reports: ``/api/v1/public/quality-reports/``, no login needed.

Read-only, and only what the public pages show: published reports (``quality.selectors.published_reports``),
their public figures (no person, no group under 10, frozen at publication) and their public PDFs with the
SHA-256. The files are fetched for the public variant only, so no answer can carry the full report.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from core.api.errors import ERROR_RESPONSE
from quality import selectors
from quality.api.serializers import PublicQualityReportSerializer
from quality.api.views import _PDF_RESPONSES, AnyAcceptNegotiation, chosen_language, pdf_parameters
from quality.models import QualityReport
from quality.views.public import public_files
from quality.views.reports import pdf_response

_PROGRAMME = OpenApiParameter(
    "programme", OpenApiTypes.STR, description="A programme's code: only its published reports."
)


@extend_schema_view(
    list=extend_schema(auth=[], parameters=[_PROGRAMME], responses={200: PublicQualityReportSerializer(many=True)}),
    retrieve=extend_schema(auth=[], responses={200: PublicQualityReportSerializer, 404: ERROR_RESPONSE}),
)
class PublicQualityReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Published quality reports, newest year first; no login. Anything not published is a 404."""

    serializer_class = PublicQualityReportSerializer
    queryset = QualityReport.objects.none()  # for the schema (an integer id); rows come from get_queryset
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[QualityReport]:
        reports = (
            selectors.published_reports()
            .select_related("programme", "cohort__programme")
            .prefetch_related(public_files())
        )
        code = self.request.query_params.get("programme") if self.action == "list" else None
        if code and "\x00" in code:  # no code holds one, and the database refuses to compare with it
            return reports.none()
        return reports.filter(programme__code=code) if code else reports

    @extend_schema(auth=[], parameters=pdf_parameters(variant=False), responses=_PDF_RESPONSES)
    @action(
        detail=True, methods=["get"], renderer_classes=[JSONRenderer], content_negotiation_class=AnyAcceptNegotiation
    )
    def pdf(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        """The public version's frozen PDF, checked against its SHA-256 (in the ETag)."""
        report = self.get_object()
        language = chosen_language(request)
        file = next((f for f in report.public_files if f.language == language), None)
        if file is None:
            raise Http404
        file.report = report
        return pdf_response(file, request._request)
