"""Admin for quality reports: read only. A report is evidence (its figures and files frozen by the build,
its public version by publication): it is requested, built, retried and published through
``quality.services`` (the office's pages and the API), never edited here."""

from django.contrib import admin

from quality.models import QualityReport, QualityReportFile
from supervision.admin_readonly import ReadOnlyMixin


class QualityReportFileInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = QualityReportFile
    extra = 0
    fields = ("variant", "language", "pdf", "sha256", "rendered_at")


@admin.register(QualityReport)
class QualityReportAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("programme", "cohort", "year", "version", "status", "built_at", "published_at")
    list_filter = ("status", "year", "programme")
    list_select_related = ("programme", "cohort")
    exclude = ("figures", "public_figures")
    inlines = [QualityReportFileInline]
