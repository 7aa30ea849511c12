"""``progress_for_students`` through its statements compiled once per shape of rules (ADR 0059) answers exactly
what the querysets built for each call answer (``_progress_list_rows_reference``), for every kind of reader
(the student, their tutor, the office, supervisors, coordinators, a co-supervisor, an inspector with a grant,
readers who see nothing), pages of one to five students, a cancelled placement, one not started yet, students
behind and not behind; and one SQL text serves every page size. Run on PostgreSQL and on SQLite.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import AnyUser, platform_roles
from partners import access
from partners.access import grant_partner_view
from practice import progress_lists, selectors
from practice.models import EntryStatus
from programmes.models import ActivityCategory
from students.models import Placement, PlacementHours, PlacementStatus, Student
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory
from tests.factories.students import PlacementFactory, StudentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

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
DAYS = [datetime.date(2026, 11, 20), datetime.date(2027, 1, 31)]


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
def page_ids(world: World) -> list[int]:
    """Four students, the page's ids in list order:

    - A at partner A (CT 60, MR 20 planned), at B (MR 40), at B cancelled (CT 30, entries kept) and at A
      from February (CT 50, not started); co-supervised by supervisor A; 19.5 h approved at each placement;
    - B at partner B (CT 100), 60 h approved: ahead in November, behind at the end of January;
    - C at partner A under supervisor A (MR 30), nothing logged: behind;
    - D with no placement at all.

    The inspector holds a grant on B.

    Not named ``page``: pytest-playwright parametrises every test that asks for a fixture of that name with
    its session-scoped ``browser_name``, and pytest then ran the browser journeys (transactional, a flush at
    their end) among these plain database tests (``tests/ordering.py`` says what that did)."""
    ct = ActivityCategoryFactory.create(programme=world.programme, code="ct", name="CT", required_hours=200)
    mr = ActivityCategoryFactory.create(programme=world.programme, code="mr", name="MR", required_hours=100)
    ActivityCategoryFactory.create(programme=world.programme, code="us", name="Ultrasound", required_hours=50)
    supervisor_a, supervisor_b = world.users["supervisor_a"], world.users["supervisor_b"]
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
    later = PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_a,
        site=world.site_a,
        supervisor=supervisor_a,
        start_date=datetime.date(2027, 2, 1),
        end_date=datetime.date(2027, 5, 31),
    )
    student_c = StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort)
    at_a_c = PlacementFactory.create(
        student=student_c, partner=world.partner_a, site=world.site_a, supervisor=supervisor_a
    )
    student_d = StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort)
    for placement, category, hours in [
        (world.placement_a, ct, 60),
        (world.placement_a, mr, 20),
        (at_b, mr, 40),
        (cancelled, ct, 30),
        (later, ct, 50),
        (world.placement_b, ct, 100),
        (at_a_c, mr, 30),
    ]:
        PlacementHours.objects.create(placement=placement, category=category, hours=hours)
    for index, (placement, category) in enumerate(
        [(world.placement_a, ct), (world.placement_a, mr), (at_b, mr), (cancelled, ct)]
    ):
        _log(placement, category, "7.25", EntryStatus.APPROVED, index)
        _log(placement, category, "2.5", EntryStatus.APPROVED, index + 4)
        _log(placement, category, "1.75", EntryStatus.PENDING, index + 8)
        _log(placement, category, "3", EntryStatus.REJECTED, index + 12)
    for day in range(6):
        _log(world.placement_b, ct, "10", EntryStatus.APPROVED, day)
    _log(world.placement_b, ct, "8", EntryStatus.PENDING, 7)
    Placement.objects.filter(pk=cancelled.pk).update(status=PlacementStatus.CANCELLED)
    Student.objects.filter(pk=world.student_a.pk).update(practice_supervisor=supervisor_a)
    grant_partner_view(
        user=world.users["inspector"],  # type: ignore[arg-type]
        partner=world.partner_b,
        until=timezone.now() + datetime.timedelta(days=1),
    )
    return [world.student_a.pk, world.student_b.pk, student_c.pk, student_d.pk]


def _rows(rows: list[dict[str, Any]]) -> list[tuple[tuple[str, str], ...]]:
    """Rows as sorted (column, value as text) pairs, sorted: 7.25 and 7.250 would differ, order would not."""
    return sorted(tuple(sorted((name, str(value)) for name, value in row.items())) for row in rows)


def _reader(world: World, persona: str) -> AnyUser:
    reader = world.users[persona]
    assert reader is not None
    return reader


def _summaries(summaries: dict[int, selectors.ProgressSummary]) -> list[tuple[Any, ...]]:
    return [
        (pk, str(s.approved_total), s.required_total, s.percent, s.behind, s.partial) for pk, s in summaries.items()
    ]


def _pages(ids: list[int]) -> list[list[int]]:
    """Pages of one to five ids: each student alone, pairs, all four, and all four with an unknown id."""
    return [[pk] for pk in ids] + [ids[:2], ids[2:], ids[::-1], [*ids, 10**9]]


@pytest.mark.parametrize("today", DAYS)
@pytest.mark.parametrize("persona", READERS)
def test_the_compiled_statements_answer_the_rows_of_the_querysets(
    world: World, page_ids: list[int], persona: str, today: datetime.date
) -> None:
    reader = _reader(world, persona)
    for ids in _pages(page_ids):
        compiled = progress_lists.read(
            ids=ids, user=reader, build=selectors._progress_list_querysets, using=connection.alias
        )
        reference = selectors._progress_list_rows_reference(ids=ids, user=reader)

        assert compiled is not None  # every reader's rules have a template: the compiled path is the one taken
        assert [row["pk"] for row in compiled[0]] == [row["pk"] for row in reference[0]]  # the same order
        assert _rows(compiled[0]) == _rows(reference[0])
        assert _rows(compiled[1]) == _rows(reference[1])


@pytest.mark.parametrize("today", DAYS)
@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_progress_for_students_is_what_the_reference_path_gives(
    world: World, page_ids: list[int], persona: str, today: datetime.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = world.users[persona] or AnonymousUser()
    compiled = {
        tuple(ids): selectors.progress_for_students(student_ids=ids, user=reader, today=today)
        for ids in _pages(page_ids)
    }
    monkeypatch.setattr(progress_lists, "read", lambda **kwargs: None)  # the querysets, built for the call
    for ids in _pages(page_ids):
        reference = selectors.progress_for_students(student_ids=ids, user=reader, today=today)
        assert _summaries(compiled[tuple(ids)]) == _summaries(reference)


def test_a_reader_without_a_template_gets_the_reference_path(world: World, page_ids: list[int]) -> None:
    """Someone signed out has no rule to compile (they see nothing): the querysets answer, and see nothing."""
    anonymous = AnonymousUser()
    today = DAYS[0]
    build = selectors._progress_list_querysets
    assert progress_lists.read(ids=page_ids, user=anonymous, build=build, using=connection.alias) is None
    summaries = selectors.progress_for_students(student_ids=page_ids, user=anonymous, today=today)
    assert all(s.approved_total == 0 and not s.behind for s in summaries.values())


def test_the_figures_each_reader_gets(world: World, page_ids: list[int]) -> None:
    """The compared answers are the right ones, not just equal."""
    a, b, c, d = page_ids
    november, january = DAYS

    def figures(persona: str, today: datetime.date = november) -> dict[int, tuple[Any, ...]]:
        summaries = selectors.progress_for_students(student_ids=page_ids, user=_reader(world, persona), today=today)
        return {pk: (s.approved_total, s.required_total, s.behind, s.partial) for pk, s in summaries.items()}

    # The office: the programme's 350 h; A has 39 h approved (the cancelled placement's entries count) and
    # trails at A (19.5 of 80 h, 40 % of the way in) and at B; B is ahead in November, behind in January.
    assert figures("office") == {
        a: (Decimal("39.00"), 350, True, False),
        b: (Decimal("60"), 350, False, False),
        c: (Decimal("0"), 350, True, False),
        d: (Decimal("0"), 350, False, False),
    }
    assert figures("office", january)[b] == (Decimal("60"), 350, True, False)
    assert figures("tutor")[a] == figures("student_a")[a] == figures("office")[a]
    # A's co-supervisor: every placement of A seen, the hours only where they supervise (A's now and in
    # February: 130 h planned); C's placement is theirs; B is not theirs.
    supervisor_a = figures("supervisor_a")
    assert supervisor_a == {
        a: (Decimal("19.50"), 130, True, True),
        b: (Decimal("0"), 0, False, True),
        c: (Decimal("0"), 30, True, True),
        d: (Decimal("0"), 0, False, True),
    }
    # B's coordinator: A's hours at B (the cancelled placement's entries too, its plan not), and B's.
    assert figures("coordinator_b")[a] == (Decimal("19.50"), 40, True, True)
    assert figures("coordinator_b")[b] == (Decimal("60"), 100, False, True)
    assert figures("inspector") == figures("coordinator_b")
    assert figures("counsellor") == {pk: (Decimal("0"), 0, False, True) for pk in page_ids}


def test_one_statement_per_shape_of_rules_serves_every_page_size(world: World, page_ids: list[int]) -> None:
    """Two coordinators and pages of one to five ids: two statements a call, the same two SQL texts (the ids
    one parameter), each reader's own answers."""
    texts = set()
    for persona in ("coordinator_a", "coordinator_b"):
        reader = _reader(world, persona)
        platform_roles(reader)  # type: ignore[arg-type]
        access.forget()
        for ids in _pages(page_ids):
            with CaptureQueriesContext(connection) as captured:
                selectors.progress_for_students(student_ids=ids, user=reader, today=DAYS[0])
            assert len(captured.captured_queries) == 2
            reader_key = tuple(
                template.key  # type: ignore[union-attr]
                for template in (
                    access.rule_template(reader, action, model) for _name, action, model in progress_lists._RULES
                )
            )
            statements = progress_lists._COMPILED[reader_key]
            values = {"ids": ids, "today": DAYS[0]}
            texts.add(statements[1].sql(connection.alias, **_rule_values(reader, values))[0])
    assert len(texts) == 1


def _rule_values(reader: AnyUser, values: dict[str, Any]) -> dict[str, Any]:
    for name, action, model in progress_lists._RULES:
        template = access.rule_template(reader, action, model)
        assert template is not None
        values.update({f"{name}{index}": value for index, value in enumerate(template.values)})
    return values
