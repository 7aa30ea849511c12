"""API shapes for inspections, findings, corrective actions and reports. Shape only: every rule (who may
plan, conflicts of interest, what may be rated or answered when) lives in ``supervision.services``.

Choice fields name their enum's schema component themselves (``_enum_field``): several models here have
a ``status`` or ``kind`` with their own values, and naming each after its model keeps the schema free of
name collisions without an entry per model in the settings' ``ENUM_NAME_OVERRIDES``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from core.api.fields import ScopedPrimaryKeyRelatedField
from partners import access
from partners.models import Membership, Partner, Site
from practice.models import PracticeLog
from students.models import Placement
from supervision.models import (
    ActionStatus,
    ChecklistItem,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionKind,
    InspectionReport,
    InspectionStatus,
    Rating,
    ReportStatus,
    ReportVariant,
    Severity,
    TargetKind,
)
from supervision.models import Aspect as AspectChoices


def _enum_field(choices: type[models.TextChoices], component: str) -> Any:
    """A ChoiceField class whose enum is the schema component ``component`` (see the module's docstring)."""
    schema = {"type": "string", "enum": list(choices.values), "description": ", ".join(choices.values)}
    field_class = type(f"{component}Field", (serializers.ChoiceField,), {"__doc__": f"A {component} value."})
    return extend_schema_field(schema, component_name=component)(field_class)


InspectionKindField = _enum_field(InspectionKind, "InspectionKindEnum")
InspectionStatusField = _enum_field(InspectionStatus, "InspectionStatusEnum")
TargetKindField = _enum_field(TargetKind, "InspectionTargetKindEnum")
RatingField = _enum_field(Rating, "ChecklistRatingEnum")
AspectField = _enum_field(AspectChoices, "ChecklistAspectEnum")
SeverityField = _enum_field(Severity, "FindingSeverityEnum")
ActionStatusField = _enum_field(ActionStatus, "CorrectiveActionStatusEnum")
ReportVariantField = _enum_field(ReportVariant, "InspectionReportVariantEnum")
ReportStatusField = _enum_field(ReportStatus, "InspectionReportStatusEnum")


def _evidence_max_bytes() -> int:
    return int(getattr(settings, "SUPERVISION_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


class EvidenceField(serializers.FileField):
    """An uploaded evidence file (a photo, a scan, a PDF), at most ``SUPERVISION_EVIDENCE_MAX_BYTES``."""

    def to_internal_value(self, data: Any) -> Any:
        upload = super().to_internal_value(data)
        limit = _evidence_max_bytes()
        if upload.size > limit:
            raise serializers.ValidationError(
                _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)}, code="too_large"
            )
        return upload


# --- Inspections --------------------------------------------------------------------------------------


class ChecklistResultSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """One rated item of an inspection's checklist."""

    item_code = serializers.CharField(source="item.code", read_only=True)
    aspect = AspectField(source="item.aspect", choices=AspectChoices.choices, read_only=True)
    rating = RatingField(choices=Rating.choices, read_only=True)
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistResult
        fields = ["id", "item", "item_code", "aspect", "rating", "note", "has_evidence", "recorded_by", "recorded_at"]
        read_only_fields = fields

    def get_has_evidence(self, result: ChecklistResult) -> bool:
        # Evidence files are not served through the API (they may name people); the pages show them.
        return bool(result.evidence)


class InspectionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An inspection as the list reads it: what is inspected, when, by whom, and where it stands."""

    kind = InspectionKindField(choices=InspectionKind.choices, read_only=True)
    status = InspectionStatusField(choices=InspectionStatus.choices, read_only=True)
    partner = serializers.PrimaryKeyRelatedField[Partner](source="target_partner", read_only=True)
    partner_name = serializers.CharField(source="target_partner.name", read_only=True)
    site = serializers.PrimaryKeyRelatedField[Site](source="target_site", read_only=True)
    placement = serializers.PrimaryKeyRelatedField[Placement](source="target_placement", read_only=True)
    target_kind = TargetKindField(choices=TargetKind.choices, read_only=True)
    inspectors = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "kind",
            "status",
            "partner",
            "partner_name",
            "site",
            "placement",
            "target_kind",
            "scope",
            "template",
            "planned_date",
            "inspectors",
            "started_at",
            "closed_at",
            "published_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_inspectors(self, inspection: Inspection) -> list[int]:
        # Read from the prefetched assignments: one query for the whole page.
        return sorted(assignment.inspector_id for assignment in inspection.assignments.all())


class InspectionDetailSerializer(InspectionSerializer):
    """One inspection with its checklist results (nested, read-only)."""

    results = ChecklistResultSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "results"]
        read_only_fields = fields


class InspectionCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Plan an inspection (office). Inspectors must hold the inspector role and no membership at the
    partner (a conflict of interest is a 400 on ``inspectors``, code ``conflict_of_interest``). The rows
    named are read through the caller's scope like every other write's."""

    kind = InspectionKindField(choices=InspectionKind.choices)
    partner = ScopedPrimaryKeyRelatedField(action="view", queryset=Partner.objects.all())
    site = ScopedPrimaryKeyRelatedField(action="view", queryset=Site.objects.all(), required=False, allow_null=True)
    placement = ScopedPrimaryKeyRelatedField(
        action="view", queryset=Placement.objects.all(), required=False, allow_null=True
    )
    template = ScopedPrimaryKeyRelatedField(action="view", queryset=ChecklistTemplate.objects.all())
    planned_date = serializers.DateField()
    # Users have no access rule; only the office plans, and the view refuses everybody else before it
    # reads the body, so the active users here are never offered to anyone who may not see them all.
    inspectors = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, allow_empty=False
    )
    scope = serializers.CharField(required=False, allow_blank=True, default="")


class ChecklistRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One item of the inspection's checklist, with its result so far (``rating`` is null until rated)."""

    item = serializers.IntegerField()
    code = serializers.CharField()
    aspect = AspectField(choices=AspectChoices.choices)
    text = serializers.CharField()
    rating = RatingField(choices=Rating.choices, allow_null=True)
    note = serializers.CharField(allow_blank=True)
    has_evidence = serializers.BooleanField()
    recorded_by = serializers.IntegerField(allow_null=True)
    recorded_at = serializers.DateTimeField(allow_null=True)


class ChecklistRecordSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Rate one item (an assigned inspector, while in progress). A gap needs a note; evidence is a file
    (send the request as multipart/form-data)."""

    # Only the inspection's assigned inspectors get this far (the view asks first), and inspectors read
    # every checklist, so no item id is a secret from them; the service refuses an item of another list.
    item = serializers.PrimaryKeyRelatedField(queryset=ChecklistItem.objects.all())
    rating = RatingField(choices=Rating.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = EvidenceField(required=False, allow_null=True)


# --- Findings -------------------------------------------------------------------------------------------


class FindingSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A finding, with what it concerns and the id of its corrective action (null for an observation)."""

    severity = SeverityField(choices=Severity.choices, read_only=True)
    partner = serializers.IntegerField(source="inspection.target_partner_id", read_only=True)
    practice_logs = serializers.PrimaryKeyRelatedField[PracticeLog](many=True, read_only=True)
    corrective_action = serializers.SerializerMethodField()
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "partner",
            "severity",
            "description",
            "placement",
            "supervisor",
            "practice_logs",
            "has_evidence",
            "created_by",
            "created_at",
            "corrective_action",
        ]
        read_only_fields = fields

    def get_has_evidence(self, finding: Finding) -> bool:
        return bool(finding.evidence)

    def get_corrective_action(self, finding: Finding) -> int | None:
        action = getattr(finding, "corrective_action", None)  # joined by select_related: no query
        return action.pk if action is not None else None


