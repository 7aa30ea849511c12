"""Reads of the psychological service, each starting from the scoped queryset (``partners.access.scope``).

Reads that show an individual's record also keep the read in the person's access log (``log_read``): the
pages and the API call them, and nothing else reads these records. ``statistics`` is the one read of the
anonymous events: every cell of fewer than ``WELLBEING_MIN_CELL`` people is suppressed, with complementary
suppression; it is also what the programme quality report will read (``user=None``: acting for nobody)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import AnyUser
from partners import access
from partners.access import user_pk
from partners.models import Partner
from wellbeing import questionnaires
from wellbeing.models import (
    AccessLogEntry,
    Appointment,
    AppointmentStatus,
    Case,
    CaseNote,
    CaseStatus,
    CheckIn,
    Consent,
    Counsellor,
    EventKind,
    Hotline,
    Service,
    Sharing,
    Slot,
    WellbeingEvent,
)
from wellbeing.services.records import access_log_record

ACTIVE = (CaseStatus.WAITING, CaseStatus.OPEN, CaseStatus.REFERRED)


# --- The person's own records ----------------------------------------------------------------------------


def log_read(*, user: AnyUser, subject_id: int, what: str) -> None:
    """Keep a read of ``subject_id``'s record by ``user``: who, when, what; the reason when the reader holds
    a break-glass assignment on one of the subject's cases."""
    from wellbeing.models import Assignment

    reason = ""
    if user.is_authenticated and user.pk != subject_id:
        glass = (
            Assignment.objects.in_force()
            .filter(counsellor_id=user.pk, case__person_id=subject_id)
            .exclude(break_glass_reason="")
            .values_list("break_glass_reason", flat=True)
            .first()
        )
        reason = glass or ""
    access_log_record(subject_id=subject_id, reader=user if user.is_authenticated else None, what=what, reason=reason)  # type: ignore[arg-type]


def log_reads(*, user: AnyUser, subject_ids: Iterable[int], what: str) -> None:
    """Keep the reads of several people's records at once (an API list): one row each, one query."""
    reader = user if user.is_authenticated else None
    AccessLogEntry.objects.bulk_create(
        [AccessLogEntry(subject_id=pk, reader=reader, what=what[:200]) for pk in sorted(set(subject_ids))]
    )


def check_in_list(*, user: AnyUser, person_id: int | None = None) -> QuerySet[CheckIn]:
    """Check-ins the user may read: their own (or, for an assigned counsellor, ``person_id``'s)."""
    rows = access.scope(CheckIn.objects.all(), user, "view")
    return rows.filter(person_id=person_id if person_id is not None else user.pk).order_by("-created_at", "-pk")


def case_list_own(*, user: AnyUser) -> QuerySet[Case]:
    """The user's own requests and cases, newest first."""
    consents = Prefetch("consents", queryset=Consent.objects.select_related("recipient"))
    return (
        access.scope(Case.objects.select_related("service"), user, "view")
        .filter(person_id=user.pk)
        .prefetch_related(consents)
    )


def appointment_list(*, user: AnyUser) -> QuerySet[Appointment]:
    """Appointments the user may read (their own, and their cases' as a counsellor), by time."""
    return access.scope(
        Appointment.objects.select_related("slot", "slot__counsellor", "slot__service", "case", "person"), user, "view"
    ).order_by("slot__starts_at", "pk")


def appointments_upcoming(*, user: AnyUser) -> QuerySet[Appointment]:
    """The user's own booked appointments still to come."""
    return appointment_list(user=user).filter(
        person_id=user.pk, status=AppointmentStatus.BOOKED, slot__starts_at__gte=timezone.now()
    )


def access_log(*, user: AnyUser) -> QuerySet[AccessLogEntry]:
    """Who read the user's records, and when: only the user sees it."""
    return access.scope(AccessLogEntry.objects.select_related("reader"), user, "view").order_by("-at", "-pk")


def sharing_list_received(*, user: AnyUser) -> QuerySet[Sharing]:
    """What the service shared with the user (as recipient)."""
    return access.scope(Sharing.objects.all(), user, "view").filter(recipient_id=user.pk)


def hotlines() -> QuerySet[Hotline]:
    """The crisis lines to show (anyone signed in)."""
    return Hotline.objects.filter(active=True).order_by("order", "pk")


def services() -> QuerySet[Service]:
    return Service.objects.select_related("partner").order_by("name")


