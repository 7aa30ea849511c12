"""API for programmes and agreements: scoped reads with everything nested, prefetched once per page."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from core.api.errors import ERROR_RESPONSE
from core.api.filters import IdFilter
from core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from partners import access
from programmes import services
from programmes.api.serializers import AgreementSerializer, AgreementWriteSerializer, ProgrammeSerializer
from programmes.models import EXPIRY_WARNING_DAYS, Agreement, AgreementStatus, Programme

_ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}
_READ_ERRORS = {404: ERROR_RESPONSE}
_LIST_ERRORS = {400: ERROR_RESPONSE}


class ProgrammeFilter(filters.FilterSet):
    lead_university = IdFilter(field_name="lead_university_id", label=gettext_lazy("Lead university (partner id)"))

    class Meta:
        model = Programme
        fields = ["status", "degree_type", "lead_university"]


@extend_schema_view(
    list=extend_schema(responses={200: ProgrammeSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ProgrammeSerializer, **_READ_ERRORS}),
)
class ProgrammeViewSet(ScopedReadOnlyViewSet):
    """Programmes the user may see, with objectives, partners, requirements, milestones and cohorts."""

    queryset = Programme.objects.select_related("lead_university").prefetch_related(
        "objectives",
        "participations__partner",
        "credit_requirements",
        "activity_categories",
        "milestone_templates",
        "cohorts",
    )
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code"]


class AgreementFilter(filters.FilterSet):
    programme = IdFilter(field_name="programme_id", label=gettext_lazy("Programme id"))
    ending_soon = filters.BooleanFilter(method="filter_ending_soon", label="Signed and ending within 60 days")

    class Meta:
        model = Agreement
        fields = ["programme", "status"]

    def filter_ending_soon(self, queryset: QuerySet[Agreement], name: str, value: bool | None) -> QuerySet[Agreement]:
        if value is None:
            return queryset
        today = timezone.localdate()
        soon = queryset.filter(
            status=AgreementStatus.SIGNED,
            end_date__gte=today,
            end_date__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS),
        )
        return soon if value else queryset.exclude(pk__in=soon.values("pk"))


@extend_schema_view(
    list=extend_schema(responses={200: AgreementSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: AgreementSerializer, **_READ_ERRORS}),
    create=extend_schema(request=AgreementWriteSerializer, responses={201: AgreementSerializer, **_ERRORS}),
    update=extend_schema(request=AgreementWriteSerializer, responses={200: AgreementSerializer, **_ERRORS}),
    partial_update=extend_schema(request=AgreementWriteSerializer, responses={200: AgreementSerializer, **_ERRORS}),
)
class AgreementViewSet(ScopedModelViewSet):
    """Cooperation agreements the user may see (office and tutors: all; partners: those they are party to).

    The office records and edits an agreement's terms and parties here; the signed PDF is uploaded, and an
    agreement terminated, on the agreement's page. Agreements are never deleted.
    """

    queryset = Agreement.objects.select_related("programme").prefetch_related("parties__partner")
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    search_fields = ["title", "reference"]
    ordering_fields = ["end_date", "start_date", "title"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action in ("create", "update", "partial_update"):
            return AgreementWriteSerializer
        return AgreementSerializer

    def _read(self, agreement: Agreement, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=agreement.pk)
        return Response(AgreementSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @staticmethod
    def _parties(rows: list[dict[str, Any]] | None) -> list[services.PartyTerms] | None:
        if rows is None:
            return None
        return [services.PartyTerms(**row) for row in rows]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not access.can(request.user, "create", Agreement):
            access.record_denial(request.user, "create", Agreement)
            raise exceptions.PermissionDenied(_("Only the graduate office records agreements."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        programme, parties = data.pop("programme"), self._parties(data.pop("parties"))
        agreement = services.agreement_create(
            programme=programme,
            by=request.user,  # type: ignore[arg-type]
            parties=parties or [],
            **data,
        )
        return self._read(agreement, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        agreement = self.get_object()
        serializer = self.get_serializer(agreement, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parties = self._parties(data.pop("parties", None))
        agreement = services.agreement_update(
            agreement=agreement,
            by=request.user,  # type: ignore[arg-type]
            parties=parties,
            **data,
        )
        return self._read(agreement)
