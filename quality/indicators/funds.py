"""The report's "funds" section: budget against spending by category and by partner, and the flags raised on
the spending.

A fund names its programme (``funds.Fund.programme``), so the programme's money is its funds' allocations,
whichever partner holds them; a cohort does not narrow it (funds are given to a programme, not to an intake).
An allocation counts in a year when its budget's period (current version) overlaps the year or when it has
spending dated in the year. Spending comes from the ledger's running totals (``funds.SpendingTotal``, a row per
allocation, category and month; docs/decisions/0031-fund-running-totals.md), never from the entries: four
queries whatever the size of the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import translation
from django.utils.translation import gettext_noop

from funds.models import (
    ZERO,
    Allocation,
    BudgetLine,
    Category,
    Flag,
    FlagRule,
    FlagStatus,
    SpendingTotal,
    cents,
)
from quality.figures import Column, Figure, Frame, Row, Section, Table, share
from quality.indicators._drill import drill

TITLE = gettext_noop("Funds")


def _msgid(label: Any) -> str:
    """A choice's label as its English message id (translated again when the report is shown)."""
    with translation.override("en"):
        return str(label)


def _money(value: Decimal | None) -> float:
    return float(cents(value))


def _allocations(frame: Frame) -> list[dict[str, Any]]:
    """The programme's allocations that count in the year, with their partner and current version."""
    in_year = Q(
        current_version__start_date__lte=frame.end,
        current_version__end_date__gte=frame.start,
    ) | Q(spending_totals__month__range=(frame.start, frame.end))
    rows = (
        Allocation.objects.filter(fund__programme_id=frame.programme_id)
        .filter(in_year)
        .order_by()
        .values("pk", "partner_id", "partner__name", "current_version_id")
        .distinct()
    )
    return [dict(row) for row in rows]


def _lines(frame: Frame, allocations: list[dict[str, Any]]) -> dict[tuple[int, str], dict[str, Decimal]]:
    """(partner, category) -> budget, spent to date (as of ``frame.today``) and spent in the year."""
    lines: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(
        lambda: {"budget": ZERO, "spent": ZERO, "spent_year": ZERO}
    )
    versions = [a["current_version_id"] for a in allocations if a["current_version_id"] is not None]
    for row in (
        BudgetLine.objects.filter(version_id__in=versions)
        .order_by()
        .values("version__allocation__partner_id", "category")
        .annotate(amount=Sum("amount"))
    ):
        lines[(row["version__allocation__partner_id"], row["category"])]["budget"] += cents(row["amount"])
    to_date = Q(month__lte=frame.today)
    in_year = Q(month__gte=frame.start, month__lte=frame.today)
    for spent in (
        SpendingTotal.objects.filter(allocation_id__in=[a["pk"] for a in allocations])
        .order_by()
        .values("allocation__partner_id", "category")
        .annotate(to_date=Sum("spent", filter=to_date), in_year=Sum("spent", filter=in_year))
    ):
        line = lines[(spent["allocation__partner_id"], spent["category"])]
        line["spent"] += cents(spent["to_date"])
        line["spent_year"] += cents(spent["in_year"])
    return lines


SPENDING_COLUMNS = [
    Column("spent", gettext_noop("Spent to date"), unit="money"),
    Column("budget", gettext_noop("Budget"), unit="money"),
    Column("share", gettext_noop("Share of the budget spent"), unit="share"),
    Column("spent_year", gettext_noop("Spent in the year"), unit="money"),
]


def _spending_row(label: str, figures: dict[str, Decimal], *, translate: bool, key: str) -> Row:
    return Row(
        label=label,
        values=[
            _money(figures["spent"]),
            _money(figures["budget"]),
            share(float(figures["spent"]), float(figures["budget"])),
            _money(figures["spent_year"]),
        ],
        translate=translate,
        key=key,
    )


