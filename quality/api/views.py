"""The office's quality-report API: ``/api/v1/quality-reports/``.

Reads are scoped by the base viewset mixin (``access.scope``; the office sees every report, anybody else
an empty list and a 404 for any one report). Requesting a build is the office's (403 for anybody else, as
planning an inspection is); publishing and retrying go through ``quality.services`` and answer the report
as it then is. A service's refusal answers Tandem's error format, naming its field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import ERROR_RESPONSE
from core.api.filters import FilterBackend, IdFilter
from core.api.viewsets import ScopedViewSetMixin
from core.views import request_user
from partners import access
from quality import services
from quality.api.serializers import (
    QualityReportBuildSerializer,
    QualityReportDetailSerializer,
    QualityReportSerializer,
)
from quality.models import QualityReport, QualityReportStatus, QualityReportVariant
from quality.views.reports import pdf_response

_ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}
_LANGUAGES = [code for code, _name in settings.LANGUAGES]


class AnyAcceptNegotiation(DefaultContentNegotiation):
    """The PDF download answers the file whatever the client accepts; an error is JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class QualityReportFilter(filters.FilterSet):
    programme = IdFilter(field_name="programme_id", label="Programme (id)")
    cohort = IdFilter(field_name="cohort_id", label="Cohort (id)")
    year = filters.NumberFilter(field_name="year", label="Calendar year")
    status = filters.ChoiceFilter(choices=QualityReportStatus.choices)
    published = filters.BooleanFilter(field_name="published_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = QualityReport
        fields = ["programme", "cohort", "year", "status", "published"]


def pdf_parameters(*, variant: bool) -> list[OpenApiParameter]:
    """The PDF download's query parameters, for the schema."""
    parameters = [
        OpenApiParameter(
            "lang",
            OpenApiTypes.STR,
            enum=_LANGUAGES,
            description="The PDF's language; by default the request's (Accept-Language), else English.",
        )
    ]
    if variant:
        parameters.insert(
            0,
            OpenApiParameter(
                "variant", OpenApiTypes.STR, enum=QualityReportVariant.values, description="full (default) or public"
            ),
        )
    return parameters


def chosen_language(request: Request) -> str:
    """The ``lang`` asked for (400 naming it when it is not a language reports are made in), else the
    request's language if reports are made in it, else English."""
    asked = request.query_params.get("lang")
    if asked is not None:
        if asked not in _LANGUAGES:
            raise exceptions.ValidationError(
                {"lang": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(_LANGUAGES)}]}
            )
        return asked
    current = translation.get_language()
    return current if current in _LANGUAGES else _LANGUAGES[0]


_PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiTypes.BINARY,
    304: OpenApiResponse(description="The file has not changed (``If-None-Match`` named its ETag)."),
    404: ERROR_RESPONSE,
    409: ERROR_RESPONSE,
}


@extend_schema_view(
    list=extend_schema(responses={200: QualityReportSerializer(many=True), 400: ERROR_RESPONSE}),
    retrieve=extend_schema(responses={200: QualityReportDetailSerializer, 404: ERROR_RESPONSE}),
)
class QualityReportViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Every version of every programme's quality report (the office's), newest year first. Request a
    build (POST), download a PDF per variant and language, publish the public version, retry a build."""

    queryset = (
        QualityReport.objects.select_related("programme", "cohort__programme", "requested_by", "published_by")
        .prefetch_related("files")
        .order_by("-year", "programme__code", "cohort__intake_year", "-version", "-pk")
    )
    serializer_class = QualityReportSerializer
    filterset_class = QualityReportFilter
    filter_backends = [FilterBackend]
    write_actions = {"publish": "publish", "retry": "retry"}

    def get_serializer_class(self) -> Any:
        return QualityReportSerializer if self.action == "list" else QualityReportDetailSerializer

    def _read(self, report: QualityReport, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(QualityReportDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=QualityReportBuildSerializer, responses={201: QualityReportDetailSerializer, **_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Request a new build (office only): answers the PENDING version; the worker builds it."""
        user = request_user(request)
        if not access.can(user, "request", QualityReport):
            access.record_denial(user, "request", QualityReport)
            raise exceptions.PermissionDenied(_("Only the graduate office builds quality reports."))
        serializer = QualityReportBuildSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = services.report_request(
            programme=data["programme"], cohort=data.get("cohort"), year=data["year"], by=user
        )
        return self._read(report, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        parameters=pdf_parameters(variant=True),
        responses=_PDF_RESPONSES,
        description="One frozen PDF, checked against its SHA-256 before it is sent (409 if the stored file "
        "differs); the hash is the ETag. 404 until the rendering exists.",
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        content_negotiation_class=AnyAcceptNegotiation,
    )
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        """Download one rendering of the report as it was frozen."""
        report = self.get_object()
        variant = request.query_params.get("variant", QualityReportVariant.FULL)
        if variant not in QualityReportVariant.values:
            choices = ", ".join(QualityReportVariant.values)
            raise exceptions.ValidationError({"variant": [_("Choose one of: %(choices)s.") % {"choices": choices}]})
        language = chosen_language(request)
        file = next((f for f in report.files.all() if f.variant == variant and f.language == language), None)
        if file is None:
            raise Http404
        file.report = report
        return pdf_response(file, request._request)

    @extend_schema(request=None, responses={200: QualityReportDetailSerializer, **_ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish a ready report's public version (no person, no group under 10)."""
        report = self.get_object()
        return self._read(services.report_publish(report=report, by=request_user(request)))

    @extend_schema(request=None, responses={200: QualityReportDetailSerializer, **_ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Queue a failed (or stuck) build again."""
        report = self.get_object()
        return self._read(services.report_retry(report=report, by=request_user(request)))
