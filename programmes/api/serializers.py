"""API shapes for programmes and agreements. Shapes only: the rules live in the services and the access layer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import ScopedPrimaryKeyRelatedField
from partners.models import Partner
from programmes.models import (
    ActivityCategory,
    Agreement,
    AgreementParty,
    AgreementStatus,
    Cohort,
    CreditRequirement,
    DegreeType,
    MilestoneTemplate,
    Objective,
    Participation,
    ParticipationRole,
    Programme,
    ProgrammeStatus,
)


class ObjectiveSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Objective
        fields = ["id", "kind", "code", "description"]


class ParticipationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    partner_kind = serializers.CharField(source="partner.kind", read_only=True)

    class Meta:
        model = Participation
        fields = ["id", "partner", "partner_name", "partner_kind", "role", "responsibilities"]


class CreditRequirementSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = CreditRequirement
        fields = ["id", "category", "credits"]


class ActivityCategorySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = ActivityCategory
        fields = ["id", "code", "name", "required_hours"]


class MilestoneTemplateSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = MilestoneTemplate
        fields = ["id", "kind", "offset_months"]


class CohortSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Cohort
        fields = ["id", "intake_year", "name"]


class ProgrammeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A programme with everything a plan is measured against, nested (the viewset prefetches it all)."""

    lead_university_name = serializers.CharField(source="lead_university.name", read_only=True)
    objectives = ObjectiveSerializer(many=True, read_only=True)
    participations = ParticipationSerializer(many=True, read_only=True)
    credit_requirements = CreditRequirementSerializer(many=True, read_only=True)
    activity_categories = ActivityCategorySerializer(many=True, read_only=True)
    milestone_templates = MilestoneTemplateSerializer(many=True, read_only=True)
    cohorts = CohortSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "code",
            "degree_type",
            "duration_months",
            "lead_university",
            "lead_university_name",
            "status",
            "description",
            "min_project_points",
            "first_intake_year",
            "last_intake_year",
            "objectives",
            "participations",
            "credit_requirements",
            "activity_categories",
            "milestone_templates",
            "cohorts",
        ]
        read_only_fields = fields


class AgreementPartySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = AgreementParty
        fields = ["id", "partner", "partner_name", "responsibilities", "obligations"]


class AgreementSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An agreement with its parties. ``ends_soon``: signed and ending within 60 days (renew it)."""

    programme_code = serializers.CharField(source="programme.code", read_only=True)
    parties = AgreementPartySerializer(many=True, read_only=True)
    ends_soon = serializers.SerializerMethodField()
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "programme",
            "programme_code",
            "title",
            "reference",
            "start_date",
            "end_date",
            "status",
            "ends_soon",
            "has_document",
            "parties",
            "created_at",
        ]
        read_only_fields = fields

    def get_ends_soon(self, agreement: Agreement) -> bool:
        return agreement.ends_soon()

    def get_has_document(self, agreement: Agreement) -> bool:
        # The signed PDF itself is not served through the API: it is a private document.
        return bool(agreement.document)


class AgreementPartyWriteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    responsibilities = serializers.CharField(required=False, allow_blank=True, default="")
    obligations = serializers.CharField(required=False, allow_blank=True, default="")


class AgreementWriteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An agreement's terms and parties as the office writes them (the signed PDF is uploaded on its page).

    The lead university is added to ``parties`` when left out; a party must take part in the programme.
    ``parties``, when given on an update, replaces them all.
    """

    programme = ScopedPrimaryKeyRelatedField(action="view", queryset=Programme.objects.all())
    title = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    status = serializers.ChoiceField(
        choices=AgreementStatus.choices,
        required=False,
        help_text=_("draft or signed (a draft when left out); to end an agreement, terminate it on its page."),
    )
    parties = AgreementPartyWriteSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]
        fields = super().get_fields()
        if self.instance is not None:
            fields["programme"].read_only = True  # an agreement never moves to another programme
            fields["parties"].required = False
        return fields


# --- Set-up (the office) ----------------------------------------------------------------------------------


class ProgrammeWriteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A programme's own fields as the office writes them (on an update, only those sent change)."""

    name = serializers.CharField(max_length=200)
    code = serializers.SlugField(max_length=40)
    degree_type = serializers.ChoiceField(choices=DegreeType.choices)
    duration_months = serializers.IntegerField(min_value=6, max_value=120)
    lead_university = ScopedPrimaryKeyRelatedField(action="view", queryset=Partner.objects.all())
    status = serializers.ChoiceField(choices=ProgrammeStatus.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    first_intake_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, allow_null=True)
    last_intake_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, allow_null=True)


class ProgrammeCopySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Next year's programme: a draft copy with a new name and code, and its intake years."""

    name = serializers.CharField(max_length=200)
    code = serializers.SlugField(max_length=40)
    first_intake_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, allow_null=True)
    last_intake_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, allow_null=True)


class RequirementsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The programme's requirements: credits by course category, hours by activity category code,
    milestones by kind (months after enrolment), project points. A PUT replaces them all and makes a new
    version; plans approved earlier keep theirs."""

    version = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("The requirements version now in force; null for a programme whose requirements were never set."),
    )
    credits = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0), required=False
    )
    hours = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False)
    milestones = serializers.DictField(child=serializers.IntegerField(min_value=1), required=False)
    project_points = serializers.IntegerField(min_value=0, required=False)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True, write_only=True)


class CohortWriteSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Cohort
        fields = ["id", "intake_year", "name"]
        read_only_fields = ["id"]


class ParticipationWriteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    partner = ScopedPrimaryKeyRelatedField(action="view", queryset=Partner.objects.all())
    role = serializers.ChoiceField(choices=ParticipationRole.choices)
    responsibilities = serializers.CharField(required=False, allow_blank=True, default="")


class ActivityCategoryWriteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=120)