def _flags(frame: Frame) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Flags per rule (raised and resolved in the year, open as of ``frame.today``) and over every rule, with
    the mean days from raising to resolving the flags resolved in the year: one query."""
    raised = Q(raised_at__date__gte=frame.start, raised_at__date__lte=frame.end)
    resolved = Q(resolved_at__date__gte=frame.start, resolved_at__date__lte=frame.end)
    still_open = Q(raised_at__date__lte=frame.today) & (
        Q(status=FlagStatus.OPEN) | Q(resolved_at__date__gt=frame.today)
    )
    taken = ExpressionWrapper(F("resolved_at") - F("raised_at"), output_field=DurationField())
    rows = (
        Flag.objects.filter(allocation__fund__programme_id=frame.programme_id)
        .order_by()
        .values("rule")
        .annotate(
            raised=Count("pk", filter=raised),
            resolved=Count("pk", filter=resolved),
            open=Count("pk", filter=still_open),
            days=Avg(taken, filter=resolved),
        )
    )
    by_rule: dict[str, dict[str, Any]] = {row["rule"]: dict(row) for row in rows}
    totals: dict[str, Any] = {
        "raised": sum(r["raised"] for r in by_rule.values()),
        "resolved": sum(r["resolved"] for r in by_rule.values()),
        "open": sum(r["open"] for r in by_rule.values()),
    }
    # the mean over every rule, weighted by how many flags each rule had resolved
    seconds = sum(r["days"].total_seconds() * r["resolved"] for r in by_rule.values() if r["days"] is not None)
    totals["days"] = round(seconds / 86400 / totals["resolved"], 1) if totals["resolved"] else None
    return by_rule, totals


def section(frame: Frame) -> Section:
    """The funds figures for ``frame``: four queries."""
    allocations = _allocations(frame)
    lines = _lines(frame, allocations)
    partners = {a["partner_id"]: a["partner__name"] for a in allocations}

    def total(keys: list[tuple[int, str]]) -> dict[str, Decimal]:
        summed = {"budget": ZERO, "spent": ZERO, "spent_year": ZERO}
        for key in keys:
            for name in summed:
                summed[name] += lines[key][name]
        return summed

    overall = total(list(lines))
    over = sum(1 for line in lines.values() if line["spent"] > line["budget"])
    by_category = [
        _spending_row(_msgid(label), total([k for k in lines if k[1] == code]), translate=True, key=code)
        for code, label in Category.choices
        if any(k[1] == code for k in lines)
    ]
    by_partner = [
        _spending_row(name, total([k for k in lines if k[0] == pk]), translate=False, key=str(pk))
        for pk, name in sorted(partners.items(), key=lambda item: item[1])
    ]
    by_rule, flags = _flags(frame)
    flag_rows = [
        Row(
            label=_msgid(label),
            values=[by_rule[code]["raised"], by_rule[code]["resolved"], by_rule[code]["open"]],
            translate=True,
            key=code,
        )
        for code, label in FlagRule.choices
        if code in by_rule and (by_rule[code]["raised"] or by_rule[code]["resolved"] or by_rule[code]["open"])
    ]
    notes = [
        gettext_noop(
            "Funds are those given to the programme (each fund names its programme), with their allocations to "
            "every partner; budgets are the allocations' current versions, counted when their period overlaps "
            "the year or they have spending dated in it. Spending includes entries awaiting approval, with "
            "reversals netted."
        )
    ]
    if frame.cohort_id is not None:
        notes.append(
            gettext_noop("Funds belong to the programme as a whole: these figures are not narrowed to the cohort.")
        )
    return Section(
        key="funds",
        title=TITLE,
        figures=[
            Figure(
                "funds.budget",
                gettext_noop("Budget of the allocations in the year"),
                _money(overall["budget"]),
                "money",
            ),
            Figure("funds.spent", gettext_noop("Spent to date"), _money(overall["spent"]), "money"),
            Figure("funds.spent_year", gettext_noop("Spent in the year"), _money(overall["spent_year"]), "money"),
            Figure(
                "funds.spent_share",
                gettext_noop("Share of the budget spent to date"),
                share(float(overall["spent"]), float(overall["budget"])),
                "share",
            ),
            Figure(
                "funds.lines_over_budget",
                gettext_noop("Budget lines overspent (partner and category)"),
                over,
                better="lower",
            ),
            Figure("funds.flags_raised", gettext_noop("Flags raised in the year"), flags["raised"]),
            Figure("funds.flags_resolved", gettext_noop("Flags resolved in the year"), flags["resolved"]),
            Figure(
                "funds.flags_open",
                gettext_noop("Flags open"),
                flags["open"],
                better="lower",
                # Funds are the programme's, not a cohort's: the queue narrows to the programme's open flags.
                drill=drill("funds:flags", frame, cohort=False, status=FlagStatus.OPEN),
            ),
            Figure(
                "funds.flag_days",
                gettext_noop("Mean days from a flag to its resolution"),
                flags["days"],
                "days",
                better="lower",
            ),
        ],
        tables=[
            Table(
                "funds.by_category",
                gettext_noop("Budget and spending by category"),
                SPENDING_COLUMNS,
                by_category,
                chart="bar",
            ),
            Table(
                "funds.by_partner",
                gettext_noop("Budget and spending by partner"),
                SPENDING_COLUMNS,
                by_partner,
                chart="bar",
            ),
            Table(
                "funds.flags_by_rule",
                gettext_noop("Flags by rule"),
                [
                    Column("raised", gettext_noop("Raised in the year")),
                    Column("resolved", gettext_noop("Resolved in the year")),
                    Column("open", gettext_noop("Open"), better="lower"),
                ],
                flag_rows,
                chart="bar",
            ),
        ],
        notes=notes,
    )
