"""API for practice-hour entries, for the partners' own systems: ``/api/v1/practice-logs/``.

Reads are scoped by the base viewset (out of scope is a 404) and paginated by cursor, newest first.
Every write goes through ``practice.services``. A refusal answers Tandem's error format with the broken
rule as its ``code`` (``daily_maximum``, ``month_closed``, ...) and the field it concerns in ``fields``;
a row the user sees but may not act on answers 403.

Idempotency: an entry may carry an ``idempotency_key`` (unique per person who enters it). A request
repeated with a key already used answers the entry made the first time (200, or ``duplicate`` in a bulk
row) and creates nothing, whatever the rules would say about a second entry now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.models import User
from core.api.errors import ERROR_RESPONSE, api_field
from core.api.filters import FilterBackend
from core.api.viewsets import ScopedViewSetMixin
from practice import exports, services
from practice.api.pagination import PracticeLogCursorPagination
from practice.api.serializers import (
    ApproveBulkErrorSerializer,
    BulkCreateRequestSerializer,
    BulkCreateSerializer,
    BulkEntrySerializer,
    BulkResultSerializer,
    IdsSerializer,
    PracticeLogCreateSerializer,
    PracticeLogSerializer,
    RejectSerializer,
)
from practice.filters import PracticeLogFilter
from practice.models import PracticeLog
from practice.services import BulkRowStatus

_ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}
_READ_ERRORS = {404: ERROR_RESPONSE}
_LIST_ERRORS = {400: ERROR_RESPONSE}


class ExportNegotiation(DefaultContentNegotiation):
    """For the export, ``?format=`` names the file to build (csv or xlsx), not the renderer of the answer:
    the answer is the file itself, and an error (a bad filter, not signed in) is JSON whatever the
    client accepts."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


# --- Refusals ---------------------------------------------------------------------------------------


def _first_shape_error(errors: Any) -> tuple[str, str, str]:
    """The field, code and message of a serializer's first error (DRF keeps each error's code)."""
    if isinstance(errors, dict):
        field, detail = next(iter(errors.items()))
    else:
        field, detail = api_settings.NON_FIELD_ERRORS_KEY, errors
    while isinstance(detail, list | dict):
        detail = detail[0] if isinstance(detail, list) else next(iter(detail.values()))
    return str(field), str(getattr(detail, "code", "invalid")), str(detail)


# --- Bulk create ------------------------------------------------------------------------------------


def _raw_key(row: Any) -> str | None:
    key = row.get("idempotency_key") if isinstance(row, dict) else None
    return key if isinstance(key, str) else None


def _bulk_create(rows: list[Any], *, by: User) -> list[dict[str, Any]]:
    """Check each row's shape, hand the good ones to ``practice_logs_bulk_create``, and answer one result
    per row, in order: a row of the wrong shape is refused on its own, as a refused rule is."""
    results: dict[int, dict[str, Any]] = {}
    entries = []
    for index, row in enumerate(rows):
        serializer = BulkEntrySerializer(data=row)
        if not serializer.is_valid():
            field, rule, message = _first_shape_error(serializer.errors)
            results[index] = {
                "index": index,
                "idempotency_key": _raw_key(row),
                "status": BulkRowStatus.REFUSED,
                "id": None,
                "rule": rule,
                "field": field,
                "message": message,
            }
            continue
        data = dict(serializer.validated_data)
        entries.append(
            services.BulkEntry(
                index=index,
                placement_id=data.pop("placement"),
                category_id=data.pop("category"),
                idempotency_key=data.pop("idempotency_key"),
                **data,
            )
        )
    for outcome in services.practice_logs_bulk_create(rows=entries, by=by):
        result = asdict(outcome)
        if outcome.field is not None:
            result["field"] = api_field(outcome.field)
        results[outcome.index] = result
    return [results[index] for index in sorted(results)]


# --- Bulk approval ----------------------------------------------------------------------------------


