"""Serializers of the projects API. Every enum is its own named schema component (several models have a
``status``, ``kind`` or ``scale``), as the supervision API does."""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.models import (
    AwardSource,
    MemberKind,
    MemberRole,
    OutputStatus,
    OutputType,
    PointAward,
    Project,
    ProjectKind,
    ProjectMember,
    ProjectOutput,
    ProjectStatus,
    Scale,
)


def _enum_field(choices: type[models.TextChoices], component: str) -> Any:
    schema = {"type": "string", "enum": list(choices.values), "description": ", ".join(choices.values)}
    field_class = type(f"{component}Field", (serializers.ChoiceField,), {"__doc__": f"A {component} value."})
    return extend_schema_field(schema, component_name=component)(field_class)


ProjectKindField = _enum_field(ProjectKind, "ProjectKindEnum")
ProjectStatusField = _enum_field(ProjectStatus, "ProjectStatusEnum")
ScaleField = _enum_field(Scale, "ProjectScaleEnum")
MemberKindField = _enum_field(MemberKind, "ProjectMemberKindEnum")
MemberRoleField = _enum_field(MemberRole, "ProjectMemberRoleEnum")
OutputTypeField = _enum_field(OutputType, "ProjectOutputTypeEnum")
OutputStatusField = _enum_field(OutputStatus, "ProjectOutputStatusEnum")
AwardSourceField = _enum_field(AwardSource, "PointAwardSourceEnum")


class ProjectMemberSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    kind = MemberKindField(choices=MemberKind.choices, read_only=True)
    role = MemberRoleField(choices=MemberRole.choices, read_only=True)

    class Meta:
        model = ProjectMember
        fields = ["user", "kind", "role", "joined_on"]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A project: its facts, partners, members, scale (and the scheme version that set it) and status."""

    kind = ProjectKindField(choices=ProjectKind.choices, read_only=True)
    scale = ScaleField(choices=Scale.choices, read_only=True)
    status = ProjectStatusField(choices=ProjectStatus.choices, read_only=True)
    partners = serializers.SerializerMethodField()
    members = ProjectMemberSerializer(many=True, read_only=True)
    #: the fund allocation paying for the project (``funds``' ``/api/v1/allocations/<id>/``), or null
    fund_allocation_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "programme",
            "title_en",
            "title_zh",
            "kind",
            "lead_partner",
            "partners",
            "leader",
            "members",
            "start_date",
            "end_date",
            "budget",
            "scale",
            "scheme",
            "status",
            "funding_reference",
            "fund_allocation_id",
            "concluded_on",
        ]
        read_only_fields = fields

    def get_partners(self, project: Project) -> list[int]:
        return sorted(link.partner_id for link in project.partner_links.all())


class ProjectOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An output with its evidence reference, its contributors and its verification."""

    output_type = OutputTypeField(choices=OutputType.choices, read_only=True)
    status = OutputStatusField(choices=OutputStatus.choices, read_only=True)
    contributors = serializers.SerializerMethodField()
    has_evidence_file = serializers.SerializerMethodField()

    class Meta:
        model = ProjectOutput
        fields = [
            "id",
            "project",
            "output_type",
            "title",
            "reference",
            "evidence_url",
            "has_evidence_file",
            "achieved_on",
            "contributors",
            "status",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields

    def get_contributors(self, output: ProjectOutput) -> list[int]:
        return sorted(person.pk for person in output.contributors.all())

    def get_has_evidence_file(self, output: ProjectOutput) -> bool:
        return bool(output.evidence)


class DecisionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PointAwardSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """One row of a person's ledger: what earned it, and the scheme version and figures it was priced with."""

    source = AwardSourceField(choices=AwardSource.choices, read_only=True)
    scale = ScaleField(choices=Scale.choices, read_only=True)
    scheme_version = serializers.IntegerField(source="scheme.version", read_only=True)

    class Meta:
        model = PointAward
        fields = [
            "id",
            "person",
            "programme",
            "project",
            "output",
            "source",
            "scheme",
            "scheme_version",
            "scale",
            "role",
            "member_kind",
            "output_type",
            "base_points",
            "weight",
            "points",
            "year",
            "awarded_on",
            "reverses",
            "reason",
        ]
        read_only_fields = fields


class PointAwardReverseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=2000)
