"""URL arguments and request bodies for the practice-hours API and export routes of the matrix
(docs/permissions.md, "Practice hours (API, export)").

Object **A** is a pending entry of student A at placement A, entered by student A yesterday. The API
works on the real today, so placement A is first moved to run around today (the world's dates are fixed).
Bodies are valid for the people allowed to act, so allowed means done: a new entry at placement A, a
bulk of one such entry, the bulk approval of entry A, a rejection with a reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from practice.models import PracticeLog
from programmes.models import ActivityCategory
from students.models import Placement
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory


def _yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def _category(world: World) -> ActivityCategory:
    """Placement A running around today, and an activity of the programme (both made once per test)."""
    today = timezone.localdate()
    Placement.objects.filter(pk=world.placement_a.pk).update(
        start_date=today - datetime.timedelta(days=30), end_date=today + datetime.timedelta(days=30)
    )
    category, _created = ActivityCategory.objects.get_or_create(
        programme=world.programme, code="matrix", defaults={"name": "Matrix activity"}
    )
    return category


def _entry_a(world: World) -> PracticeLog:
    category = _category(world)
    existing = PracticeLog.objects.filter(placement=world.placement_a, idempotency_key="matrix-a").first()
    return existing or PracticeLogFactory.create(
        placement=Placement.objects.get(pk=world.placement_a.pk),
        category=category,
        date=_yesterday(),
        hours=2,
        idempotency_key="matrix-a",
    )


def _new_entry(world: World) -> dict[str, Any]:
    return {
        "placement": world.placement_a.pk,
        "date": _yesterday().isoformat(),
        "category": _category(world).pk,
        "hours": "1.5",
    }


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "api:practice-log-detail": lambda w: {"pk": _entry_a(w).pk},
    "api:practice-log-approve": lambda w: {"pk": _entry_a(w).pk},
    "api:practice-log-reject": lambda w: {"pk": _entry_a(w).pk},
    "api:practice-log-withdraw": lambda w: {"pk": _entry_a(w).pk},
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "api:practice-log-list": _new_entry,
    "api:practice-log-reject": lambda w: {"reason": "You were at the lecture that morning."},
    "api:practice-log-approve-bulk": lambda w: {"ids": [_entry_a(w).pk]},
    "api:practice-log-bulk": lambda w: {"entries": [{**_new_entry(w), "idempotency_key": "matrix-bulk-1"}]},
}
