"""Integrity API serializers: what a submission, a report and a case look like to API clients.

Reports name their sources by title; the author is filled only for readers who may ``view_sources`` (the
office). A case's evidence is given only to readers with ``view_evidence`` (the office, its investigators,
its subject); a partner's coordinator reads that it exists and its outcome."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from integrity.models import Case, OriginalityReport, Submission, SubmissionKind
from partners import access


class SubmissionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    report: serializers.PrimaryKeyRelatedField[OriginalityReport] = serializers.PrimaryKeyRelatedField(read_only=True)
    report_status = serializers.CharField(source="report.status", read_only=True)
    similarity = serializers.DecimalField(source="report.similarity", max_digits=5, decimal_places=2, read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "student",
            "kind",
            "title",
            "version",
            "milestone",
            "file_format",
            "size",
            "sha256",
            "submitted_at",
            "report",
            "report_status",
            "similarity",
        ]
        read_only_fields = fields


class SubmissionCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=SubmissionKind.choices)
    title = serializers.CharField(max_length=300)
    file = serializers.FileField()


class SourceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    number = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    author = serializers.CharField(help_text="Empty unless the reader is the office.")
    year = serializers.IntegerField(allow_null=True)
    share = serializers.FloatField(help_text="Percent of the checked characters matched in this source.")


class OriginalityReportSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    sources = serializers.SerializerMethodField()
    quoted_chars = serializers.SerializerMethodField()
    reference_chars = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = OriginalityReport
        fields = [
            "id",
            "submission",
            "status",
            "outcome",
            "similarity",
            "review_from",
            "refer_above",
            "quoted_chars",
            "reference_chars",
            "sources",
            "sha256",
            "queued_at",
            "finished_at",
            "pdf",
        ]
        read_only_fields = fields

    @extend_schema_field(SourceSerializer(many=True))
    def get_sources(self, report: OriginalityReport) -> list[dict[str, Any]]:
        request = self.context.get("request")
        authors = request is not None and access.can(request.user, "view_sources", report)
        keys = ("number", "kind", "title", "author", "year", "share")
        return [
            {key: (source.get(key) if key != "author" or authors else "") for key in keys}
            for source in (report.result or {}).get("sources", [])
        ]

    @extend_schema_field(serializers.IntegerField())
    def get_quoted_chars(self, report: OriginalityReport) -> int:
        return int((report.result or {}).get("quoted_chars", 0))

    @extend_schema_field(serializers.IntegerField())
    def get_reference_chars(self, report: OriginalityReport) -> int:
        return int((report.result or {}).get("reference_chars", 0))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_pdf(self, report: OriginalityReport) -> str | None:
        request = self.context.get("request")
        if not report.sha256 or request is None:
            return None
        return str(request.build_absolute_uri(f"/api/v1/originality-reports/{report.pk}/pdf/"))


class CaseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    evidence = serializers.SerializerMethodField()
    source_concern = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "subject_kind",
            "subject_partner",
            "kind",
            "status",
            "decision",
            "remedy",
            "sanction",
            "sanction_until",
            "opened_at",
            "decided_at",
            "evidence",
            "source_concern",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Null for readers who see only the outcome."))
    def get_evidence(self, case: Case) -> str | None:
        return case.evidence if self._full(case) else None

    def _full(self, case: Case) -> bool:
        """Whether the reader sees the case's evidence (asked once per case, for both fields)."""
        seen: dict[int, bool] = self.__dict__.setdefault("_evidence_readers", {})
        if case.pk not in seen:
            request = self.context.get("request")
            seen[case.pk] = request is not None and access.can(request.user, "view_evidence", case)
        return seen[case.pk]

    @extend_schema_field(
        serializers.IntegerField(
            allow_null=True, help_text="The review concern the case was opened from (readers of its evidence only)."
        )
    )
    def get_source_concern(self, case: Case) -> int | None:
        return case.source_concern_id if self._full(case) else None
