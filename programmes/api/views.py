"""API for programmes and agreements: scoped reads with everything nested, prefetched once per page."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from core.api.errors import ERROR_RESPONSE
from core.api.filters import IdFilter
from core.api.viewsets import ScopedModelViewSet
from partners import access
from programmes import selectors, services
from programmes.api.serializers import (
    ActivityCategorySerializer,
    ActivityCategoryWriteSerializer,
    AgreementSerializer,
    AgreementWriteSerializer,
    CohortSerializer,
    CohortWriteSerializer,
    ObjectiveSerializer,
    ParticipationSerializer,
    ParticipationWriteSerializer,
    ProgrammeCopySerializer,
    ProgrammeSerializer,
    ProgrammeWriteSerializer,
    RequirementsSerializer,
)
from programmes.models import (
    EXPIRY_WARNING_DAYS,
    ActivityCategory,
    Agreement,
    AgreementStatus,
    Cohort,
    Objective,
    Participation,
    Programme,
    RequirementsVersion,
)

_ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}
_READ_ERRORS = {404: ERROR_RESPONSE}
_LIST_ERRORS = {400: ERROR_RESPONSE}


class ProgrammeFilter(filters.FilterSet):
    lead_university = IdFilter(field_name="lead_university_id", label=gettext_lazy("Lead university (partner id)"))

    class Meta:
        model = Programme
        fields = ["status", "degree_type", "lead_university"]


def _office_only(request: Request, action: str, target: Any) -> None:
    if not access.can(request.user, action, target):
        access.record_denial(request.user, action, target)
        raise exceptions.PermissionDenied(_("Only the graduate office sets up programmes."))


def _part(model: type[Any], programme: Programme, pk: str) -> Any:
    """A part (objective, cohort...) of a programme already fetched in scope, else 404."""
    try:
        return model.objects.select_related("programme").get(programme=programme, pk=int(pk))
    except (ValueError, model.DoesNotExist):
        raise Http404 from None


@extend_schema_view(
    list=extend_schema(responses={200: ProgrammeSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ProgrammeSerializer, **_READ_ERRORS}),
    create=extend_schema(request=ProgrammeWriteSerializer, responses={201: ProgrammeSerializer, **_ERRORS}),
    update=extend_schema(request=ProgrammeWriteSerializer, responses={200: ProgrammeSerializer, **_ERRORS}),
    partial_update=extend_schema(request=ProgrammeWriteSerializer, responses={200: ProgrammeSerializer, **_ERRORS}),
)
class ProgrammeViewSet(ScopedModelViewSet):
    """Programmes the user may see, with objectives, partners, requirements, milestones and cohorts.

    The office sets them up here as on the pages: the programme itself, ``copy`` (next year's, a draft),
    ``requirements`` (a new version on every change; approved plans keep theirs), and the nested
    ``objectives``, ``activity-categories``, ``cohorts`` and ``participations``. Programmes are never
    deleted. Seen but not the office: 403; not seen: 404.
    """

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
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    write_actions = {
        "update": "change",
        "partial_update": "change",
        "copy": "change",
        "objectives": "change",
        "objective_detail": "change",
        "activity_categories": "change",
        "activity_category_detail": "change",
        "cohorts": "change",
        "cohort_detail": "change",
        "participations": "change",
        "participation_detail": "change",
    }

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action in ("create", "update", "partial_update"):
            return ProgrammeWriteSerializer
        return ProgrammeSerializer

    def _read(self, programme: Programme, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=programme.pk)
        return Response(ProgrammeSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _valid(self, serializer_class: type[BaseSerializer[Any]], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _office_only(request, "create", Programme)
        data = self._valid(ProgrammeWriteSerializer)
        programme = services.programme_create(by=request.user, **data)  # type: ignore[arg-type]
        return self._read(programme, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self.get_object()
        data = self._valid(ProgrammeWriteSerializer, partial=kwargs.get("partial", False))
        programme = services.programme_update(programme=programme, by=request.user, **data)  # type: ignore[arg-type]
        return self._read(programme)

    @extend_schema(request=ProgrammeCopySerializer, responses={201: ProgrammeSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str | None = None) -> Response:
        """Start next year's programme from this one: a draft with the same set-up and no cohorts."""
        programme = self.get_object()
        data = self._valid(ProgrammeCopySerializer)
        copy = services.programme_copy(programme=programme, by=request.user, **data)  # type: ignore[arg-type]
        return self._read(copy, status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: RequirementsSerializer, **_READ_ERRORS})
    @extend_schema(methods=["PUT"], request=RequirementsSerializer, responses={200: RequirementsSerializer, **_ERRORS})
    @action(detail=True, methods=["get", "put"])
    def requirements(self, request: Request, pk: str | None = None) -> Response:
        """The programme's requirements now in force (GET), or all of them replaced (PUT, the office)."""
        programme = self.get_object()
        version: RequirementsVersion | None
        if request.method == "PUT":
            _office_only(request, "change", programme)
            data = self._valid(RequirementsSerializer)
            version = services.programme_requirements_set(
                programme=programme,
                by=request.user,  # type: ignore[arg-type]
                requirements=services.Requirements(
                    credits=data.get("credits", {}),
                    hours=data.get("hours", {}),
                    milestones=data.get("milestones", {}),
                    project_points=data.get("project_points", 0),
                ),
                summary=data.get("summary", ""),
            )
            programme.refresh_from_db()
        else:
            version = selectors.requirements_versions(user=request.user, programme=programme).first()
        current = services.programme_requirements(programme)
        body = current.snapshot() | {"version": version.number if version is not None else None}
        return Response(body)

    def _created(self, part: Any, serializer_class: type[BaseSerializer[Any]], code: int) -> Response:
        return Response(serializer_class(part).data, status=code)

    @extend_schema(request=ObjectiveSerializer, responses={201: ObjectiveSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def objectives(self, request: Request, pk: str | None = None) -> Response:
        """Add a training objective."""
        programme = self.get_object()
        data = self._valid(ObjectiveSerializer)
        objective = services.objective_create(programme=programme, by=request.user, **data)  # type: ignore[arg-type]
        return self._created(objective, ObjectiveSerializer, status.HTTP_201_CREATED)

    @extend_schema(request=ObjectiveSerializer, responses={200: ObjectiveSerializer, **_ERRORS})
    @action(detail=True, methods=["put"], url_path=r"objectives/(?P<part_pk>[0-9]+)", url_name="objective-detail")
    def objective_detail(self, request: Request, pk: str | None = None, part_pk: str = "") -> Response:
        """Change an objective (kind, code, description)."""
        objective = _part(Objective, self.get_object(), part_pk)
        data = self._valid(ObjectiveSerializer)
        objective = services.objective_update(objective=objective, by=request.user, **data)  # type: ignore[arg-type]
        return self._created(objective, ObjectiveSerializer, status.HTTP_200_OK)

    @extend_schema(request=ActivityCategoryWriteSerializer, responses={201: ActivityCategorySerializer, **_ERRORS})
    @action(detail=True, methods=["post"], url_path="activity-categories", url_name="activity-categories")
    def activity_categories(self, request: Request, pk: str | None = None) -> Response:
        """Add an activity category to the practice catalogue (its hours are set under ``requirements``)."""
        programme = self.get_object()
        data = self._valid(ActivityCategoryWriteSerializer)
        category = services.activity_category_create(programme=programme, by=request.user, **data)  # type: ignore[arg-type]
        return self._created(category, ActivityCategorySerializer, status.HTTP_201_CREATED)

    @extend_schema(request=ActivityCategoryWriteSerializer, responses={200: ActivityCategorySerializer, **_ERRORS})
    @action(
        detail=True,
        methods=["put"],
        url_path=r"activity-categories/(?P<part_pk>[0-9]+)",
        url_name="activity-category-detail",
    )
    def activity_category_detail(self, request: Request, pk: str | None = None, part_pk: str = "") -> Response:
        """Rename an activity category or change its code."""
        category = _part(ActivityCategory, self.get_object(), part_pk)
        data = self._valid(ActivityCategoryWriteSerializer)
        category = services.activity_category_update(category=category, by=request.user, **data)  # type: ignore[arg-type]
        return self._created(category, ActivityCategorySerializer, status.HTTP_200_OK)

    @extend_schema(request=CohortWriteSerializer, responses={201: CohortSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def cohorts(self, request: Request, pk: str | None = None) -> Response:
        """Open the cohort of an intake year (inside the programme's intake years)."""
        programme = self.get_object()
        data = self._valid(CohortWriteSerializer)
        cohort = services.cohort_create(programme=programme, by=request.user, **data)  # type: ignore[arg-type]
        return self._created(cohort, CohortSerializer, status.HTTP_201_CREATED)

    @extend_schema(request=CohortSerializer, responses={200: CohortSerializer, **_ERRORS})
    @action(detail=True, methods=["patch"], url_path=r"cohorts/(?P<part_pk>[0-9]+)", url_name="cohort-detail")
    def cohort_detail(self, request: Request, pk: str | None = None, part_pk: str = "") -> Response:
        """Rename a cohort (its intake year stays)."""
        cohort = _part(Cohort, self.get_object(), part_pk)
        name = str(request.data.get("name", cohort.name)) if hasattr(request.data, "get") else cohort.name
        cohort = services.cohort_update(cohort=cohort, by=request.user, name=name)  # type: ignore[arg-type]
        return self._created(cohort, CohortSerializer, status.HTTP_200_OK)

    @extend_schema(request=ParticipationWriteSerializer, responses={201: ParticipationSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def participations(self, request: Request, pk: str | None = None) -> Response:
        """Let a partner take part, with its role and responsibilities (not a suspended one)."""
        programme = self.get_object()
        data = self._valid(ParticipationWriteSerializer)
        participation = services.participation_create(programme=programme, by=request.user, **data)  # type: ignore[arg-type]
        return self._created(participation, ParticipationSerializer, status.HTTP_201_CREATED)

    @extend_schema(request=ParticipationWriteSerializer, responses={200: ParticipationSerializer, **_ERRORS})
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"participations/(?P<part_pk>[0-9]+)",
        url_name="participation-detail",
    )
    def participation_detail(self, request: Request, pk: str | None = None, part_pk: str = "") -> Response:
        """Change a participating partner's role or responsibilities."""
        participation = _part(Participation, self.get_object(), part_pk)
        data = self._valid(ParticipationWriteSerializer, partial=True)
        participation = services.participation_update(
            participation=participation,
            by=request.user,  # type: ignore[arg-type]
            role=data.get("role", participation.role),
            responsibilities=data.get("responsibilities", participation.responsibilities),
        )
        return self._created(participation, ParticipationSerializer, status.HTTP_200_OK)


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
