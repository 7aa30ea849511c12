"""Demo practice hours: a month of ``student``'s entries at the hospital and the enterprise.

The month is replayed through ``practice.services`` as it would have happened: each entry is logged
with ``today`` set to its own day (so the entry window and the monthly lock hold) and decided the next
working morning by the placement's supervisor. Most are approved; some wait for ``sup-hospital`` and
``sup-enterprise`` (a few for more than three days, so the daily reminder digest has something to say);
one is rejected with a reason and answered with corrected entries.

Waiting entries of a month that the monthly lock has closed by the day the demo is seeded (from the 6th of a
month, last month's) could not be approved: the office has reopened such a month for a fortnight, with its
reason (``_reopen_for_waiting_entries``), so that the supervisors' queues work whatever the day.

Idempotent: nothing happens when the student already has entries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from practice import rules, services
from practice.models import EntryStatus, MonthReopening, PracticeLog
from programmes.models import ActivityCategory
from students.models import Placement, PlacementStatus, Student

REJECTION_REASON = "Please split CT and MR hours."
#: The hospital's entries cover its last three weeks; the enterprise's every weekday since it started.
HOSPITAL_WEEKS = 3
#: Enterprise entries of the last days wait for the supervisor (besides the first day's).
RECENT_PENDING_DAYS = 3
#: How long the office keeps a closed month with waiting entries reopened, from the day the demo is seeded.
REOPENED_FOR_DAYS = 14
REOPENING_REASON = "Supervisors' sign-offs still outstanding after the month closed."


@dataclass(frozen=True)
class _Plan:
    """One entry to replay: on which day, what, and what the supervisor does with it."""

    day: datetime.date
    category: str
    hours: Decimal | None = None
    start: datetime.time | None = None
    end: datetime.time | None = None
    cases: int | None = None
    description: str = ""
    decision: str = "approve"  # "approve", "reject", "wait", or "supervisor" (logged by the supervisor)


def _weekdays(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    day = first
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def _hospital_plan(placement: Placement) -> list[_Plan]:
    """Weekdays of the hospital placement's last three weeks: CT and MR most days, some DR/DSA and
    ultrasound. The first day is rejected (CT and MR lumped together) and answered the same day; the last
    two days wait for sup-hospital, more than three days after they were entered."""
    days = list(
        _weekdays(
            placement.end_date - datetime.timedelta(weeks=HOSPITAL_WEEKS) + datetime.timedelta(1), placement.end_date
        )
    )
    plans: list[_Plan] = []
    for n, day in enumerate(days):
        decision = "wait" if n >= len(days) - 2 else "approve"
        if n == 0:
            # Answered with the hours split as asked, the same morning it is rejected.
            plans.append(_Plan(day, "ct", Decimal("8"), description="CT and MR sessions", decision="reject"))
        elif n % 3 == 2:
            plans.append(
                _Plan(
                    day,
                    "dr-dsa",
                    None,
                    datetime.time(8),
                    datetime.time(12),
                    cases=9,
                    description="DR chest and DSA",
                    decision=decision,
                )
            )
            plans.append(
                _Plan(
                    day,
                    "ultrasound",
                    None,
                    datetime.time(13),
                    datetime.time(16, 30),
                    cases=6,
                    description="Abdominal ultrasound with Dr. Liu",
                    decision=decision,
                )
            )
        else:
            plans.append(
                _Plan(day, "ct", Decimal("5"), cases=12, description="CT head and chest protocols", decision=decision)
            )
            plans.append(_Plan(day, "mr", Decimal("3"), cases=4, description="MR knee and spine", decision=decision))
    return plans


def _enterprise_plan(placement: Placement, today: datetime.date) -> list[_Plan]:
    """Weekdays at the enterprise since the placement began, up to yesterday: R&D work, post-processing
    and quality control. The first day waits for sup-enterprise beyond three days (the digest has
    something), as do the last few days; one QC session was logged by the supervisor."""
    days = list(_weekdays(placement.start_date, min(placement.end_date, today - datetime.timedelta(days=1))))
    plans: list[_Plan] = []
    for n, day in enumerate(days):
        waits = n == 0 or (today - day).days < RECENT_PENDING_DAYS
        decision = "wait" if waits else "approve"
        plans.append(
            _Plan(day, "rnd", Decimal("4"), description="Low-dose reconstruction prototype", decision=decision)
        )
        if n % 2:
            plans.append(
                _Plan(
                    day,
                    "post-processing",
                    Decimal("3"),
                    cases=20,
                    description="3D reconstruction and MPR of phantom scans",
                    decision=decision,
                )
            )
        elif n == 4:
            plans.append(
                _Plan(
                    day,
                    "qc",
                    None,
                    datetime.time(14),
                    datetime.time(17),
                    description="CT phantom QC",
                    decision="supervisor",
                )
            )
        else:
            plans.append(_Plan(day, "qc", Decimal("2"), description="Daily QC of the test scanner", decision=decision))
    return plans


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A moment on a day in the project's time zone, never later than now."""
    moment = timezone.make_aware(datetime.datetime.combine(day, time))
    return min(moment, timezone.now())


