"""``student_progress`` through its statements compiled once per shape of rules (ADR 0053) answers exactly what
the querysets built for each call answer (``_progress_rows_reference``), for every kind of reader: the
student, their tutor, the office, the supervisor of one placement, a coordinator, a co-supervisor who sees a
placement but not its hours, an inspector with a grant, a partial reader, and someone who sees nothing;
with a cancelled placement among them. Run on PostgreSQL and on SQLite (``embedded``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.roles import platform_roles
from partners import access
from partners.access import grant_partner_view
from practice import progress_queries, selectors
from practice.models import EntryStatus
from programmes.models import ActivityCategory
from students.models import Placement, PlacementHours, PlacementStatus, Student
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory
from tests.factories.students import PlacementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

TODAY = datetime.date(2026, 11, 20)
READERS = [
    "student_a",
    "tutor",
    "office",
    "supervisor_a",
    "supervisor_b",
    "coordinator_a",
    "coordinator_b",
    "inspector",
    "counsellor",
    "student_b",
]


def _log(placement: Placement, category: ActivityCategory, hours: str, status: str, day: int) -> None:
    PracticeLogFactory.create(
        placement=placement,
        category=category,
        hours=Decimal(hours),
        status=status,
        date=placement.start_date + datetime.timedelta(days=day),
        rejection_reason="No." if status == EntryStatus.REJECTED else "",
    )


@pytest.fixture
def spread(world: World) -> dict[str, Any]:
    """Student A at partner A (CT and MR planned), at partner B (MR planned), and at B again in a cancelled
    placement (CT planned, entries kept); approved, pending and rejected entries at each; a third category
    with nothing; supervisor A co-supervises A (every placement seen, hours only at A); the inspector holds
    a grant on B."""
    ct = ActivityCategoryFactory.create(programme=world.programme, code="ct", name="CT", required_hours=200)
    mr = ActivityCategoryFactory.create(programme=world.programme, code="mr", name="MR", required_hours=100)
    ActivityCategoryFactory.create(programme=world.programme, code="us", name="Ultrasound", required_hours=50)
    supervisor_b = world.users["supervisor_b"]
    at_b = PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=supervisor_b,
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    cancelled = PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=supervisor_b,
        start_date=datetime.date(2026, 10, 1),
        end_date=datetime.date(2026, 10, 31),
    )
    PlacementHours.objects.create(placement=world.placement_a, category=ct, hours=60)
    PlacementHours.objects.create(placement=world.placement_a, category=mr, hours=20)
    PlacementHours.objects.create(placement=at_b, category=mr, hours=40)
    PlacementHours.objects.create(placement=cancelled, category=ct, hours=30)
    for index, (placement, category) in enumerate(
        [(world.placement_a, ct), (world.placement_a, mr), (at_b, mr), (cancelled, ct)]
    ):
        _log(placement, category, "7.25", EntryStatus.APPROVED, index)
        _log(placement, category, "2.5", EntryStatus.APPROVED, index + 4)
        _log(placement, category, "1.75", EntryStatus.PENDING, index + 8)
        _log(placement, category, "3", EntryStatus.REJECTED, index + 12)
    Placement.objects.filter(pk=cancelled.pk).update(status=PlacementStatus.CANCELLED)
    Student.objects.filter(pk=world.student_a.pk).update(practice_supervisor=world.users["supervisor_a"])
    grant_partner_view(
        user=world.users["inspector"],  # type: ignore[arg-type]
        partner=world.partner_b,
        until=timezone.now() + datetime.timedelta(days=1),
    )
    return {"ct": ct, "mr": mr, "at_b": at_b, "cancelled": cancelled}


def _fields(obj: Any) -> tuple[Any, ...]:
    return tuple(getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields)


def _placement_rows(placements: list[Placement]) -> list[tuple[Any, ...]]:
    return [
        (
            _fields(p),
            _fields(p.partner),
            _fields(p.site),
            _fields(p.supervisor),
            str(p.required),  # type: ignore[attr-defined]
            str(p.approved_hours),  # type: ignore[attr-defined]
            str(p.pending_hours),  # type: ignore[attr-defined]
            bool(p.hours_hidden),  # type: ignore[attr-defined]
        )
        for p in placements
    ]


def _category_rows(categories: list[ActivityCategory]) -> list[tuple[Any, ...]]:
    return [
        (_fields(c), str(c.planned_hours), str(c.approved_hours), str(c.pending_hours))  # type: ignore[attr-defined]
        for c in categories
    ]


def _progress(progress: selectors.StudentProgress) -> tuple[Any, ...]:
    """Everything a page shows of a progress, figures as text (so 7.25 and 7.250 would differ)."""
    return (
        progress.partial,
        [p.pk for p in progress.partners],
        [
            (r.category.pk, r.required, r.planned, str(r.approved), str(r.pending), r.percent, r.pending_percent)
            for r in progress.categories
        ],
        [
            (r.placement.pk, r.required, str(r.approved), str(r.pending), str(r.expected), r.behind, r.hours_shown)
            for r in progress.placements
        ],
        (progress.required_total, str(progress.approved_total), str(progress.pending_total), progress.behind),
    )


def _student() -> Student:
    return Student.objects.get(user__username="student_a")


@pytest.mark.parametrize("persona", READERS)
def test_the_compiled_statements_answer_the_rows_of_the_querysets(
    world: World, spread: dict[str, Any], persona: str
) -> None:
    reader = world.users[persona]
    assert reader is not None
    student = _student()

    compiled = progress_queries.read(
        student=student, user=reader, build=selectors._progress_querysets, using=connection.alias
    )
    reference = selectors._progress_rows_reference(student=student, user=reader)

    assert compiled is not None  # every reader's rules have a template: the compiled path is the one taken
    assert _placement_rows(compiled[0]) == _placement_rows(reference[0])
    assert _category_rows(compiled[1]) == _category_rows(reference[1])


@pytest.mark.parametrize("persona", READERS)
def test_student_progress_is_what_the_reference_path_gives(
    world: World, spread: dict[str, Any], persona: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = world.users[persona]
    assert reader is not None
    student = _student()

    compiled = selectors.student_progress(student=student, user=reader, today=TODAY)
    monkeypatch.setattr(progress_queries, "read", lambda **kwargs: None)  # the querysets, built for the call
    reference = selectors.student_progress(student=student, user=reader, today=TODAY)

    assert _progress(compiled) == _progress(reference)


def test_the_figures_each_reader_gets(world: World, spread: dict[str, Any]) -> None:
    """The compared answers are the right ones, not just equal: approved 9.75 and pending 1.75 per placement
    and category; the cancelled placement's entries count in the categories but it plans nothing."""
    student = _student()
    ct, mr, at_b = spread["ct"], spread["mr"], spread["at_b"]

    def figures(persona: str) -> tuple[Any, ...]:
        reader = world.users[persona]
        assert reader is not None
        progress = selectors.student_progress(student=student, user=reader, today=TODAY)
        return (
            progress.partial,
            {r.category.code: (r.planned, r.approved, r.pending) for r in progress.categories},
            [(r.placement.pk, r.hours_shown, r.approved) for r in progress.placements],
        )

    a = world.placement_a.pk
    whole = {"ct": (60, Decimal("19.50"), Decimal("3.50")), "mr": (60, Decimal("19.50"), Decimal("3.50"))}
    assert figures("office") == (False, {**whole, "us": (0, 0, 0)}, [(at_b.pk, True, 9.75), (a, True, 19.5)])
    assert figures("student_a") == figures("tutor") == figures("office")
    # The co-supervisor sees every live placement, the hours only at the one they supervise.
    assert figures("supervisor_a") == (
        True,
        {"ct": (60, Decimal("9.75"), Decimal("1.75")), "mr": (20, Decimal("9.75"), Decimal("1.75"))},
        [(at_b.pk, False, 0), (a, True, 19.5)],
    )
    # At B: the live placement and the cancelled one's entries (the cancelled one plans nothing).
    at_partner_b = (
        True,
        {"ct": (0, Decimal("9.75"), Decimal("1.75")), "mr": (40, Decimal("9.75"), Decimal("1.75"))},
        [(at_b.pk, True, 9.75)],
    )
    assert figures("supervisor_b") == figures("coordinator_b") == figures("inspector") == at_partner_b
    assert figures("counsellor") == figures("student_b") == (True, {}, [])
    assert ct.pk != mr.pk