def _approve_bulk_refusal(error: DjangoValidationError, ids: list[int], *, by: User) -> Response:
    failures = [
        {"id": refusal.id, "rule": refusal.rule, "field": api_field(refusal.field), "message": refusal.message}
        for refusal in services.practice_logs_approval_refusals(log_ids=ids, by=by)
    ]
    if not failures:
        raise error
    message = (
        failures[0]["message"]
        if len(failures) == 1
        else _("%(count)s entries cannot be approved; none was approved.") % {"count": len(failures)}
    )
    body = {
        "code": failures[0]["rule"],
        "message": message,
        "fields": {"ids": [f"{failure['id']}: {failure['message']}" for failure in failures]},
        "failures": failures,
    }
    return Response({"error": body}, status=status.HTTP_400_BAD_REQUEST)


# --- The viewset ------------------------------------------------------------------------------------

_ENTRY = {200: PracticeLogSerializer, **_ERRORS}

#: The list's description in the OpenAPI schema: who sees which entries, the paging, and what an empty page
#: means (a client that takes an empty page for the end of the data would start over, or stop, for nothing).
_LIST_DESCRIPTION = """Practice-hour entries the user may see: a student's own, their tutor's tutees', a supervisor's
supervisees' at the placements they supervise, a coordinator's at their partner, all for the office.

Newest first (by date, then id), in pages that follow a cursor: `next` and `previous` are the links to the pages
beyond this one, or null; there is no count. A cursor is a place in that order, not a page number: entries
logged while a client pages neither repeat nor push rows off a later page.

An empty `results` on the first page (no `cursor`) means the user may see no entry that matches the filters.
An empty page reached with a cursor means that no entry beyond the cursor is visible to the user any more (entries
left their scope, for example their placement's supervisor changed, since the link was made): it is not an error.
Its `previous` link (its `next` link, if it was reached through a `previous` link) leads back to the entries on the
other side of the cursor, the cursor's own entry included; the other link is null."""


