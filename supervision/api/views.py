"""API for external supervision: ``/api/v1/inspections/``, ``findings/``, ``corrective-actions/`` and
``inspection-reports/``.

Reads are scoped by the base viewset mixin (``access.scope``): out of scope is a 404, and a planned spot
inspection is out of scope for everybody but the office and its assigned inspectors, so it appears in no
list, count or answer for the target partner's people. Every write goes through ``supervision.services``;
the view asks the access layer first, so that a row the user sees but may not act on answers 403. A
refused rule answers Tandem's error format with the rule as ``code`` (``conflict_of_interest``,
``not_in_progress``, ...) and the field it concerns in ``fields``.

No answer tells a caller that an id exists beyond their scope. Filters take plain ids (``core.api.filters.IdFilter``),
so an id out of scope filters to nothing, exactly like an unused one; related fields of request bodies
accept only rows the caller may see, so naming any other fails exactly like naming an unused id; and a
URL naming a row out of scope (a planned inspection, for its partner's people) is a 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponseBase, HttpResponseNotModified
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
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
from supervision import services
from supervision.api.serializers import (
    AnswerSerializer,
    ChecklistRecordSerializer,
    ChecklistResultSerializer,
    ChecklistRowSerializer,
    CorrectiveActionSerializer,
    FindingCreateSerializer,
    FindingSerializer,
    InspectionCreateSerializer,
    InspectionDetailSerializer,
    InspectionReportSerializer,
    InspectionSerializer,
    ReopenSerializer,
)
from supervision.models import (
    ActionStatus,
    ChecklistResult,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionKind,
    InspectionReport,
    InspectionStatus,
    ReportStatus,
    ReportVariant,
    Severity,
)

_ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}
_READ_ERRORS = {404: ERROR_RESPONSE}
_LIST_ERRORS = {400: ERROR_RESPONSE}
#: Requests that may carry an evidence file: JSON without one, multipart with one.
_UPLOAD_TYPES = ["application/json", "multipart/form-data"]


def _deny(user: Any, action_name: str, obj: Any, message: str | None = None) -> NoReturn:
    """Record the denial and answer 403: the user sees the row but may not do this to it."""
    access.record_denial(user, action_name, obj)
    raise exceptions.PermissionDenied(message)


class _ScopedReadViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """List and retrieve through ``access.scope``; filters by query parameters only (no free search)."""

    filter_backends = [FilterBackend]


# --- Inspections --------------------------------------------------------------------------------------


class InspectionFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=InspectionStatus.choices)
    kind = filters.ChoiceFilter(choices=InspectionKind.choices)
    partner = IdFilter(field_name="target_partner_id", label="Partner inspected (id)")

    class Meta:
        model = Inspection
        fields = ["status", "kind", "partner"]


_INSPECTION = {200: InspectionSerializer, **_ERRORS}


@extend_schema_view(
    list=extend_schema(responses={200: InspectionSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: InspectionDetailSerializer, **_READ_ERRORS}),
)
class InspectionViewSet(mixins.CreateModelMixin, _ScopedReadViewSet):
    """Inspections the user may see: all for the office; their own for assigned inspectors; the started
    ones of their partner for coordinators (never a planned one); a started one aimed at a placement they
    supervise for a supervisor. The office plans; an assigned inspector (or the office) starts and closes;
    assigned inspectors rate the checklist."""

    queryset = Inspection.objects.select_related("target_partner").prefetch_related("assignments")
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter
    write_actions = {"start": "start", "close": "close"}

    def get_queryset(self) -> QuerySet[Inspection]:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("results", queryset=ChecklistResult.objects.select_related("item").order_by("pk"))
            )
        return queryset

    def get_serializer_class(self) -> Any:
        return InspectionDetailSerializer if self.action == "retrieve" else InspectionSerializer

    def _read(self, inspection: Inspection, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=inspection.pk)
        return Response(InspectionSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=InspectionCreateSerializer, responses={201: InspectionSerializer, **_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Plan an inspection (office only). A spot inspection stays invisible to the partner inspected
        until it is started; an inspector with a membership at that partner is refused
        (``conflict_of_interest`` on ``inspectors``)."""
        user = request_user(request)
        if not access.can(user, "plan", Inspection):
            _deny(user, "plan", Inspection, _("Only the graduate office plans inspections."))
        serializer = InspectionCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        inspection = services.inspection_plan(
            kind=data["kind"],
            partner=data["partner"],
            template=data["template"],
            planned_date=data["planned_date"],
            inspectors=data["inspectors"],
            site=data.get("site"),
            placement=data.get("placement"),
            scope=data.get("scope", ""),
            by=user,
        )
        return self._read(inspection, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=_INSPECTION)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Start a planned inspection (an assigned inspector or the office): from now the partner's
        coordinators see it."""
        inspection = self.get_object()
        inspection = services.inspection_start(inspection=inspection, by=request_user(request))
        return self._read(inspection)

    @extend_schema(request=None, responses=_INSPECTION)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close an inspection in progress (an assigned inspector or the office); the inspectors' access to
        the partner's records ends."""
        inspection = self.get_object()
        inspection = services.inspection_close(inspection=inspection, by=request_user(request))
        return self._read(inspection)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: ChecklistRowSerializer(many=True), **_READ_ERRORS},
        description="Every item of the inspection's checklist, in order, with its result so far.",
    )
    @extend_schema(
        methods=["POST"],
        request={media: ChecklistRecordSerializer for media in _UPLOAD_TYPES},
        responses={200: ChecklistResultSerializer, **_ERRORS},
        description="Rate one item (an assigned inspector, while the inspection is in progress). Rating it "
        "again replaces the rating; the history keeps the earlier one.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def checklist(self, request: Request, pk: str | None = None) -> Response:
        """The checklist's rows (GET), or one item's rating and note (POST)."""
        inspection = self.get_object()
        if request.method == "POST":
            return self._record(request, inspection)
        return Response(ChecklistRowSerializer(checklist_rows(inspection), many=True).data)

    def _record(self, request: Request, inspection: Inspection) -> Response:
        user = request_user(request)
        if not access.can(user, "record", inspection):
            _deny(user, "record", inspection, _("Only an inspector assigned to this inspection rates its checklist."))
        serializer = ChecklistRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.checklist_record(
            inspection=inspection,
            item=data["item"],
            rating=data["rating"],
            note=data.get("note", ""),
            evidence=data.get("evidence"),
            by=user,
        )
        fresh = ChecklistResult.objects.select_related("item").get(pk=result.pk)
        return Response(ChecklistResultSerializer(fresh).data)


def checklist_rows(inspection: Inspection) -> list[dict[str, Any]]:
    """Each item of the inspection's checklist with its current result (two queries, whatever the size)."""
    results = {result.item_id: result for result in ChecklistResult.objects.filter(inspection=inspection)}
    rows = []
    for item in inspection.template.items.order_by("aspect", "order", "code"):
        result = results.get(item.pk)
        rows.append(
            {
                "item": item.pk,
                "code": item.code,
                "aspect": item.aspect,
                "text": item.text,
                "rating": result.rating if result else None,
                "note": result.note if result else "",
                "has_evidence": bool(result.evidence) if result else False,
                "recorded_by": result.recorded_by_id if result else None,
                "recorded_at": result.recorded_at if result else None,
            }
        )
    return rows


# --- Findings -------------------------------------------------------------------------------------------


class FindingFilter(filters.FilterSet):
    # Ids, not model choices: a model choice filter checks the id against every inspection and so would
    # answer "select a valid choice" for an unused id but not for a hidden one. Here any id out of the
    # caller's scope simply filters to nothing (module docstring).
    inspection = IdFilter(field_name="inspection_id", label="Inspection (id)")
    severity = filters.MultipleChoiceFilter(choices=Severity.choices)
    partner = IdFilter(field_name="inspection__target_partner_id", label="Partner inspected (id)")

    class Meta:
        model = Finding
        fields = ["inspection", "severity", "partner"]


@extend_schema_view(
    list=extend_schema(responses={200: FindingSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: FindingSerializer, **_READ_ERRORS}),
)
class FindingViewSet(mixins.CreateModelMixin, _ScopedReadViewSet):
    """Findings of the inspections the user may see. An assigned inspector records them while the
    inspection is in progress; a minor, major or critical finding gets its corrective action."""

    queryset = (
        Finding.objects.select_related("inspection", "corrective_action")
        .prefetch_related("practice_logs")
        .order_by("-created_at", "-pk")
    )
    serializer_class = FindingSerializer
    filterset_class = FindingFilter

    @extend_schema(
        request={media: FindingCreateSerializer for media in _UPLOAD_TYPES},
        responses={201: FindingSerializer, **_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record a finding. ``inspection`` must be one the caller sees (any other is a 400 on that field,
        as if it did not exist); only its assigned inspectors may add to it (403 for others who see it)."""
        serializer = FindingCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request_user(request)
        inspection: Inspection = data["inspection"]
        if not access.can(user, "record", inspection):
            _deny(user, "record", inspection, _("Only an inspector assigned to this inspection records findings."))
        finding = services.finding_add(
            inspection=inspection,
            severity=data["severity"],
            description=data["description"],
            placement=data.get("placement"),
            supervisor=data.get("supervisor"),
            practice_logs=data.get("practice_logs", []),
            evidence=data.get("evidence"),
            by=user,
        )
        fresh = self.get_queryset().get(pk=finding.pk)
        return Response(FindingSerializer(fresh).data, status=status.HTTP_201_CREATED)


# --- Corrective actions -----------------------------------------------------------------------------------


class CorrectiveActionFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ActionStatus.choices)
    inspection = IdFilter(field_name="finding__inspection_id", label="Inspection (id)")
    partner = IdFilter(field_name="finding__inspection__target_partner_id", label="Partner (id)")
    owner = IdFilter(field_name="owner_id", label="Owner (user id)")
    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue: awaiting an answer after the due date")

    class Meta:
        model = CorrectiveAction
        fields = ["status", "inspection", "partner", "owner", "overdue"]

    def filter_overdue(self, queryset: QuerySet[CorrectiveAction], name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        overdue = CorrectiveAction.objects.overdue(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


_ACTION = {200: CorrectiveActionSerializer, **_ERRORS}


@extend_schema_view(
    list=extend_schema(responses={200: CorrectiveActionSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: CorrectiveActionSerializer, **_READ_ERRORS}),
)
class CorrectiveActionViewSet(_ScopedReadViewSet):
    """Corrective actions of the inspections the user may see, earliest due first. The partner's
    coordinator answers; an assigned inspector verifies the answer or reopens the action with a reason."""

    queryset = CorrectiveAction.objects.select_related("finding__inspection").order_by("due_date", "pk")
    serializer_class = CorrectiveActionSerializer
    filterset_class = CorrectiveActionFilter
    write_actions = {"answer": "answer", "verify": "verify", "reopen": "verify"}

    def _read(self, corrective_action: CorrectiveAction) -> Response:
        fresh = self.get_queryset().get(pk=corrective_action.pk)
        return Response(CorrectiveActionSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request={media: AnswerSerializer for media in _UPLOAD_TYPES}, responses=_ACTION)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """Say what was done (the partner's coordinator; open or reopened actions), with evidence if any."""
        corrective_action = self.get_object()
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        corrective_action = services.corrective_action_answer(
            action=corrective_action,
            answer=serializer.validated_data["answer"],
            evidence=serializer.validated_data.get("evidence"),
            by=request_user(request),
        )
        return self._read(corrective_action)

    @extend_schema(request=None, responses=_ACTION)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """Accept the answer (an assigned inspector): the action is verified."""
        corrective_action = self.get_object()
        corrective_action = services.corrective_action_verify(action=corrective_action, by=request_user(request))
        return self._read(corrective_action)

    @extend_schema(request=ReopenSerializer, responses=_ACTION)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        """Refuse the answer, saying why (an assigned inspector): the owner must answer again."""
        corrective_action = self.get_object()
        serializer = ReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        corrective_action = services.corrective_action_reopen(
            action=corrective_action, reason=serializer.validated_data["reason"], by=request_user(request)
        )
        return self._read(corrective_action)


# --- Reports --------------------------------------------------------------------------------------------


class InspectionReportFilter(filters.FilterSet):
    inspection = IdFilter(field_name="inspection_id", label="Inspection (id)")
    variant = filters.ChoiceFilter(choices=ReportVariant.choices)
    status = filters.ChoiceFilter(choices=ReportStatus.choices)

    class Meta:
        model = InspectionReport
        fields = ["inspection", "variant", "status"]


class AnyAcceptNegotiation(DefaultContentNegotiation):
    """The PDF download answers the file whatever the client accepts (``Accept: application/pdf`` would
    otherwise find no JSON renderer and be refused); an error is JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


def _etag(report: InspectionReport) -> str:
    return f'"{report.sha256}"'


@extend_schema_view(
    list=extend_schema(responses={200: InspectionReportSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: InspectionReportSerializer, **_READ_ERRORS}),
)
class InspectionReportViewSet(_ScopedReadViewSet):
    """Report versions the user may see: all for the office; those of their inspections for the
    assigned inspectors and the partner's coordinators; every published public version for inspectors.
    Reports are made by the rendering job, never through the API."""

    queryset = InspectionReport.objects.order_by("-requested_at", "-pk")
    serializer_class = InspectionReportSerializer
    filterset_class = InspectionReportFilter

    @extend_schema(
        request=None,
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            304: OpenApiResponse(description="The file has not changed (``If-None-Match`` named its ETag)."),
            404: ERROR_RESPONSE,
        },
        description="The frozen PDF as an attachment, with its SHA-256 as the ETag; 404 until it is ready.",
    )
    @action(detail=True, methods=["get"], pagination_class=None, content_negotiation_class=AnyAcceptNegotiation)
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        """Download the report's PDF, exactly as it was frozen."""
        report = self.get_object()
        if report.status != ReportStatus.READY or not report.pdf:
            raise Http404
        etag = _etag(report)
        if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = etag
            return not_modified
        try:
            handle = report.pdf.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        filename = f"inspection-{report.inspection_id}-{report.variant}-v{report.version}.pdf"
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return response
