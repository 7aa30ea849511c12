"""API for students, training plans, placements and milestones.

Reads are scoped by the base viewsets (out of scope is a 404). Every write goes through one service of
``students.services``; before calling it the view asks the access layer, so that a row the user may see
but not act on answers 403 (a 404 would hide nothing: the user already sees it). A refused transition
or a broken rule is the service's ``ValidationError``, a 400 naming the field.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db.models import Prefetch, QuerySet
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
from core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from partners import access
from students import services
from students.api.serializers import (
    MilestoneCompleteSerializer,
    MilestoneSerializer,
    PlacementSerializer,
    ReasonSerializer,
    StudentCreateSerializer,
    StudentSerializer,
    StudentWriteSerializer,
    TrainingPlanSerializer,
)
from students.models import (
    Milestone,
    Placement,
    PlacementStatus,
    PlanEvent,
    PlanStatus,
    Student,
    TrainingPlan,
    placement_status_q,
)

_ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}
_READ_ERRORS = {404: ERROR_RESPONSE}
_LIST_ERRORS = {400: ERROR_RESPONSE}


def _deny(user: Any, action_name: str, obj: Any, message: str | None = None) -> NoReturn:
    """Record the denial and answer 403: the user sees the row but may not do this to it."""
    access.record_denial(user, action_name, obj)
    raise exceptions.PermissionDenied(message)


# --- Students ---------------------------------------------------------------------------------------


class StudentFilter(filters.FilterSet):
    programme = IdFilter(field_name="programme_id", label=gettext_lazy("Programme id"))
    cohort = IdFilter(field_name="cohort_id", label=gettext_lazy("Cohort id"))
    tutor = IdFilter(field_name="tutor_id", label=gettext_lazy("Tutor (user id)"))

    class Meta:
        model = Student
        fields = ["programme", "cohort", "status", "tutor"]


@extend_schema_view(
    list=extend_schema(responses={200: StudentSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: StudentSerializer, **_READ_ERRORS}),
    create=extend_schema(request=StudentCreateSerializer, responses={201: StudentSerializer, **_ERRORS}),
    partial_update=extend_schema(request=StudentWriteSerializer, responses={200: StudentSerializer, **_ERRORS}),
)
class StudentViewSet(ScopedModelViewSet):
    """Students the user may see. The office enrols students (a new account, or an existing one) and edits
    their records; plan content is changed through placements and the plan actions."""

    queryset = Student.objects.select_related("user", "programme", "cohort", "tutor", "practice_supervisor", "plan")
    serializer_class = StudentSerializer
    filterset_class = StudentFilter
    search_fields = ["student_number", "user__username", "user__full_name", "user__first_name", "user__last_name"]
    ordering_fields = ["student_number", "enrolled_on", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    write_actions = {"partial_update": "change"}

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return StudentCreateSerializer
        if self.action == "partial_update":
            return StudentWriteSerializer
        return StudentSerializer

    def _read(self, student: Student) -> Response:
        fresh = self.get_queryset().get(pk=student.pk)
        return Response(StudentSerializer(fresh, context=self.get_serializer_context()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not access.can(request.user, "create", Student):
            _deny(request.user, "create", Student, _("Only the graduate office enrols students."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = data.pop("user", None)
        username = data.pop("username", "")
        full_name, email = data.pop("full_name", ""), data.pop("email", "")
        if user is not None:
            student = services.student_create(by=request.user, user=user, **data)  # type: ignore[arg-type]
        else:
            student = services.student_create_with_user(
                by=request.user,  # type: ignore[arg-type]
                username=username,
                full_name=full_name,
                email=email,
                **data,
            )
        response = self._read(student)
        response.status_code = status.HTTP_201_CREATED
        return response

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        student = self.get_object()
        serializer = self.get_serializer(student, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        student = services.student_update(student=student, by=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return self._read(student)


# --- Training plans ---------------------------------------------------------------------------------


class TrainingPlanFilter(filters.FilterSet):
    programme = IdFilter(field_name="student__programme_id", label=gettext_lazy("Programme id"))
    student = IdFilter(field_name="student_id", label=gettext_lazy("Student id"))

    class Meta:
        model = TrainingPlan
        fields = ["status", "student", "is_amendment"]


_PLAN_RESPONSES = {200: TrainingPlanSerializer, **_ERRORS}


@extend_schema_view(
    list=extend_schema(responses={200: TrainingPlanSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: TrainingPlanSerializer, **_READ_ERRORS}),
)
class TrainingPlanViewSet(ScopedReadOnlyViewSet):
    """Training plans the user may see, and their approval workflow.

    ``submit`` (the student or the tutor), ``approve`` (the tutor approves a submitted plan; the office
    approves a plan the tutor approved), ``return`` with a reason (the tutor, or the office at any step),
    ``amend`` with a reason (opens an approved plan for changes). Each answers the plan.
    """

    queryset = TrainingPlan.objects.select_related("student__user")
    serializer_class = TrainingPlanSerializer
    filterset_class = TrainingPlanFilter
    search_fields = ["student__student_number", "student__user__full_name", "student__user__username"]
    ordering_fields = ["updated_at", "status", "student__student_number"]
    write_actions = {"submit": "submit", "return_plan": "return", "amend": "edit"}

    def get_queryset(self) -> QuerySet[TrainingPlan]:
        user = self.request.user
        # Only the placements the reader may see: a coordinator reads those at their own partner.
        visible = access.scope(
            Placement.objects.select_related("partner", "site", "supervisor").order_by("start_date", "pk"), user
        )
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("student__placements", queryset=visible, to_attr="visible_placements"),
                Prefetch("events", queryset=PlanEvent.objects.select_related("by").order_by("-at", "-pk")),
            )
            .order_by("student__student_number")
        )

    def _read(self, plan: TrainingPlan) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)

    @extend_schema(request=None, responses=_PLAN_RESPONSES)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit a draft or returned plan for the tutor's approval (the student or the tutor)."""
        plan = self.get_object()
        return self._read(services.plan_submit(plan=plan, by=request.user))  # type: ignore[arg-type]

    @extend_schema(request=None, responses=_PLAN_RESPONSES)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve the plan at the caller's step: the student's tutor approves a submitted plan (it goes to
        the office); the office approves a plan the tutor approved (it becomes the approved version)."""
        plan = self.get_object()
        user = request.user
        as_tutor = access.can(user, "tutor_approve", plan)
        as_office = access.can(user, "approve", plan)
        if as_tutor and (plan.status == PlanStatus.SUBMITTED or not as_office):
            plan = services.plan_tutor_approve(plan=plan, by=user)  # type: ignore[arg-type]
        elif as_office:
            plan = services.plan_approve(plan=plan, by=user)  # type: ignore[arg-type]
        else:
            _deny(user, "approve", plan)
        return self._read(plan)

    @extend_schema(request=ReasonSerializer, responses=_PLAN_RESPONSES)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_plan(self, request: Request, pk: str | None = None) -> Response:
        """Send a submitted plan back to the student with a reason."""
        plan = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_return(plan=plan, by=request.user, reason=serializer.validated_data["reason"])  # type: ignore[arg-type]
        return self._read(plan)

    @extend_schema(request=ReasonSerializer, responses=_PLAN_RESPONSES)
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        """Open an approved plan for changes (an amendment, approved again like the plan itself)."""
        plan = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_amend(plan=plan, by=request.user, reason=serializer.validated_data["reason"])  # type: ignore[arg-type]
        return self._read(plan)


# --- Placements -------------------------------------------------------------------------------------


class PlacementFilter(filters.FilterSet):
    student = IdFilter(field_name="student_id", label=gettext_lazy("Student id"))
    status = filters.ChoiceFilter(
        choices=PlacementStatus.choices, method="filter_status", label="Status as of today (as the placement shows it)"
    )
    partner = IdFilter(field_name="partner_id", label=gettext_lazy("Partner id"))
    supervisor = IdFilter(field_name="supervisor_id", label=gettext_lazy("Supervisor (user id)"))
    date_from = filters.DateFilter(field_name="end_date", lookup_expr="gte", label="Running on or after this day")
    date_to = filters.DateFilter(field_name="start_date", lookup_expr="lte", label="Running on or before this day")

    class Meta:
        model = Placement
        fields = ["student", "partner", "supervisor"]

    def filter_status(self, queryset: QuerySet[Placement], name: str, value: str) -> QuerySet[Placement]:
        return queryset.filter(placement_status_q(value, timezone.localdate()))


@extend_schema_view(
    list=extend_schema(responses={200: PlacementSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: PlacementSerializer, **_READ_ERRORS}),
    create=extend_schema(responses={201: PlacementSerializer, **_ERRORS}),
    update=extend_schema(responses={200: PlacementSerializer, **_ERRORS}),
    partial_update=extend_schema(responses={200: PlacementSerializer, **_ERRORS}),
)
class PlacementViewSet(ScopedModelViewSet):
    """Placements the user may see. Whoever may edit the student's plan (the student, the tutor, the
    office) adds, changes and cancels them while the plan is a draft or returned."""

    queryset = Placement.objects.select_related("student", "partner", "site", "supervisor").prefetch_related(
        "objectives", "required_hours"
    )
    serializer_class = PlacementSerializer
    filterset_class = PlacementFilter
    ordering_fields = ["start_date", "end_date"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    # Placement writes need the right to edit the student's plan: checked in check_object_permissions.
    write_actions: dict[str, str] = {}
    _plan_writes = ("update", "partial_update", "cancel")

    def check_object_permissions(self, request: Request, obj: Placement) -> None:  # type: ignore[override]
        super().check_object_permissions(request, obj)
        if self.action in self._plan_writes and not access.can(request.user, "edit", obj.student.plan):
            _deny(request.user, "edit", obj.student.plan)

    def _read(self, placement: Placement, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=placement.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        plan = TrainingPlan.objects.filter(student=data.pop("student")).first()
        if plan is None:
            raise exceptions.ValidationError({"student": [_("This student has no training plan.")]})
        if not access.can(request.user, "edit", plan):
            _deny(request.user, "edit", plan)
        placement = services.placement_create(plan=plan, by=request.user, **data)  # type: ignore[arg-type]
        return self._read(placement, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        placement = self.get_object()
        serializer = self.get_serializer(placement, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        current = {
            "site": placement.site,
            "supervisor": placement.supervisor,
            "start_date": placement.start_date,
            "end_date": placement.end_date,
            "objectives": list(placement.objectives.all()),
            "required_hours": {row.category: row.hours for row in placement.required_hours.select_related("category")},
            "notes": placement.notes,
        }
        placement = services.placement_update(placement=placement, by=request.user, **{**current, **data})  # type: ignore[arg-type]
        return self._read(placement)

    @extend_schema(request=ReasonSerializer, responses={200: PlacementSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel the placement with a reason; it stays on record, marked cancelled."""
        placement = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        placement = services.placement_cancel(
            placement=placement,
            by=request.user,  # type: ignore[arg-type]
            reason=serializer.validated_data["reason"],
        )
        return self._read(placement)


