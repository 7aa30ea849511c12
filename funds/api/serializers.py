"""API shapes for funds, allocations, expenditures and flags. Shape only: every rule lives in
``funds.services``. Choice fields name their enum's schema component (as ``supervision.api`` does)."""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import ScopedPrimaryKeyRelatedField
from funds.models import (
    Allocation,
    ApproverRole,
    Category,
    Expenditure,
    ExpenditureStatus,
    Flag,
    FlagRule,
    FlagStatus,
    Fund,
    Receipt,
    Resolution,
)
from students.models import Student


def _enum_field(choices: type[models.TextChoices], component: str) -> Any:
    schema = {"type": "string", "enum": list(choices.values), "description": ", ".join(choices.values)}
    field_class = type(f"{component}Field", (serializers.ChoiceField,), {"__doc__": f"A {component} value."})
    return extend_schema_field(schema, component_name=component)(field_class)


CategoryField = _enum_field(Category, "FundCategoryEnum")
ExpenditureStatusField = _enum_field(ExpenditureStatus, "ExpenditureStatusEnum")
ApproverRoleField = _enum_field(ApproverRole, "ApproverRoleEnum")
FlagRuleField = _enum_field(FlagRule, "FundFlagRuleEnum")
FlagStatusField = _enum_field(FlagStatus, "FundFlagStatusEnum")
ResolutionField = _enum_field(Resolution, "FundFlagResolutionEnum")


class FundSerializer(serializers.ModelSerializer[Fund]):
    allowed_categories = serializers.ListField(child=CategoryField(choices=Category.choices), read_only=True)

    class Meta:
        model = Fund
        fields = [
            "id",
            "name",
            "source",
            "programme",
            "reference",
            "total",
            "currency",
            "start_date",
            "end_date",
            "purpose",
            "conditions",
            "allowed_categories",
            "document_sha256",
        ]
        read_only_fields = fields


class BudgetLineSerializer(serializers.Serializer[Any]):
    category = CategoryField(choices=Category.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class AllocationSerializer(serializers.ModelSerializer[Allocation]):
    version = serializers.IntegerField(source="current_version.number", read_only=True)
    start_date = serializers.DateField(source="current_version.start_date", read_only=True)
    end_date = serializers.DateField(source="current_version.end_date", read_only=True)
    total = serializers.DecimalField(source="current_version.total", max_digits=14, decimal_places=2, read_only=True)
    budget = serializers.SerializerMethodField()

    class Meta:
        model = Allocation
        fields = ["id", "fund", "partner", "version", "start_date", "end_date", "total", "budget"]
        read_only_fields = fields

    @extend_schema_field(BudgetLineSerializer(many=True))
    def get_budget(self, obj: Allocation) -> list[dict[str, Any]]:
        lines = getattr(obj, "current_lines", None)
        if lines is None:
            lines = list(obj.current_version.lines.all()) if obj.current_version else []
        return [{"category": line.category, "amount": str(line.amount)} for line in lines]


class ReceiptSerializer(serializers.ModelSerializer[Receipt]):
    class Meta:
        model = Receipt
        fields = ["id", "sha256", "size", "uploaded_at"]
        read_only_fields = fields


class ExpenditureSerializer(serializers.ModelSerializer[Expenditure]):
    category = CategoryField(choices=Category.choices, read_only=True)
    status = ExpenditureStatusField(choices=ExpenditureStatus.choices, read_only=True)
    approval_role = ApproverRoleField(choices=ApproverRole.choices, read_only=True)
    receipts = ReceiptSerializer(many=True, read_only=True)

    class Meta:
        model = Expenditure
        fields = [
            "id",
            "allocation",
            "category",
            "date",
            "amount",
            "payee",
            "description",
            "student",
            "status",
            "entered_by",
            "entered_at",
            "approved_by",
            "approved_at",
            "approval_role",
            "approval_limit",
            "reverses",
            "reversal_reason",
            "receipts",
        ]
        read_only_fields = fields


class ExpenditureCreateSerializer(serializers.Serializer[Any]):
    """Record spending; receipts as files in a multipart request."""

    allocation = ScopedPrimaryKeyRelatedField(action="record", queryset=Allocation.objects.all())
    category = CategoryField(choices=Category.choices)
    date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)  # type: ignore[arg-type]
    payee = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    #: any student of the fund's programme (checked by the service): a stipend to a student not placed at the
    #: partner is recorded and flagged, not refused
    student = serializers.PrimaryKeyRelatedField(
        queryset=Student.objects.all(), required=False, allow_null=True, default=None
    )
    receipts = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ExpenditureReverseSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class FlagSerializer(serializers.ModelSerializer[Flag]):
    rule = FlagRuleField(choices=FlagRule.choices, read_only=True)
    status = FlagStatusField(choices=FlagStatus.choices, read_only=True)
    resolution = ResolutionField(choices=Resolution.choices, read_only=True)
    explanation = serializers.CharField(source="text", read_only=True)

    class Meta:
        model = Flag
        fields = [
            "id",
            "allocation",
            "expenditure",
            "rule",
            "explanation",
            "amount",
            "raised_at",
            "status",
            "resolution",
            "resolution_note",
            "resolved_by",
            "resolved_at",
            "occurrence",
            "cleared_at",
        ]
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer[Any]):
    resolution = ResolutionField(choices=Resolution.choices)
    note = serializers.CharField()
