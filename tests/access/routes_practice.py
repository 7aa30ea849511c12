"""URL arguments and request bodies for the practice-hours page routes of the matrix (docs/permissions.md,
"Practice hours (pages)").

Object **A** is an entry of student A at placement A made yesterday: pending and entered by student A
(withdraw, approve, reject), or approved by supervisor A (correct); for the progress page, student A.
Pages work on the real today, so placement A is first moved to run around today (the world's dates are
fixed). Bodies are valid for the people allowed to act, so allowed means done.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from practice.models import EntryStatus, PracticeLog
from programmes.models import ActivityCategory
from students.models import Placement
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory


def _today() -> datetime.date:
    return timezone.localdate()


def _category(world: World) -> ActivityCategory:
    """Placement A running around today, and an activity of the programme (both made once per test)."""
    today = _today()
    Placement.objects.filter(pk=world.placement_a.pk).update(
        start_date=today - datetime.timedelta(days=30), end_date=today + datetime.timedelta(days=30)
    )
    category, _created = ActivityCategory.objects.get_or_create(
        programme=world.programme, code="matrix-pages", defaults={"name": "Matrix activity", "required_hours": 100}
    )
    return category


def _entry(world: World, status: str) -> PracticeLog:
    category = _category(world)
    existing = PracticeLog.objects.filter(placement=world.placement_a, status=status, category=category).first()
    if existing is not None:
        return existing
    traits = {"approved": True} if status == EntryStatus.APPROVED else {}
    return PracticeLogFactory.create(
        placement=Placement.objects.get(pk=world.placement_a.pk),
        category=category,
        date=_today() - datetime.timedelta(days=1),
        hours=Decimal("4"),
        **traits,
    )


def _pending_a(world: World) -> dict[str, Any]:
    return {"pk": _entry(world, EntryStatus.PENDING).pk}


def _approved_a(world: World) -> dict[str, Any]:
    return {"pk": _entry(world, EntryStatus.APPROVED).pk}


def _student_a(world: World) -> dict[str, Any]:
    return {"student_pk": world.student_a.pk}


def _log_body(world: World) -> dict[str, Any]:
    return {
        "placement": world.placement_a.pk,
        "date": _today().isoformat(),
        "hours": "2",
        "category": _category(world).pk,
        "description": "Matrix",
    }


def _approve_many_body(world: World) -> dict[str, Any]:
    return {"ids": [_entry(world, EntryStatus.PENDING).pk]}


def _reopen_body(world: World) -> dict[str, Any]:
    return {
        "programme": world.programme.pk,
        "month": (_today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m"),
        "until": (_today() + datetime.timedelta(days=7)).isoformat(),
        "reason": "The hospital's system was down at the end of the month.",
    }


def _rules_body(world: World) -> dict[str, Any]:
    """Partner A's tightening: the office and A's coordinator may; B's coordinator cannot choose A."""
    return {
        "programme": world.programme.pk,
        "partner": world.partner_a.pk,
        "daily_max_hours": "10",
        "entry_window_days": "7",
        "lock_day": "3",
    }


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "practice:withdraw": _pending_a,
    "practice:approve": _pending_a,
    "practice:reject": _pending_a,
    "practice:correct": _approved_a,
    "practice:progress": _student_a,
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "practice:log": _log_body,
    "practice:correct": lambda w: {"hours": "-1", "correction_reason": "Counted the lunch break."},
    "practice:approve-many": _approve_many_body,
    "practice:reject": lambda w: {"reason": "You were not on site that day."},
    "practice:reopen": _reopen_body,
    "practice:rules": _rules_body,
}
