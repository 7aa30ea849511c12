"""CSV and XLSX exports of practice-hour entries, built so that a large export never sits in memory.

The caller hands in the user's scoped, filtered entries (``access.scope`` first, then
``practice.filters.PracticeLogFilter``); this module only reads and writes them out:

* CSV is streamed: a ``StreamingHttpResponse`` over ``QuerySet.iterator(chunk_size=2000)``, one line at
  a time, behind a UTF-8 byte-order mark so that spreadsheet programs read Chinese names correctly.
* XLSX cannot be streamed (a workbook is a zip archive whose index comes last), so it is **built on
  disk, not in memory**: openpyxl's write-only mode writes each row straight to a temporary file (and
  buffers sheet data on disk itself), the same chunked iterator feeds it, and a ``FileResponse`` then
  sends the file in blocks. The temporary file has no name in the file system and disappears when the
  response closes it.

Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, a tab, a carriage return) is
neutralised: prefixed with an apostrophe in CSV (``core.spreadsheets.neutralise``, the same rule as the
students' export, whose import takes it off again), stored as a string cell in XLSX.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponseBadRequest, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.spreadsheets import neutralise
from partners import access
from practice.filters import PracticeLogFilter
from practice.models import PracticeLog

CHUNK_SIZE = 2000
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")

COLUMNS = (
    gettext_lazy("id"),
    gettext_lazy("date"),
    gettext_lazy("student number"),
    gettext_lazy("student name"),
    gettext_lazy("partner"),
    gettext_lazy("placement from"),
    gettext_lazy("placement to"),
    gettext_lazy("activity"),
    gettext_lazy("hours"),
    gettext_lazy("start"),
    gettext_lazy("end"),
    gettext_lazy("cases"),
    gettext_lazy("status"),
    gettext_lazy("entered by"),
    gettext_lazy("entered by supervisor"),
    gettext_lazy("decided by"),
    gettext_lazy("decided at"),
    gettext_lazy("rule version"),
    gettext_lazy("corrects (id)"),
    gettext_lazy("reason"),
)


def export_queryset(logs: QuerySet[PracticeLog]) -> QuerySet[PracticeLog]:
    """The entries with every row the columns read joined in (one query per chunk, however many rows),
    oldest first as a spreadsheet reads."""
    return logs.select_related("student__user", "placement__partner", "category", "entered_by", "decided_by").order_by(
        "date", "pk"
    )


def _reason(log: PracticeLog) -> str:
    """Why the entry is what it is: the rejection's reason, the correction's reason, or both."""
    return "; ".join(text for text in (log.rejection_reason, log.correction_reason) if text)


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Local wall-clock time without a zone: spreadsheets have no time zones (openpyxl refuses them)."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def export_values(log: PracticeLog) -> list[Any]:
    """One entry as the export's columns (``COLUMNS``); expects ``export_queryset``'s joins."""
    placement = log.placement
    return [
        log.pk,
        log.date,
        log.student.student_number,
        log.student.user.display_name,
        placement.partner.name,
        placement.start_date,
        placement.end_date,
        log.category.name,
        log.hours,
        log.start_time,
        log.end_time,
        log.cases,
        log.get_status_display(),
        log.entered_by.display_name,
        _("yes") if log.entered_by_supervisor else _("no"),
        log.decided_by.display_name if log.decided_by is not None else "",
        _local(log.decided_at),
        log.rule_version,
        log.corrects_id,
        _reason(log),
    ]


def _rows(logs: QuerySet[PracticeLog]) -> Iterator[list[Any]]:
    for log in export_queryset(logs).iterator(chunk_size=CHUNK_SIZE):
        yield export_values(log)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return neutralise(str(value))


class _Echo:
    """A file-like object that hands back what is written, so ``csv.writer`` output can be streamed."""

    def write(self, value: str) -> str:
        return value


def export_csv(logs: QuerySet[PracticeLog]) -> Iterator[str]:
    """The entries as CSV text, one line at a time: a BOM, the header, a line per entry."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([str(column) for column in COLUMNS])
    for values in _rows(logs):
        yield writer.writerow([_csv_text(value) for value in values])


def export_xlsx(logs: QuerySet[PracticeLog]) -> IO[bytes]:
    """The entries as an XLSX workbook in an anonymous temporary file, positioned at its start."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Practice hours"))
    sheet.append([str(column) for column in COLUMNS])
    for values in _rows(logs):
        sheet.append([_xlsx_cell(sheet, WriteOnlyCell, value) for value in values])
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 -- FileResponse closes (and so deletes) it
    try:
        workbook.save(target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def _xlsx_cell(sheet: Any, cell_class: Any, value: Any) -> Any:
    cell = cell_class(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, datetime.time):
        cell.number_format = "hh:mm"
    return cell


def export_filename(kind: str, today: datetime.date | None = None) -> str:
    return f"practice-hours-{(today or timezone.localdate()):%Y%m%d}.{kind}"


def export_response(logs: QuerySet[PracticeLog], kind: str) -> HttpResponseBase:
    """The download of ``logs`` (already scoped and filtered) as ``kind``: ``"csv"`` or ``"xlsx"``."""
    if kind not in FORMATS:
        raise ValueError(f"unknown export format {kind!r}")
    filename = export_filename(kind)
    if kind == "csv":
        response: HttpResponseBase = StreamingHttpResponse(export_csv(logs), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(export_xlsx(logs), as_attachment=True, filename=filename, content_type=XLSX_TYPE)


class PracticeLogExportView(LoginRequiredMixin, View):
    """``practice:export``: the entries the user may see, filtered as the API's list is
    (``student``, ``partner``, ``placement``, ``category``, ``status``, ``date_from``, ``date_to``), as a
    CSV (``?format=csv``, the default) or XLSX (``?format=xlsx``) download. The pages link here."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        kind = request.GET.get("format") or "csv"
        logs = access.scope(PracticeLog.objects.all(), request.user, "view")
        filters = PracticeLogFilter(request.GET, queryset=logs)
        if kind not in FORMATS or not filters.is_valid():
            return HttpResponseBadRequest(_("Choose csv or xlsx, and check the filters."))
        return export_response(filters.qs, kind)
