"""The fund statement for auditors (a PDF through ``core.pdf``: totals by category, every expenditure, the flags
and their resolution; Chinese included) and the fund's ledger as an XLSX workbook.

Both read the reader's scope only: the office gets every allocation of the fund; a partner's coordinator or
finance officer, and an inspector during an inspection there, get their partner's. XLSX cells are written as
text cells (``core.spreadsheets``: never a formula, whatever a payee or description starts with); amounts are
numbers.
"""

from __future__ import annotations

import datetime
import tempfile
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import AnyUser
from funds import selectors
from funds.models import Expenditure, Flag, Fund


def statement_context(*, fund: Fund, user: AnyUser) -> dict[str, Any]:
    """What the statement shows of ``fund`` to ``user``: a fixed number of queries."""
    allocations = list(selectors.allocation_list(user=user).filter(fund=fund).order_by("partner__name"))
    summaries = selectors.summaries(allocations)
    return {
        "fund": fund,
        "summaries": summaries,
        "lines": selectors.merge_lines(summaries),
        "budget": sum((s.budget for s in summaries), Decimal("0")),
        "spent": sum((s.spent for s in summaries), Decimal("0")),
        "approved": sum((s.approved for s in summaries), Decimal("0")),
        "pending": sum((s.pending for s in summaries), Decimal("0")),
        "expenditures": ledger(fund=fund, user=user),
        "flags": selectors.flag_list(user=user, status=None).filter(allocation__fund=fund).order_by("raised_at", "pk"),
        "today": timezone.localdate(),
    }


def ledger(*, fund: Fund, user: AnyUser) -> QuerySet[Expenditure]:
    """The fund's entries in the reader's scope, oldest first, with what the columns read."""
    return (
        selectors.expenditure_list(user=user)
        .filter(allocation__fund=fund)
        .select_related("allocation__partner", "entered_by", "approved_by", "student__user")
        .order_by("date", "pk")
    )


COLUMNS = (
    "id",
    "date",
    "partner",
    "category",
    "amount",
    "payee",
    "description",
    "student",
    "status",
    "entered by",
    "entered at",
    "approved by",
    "approved at",
    "approved as",
    "limit",
    "reverses (id)",
    "reason",
    "flags",
)


def _flag_codes(fund: Fund, user: AnyUser) -> dict[int, str]:
    codes: dict[int, list[str]] = {}
    for expenditure_id, rule in (
        selectors.flag_list(user=user, status=None)
        .filter(allocation__fund=fund, expenditure__isnull=False)
        .values_list("expenditure_id", "rule")
    ):
        codes.setdefault(expenditure_id, []).append(rule)
    return {key: " ".join(value) for key, value in codes.items()}


def export_xlsx(*, fund: Fund, user: AnyUser) -> IO[bytes]:
    """The fund's ledger (in scope) and its flags as an XLSX workbook in an anonymous temporary file."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ledger"))
    sheet.append([_(column) for column in COLUMNS])
    flags = _flag_codes(fund, user)

    def cell(value: Any) -> Any:
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            made.data_type = "s"
        elif isinstance(value, datetime.datetime):
            made.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, datetime.date):
            made.number_format = "yyyy-mm-dd"
        elif isinstance(value, Decimal):
            made.number_format = "#,##0.00"
        return made

    for e in ledger(fund=fund, user=user).iterator(chunk_size=2000):
        values = [
            e.pk,
            e.date,
            e.allocation.partner.short_name,
            e.get_category_display(),
            e.amount,
            e.payee,
            e.description,
            str(e.student) if e.student else "",
            e.get_status_display(),
            e.entered_by.get_username(),
            timezone.localtime(e.entered_at).replace(tzinfo=None),
            e.approved_by.get_username() if e.approved_by else "",
            timezone.localtime(e.approved_at).replace(tzinfo=None) if e.approved_at else None,
            e.get_approval_role_display(),
            e.approval_limit,
            e.reverses_id,
            e.reversal_reason,
            flags.get(e.pk, ""),
        ]
        sheet.append([cell(value) for value in values])
    flag_sheet = workbook.create_sheet(_("Flags"))
    flag_sheet.append([_("raised"), _("rule"), _("explanation"), _("status"), _("resolution"), _("note")])
    flag_rows: QuerySet[Flag] = selectors.flag_list(user=user, status=None).filter(allocation__fund=fund)
    for flag in flag_rows.order_by("raised_at", "pk"):
        row = [
            timezone.localtime(flag.raised_at).replace(tzinfo=None),
            flag.rule,
            flag.text,
            flag.get_status_display(),
            flag.get_resolution_display(),
            flag.resolution_note,
        ]
        cells = [WriteOnlyCell(flag_sheet, value=v) for v in row]
        for made in cells[1:]:
            made.data_type = "s"
        flag_sheet.append(cells)
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 -- FileResponse closes (and so deletes) it
    try:
        workbook.save(target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target
