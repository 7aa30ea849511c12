"""The projects API: ``/api/v1/projects/``, ``/api/v1/project-outputs/`` (with ``verify`` and ``reject``)
and ``/api/v1/points/`` (a person's ledger, ``?person=``; ``reverse`` takes an award back, the office's).

Reads are scoped by the base viewset mixin (``access.scope``): out of scope is a 404 and lists hold exactly
the rows in scope. Verifying or rejecting is the office's: a row the user sees but may not decide answers
403. A refused rule (``already_decided``, ``reason_required``) answers Tandem's error format with the rule
as ``code``.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import ERROR_RESPONSE
from core.api.filters import IdFilter
from core.api.viewsets import ScopedViewSetMixin
from core.views import request_user
from projects import services
from projects.api.serializers import (
    DecisionSerializer,
    PointAwardReverseSerializer,
    PointAwardSerializer,
    ProjectOutputSerializer,
    ProjectSerializer,
)
from projects.models import (
    OutputStatus,
    PointAward,
    Project,
    ProjectKind,
    ProjectMember,
    ProjectOutput,
    ProjectStatus,
    Scale,
)
from projects.services import points

_ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}
_READ_ERRORS = {404: ERROR_RESPONSE}
_LIST_ERRORS = {400: ERROR_RESPONSE}


class _ScopedReadViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    filter_backends = [filters.DjangoFilterBackend]


class ProjectFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ProjectStatus.choices)
    kind = filters.MultipleChoiceFilter(choices=ProjectKind.choices)
    scale = filters.ChoiceFilter(choices=Scale.choices)
    partner = IdFilter(field_name="lead_partner_id", label="Lead partner (id)")
    programme = IdFilter(field_name="programme_id", label="Programme (id)")

    class Meta:
        model = Project
        fields = ["status", "kind", "scale", "partner", "programme"]


@extend_schema_view(
    list=extend_schema(responses={200: ProjectSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ProjectSerializer, **_READ_ERRORS}),
)
class ProjectViewSet(_ScopedReadViewSet):
    """Projects the user may see: the office all; members and leaders their own; coordinators those their
    partner is involved in."""

    queryset = Project.objects.prefetch_related(
        "partner_links", Prefetch("members", queryset=ProjectMember.objects.order_by("role", "pk"))
    ).order_by("-start_date", "-pk")
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter


class OutputFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=OutputStatus.choices)
    project = IdFilter(field_name="project_id", label="Project (id)")

    class Meta:
        model = ProjectOutput
        fields = ["status", "project"]


_OUTPUT = {200: ProjectOutputSerializer, **_ERRORS}


@extend_schema_view(
    list=extend_schema(responses={200: ProjectOutputSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ProjectOutputSerializer, **_READ_ERRORS}),
)
class ProjectOutputViewSet(_ScopedReadViewSet):
    """Outputs of the projects the user may see. The office verifies (the evidence checked: the
    contributors earn their points) or rejects (with a note) an output awaiting verification."""

    queryset = ProjectOutput.objects.prefetch_related("contributors").order_by("-achieved_on", "-pk")
    serializer_class = ProjectOutputSerializer
    filterset_class = OutputFilter
    write_actions = {"verify": "verify", "reject": "verify"}

    def _read(self, output: ProjectOutput) -> Response:
        fresh = self.get_queryset().get(pk=output.pk)
        return Response(ProjectOutputSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=DecisionSerializer, responses=_OUTPUT)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """The evidence is checked: verify the output and award its contributors their points."""
        output = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        output = services.output_verify(output=output, note=serializer.validated_data["note"], by=request_user(request))
        return self._read(output)

    @extend_schema(request=DecisionSerializer, responses=_OUTPUT)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """The evidence does not hold: reject the output, saying why (``note``); no points."""
        output = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        output = services.output_reject(output=output, note=serializer.validated_data["note"], by=request_user(request))
        return self._read(output)


class PointFilter(filters.FilterSet):
    person = IdFilter(field_name="person_id", label="Person (user id)")
    year = filters.NumberFilter(field_name="year")
    project = IdFilter(field_name="project_id", label="Project (id)")

    class Meta:
        model = PointAward
        fields = ["person", "year", "project"]


@extend_schema_view(
    list=extend_schema(responses={200: PointAwardSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: PointAwardSerializer, **_READ_ERRORS}),
)
class PointAwardViewSet(_ScopedReadViewSet):
    """The points ledger: one's own rows (``?person=`` narrows to one person among those the user may see:
    the office all; a tutor their tutees'; a coordinator those earned on projects their partner is in).
    Reversals are rows with negative points naming the award they cancel."""

    queryset = PointAward.objects.select_related("scheme").order_by("-awarded_on", "-pk")
    serializer_class = PointAwardSerializer
    filterset_class = PointFilter
    write_actions = {"reverse": "reverse"}

    @extend_schema(request=PointAwardReverseSerializer, responses={201: PointAwardSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str | None = None) -> Response:
        """Take an award back (the office), saying why: answers the reversal row (negative points)."""
        award = self.get_object()
        serializer = PointAwardReverseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reversal = points.award_reverse(
            award=award, reason=serializer.validated_data["reason"], by=request_user(request)
        )
        fresh = PointAward.objects.select_related("scheme").get(pk=reversal.pk)
        return Response(PointAwardSerializer(fresh).data, status=201)