@extend_schema_view(
    list=extend_schema(
        description=_LIST_DESCRIPTION, responses={200: PracticeLogSerializer(many=True), **_LIST_ERRORS}
    ),
    retrieve=extend_schema(responses={200: PracticeLogSerializer, **_READ_ERRORS}),
)
class PracticeLogViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Practice-hour entries the user may see: a student's own, their tutor's tutees', a supervisor's
    supervisees' at the placements they supervise, a coordinator's at their partner, all for the office.

    Entries are evidence: never edited or deleted. They are logged (one, or up to 500 in ``bulk``),
    withdrawn by the student while pending, and approved or rejected by the placement's supervisor."""

    queryset = PracticeLog.objects.select_related("student", "placement", "category")
    serializer_class = PracticeLogSerializer
    filterset_class = PracticeLogFilter
    filter_backends = [FilterBackend]
    pagination_class = PracticeLogCursorPagination
    write_actions = {"approve": "decide", "reject": "decide", "withdraw": "withdraw"}

    def _read(self, log: PracticeLog, code: int = status.HTTP_200_OK) -> Response:
        fresh = PracticeLog.objects.select_related("student", "placement", "category").get(pk=log.pk)
        return Response(PracticeLogSerializer(fresh).data, status=code)

    @extend_schema(
        request=PracticeLogCreateSerializer,
        responses={
            201: PracticeLogSerializer,
            200: OpenApiResponse(PracticeLogSerializer, description="The entry made earlier under this key."),
            **_ERRORS,
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Log one entry. A student's waits for the supervisor; a supervisor's is approved on entry."""
        serializer = PracticeLogCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        key = data.pop("idempotency_key", None) or None
        user: User = request.user  # type: ignore[assignment]
        earlier = _made_under(key, by=user)
        if earlier is not None:
            return self._read(earlier)
        try:
            log = services.practice_log_create(entry=services.EntryInput(**data), by=user, idempotency_key=key)
        except services.DuplicateEntry as duplicate:
            return self._read(duplicate.existing)
        except DjangoValidationError:
            # Two requests with one key at once: the first made the entry, the second broke a rule
            # because of it. Answer the entry, as a retry after the first would have been.
            earlier = _made_under(key, by=user)
            if earlier is None:
                raise
            return self._read(earlier)
        return self._read(log, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=_ENTRY)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """The placement's supervisor approves a pending entry (not one they entered themselves)."""
        log = self.get_object()
        log = services.practice_log_approve(log=log, by=request.user)  # type: ignore[arg-type]
        return self._read(log)

    @extend_schema(request=RejectSerializer, responses=_ENTRY)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """The placement's supervisor rejects a pending entry with a reason the student sees."""
        log = self.get_object()
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        log = services.practice_log_reject(
            log=log,
            by=request.user,  # type: ignore[arg-type]
            reason=serializer.validated_data["reason"],
        )
        return self._read(log)

    @extend_schema(request=None, responses=_ENTRY)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """The student withdraws their own pending entry."""
        log = self.get_object()
        log = services.practice_log_withdraw(log=log, by=request.user)  # type: ignore[arg-type]
        return self._read(log)

    @extend_schema(
        filters=False,
        request=IdsSerializer,
        responses={
            200: PracticeLogSerializer(many=True),
            400: OpenApiResponse(
                ApproveBulkErrorSerializer,
                description="Nothing was approved. `failures` names each entry that stopped it and its rule "
                "(`not_found` for an entry that does not exist or is not the caller's to approve).",
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="approve-bulk", pagination_class=None)
    def approve_bulk(self, request: Request) -> Response:
        """Approve many entries in one transaction: all of them, or none if any one cannot be approved."""
        serializer = IdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids: list[int] = serializer.validated_data["ids"]
        user: User = request.user  # type: ignore[assignment]
        try:
            approved = services.practice_logs_approve(log_ids=ids, by=user)
        except DjangoValidationError as error:
            return _approve_bulk_refusal(error, ids, by=user)
        logs = PracticeLog.objects.select_related("student", "placement", "category").filter(
            pk__in=[log.pk for log in approved]
        )
        return Response(PracticeLogSerializer(logs.order_by("-date", "-id"), many=True).data)

    @extend_schema(
        request=BulkCreateRequestSerializer,
        responses={
            200: OpenApiResponse(
                BulkResultSerializer,
                description="One result per row, in order. Rows are independent: a refused row creates "
                "nothing and stops nothing. Send the same request again after a failure: rows already "
                "made answer `duplicate` with their entry's id.",
            ),
            400: ERROR_RESPONSE,
        },
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def bulk(self, request: Request) -> Response:
        """Create up to 500 entries, each with an ``idempotency_key``; answered row by row."""
        serializer = BulkCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = _bulk_create(serializer.validated_data["entries"], by=request.user)  # type: ignore[arg-type]
        return Response({"results": results})

    @extend_schema(
        filters=True,
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=list(exports.FORMATS),
                default="csv",
                description="The file to build: CSV (streamed) or XLSX.",
            )
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, exports.XLSX_TYPE): OpenApiTypes.BINARY,
            400: ERROR_RESPONSE,
        },
    )
    @action(detail=False, methods=["get"], pagination_class=None, content_negotiation_class=ExportNegotiation)
    def export(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        """The entries the user may see, with the list's filters, as a CSV or XLSX file."""
        kind = request.query_params.get("format") or kwargs.get("format") or "csv"
        if kind not in exports.FORMATS:
            raise serializers.ValidationError({"format": [_("Choose csv or xlsx.")]})
        return exports.export_response(self.filter_queryset(self.get_queryset()), kind)


def _made_under(key: str | None, *, by: User) -> PracticeLog | None:
    """The entry ``by`` made earlier under ``key``, if any."""
    if key is None:
        return None
    return PracticeLog.objects.filter(entered_by=by, idempotency_key=key).first()
