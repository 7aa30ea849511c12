"""API shapes for practice-hour entries. Validation of shape only; ``practice.services`` holds the rules."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import ScopedPrimaryKeyRelatedField
from practice.models import PracticeLog
from practice.services import BulkRowStatus
from programmes.models import ActivityCategory
from students.models import Placement

#: The most entries one bulk request may create, and the most entries one bulk approval may name.
BULK_MAX = 500


class PracticeLogSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An entry as the API reads it: ids of what it refers to, and who decided what, when, under which
    rule version."""

    student_number = serializers.CharField(source="student.student_number", read_only=True)
    partner = serializers.IntegerField(source="placement.partner_id", read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True)

    class Meta:
        model = PracticeLog
        fields = [
            "id",
            "student",
            "student_number",
            "placement",
            "partner",
            "date",
            "hours",
            "start_time",
            "end_time",
            "category",
            "category_code",
            "cases",
            "description",
            "status",
            "entered_by",
            "entered_by_supervisor",
            "entered_at",
            "decided_by",
            "decided_at",
            "decided_in_bulk",
            "rejection_reason",
            "rule_version",
            "corrects",
            "correction_reason",
            "idempotency_key",
        ]
        read_only_fields = fields


class _EntryFields(serializers.Serializer):  # type: ignore[type-arg]
    """The fields someone logs: the day, the hours (or a start and an end time), the activity."""

    date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, required=False, allow_null=True)
    start_time = serializers.TimeField(required=False, allow_null=True)
    end_time = serializers.TimeField(required=False, allow_null=True)
    cases = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class PracticeLogCreateSerializer(_EntryFields):
    """One entry. ``placement`` must be one the caller may log at (their own, or one they supervise);
    any other is refused as if it did not exist. A retried request with the same ``idempotency_key``
    answers the entry made the first time."""

    placement = ScopedPrimaryKeyRelatedField(action="log", queryset=Placement.objects.all())
    category = serializers.PrimaryKeyRelatedField(queryset=ActivityCategory.objects.all())
    idempotency_key = serializers.CharField(max_length=80, required=False, allow_null=True)


class BulkEntrySerializer(_EntryFields):
    """One row of a bulk create. Placement and activity are plain ids: the view resolves every row's in
    one query each, and a row naming one out of reach is refused on its own."""

    placement = serializers.IntegerField()
    category = serializers.IntegerField()
    idempotency_key = serializers.CharField(max_length=80)


class BulkCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Up to 500 entries, each with its own idempotency key (a retried request never duplicates).

    Only the list is checked here; each row is checked on its own (``BulkEntrySerializer``), so one bad
    row is refused alone. ``BulkCreateRequestSerializer`` documents the rows' shape."""

    entries = serializers.ListField(child=serializers.JSONField(), min_length=1, max_length=BULK_MAX)


class BulkCreateRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    # Documented as rows of any shape, because that is what the request takes: a row that is not an entry is
    # refused on its own in ``results`` (the rest are created), not the request.
    entries = serializers.ListField(
        child=serializers.JSONField(),
        min_length=1,
        max_length=BULK_MAX,
        help_text="1 to 500 entries, each an object with the fields of a practice-log entry plus `placement` and "
        "`category` (ids) and an `idempotency_key`; each row is checked on its own and answered in `results`.",
    )


class BulkResultRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """What became of one row: ``created`` (``id`` is the new entry), ``duplicate`` (``id`` is the entry
    made earlier under this key), or ``refused`` (``rule`` names the rule, ``field`` the field)."""

    index = serializers.IntegerField(help_text="The row's position in `entries`, from 0.")
    idempotency_key = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=BulkRowStatus.choices)
    id = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField(allow_null=True, help_text="The broken rule's code, e.g. `daily_maximum`.")
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_null=True)


class BulkResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    results = BulkResultRowSerializer(many=True)


class IdsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=BULK_MAX)


class RejectSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(help_text="Why the entry is rejected; the student sees it.")


class FailureSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    rule = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class ApproveBulkErrorBodySerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    message = serializers.CharField()
    # A declared field leaves the class attribute to DRF's ``fields`` property (the metaclass collects it).
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]
    failures = FailureSerializer(
        many=True, required=False, help_text="Every entry that stopped the approval, with its rule."
    )


class ApproveBulkErrorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Tandem's error format, plus ``failures``: each id that cannot be approved and the rule it breaks."""

    error = ApproveBulkErrorBodySerializer()
