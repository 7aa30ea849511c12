"""API for training funds: ``/api/v1/funds/``, ``allocations/``, ``expenditures/`` (record, approve,
reverse) and ``fund-flags/`` (resolve).

Reads are scoped by the base viewset mixin (``access.scope``): out of scope is a 404. Writes go through
``funds.services``; the access action is checked first, so a row the user sees but may not act on answers
403. A refused rule answers Tandem's error format with the rule as ``code`` (``beyond_authority``,
``segregation_of_duties``, ...).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import ERROR_RESPONSE
from core.api.filters import IdFilter
from core.api.viewsets import ScopedViewSetMixin
from core.views import request_user
from funds import services
from funds.api.serializers import (
    AllocationSerializer,
    ExpenditureCreateSerializer,
    ExpenditureReverseSerializer,
    ExpenditureSerializer,
    FlagSerializer,
    FundSerializer,
    ResolveSerializer,
)
from funds.models import (
    Allocation,
    BudgetLine,
    Category,
    Expenditure,
    ExpenditureStatus,
    Flag,
    FlagRule,
    FlagStatus,
    Fund,
    Receipt,
)

_ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}
_READ_ERRORS = {404: ERROR_RESPONSE}
_LIST_ERRORS = {400: ERROR_RESPONSE}
_UPLOAD_TYPES = ["application/json", "multipart/form-data"]


class _ScopedReadViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    filter_backends = [filters.DjangoFilterBackend]


@extend_schema_view(
    list=extend_schema(responses={200: FundSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: FundSerializer, **_READ_ERRORS}),
)
class FundViewSet(_ScopedReadViewSet):
    """Training funds: the office all; a partner's coordinators and finance officers, and inspectors during
    an inspection of it, the funds allocated to that partner."""

    queryset = Fund.objects.order_by("-start_date", "pk")
    serializer_class = FundSerializer


class AllocationFilter(filters.FilterSet):
    fund = IdFilter(field_name="fund_id", label="Fund (id)")
    partner = IdFilter(field_name="partner_id", label="Partner (id)")

    class Meta:
        model = Allocation
        fields = ["fund", "partner"]


@extend_schema_view(
    list=extend_schema(responses={200: AllocationSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: AllocationSerializer, **_READ_ERRORS}),
)
class AllocationViewSet(_ScopedReadViewSet):
    """Allocations with their current version's period and budget by category."""

    queryset = Allocation.objects.select_related("current_version").order_by("pk")
    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter

    def get_queryset(self) -> QuerySet[Allocation]:
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("current_version__lines", queryset=BudgetLine.objects.order_by("category")))
        )


class ExpenditureFilter(filters.FilterSet):
    allocation = IdFilter(field_name="allocation_id", label="Allocation (id)")
    status = filters.ChoiceFilter(choices=ExpenditureStatus.choices)
    category = filters.ChoiceFilter(choices=Category.choices)

    class Meta:
        model = Expenditure
        fields = ["allocation", "status", "category"]


@extend_schema_view(
    list=extend_schema(responses={200: ExpenditureSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ExpenditureSerializer, **_READ_ERRORS}),
)
class ExpenditureViewSet(mixins.CreateModelMixin, _ScopedReadViewSet):
    """The ledger: spending the user may see (a student: their own stipend payments). Recorded by a
    partner's finance officers and coordinators (and the office); approved under the approver's authority;
    corrected only by a reversal."""

    queryset = Expenditure.objects.prefetch_related(
        Prefetch("receipts", queryset=Receipt.objects.order_by("pk"))
    ).order_by("-date", "-pk")
    serializer_class = ExpenditureSerializer
    filterset_class = ExpenditureFilter
    write_actions = {"approve": "approve", "reverse": "reverse"}

    def _read(self, expenditure: Expenditure, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=expenditure.pk)
        return Response(ExpenditureSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request={media: ExpenditureCreateSerializer for media in _UPLOAD_TYPES},
        responses={201: ExpenditureSerializer, **_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record spending at an allocation of one's partner, with receipts (PDF, JPEG or PNG, checked by
        content). It awaits approval; flags are computed at once."""
        serializer = ExpenditureCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expenditure = services.expenditure_create(
            entry=services.ExpenditureInput(
                allocation=data["allocation"],
                category=data["category"],
                date=data["date"],
                amount=data["amount"],
                payee=data["payee"],
                description=data.get("description", ""),
                student=data.get("student"),
            ),
            receipts=data.get("receipts") or [],
            by=request_user(request),
        )
        return self._read(expenditure, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ExpenditureSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve under the caller's authority (refused beyond it, ``beyond_authority``, and for one's own
        entry, ``segregation_of_duties``; refused attempts are recorded)."""
        expenditure = self.get_object()
        return self._read(services.expenditure_approve(expenditure=expenditure, by=request_user(request)))

    @extend_schema(request=ExpenditureReverseSerializer, responses={201: ExpenditureSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str | None = None) -> Response:
        """Reverse recorded spending with a reason: answers the reversal entry."""
        expenditure = self.get_object()
        serializer = ExpenditureReverseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reversal = services.expenditure_reverse(
            expenditure=expenditure, reason=serializer.validated_data["reason"], by=request_user(request)
        )
        return self._read(reversal, status.HTTP_201_CREATED)


class FlagFilter(filters.FilterSet):
    allocation = IdFilter(field_name="allocation_id", label="Allocation (id)")
    status = filters.ChoiceFilter(choices=FlagStatus.choices)
    rule = filters.ChoiceFilter(choices=FlagRule.choices)

    class Meta:
        model = Flag
        fields = ["allocation", "status", "rule"]


@extend_schema_view(
    list=extend_schema(responses={200: FlagSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: FlagSerializer, **_READ_ERRORS}),
)
class FlagViewSet(_ScopedReadViewSet):
    """Fund flags with their rule and explanation; the office resolves them."""

    queryset = Flag.objects.order_by("-raised_at", "-pk")
    serializer_class = FlagSerializer
    filterset_class = FlagFilter
    write_actions = {"resolve": "resolve"}

    @extend_schema(request=ResolveSerializer, responses={200: FlagSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Resolve a flag (the office): accepted, corrected or referred as a violation, with a note."""
        flag = self.get_object()
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flag = services.flag_resolve(
            flag=flag,
            resolution=serializer.validated_data["resolution"],
            note=serializer.validated_data["note"],
            by=request_user(request),
        )
        return Response(FlagSerializer(flag, context=self.get_serializer_context()).data)