def free_slots(*, user: AnyUser, service: Service | None = None, exclude: Iterable[int] = ()) -> QuerySet[Slot]:
    """Free future slots (times, counsellor, mode): what a person may book."""
    booked = Appointment.objects.filter(slot_id=OuterRef("pk"), status=AppointmentStatus.BOOKED)
    rows = (
        access.scope(Slot.objects.select_related("counsellor", "service"), user, "view")
        .filter(withdrawn=False, starts_at__gt=timezone.now())
        .exclude(Exists(booked))
        .exclude(pk__in=list(exclude))
        .exclude(counsellor_id=user.pk)
    )
    if service is not None:
        rows = rows.filter(service=service)
    return rows.order_by("starts_at", "pk")


# --- The counsellor's work -------------------------------------------------------------------------------


def caseload(*, user: AnyUser) -> QuerySet[Case]:
    """The counsellor's cases (assigned, active first), with the person."""
    return (
        access.scope(Case.objects.select_related("person", "service"), user, "manage")
        .annotate(
            next_at=Count(
                "appointments",
                filter=Q(
                    appointments__status=AppointmentStatus.BOOKED, appointments__slot__starts_at__gte=timezone.now()
                ),
            )
        )
        .order_by("status", "-created_at")
    )


def on_duty(*, user: AnyUser) -> bool:
    """Whether the counsellor is on duty."""
    if not user.is_authenticated:
        return False
    return Counsellor.objects.filter(user_id=user_pk(user), on_duty=True).exists()


def requests_waiting(*, user: AnyUser) -> QuerySet[Case]:
    """Requests waiting at the counsellor's service: urgent first, then oldest. The list shows no name
    and no text (urgency, language, mode, when): only the counsellor who takes one reads it."""
    return access.scope(Case.objects.all(), user, "take").order_by("-urgency", "created_at")


