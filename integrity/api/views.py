"""The integrity API: ``/api/v1/submissions/`` (list, retrieve, and a student's upload),
``/api/v1/originality-reports/`` (list, retrieve, the frozen PDF) and ``/api/v1/cases/`` (list, retrieve).
Scoped by the base viewset mixin: out of scope is a 404; writes go through ``integrity.services``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBase, HttpResponseNotModified
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import ERROR_RESPONSE
from core.api.filters import IdFilter
from core.api.viewsets import ScopedViewSetMixin
from core.views import request_user
from integrity.api.serializers import (
    CaseSerializer,
    OriginalityReportSerializer,
    SubmissionCreateSerializer,
    SubmissionSerializer,
)
from integrity.models import (
    Case,
    CaseKind,
    CaseStatus,
    CheckStatus,
    OriginalityReport,
    Outcome,
    Submission,
    SubmissionKind,
)
from integrity.services import checks, submissions
from students.models import Student

_READ_ERRORS = {404: ERROR_RESPONSE}
_LIST_ERRORS = {400: ERROR_RESPONSE}


class _ScopedReadViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    filter_backends = [filters.DjangoFilterBackend]


class SubmissionFilter(filters.FilterSet):
    student = IdFilter(field_name="student_id", label="Student (id)")
    kind = filters.ChoiceFilter(choices=SubmissionKind.choices)

    class Meta:
        model = Submission
        fields = ["student", "kind"]


@extend_schema_view(
    list=extend_schema(responses={200: SubmissionSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: SubmissionSerializer, **_READ_ERRORS}),
    create=extend_schema(
        request={"multipart/form-data": SubmissionCreateSerializer},
        responses={201: SubmissionSerializer, 400: ERROR_RESPONSE, 403: ERROR_RESPONSE},
        description="A student uploads a new version of their own work (PDF with a text layer, or DOCX); "
        "its originality check is queued.",
    ),
)
class SubmissionViewSet(mixins.CreateModelMixin, _ScopedReadViewSet):
    """Submissions: the student's own, a tutor's tutees', the office's all."""

    queryset = Submission.objects.select_related("report").order_by("-submitted_at", "-pk")
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    parser_classes = [MultiPartParser, FormParser]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        student = Student.objects.filter(user=user).first()
        if student is None:
            raise exceptions.PermissionDenied("Only a student submits their own work.")
        body = SubmissionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            data = body.validated_data
            submission = submissions.submission_create(
                student=student, kind=data["kind"], title=data["title"], upload=data["file"], by=user
            )
        except PermissionDenied:
            raise exceptions.PermissionDenied() from None
        submission = Submission.objects.select_related("report").get(pk=submission.pk)
        return Response(
            SubmissionSerializer(submission, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class ReportFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CheckStatus.choices)
    outcome = filters.ChoiceFilter(choices=Outcome.choices)

    class Meta:
        model = OriginalityReport
        fields = ["status", "outcome"]


class AnyAcceptNegotiation(DefaultContentNegotiation):
    """The PDF download answers the file whatever the client accepts."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


@extend_schema_view(
    list=extend_schema(responses={200: OriginalityReportSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: OriginalityReportSerializer, **_READ_ERRORS}),
)
class OriginalityReportViewSet(_ScopedReadViewSet):
    """Originality reports: the student's, the tutor's tutees', the office's all, and those an investigator's
    case comes from. Sources' authors only for the office."""

    queryset = OriginalityReport.objects.order_by("-queued_at", "-pk")
    serializer_class = OriginalityReportSerializer
    filterset_class = ReportFilter

    @extend_schema(
        request=None,
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            304: OpenApiResponse(description="The file has not changed (``If-None-Match`` named its ETag)."),
            404: ERROR_RESPONSE,
        },
        description="The frozen PDF, its SHA-256 as the ETag; 404 until the check is done.",
    )
    @action(detail=True, methods=["get"], pagination_class=None, content_negotiation_class=AnyAcceptNegotiation)
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        """Download the report's PDF, exactly as it was frozen."""
        report = self.get_object()
        if report.status != CheckStatus.DONE or not report.pdf:
            raise Http404
        etag = f'"{report.sha256}"'
        if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = etag
            return not_modified
        response = FileResponse(
            report.pdf.open("rb"),
            as_attachment=True,
            filename=checks.download_name(report),
            content_type="application/pdf",
        )
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return response


class CaseFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CaseStatus.choices)
    kind = filters.ChoiceFilter(choices=CaseKind.choices)

    class Meta:
        model = Case
        fields = ["status", "kind"]


@extend_schema_view(
    list=extend_schema(responses={200: CaseSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: CaseSerializer, **_READ_ERRORS}),
)
class CaseViewSet(_ScopedReadViewSet):
    """Cases of the violations register the reader may know of; evidence only for the office, the case's
    investigators and its subject."""

    queryset = Case.objects.order_by("-opened_at", "-pk")
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
