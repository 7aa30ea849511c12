"""Serializers of the quality API: the office's reports (with their frozen figures and PDFs), the request
for a new build, and the published versions for everyone (public figures and public PDFs only)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners import access
from programmes.models import Cohort, Programme
from quality.forms import FIRST_YEAR, LAST_YEAR, last_year
from quality.models import QualityReport, QualityReportFile, QualityReportVariant


class ReportFileSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One frozen PDF: check a download against ``sha256``."""

    variant = serializers.CharField(help_text="full or public")
    language = serializers.CharField()
    sha256 = serializers.CharField()
    pdf = serializers.CharField(help_text="Path of the PDF download.")


def _file_row(file: QualityReportFile, url: str) -> dict[str, Any]:
    return {"variant": file.variant, "language": file.language, "sha256": file.sha256, "pdf": url}


class QualityReportSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """One version of a programme's quality report, as the office lists it."""

    programme_code = serializers.CharField(source="programme.code", read_only=True)
    published = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = QualityReport
        fields = [
            "id",
            "programme",
            "programme_code",
            "cohort",
            "year",
            "version",
            "status",
            "requested_at",
            "built_at",
            "attempts",
            "error",
            "published",
            "published_at",
            "files",
        ]
        read_only_fields = fields

    def get_published(self, obj: QualityReport) -> bool:
        return obj.published_at is not None

    @extend_schema_field(ReportFileSerializer(many=True))
    def get_files(self, obj: QualityReport) -> list[dict[str, Any]]:
        """Every rendering (full and public, each language), with its hash and download path."""
        base = reverse("api:quality-report-pdf", args=[obj.pk])
        return [
            _file_row(file, f"{base}?variant={file.variant}&lang={file.language}")
            for file in sorted(obj.files.all(), key=lambda f: (f.variant, f.language))
        ]


class QualityReportDetailSerializer(QualityReportSerializer):
    """One version with its frozen figures (``quality.figures``: sections of figures and tables, and the
    previous year's values) and, once published, the public figures."""

    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None)
    published_by = serializers.CharField(source="published_by.username", read_only=True, default=None)

    class Meta(QualityReportSerializer.Meta):
        fields = [*QualityReportSerializer.Meta.fields, "requested_by", "published_by", "figures", "public_figures"]
        read_only_fields = fields


class QualityReportBuildSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A new build: a programme, optionally one of its cohorts, and a calendar year (the last by default)."""

    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.all())
    cohort = serializers.PrimaryKeyRelatedField(
        queryset=Cohort.objects.all(), required=False, allow_null=True, help_text="One of the programme's cohorts."
    )
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only rows the caller may see (a cohort through its programme): naming any other fails exactly like
        # naming an unused id.
        request = self.context.get("request")
        if request is not None:
            user = request.user
            programmes = access.scope(Programme.objects.all(), user, "view")
            self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
            self.fields["cohort"].queryset = Cohort.objects.filter(programme__in=programmes)  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        cohort, programme = attrs.get("cohort"), attrs["programme"]
        if cohort is not None and cohort.programme_id != programme.pk:
            raise serializers.ValidationError(
                {
                    "cohort": [
                        _("This cohort belongs to another programme: choose one of %(code)s's cohorts.")
                        % {"code": programme.code}
                    ]
                }
            )
        attrs.setdefault("year", last_year())
        return attrs


class PublicProgrammeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    name = serializers.CharField()


class PublicReportFileSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One frozen public PDF: check a download against ``sha256``."""

    language = serializers.CharField()
    sha256 = serializers.CharField()
    pdf = serializers.CharField(help_text="Path of the PDF download.")


class PublicQualityReportSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A published report as the public sees it: its public figures (no person, no group under 10) and
    its public PDFs; nothing of the full report."""

    programme = serializers.SerializerMethodField()
    cohort = serializers.SerializerMethodField()
    figures = serializers.JSONField(source="public_figures", read_only=True)
    reports = serializers.SerializerMethodField()

    class Meta:
        model = QualityReport
        fields = ["id", "programme", "cohort", "year", "version", "published_at", "figures", "reports"]
        read_only_fields = fields

    @extend_schema_field(PublicProgrammeSerializer)
    def get_programme(self, obj: QualityReport) -> dict[str, str]:
        return {"code": obj.programme.code, "name": obj.programme.name}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cohort(self, obj: QualityReport) -> str | None:
        """The cohort's name, or null for a report on every cohort."""
        return str(obj.cohort) if obj.cohort_id and obj.cohort else None

    @extend_schema_field(PublicReportFileSerializer(many=True))
    def get_reports(self, obj: QualityReport) -> list[dict[str, Any]]:
        """The public PDFs, one per language (the rows were fetched for the public variant only)."""
        base = reverse("api:public-quality-report-pdf", args=[obj.pk])
        files = getattr(obj, "public_files", None)
        if files is None:
            files = list(obj.files.filter(variant=QualityReportVariant.PUBLIC).order_by("language"))
        return [
            {"language": f.language, "sha256": f.sha256, "pdf": f"{base}?lang={f.language}"}
            for f in files
            if f.variant == QualityReportVariant.PUBLIC
        ]