def _backdate(log: PracticeLog, *, entered: datetime.datetime, decided: datetime.datetime | None) -> None:
    """Date a replayed entry as if entered (and decided) on its day, so that "waiting for more than three
    days" and the queue's ages read true. The history keeps this change too, with its reason."""
    log.entered_at = entered
    fields = ["entered_at"]
    if decided is not None and log.decided_at is not None:
        log.decided_at = decided
        fields.append("decided_at")
    log._change_reason = "Demo data: dated as if entered on the day."  # type: ignore[attr-defined]
    log.save(update_fields=fields)


def _replay(
    placement: Placement, plans: list[_Plan], categories: dict[str, ActivityCategory], today: datetime.date
) -> None:
    student_user = placement.student.user
    supervisor = placement.supervisor
    for plan in plans:
        entry = services.EntryInput(
            placement=placement,
            date=plan.day,
            category=categories[plan.category],
            hours=plan.hours,
            start_time=plan.start,
            end_time=plan.end,
            cases=plan.cases,
            description=plan.description,
        )
        by = supervisor if plan.decision == "supervisor" else student_user
        log = services.practice_log_create(entry=entry, by=by, today=plan.day)
        # The supervisor decides the next morning (today at the latest).
        decision_day = min(plan.day + datetime.timedelta(days=1), today)
        if plan.decision == "approve":
            log = services.practice_log_approve(log=log, by=supervisor, today=decision_day)
        elif plan.decision == "reject":
            log = services.practice_log_reject(log=log, by=supervisor, reason=REJECTION_REASON, today=decision_day)
            # The student answers the rejection with the hours split as asked.
            for code, hours in (("ct", "5"), ("mr", "3")):
                answer = services.practice_log_create(
                    entry=services.EntryInput(
                        placement=placement,
                        date=plan.day,
                        category=categories[code],
                        hours=Decimal(hours),
                        description=f"{categories[code].name} (split as asked)",
                    ),
                    by=student_user,
                    today=decision_day,
                )
                answer = services.practice_log_approve(log=answer, by=supervisor, today=decision_day)
                _backdate(
                    answer, entered=_at(decision_day, datetime.time(10)), decided=_at(decision_day, datetime.time(11))
                )
        entered = _at(plan.day, datetime.time(17, 30) if plan.decision != "supervisor" else datetime.time(17))
        decided = entered if plan.decision == "supervisor" else _at(decision_day, datetime.time(9, 15))
        _backdate(log, entered=entered, decided=decided)


def seed_practice_hours() -> None:
    """A month of ``student``'s practice hours at the hospital and the enterprise (the practice-hours issue)."""
    student = Student.objects.select_related("user", "programme").filter(user__username="student").first()
    if student is None or PracticeLog.objects.filter(student=student).exists():
        return
    today = timezone.localdate()
    categories = {c.code: c for c in ActivityCategory.objects.filter(programme=student.programme)}
    placements = {
        p.partner.short_name: p
        for p in Placement.objects.filter(student=student)
        .exclude(status=PlacementStatus.CANCELLED)
        .select_related("partner", "supervisor", "student__user")
    }
    hospital, enterprise = placements.get("AH"), placements.get("IMG-E")
    if hospital is not None:
        _replay(hospital, _hospital_plan(hospital), categories, today)
    if enterprise is not None:
        _replay(enterprise, _enterprise_plan(enterprise, today), categories, today)
    _reopen_for_waiting_entries(student, today)


def _reopen_for_waiting_entries(student: Student, today: datetime.date) -> None:
    """Reopen (as the office) each month that holds the student's waiting entries and is closed today for the
    placement's rules, until ``REOPENED_FOR_DAYS`` from today (the module's docstring says why)."""
    office = User.objects.filter(username="office").first()
    if office is None:
        return
    closed: set[datetime.date] = set()
    lock_days: dict[int, int] = {}  # the rules in force, read once per partner
    for log in PracticeLog.objects.filter(student=student, status=EntryStatus.PENDING).select_related(
        "placement__partner"
    ):
        partner = log.placement.partner
        if partner.pk not in lock_days:
            lock_days[partner.pk] = rules.rules_for(programme=student.programme, partner=partner).lock_day
        if rules.month_closes_on(log.date, lock_days[partner.pk]) < today:
            closed.add(rules.month_start(log.date))
    until = today + datetime.timedelta(days=REOPENED_FOR_DAYS)
    for month in sorted(closed):
        if not MonthReopening.objects.filter(programme=student.programme, month=month, until__gte=until).exists():
            services.month_reopen(
                programme=student.programme, month=month, until=until, reason=REOPENING_REASON, by=office, today=today
            )