def calendar(*, user: AnyUser, days: int = 28) -> list[dict[str, Any]]:
    """The counsellor's own slots from today for ``days`` days, each with its booked appointment."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    slots = list(
        access.scope(Slot.objects.all(), user, "manage")
        .filter(starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=days), withdrawn=False)
        .order_by("starts_at")
    )
    booked = {a.slot_id: a for a in appointment_list(user=user).filter(slot__in=slots, status=AppointmentStatus.BOOKED)}
    days_out: dict[datetime.date, list[dict[str, Any]]] = {}
    for slot in slots:
        day = timezone.localtime(slot.starts_at).date()
        days_out.setdefault(day, []).append({"slot": slot, "appointment": booked.get(slot.pk)})
    return [{"day": day, "entries": entries} for day, entries in sorted(days_out.items())]


@dataclass
class CaseRecord:
    case: Case
    notes: list[CaseNote]
    appointments: list[Appointment]
    consents: list[Consent]
    sharings: list[Sharing]
    check_ins: list[CheckIn]
    chart: dict[str, Any]


def case_record(*, case: Case, user: AnyUser) -> CaseRecord:
    """Everything on a case page (the case already fetched in the ``manage`` scope); the read is logged."""
    log_read(user=user, subject_id=case.person_id, what=f"case #{case.pk}")
    check_ins = list(check_in_list(user=user, person_id=case.person_id)[:52])
    return CaseRecord(
        case=case,
        notes=list(access.scope(CaseNote.objects.select_related("author"), user, "view").filter(case=case)),
        appointments=list(appointment_list(user=user).filter(case=case)),
        consents=list(access.scope(Consent.objects.select_related("recipient"), user, "view").filter(case=case)),
        sharings=list(access.scope(Sharing.objects.select_related("recipient"), user, "view").filter(case=case)),
        check_ins=check_ins,
        chart=outcome_chart(check_ins),
    )


# --- The outcome chart (inline SVG) ----------------------------------------------------------------------

CHART_W, CHART_H, PAD = 600, 200, 30


def outcome_chart(check_ins: Sequence[CheckIn]) -> dict[str, Any]:
    """PHQ-9 and GAD-7 totals over time as points of two SVG polylines (oldest left), with the band lines
    at 5, 10, 15 and 20; empty when no questionnaire was answered."""
    rows = sorted(
        (c for c in check_ins if c.phq9_score is not None or c.gad7_score is not None), key=lambda c: c.created_at
    )
    if not rows:
        return {}
    n = len(rows)
    step = (CHART_W - 2 * PAD) / max(n - 1, 1)

    def y(score: int) -> float:
        return round(CHART_H - PAD - score * (CHART_H - 2 * PAD) / 27, 1)

    series: dict[str, list[dict[str, Any]]] = {"phq9": [], "gad7": []}
    for i, row in enumerate(rows):
        x = round(PAD + i * step, 1)
        for key, score in (("phq9", row.phq9_score), ("gad7", row.gad7_score)):
            if score is not None:
                series[key].append(
                    {"x": x, "y": y(score), "score": score, "date": timezone.localtime(row.created_at).date()}
                )
    return {
        "width": CHART_W,
        "height": CHART_H,
        "phq9": series["phq9"],
        "gad7": series["gad7"],
        "phq9_points": " ".join(f"{p['x']},{p['y']}" for p in series["phq9"]),
        "gad7_points": " ".join(f"{p['x']},{p['y']}" for p in series["gad7"]),
        "bands": [{"y": y(v), "label": v} for v in (5, 10, 15, 20)],
        "left": PAD,
        "right": CHART_W - PAD,
        "latest_phq9_band": questionnaires.phq9_band(rows[-1].phq9_score),
        "latest_gad7_band": questionnaires.gad7_band(rows[-1].gad7_score),
    }


# --- Statistics: anonymous, small cells suppressed --------------------------------------------------------


@dataclass
class Cell:
    value: int | float | None
    people: int
    hidden: bool = False

    @property
    def shown(self) -> int | float | None:
        return None if self.hidden else self.value


@dataclass
class Table:
    """A table of people counts (or a figure per cell) with its totals, after suppression."""

    title: Any
    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], Cell]
    row_totals: dict[str, Cell] = field(default_factory=dict)
    column_totals: dict[str, Cell] = field(default_factory=dict)
    total: Cell | None = None
    is_count: bool = True

    def grid(self) -> list[dict[str, Any]]:
        return [
            {
                "label": row,
                "cells": [self.cells.get((row, col), Cell(0, 0)) for col in self.columns],
                "total": self.row_totals.get(row),
            }
            for row in self.rows
        ]

    def footer(self) -> list[Cell]:
        return [self.column_totals.get(col, Cell(0, 0)) for col in self.columns]

    def hidden_count(self) -> int:
        cells = [*self.cells.values(), *self.row_totals.values(), *self.column_totals.values()]
        return sum(1 for c in cells if c.hidden) + (1 if self.total and self.total.hidden else 0)


def _hide_line(line: list[Cell], total: Cell | None, minimum: int) -> bool:
    """One row or column (with its total): if exactly one of its cells is hidden while the total shows,
    hide the smallest other non-zero cell too (or the total), so the hidden one cannot be worked out."""
    hidden = [c for c in line if c.hidden]
    if total is None or total.hidden or len(hidden) != 1:
        return False
    others = sorted((c for c in line if not c.hidden and c.people > 0), key=lambda c: c.people)
    if others:
        others[0].hidden = True
    else:
        total.hidden = True
    return True


def suppress(
    rows: list[str], columns: list[str], people: dict[tuple[str, str], int], *, minimum: int | None = None
) -> tuple[dict[tuple[str, str], Cell], dict[str, Cell], dict[str, Cell], Cell]:
    """People counts with totals; every cell (and total) of 1 to ``minimum - 1`` people hidden, then
    complementary suppression until no row or column has a single hidden cell beside a shown total
    (a total minus the shown cells then never reveals a hidden one). Zeros are shown."""
    k = minimum if minimum is not None else settings.WELLBEING_MIN_CELL
    cells = {(r, c): Cell(people.get((r, c), 0), people.get((r, c), 0)) for r in rows for c in columns}
    row_totals = {r: Cell(sum(people.get((r, c), 0) for c in columns), 0) for r in rows}
    col_totals = {c: Cell(sum(people.get((r, c), 0) for r in rows), 0) for c in columns}
    total = Cell(sum(people.values()), 0)
    for cell in [*cells.values(), *row_totals.values(), *col_totals.values(), total]:
        if cell.people == 0 and cell.value:
            cell.people = int(cell.value)
        if 0 < cell.people < k:
            cell.hidden = True
    changed = True
    while changed:
        changed = False
        for r in rows:
            changed |= _hide_line([cells[(r, c)] for c in columns], row_totals[r], k)
        for c in columns:
            changed |= _hide_line([cells[(r, c)] for r in rows], col_totals[c], k)
        changed |= _hide_line(list(row_totals.values()), total, k)
        changed |= _hide_line(list(col_totals.values()), total, k)
    return cells, row_totals, col_totals, total


def _people() -> Any:
    return Count("person_key", distinct=True, filter=~Q(person_key="")) + Count("pk", filter=Q(person_key=""))


def _months(today: datetime.date, count: int) -> list[datetime.date]:
    first = today.replace(day=1)
    months = []
    for _i in range(count):
        months.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


@dataclass
class Statistics:
    months: list[datetime.date]
    tables: list[Table]
    waiting: Table
    minimum: int


ROLE_LABELS = {
    "student": _("Students"),
    "tutor": _("Tutors"),
    "supervisor": _("Supervisors"),
    "coordinator": _("Coordinators"),
    "staff": _("Staff"),
    "finance": _("Finance officers"),
}


def _count_table(
    events: QuerySet[WellbeingEvent],
    *,
    kind: str,
    by: str,
    months: list[datetime.date],
    title: Any,
    labels: dict[Any, str],
) -> Table:
    month_keys = [m.strftime("%Y-%m") for m in months]
    rows = events.filter(kind=kind, month__in=months).values("month", by).annotate(people=_people()).order_by()
    counts: dict[tuple[str, str], int] = {}
    columns: list[str] = []
    for row in rows:
        column = labels.get(row[by], str(_("Other")))
        if column not in columns:
            columns.append(column)
        key = (row["month"].strftime("%Y-%m"), column)
        counts[key] = counts.get(key, 0) + int(row["people"])
    columns.sort()
    cells, row_totals, column_totals, total = suppress(month_keys, columns, counts)
    return Table(title, month_keys, columns, cells, row_totals, column_totals, total)


def statistics(*, user: AnyUser | None, today: datetime.date | None = None, months: int = 12) -> Statistics:
    """The service's anonymous statistics for the last ``months`` months: people asking for counselling,
    with appointments, checking in (by month and partner, and by month and role), the mood distribution of
    check-ins, and the waiting time from request to first appointment (the service's performance figure).
    ``user=None`` reads every partner (the quality report's job); a coordinator sees their partners'."""
    today = today or timezone.localdate()
    month_list = _months(today, months)
    events = WellbeingEvent.objects.all() if user is None else access.scope(WellbeingEvent.objects.all(), user, "view")
    partner_ids = set(events.exclude(partner__isnull=True).values_list("partner_id", flat=True).distinct())
    partners = {p.pk: p.short_name or p.name for p in Partner.objects.filter(pk__in=partner_ids)}
    roles = {key: str(label) for key, label in ROLE_LABELS.items()}
    moods = {value: f"{value} {label}" for value, label in questionnaires.MOOD_CHOICES}
    tables = [
        _count_table(
            events,
            kind=EventKind.REQUEST,
            by="partner",
            months=month_list,
            title=_("People asking for counselling, by partner"),
            labels=partners,
        ),
        _count_table(
            events,
            kind=EventKind.REQUEST,
            by="role",
            months=month_list,
            title=_("People asking for counselling, by role"),
            labels=roles,
        ),
        _count_table(
            events,
            kind=EventKind.APPOINTMENT,
            by="partner",
            months=month_list,
            title=_("People with appointments, by partner"),
            labels=partners,
        ),
        _count_table(
            events,
            kind=EventKind.CHECK_IN,
            by="partner",
            months=month_list,
            title=_("People checking in, by partner"),
            labels=partners,
        ),
        _count_table(
            events,
            kind=EventKind.CHECK_IN,
            by="role",
            months=month_list,
            title=_("People checking in, by role"),
            labels=roles,
        ),
        _count_table(
            events, kind=EventKind.CHECK_IN, by="band", months=month_list, title=_("Check-ins by mood"), labels=moods
        ),
    ]
    return Statistics(month_list, tables, waiting_time(events=events, months=month_list), settings.WELLBEING_MIN_CELL)


def waiting_time(*, events: QuerySet[WellbeingEvent], months: list[datetime.date]) -> Table:
    """Average days from request to first appointment, by month of the request; a month of fewer than the
    minimum number of people shows nothing."""
    k = settings.WELLBEING_MIN_CELL
    month_keys = [m.strftime("%Y-%m") for m in months]
    rows = (
        events.filter(kind=EventKind.REQUEST, month__in=months, wait_days__isnull=False)
        .values("month")
        .annotate(people=_people(), days=Avg("wait_days"))
        .order_by()
    )
    column = str(_("Average days to first appointment"))
    cells: dict[tuple[str, str], Cell] = {}
    for row in rows:
        people = int(row["people"])
        cells[(row["month"].strftime("%Y-%m"), column)] = Cell(round(float(row["days"]), 1), people, hidden=people < k)
    return Table(_("Waiting time, request to first appointment"), month_keys, [column], cells, is_count=False)


def subjects(user_ids: Iterable[int]) -> dict[int, User]:
    return {u.pk: u for u in User.objects.filter(pk__in=list(user_ids))}