def test_one_shape_of_rules_is_compiled_once_and_serves_every_reader_of_that_shape(
    world: World, spread: dict[str, Any]
) -> None:
    """Two coordinators: the second reuses the first's SQL text, with their own values, and gets their own
    answers; each read costs two statements (the roles read once per user object, as before)."""
    student = _student()
    texts = []
    for persona in ("coordinator_a", "coordinator_b"):
        reader = world.users[persona]
        assert isinstance(reader, User)
        platform_roles(reader)
        access.forget()
        with CaptureQueriesContext(connection) as captured:
            progress = selectors.student_progress(student=student, user=reader, today=TODAY)
        assert len(captured.captured_queries) == 2
        texts.append([query["sql"] for query in captured.captured_queries])
        assert [p.pk for p in progress.partners] == [getattr(world, f"partner_{persona[-1]}").pk]
    compiled = progress_queries._COMPILED
    view = access.rule_template(world.users["coordinator_a"], "view", Placement)  # type: ignore[arg-type]
    hours = access.rule_template(world.users["coordinator_a"], "view_hours", Placement)  # type: ignore[arg-type]
    assert view is not None and hours is not None and (view.key, hours.key) in compiled
    assert texts[0] != texts[1]  # the values differ (the captured SQL has them in place) ...
    first, second = (compiled[(view.key, hours.key)][0].sql(connection.alias, **_values(world, p)) for p in "ab")
    assert first[0] == second[0] and first[1] != second[1]  # ... in the same statement


def _values(world: World, side: str) -> dict[str, Any]:
    reader = world.users[f"coordinator_{side}"]
    assert reader is not None
    view = access.rule_template(reader, "view", Placement)
    hours = access.rule_template(reader, "view_hours", Placement)
    assert view is not None and hours is not None
    return {
        "student": world.student_a.pk,
        **{f"view{index}": value for index, value in enumerate(view.values)},
        **{f"hours{index}": value for index, value in enumerate(hours.values)},
    }
