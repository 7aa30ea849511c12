"""API shapes for students, training plans, placements and milestones.

Shapes only: every rule (a site of another partner, overlapping dates, a plan waiting for approval, ...)
is checked by ``students.services`` and comes back as a 400 naming the field. Related fields that name
rows of other partners' students use the access layer, so a student out of scope reads as missing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from core.api.fields import ScopedPrimaryKeyRelatedField
from partners.models import Partner, Site
from programmes.models import ActivityCategory, Cohort, Objective, Programme
from students.models import Milestone, Placement, PlacementStatus, PlanEvent, Student, TrainingPlan

_ACTIVE_USERS = User.objects.filter(is_active=True)


# --- Students ---------------------------------------------------------------------------------------


class StudentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A student as everyone allowed to see them reads it."""

    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    tutor_name = serializers.CharField(source="tutor.display_name", read_only=True, allow_null=True)
    practice_supervisor_name = serializers.CharField(
        source="practice_supervisor.display_name", read_only=True, allow_null=True
    )
    plan = serializers.IntegerField(source="plan.pk", read_only=True, allow_null=True)
    plan_status = serializers.CharField(source="plan.status", read_only=True, allow_null=True)

    class Meta:
        model = Student
        fields = [
            "id",
            "user",
            "username",
            "name",
            "student_number",
            "programme",
            "programme_code",
            "cohort",
            "status",
            "enrolled_on",
            "tutor",
            "tutor_name",
            "practice_supervisor",
            "practice_supervisor_name",
            "research_direction",
            "career_intention",
            "development_goals",
            "plan",
            "plan_status",
        ]
        read_only_fields = fields


class StudentWriteSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """The fields the office edits (``students.services.STUDENT_FIELDS``)."""

    programme = ScopedPrimaryKeyRelatedField(action="view", queryset=Programme.objects.all())
    cohort = serializers.PrimaryKeyRelatedField(queryset=Cohort.objects.all())
    tutor = serializers.PrimaryKeyRelatedField(queryset=_ACTIVE_USERS, allow_null=True, required=False)
    practice_supervisor = serializers.PrimaryKeyRelatedField(queryset=_ACTIVE_USERS, allow_null=True, required=False)

    class Meta:
        model = Student
        fields = [
            "student_number",
            "programme",
            "cohort",
            "status",
            "enrolled_on",
            "tutor",
            "practice_supervisor",
            "research_direction",
            "career_intention",
            "development_goals",
        ]
        # Uniqueness of the student number is the service's and the database's to check.
        extra_kwargs: dict[str, dict[str, Any]] = {"student_number": {"validators": []}}


class StudentCreateSerializer(StudentWriteSerializer):
    """Enrol a student: an existing account (``user``), or a new one (``username``, ``full_name``, ``email``)."""

    user = serializers.PrimaryKeyRelatedField(
        queryset=_ACTIVE_USERS, required=False, help_text=_("An existing account to enrol.")
    )
    username = serializers.CharField(
        required=False, max_length=150, write_only=True, help_text=_("A new account to open, if not taken.")
    )
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=150, write_only=True)
    email = serializers.EmailField(required=False, allow_blank=True, write_only=True)

    class Meta(StudentWriteSerializer.Meta):
        fields = ["user", "username", "full_name", "email", *StudentWriteSerializer.Meta.fields]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("user")) == bool(attrs.get("username")):
            raise serializers.ValidationError(
                {"username": [_("Give either an existing account (user) or a new username, not both.")]}
            )
        return attrs


# --- Training plans ---------------------------------------------------------------------------------


class PlacementSummarySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    supervisor_name = serializers.CharField(source="supervisor.display_name", read_only=True)
    status = serializers.SerializerMethodField(help_text=_("planned, active, completed or cancelled, as of today"))

    class Meta:
        model = Placement
        fields = [
            "id",
            "partner",
            "partner_name",
            "site_name",
            "supervisor",
            "supervisor_name",
            "start_date",
            "end_date",
            "status",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=PlacementStatus.choices))
    def get_status(self, placement: Placement) -> str:
        return placement.current_status()


class PlanEventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    by_name = serializers.CharField(source="by.display_name", read_only=True)

    class Meta:
        model = PlanEvent
        fields = ["id", "version", "action", "reason", "by", "by_name", "at"]
        read_only_fields = fields


LATEST_EVENTS = 5


class TrainingPlanSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A plan's state, the placements the reader may see, and its latest workflow steps.

    ``placements`` holds only the placements in the reader's scope: a coordinator reads the placements at
    their own partner, not the student's whole route.
    """

    student_number = serializers.CharField(source="student.student_number", read_only=True)
    student_name = serializers.CharField(source="student.user.display_name", read_only=True)
    placements = serializers.SerializerMethodField()
    latest_events = serializers.SerializerMethodField()

    class Meta:
        model = TrainingPlan
        fields = [
            "id",
            "student",
            "student_number",
            "student_name",
            "status",
            "version",
            "approved_version",
            "is_amendment",
            "updated_at",
            "placements",
            "latest_events",
        ]
        read_only_fields = fields

    @extend_schema_field(PlacementSummarySerializer(many=True))
    def get_placements(self, plan: TrainingPlan) -> Any:
        # ``visible_placements`` is prefetched by the viewset from the reader's scope.
        placements = getattr(plan.student, "visible_placements", None)
        if placements is None:
            placements = []
        return PlacementSummarySerializer(placements, many=True).data

    @extend_schema_field(PlanEventSerializer(many=True))
    def get_latest_events(self, plan: TrainingPlan) -> Any:
        # Events are prefetched newest first; the few latest are enough to say where the plan stands.
        return PlanEventSerializer(list(plan.events.all())[:LATEST_EVENTS], many=True).data


class ReasonSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=2000)


# --- Placements -------------------------------------------------------------------------------------


class RequiredHoursField(serializers.DictField):  # type: ignore[type-arg]
    """``{activity category id: hours}``, read and written as a JSON object."""

    child = serializers.IntegerField(min_value=1)

    def to_representation(self, value: Any) -> dict[str, int]:
        # Read from the placement's ``PlacementHours`` rows (prefetched by the viewset).
        return {str(row.category_id): row.hours for row in value.all()}

    def to_internal_value(self, data: Any) -> dict[int, int]:
        raw = super().to_internal_value(data)
        result: dict[int, int] = {}
        for key, hours in raw.items():
            try:
                result[int(key)] = hours
            except (TypeError, ValueError):
                raise serializers.ValidationError(
                    _("Use activity category ids as keys: %(key)s is not one.") % {"key": key}
                ) from None
        return result


class PlacementSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A placement, read; and its fields, written (``student`` and ``partner`` only when it is created)."""

    student = ScopedPrimaryKeyRelatedField(action="view", queryset=Student.objects.select_related("plan"))
    partner = ScopedPrimaryKeyRelatedField(action="view", queryset=Partner.objects.all())
    # Sites and supervisors of every partner: naming one of another partner is refused by the service, with
    # the rule's message on the field.
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all())
    supervisor = serializers.PrimaryKeyRelatedField(queryset=_ACTIVE_USERS)
    objectives = serializers.PrimaryKeyRelatedField(queryset=Objective.objects.all(), many=True, required=False)
    required_hours = RequiredHoursField(required=False)
    student_number = serializers.CharField(source="student.student_number", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    supervisor_name = serializers.CharField(source="supervisor.display_name", read_only=True)
    status = serializers.SerializerMethodField(help_text=_("planned, active, completed or cancelled, as of today"))
    probation_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Office only: confirms a placement at a partner on probation, with this reason."),
    )
    capacity_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Office only: allows a placement at a site already full over its dates, with this reason."),
    )

    class Meta:
        model = Placement
        fields = [
            "id",
            "student",
            "student_number",
            "partner",
            "partner_name",
            "site",
            "site_name",
            "supervisor",
            "supervisor_name",
            "start_date",
            "end_date",
            "objectives",
            "required_hours",
            "status",
            "notes",
            "probation_reason",
            "capacity_reason",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=PlacementStatus.choices))
    def get_status(self, placement: Placement) -> str:
        return placement.current_status()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None:
            # A placement never changes student or partner: cancel it and add another.
            fields["student"].read_only = True
            fields["partner"].read_only = True
        return fields

    def validate_required_hours(self, value: dict[int, int]) -> dict[ActivityCategory, int]:
        categories = ActivityCategory.objects.in_bulk(list(value))
        missing = sorted(set(value) - set(categories))
        if missing:
            raise serializers.ValidationError(
                _("Unknown activity categories: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in missing)}
            )
        return {categories[pk]: hours for pk, hours in value.items()}


# --- Milestones -------------------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    student_number = serializers.CharField(source="student.student_number", read_only=True)
    display_status = serializers.CharField(read_only=True, help_text=_("pending, done, waived, or late"))
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "student",
            "student_number",
            "kind",
            "due_date",
            "status",
            "display_status",
            "completed_on",
            "waived_reason",
            "has_evidence",
        ]
        read_only_fields = fields

    def get_has_evidence(self, milestone: Milestone) -> bool:
        return bool(milestone.evidence)


class MilestoneCompleteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    completed_on = serializers.DateField(required=False, help_text=_("Today when left out."))