class VisiblePersonField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A person the caller may see as one of a partner's people: someone holding a membership the caller
    may ``view`` (the office anyone's; a partner's people their own partner's; an inspector those of the
    partner they are inspecting). Users have no access rule of their own, so the memberships decide;
    naming anybody else fails exactly like naming an unused id, so the field tells nobody who exists."""

    def __init__(self, **kwargs: Any) -> None:
        # The queryset names the model (for the schema); ``get_queryset`` narrows it per request.
        super().__init__(queryset=User.objects.all(), **kwargs)

    def get_queryset(self) -> models.QuerySet[User]:
        request = self.context.get("request")
        if request is None:
            return User.objects.none()
        visible = access.scope(Membership.objects.all(), request.user, "view").values("user_id")
        return User.objects.filter(pk__in=visible)


class FindingCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Record a finding (an assigned inspector, while in progress). ``inspection``, ``placement``,
    ``supervisor`` and ``practice_logs`` must be rows the caller may see; any other fails as if it did not
    exist (a planned inspection hidden from the caller included). Evidence is a file (multipart/form-data)."""

    inspection = ScopedPrimaryKeyRelatedField(action="view", queryset=Inspection.objects.all())
    severity = SeverityField(choices=Severity.choices)
    description = serializers.CharField()
    placement = ScopedPrimaryKeyRelatedField(
        action="view", queryset=Placement.objects.all(), required=False, allow_null=True
    )
    supervisor = VisiblePersonField(required=False, allow_null=True)
    practice_logs = ScopedPrimaryKeyRelatedField(
        action="view", queryset=PracticeLog.objects.all(), many=True, required=False
    )
    evidence = EvidenceField(required=False, allow_null=True)


# --- Corrective actions -----------------------------------------------------------------------------------


class CorrectiveActionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A corrective action: whose it is, when it is due, and the answer and its verification."""

    status = ActionStatusField(choices=ActionStatus.choices, read_only=True)
    inspection = serializers.IntegerField(source="finding.inspection_id", read_only=True)
    partner = serializers.IntegerField(source="finding.inspection.target_partner_id", read_only=True)
    severity = SeverityField(source="finding.severity", choices=Severity.choices, read_only=True)
    overdue = serializers.SerializerMethodField()
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "finding",
            "inspection",
            "partner",
            "severity",
            "owner",
            "due_date",
            "status",
            "overdue",
            "answer",
            "has_evidence",
            "answered_at",
            "verified_by",
            "verified_at",
            "reopen_reason",
        ]
        read_only_fields = fields

    def get_overdue(self, action: CorrectiveAction) -> bool:
        today = self.context.get("today") or timezone.localdate()
        return action.is_overdue_on(today)

    def get_has_evidence(self, action: CorrectiveAction) -> bool:
        return bool(action.answer_evidence)


class AnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """What was done; evidence is a file (multipart/form-data)."""

    answer = serializers.CharField()
    evidence = EvidenceField(required=False, allow_null=True)


class ReopenSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(help_text="Why the answer is not enough; the owner sees it.")


# --- Reports --------------------------------------------------------------------------------------------


class InspectionReportSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """One frozen version of a report. The PDF is downloaded from ``pdf_url`` once ``status`` is ready;
    its SHA-256 is ``sha256`` (and the download's ETag)."""

    variant = ReportVariantField(choices=ReportVariant.choices, read_only=True)
    status = ReportStatusField(choices=ReportStatus.choices, read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = InspectionReport
        fields = [
            "id",
            "inspection",
            "variant",
            "version",
            "language",
            "status",
            "sha256",
            "requested_at",
            "rendered_at",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, report: InspectionReport) -> str | None:
        if report.status != ReportStatus.READY:
            return None
        url = reverse("api:inspection-report-pdf", kwargs={"pk": report.pk})
        request: Any = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url
