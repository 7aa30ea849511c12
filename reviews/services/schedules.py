"""Review schedules and terms, set up by the office on its pages (before, only in the Django admin).

A schedule says which rounds a programme has and the thresholds its reviews are judged by; its terms say
when the term rounds open (mid-term and end of term). Both keep their history (django-simple-history: who
changed what, when), because a changed threshold moves the spot draw and a changed term moves rounds.

Rules checked here, each refused by field: a programme has one schedule; the reminder comes before the
deadline (fewer days than the window to answer); the yearly month is a month; the low-score threshold is on
the 1-to-5 scale; a term ends after it starts, has a name of its own in the programme and overlaps no other
term of the programme (a round's day must fall in one term only); a term whose rounds have opened keeps its
dates (the rounds were opened, and their results are grouped, by them), though it may be renamed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from partners import access
from programmes.models import Programme
from reviews.models import ReviewSchedule, ReviewTerm

#: The fields of a schedule the office sets.
SCHEDULE_FIELDS = (
    "term_rounds",
    "placement_rounds",
    "yearly_partner_review",
    "yearly_review_month",
    "window_days",
    "grace_days",
    "remind_days_before",
    "min_meetings_per_term",
    "low_score_threshold",
)


def _check_schedule(values: dict[str, Any]) -> None:
    month, window = values["yearly_review_month"], values["window_days"]
    if not 1 <= month <= 12:
        raise refuse("yearly_review_month", "invalid_month", _("Give a month from 1 to 12."))
    if window < 1:
        raise refuse("window_days", "invalid_window", _("Reviewers need at least one day to answer."))
    if values["remind_days_before"] >= window:
        raise refuse(
            "remind_days_before",
            "reminder_after_window",
            _("The reminder comes before the deadline: fewer days than the %(days)s days to answer.")
            % {"days": window},
        )
    if not Decimal(1) <= Decimal(values["low_score_threshold"]) <= Decimal(5):
        raise refuse("low_score_threshold", "invalid_threshold", _("Give a score from 1 to 5."))


def _values(given: dict[str, Any], base: ReviewSchedule) -> dict[str, Any]:
    """The schedule's fields after the change: what is given, else what it has now."""
    return {name: given.get(name, getattr(base, name)) for name in SCHEDULE_FIELDS}


def review_schedule_create(*, programme: Programme, by: User, **fields: Any) -> ReviewSchedule:
    """A programme's review schedule (the office); fields not given take the defaults."""
    access.require(by, "change", ReviewSchedule)
    values = _values(fields, ReviewSchedule())
    _check_schedule(values)
    with transaction.atomic():
        Programme.objects.select_for_update().get(pk=programme.pk)
        if ReviewSchedule.objects.filter(programme=programme).exists():
            raise refuse("programme", "schedule_exists", _("This programme has a review schedule already."))
        schedule = ReviewSchedule(programme=programme, **values)
        schedule._history_user = by  # type: ignore[attr-defined]
        schedule.save()
    return schedule


def review_schedule_update(*, schedule: ReviewSchedule, by: User, **fields: Any) -> ReviewSchedule:
    """Change a schedule (the office); the change is kept in its history. Later rounds follow it; rounds
    already opened keep their dates."""
    access.require(by, "change", schedule)
    with transaction.atomic():
        locked = ReviewSchedule.objects.select_for_update().get(pk=schedule.pk)
        values = _values(fields, locked)
        _check_schedule(values)
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        if changed:
            for name in changed:
                setattr(locked, name, values[name])
            locked._history_user = by  # type: ignore[attr-defined]
            locked.save(update_fields=changed)
    return locked


def _check_term(
    programme: Programme, name: str, start: datetime.date, end: datetime.date, term: ReviewTerm | None
) -> None:
    if not name:
        raise refuse("name", "required", _("Name the term."))
    if end <= start:
        raise refuse("end_date", "end_before_start", _("A term ends after it starts."))
    others = ReviewTerm.objects.filter(programme=programme)
    if term is not None:
        others = others.exclude(pk=term.pk)
    if others.filter(name=name).exists():
        raise refuse("name", "name_taken", _("The programme has a term of this name already."))
    overlap = others.filter(start_date__lte=end, end_date__gte=start).order_by("start_date").first()
    if overlap is not None:
        raise refuse(
            "start_date",
            "terms_overlap",
            _("These dates overlap %(term)s (%(start)s to %(end)s).")
            % {"term": overlap.name, "start": overlap.start_date.isoformat(), "end": overlap.end_date.isoformat()},
        )


def review_term_create(
    *, programme: Programme, name: str, start_date: datetime.date, end_date: datetime.date, by: User
) -> ReviewTerm:
    """A term of a programme (the office): its rounds open at its middle and its end."""
    access.require(by, "change", ReviewTerm)
    name = (name or "").strip()
    with transaction.atomic():
        Programme.objects.select_for_update().get(pk=programme.pk)  # one term written at a time per programme
        _check_term(programme, name, start_date, end_date, None)
        term = ReviewTerm(programme=programme, name=name, start_date=start_date, end_date=end_date)
        term._history_user = by  # type: ignore[attr-defined]
        term.save()
    return term


def review_term_update(
    *, term: ReviewTerm, name: str, start_date: datetime.date, end_date: datetime.date, by: User
) -> ReviewTerm:
    """Rename a term or move its dates (the office); a term whose rounds have opened keeps its dates."""
    access.require(by, "change", term)
    name = (name or "").strip()
    with transaction.atomic():
        Programme.objects.select_for_update().get(pk=term.programme_id)
        locked = ReviewTerm.objects.get(pk=term.pk)
        moved = (start_date, end_date) != (locked.start_date, locked.end_date)
        if moved and locked.rounds.exists():
            raise refuse(
                "start_date",
                "term_in_use",
                _("Rounds of this term have opened: its dates stay as they are (it may be renamed)."),
            )
        _check_term(locked.programme, name, start_date, end_date, locked)
        locked.name, locked.start_date, locked.end_date = name, start_date, end_date
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save()
    return locked