# --- Milestones -------------------------------------------------------------------------------------


class MilestoneFilter(filters.FilterSet):
    student = IdFilter(field_name="student_id", label=gettext_lazy("Student id"))
    due_after = filters.DateFilter(field_name="due_date", lookup_expr="gte", label="Due on or after this day")
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte", label="Due on or before this day")

    class Meta:
        model = Milestone
        fields = ["student", "kind", "status"]


@extend_schema_view(
    list=extend_schema(responses={200: MilestoneSerializer(many=True), **_LIST_ERRORS}),
    retrieve=extend_schema(responses={200: MilestoneSerializer, **_READ_ERRORS}),
)
class MilestoneViewSet(ScopedReadOnlyViewSet):
    """Milestones of the students the user may see. The tutor or the office marks one done; the office
    waives one with a reason."""

    queryset = Milestone.objects.select_related("student")
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    ordering_fields = ["due_date"]
    write_actions = {"complete": "decide", "waive": "waive"}

    def _read(self, milestone: Milestone) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=milestone.pk)).data)

    @extend_schema(request=MilestoneCompleteSerializer, responses={200: MilestoneSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Mark the milestone done on ``completed_on`` (today by default; not in the future)."""
        milestone = self.get_object()
        serializer = MilestoneCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = services.milestone_complete(
            milestone=milestone,
            by=request.user,  # type: ignore[arg-type]
            completed_on=serializer.validated_data.get("completed_on"),
        )
        return self._read(milestone)

    @extend_schema(request=ReasonSerializer, responses={200: MilestoneSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str | None = None) -> Response:
        """Waive the milestone, with the reason on record (the office)."""
        milestone = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = services.milestone_waive(
            milestone=milestone,
            by=request.user,  # type: ignore[arg-type]
            reason=serializer.validated_data["reason"],
        )
        return self._read(milestone)
