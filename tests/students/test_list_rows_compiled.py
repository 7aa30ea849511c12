"""A page of the student lists' rows through its statement compiled once per shape of rules, number of keys and
day (ADR 0060) answers exactly what the queryset built for each call answers
(``lists.students_by_keys_reference``), for every kind of reader: the office, the tutor, the coordinators
and supervisors of either partner, a student, a counsellor, an inspector. Students of every kind: late
milestones, no plan, no approved plan in time, withdrawn, without a tutor, placed now (and in a cancelled
placement). The at-risk list's keys test "a late milestone" on the join their order already reads, not with
an ``EXISTS``: the same keys in the same order as ``student_at_risk_list`` (which keeps the ``EXISTS``). Run on
PostgreSQL and on SQLite (``embedded``).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import platform_roles
from core import hooks
from partners import access
from programmes.models import MilestoneKind
from students import selectors
from students.models import Student
from students.selectors import list_rows, lists
from tests.conftest import World, client_for
from tests.factories.students import MilestoneFactory
from tests.students.conftest import READERS, TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _fields(obj: Any) -> tuple[Any, ...] | None:
    if obj is None:
        return None
    return tuple(getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields)


def _plan(student: Student) -> Any:
    try:
        return student.plan
    except ObjectDoesNotExist:
        return None


def _row(student: Student) -> tuple[Any, ...]:
    """Everything a list reads of a row: its columns, its related rows (or None), every annotation."""
    names = sorted(lists._annotated(Student.objects.all(), lists._current_placements(TODAY), TODAY).query.annotations)
    return (
        _fields(student),
        _fields(student.user),
        _fields(student.programme),
        _fields(student.cohort),
        _fields(student.tutor),
        _fields(_plan(student)),
        tuple((name, getattr(student, name)) for name in names),
    )


def _rows(students: list[Student]) -> list[tuple[Any, ...]]:
    return sorted((_row(student) for student in students), key=lambda row: row[0])


def _read(user: User, keys: list[int]) -> list[Student] | None:
    return list_rows.read(
        user=user,
        keys=keys,
        today=TODAY,
        annotate=lists._annotated,
        current=lists._current_placements,
        related=lists.ROW_RELATED,
        using=connection.alias,
    )


@pytest.mark.parametrize("persona", READERS)
def test_the_compiled_statement_answers_the_rows_of_the_queryset(
    world: World, spread: list[Student], persona: str
) -> None:
    reader = world.users[persona]
    assert reader is not None
    keys = [s.pk for s in spread] + [spread[0].pk, 10**9]  # a key twice, one that does not exist

    compiled = _read(reader, keys)
    reference = lists.students_by_keys_reference(user=reader, keys=keys, today=TODAY)

    assert compiled is not None  # the reader's rules have templates: the compiled path is the one taken
    assert list_rows.compiled_for(reader, len(spread) + 1, TODAY)
    assert _rows(compiled) == _rows(reference)


def test_the_compared_rows_are_the_right_ones(world: World, spread: list[Student]) -> None:
    """Equal, and right: who sees whom, and the office's figures for a few students."""
    office, tutor = world.users["office"], world.users["tutor"]
    assert office is not None and tutor is not None
    keys = [s.pk for s in spread]
    rows = {s.pk: s for s in _read(office, keys) or []}
    student_a, student_b, late0, late1, no_plan, unapproved, withdrawn, bare = spread

    assert set(rows) == set(keys)
    assert {s.pk for s in _read(tutor, keys) or []} == {student_a.pk, late1.pk, unapproved.pk}
    assert (rows[late0.pk].late_milestones, rows[late0.pk].first_late_due) == (1, TODAY - datetime.timedelta(days=9))  # type: ignore[attr-defined]
    assert rows[late0.pk].at_risk and rows[late0.pk].risk_late and not rows[late0.pk].risk_no_plan  # type: ignore[attr-defined]
    assert rows[no_plan.pk].risk_no_plan and _plan(rows[no_plan.pk]) is None  # type: ignore[attr-defined]
    assert rows[unapproved.pk].risk_no_plan and rows[unapproved.pk].at_risk  # type: ignore[attr-defined]
    assert not rows[withdrawn.pk].at_risk and rows[withdrawn.pk].late_milestones == 1  # type: ignore[attr-defined]
    assert rows[bare.pk].tutor is None and rows[bare.pk].cohort == world.student_a.cohort
    assert rows[student_b.pk].current_partner_name == world.partner_b.name  # type: ignore[attr-defined]
    plan = _plan(rows[late0.pk])
    with CaptureQueriesContext(connection) as captured:
        assert plan.student is rows[late0.pk]  # the one-to-one's other side is cached, as select_related does
    assert not captured.captured_queries


@pytest.mark.parametrize("persona", ["office", "tutor", "coordinator_b"])
def test_students_by_keys_is_what_the_reference_path_gives(
    world: World, spread: list[Student], persona: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = world.users[persona]
    assert reader is not None
    keys = [spread[5].pk, spread[1].pk, spread[0].pk, spread[3].pk]

    compiled = selectors.students_by_keys(user=reader, keys=keys, today=TODAY)
    monkeypatch.setattr(list_rows, "read", lambda **kwargs: None)  # the queryset, built for the call
    reference = selectors.students_by_keys(user=reader, keys=keys, today=TODAY)

    assert [_row(s) for s in compiled] == [_row(s) for s in reference]


def test_one_shape_of_rules_is_compiled_once_and_serves_every_reader_of_that_shape(
    world: World, spread: list[Student]
) -> None:
    """Two coordinators: the same SQL text with their own values; one statement for a page's rows."""
    keys = [s.pk for s in spread]
    texts = []
    for persona in ("coordinator_a", "coordinator_b"):
        reader = world.users[persona]
        assert isinstance(reader, User)
        platform_roles(reader)
        access.forget()
        with CaptureQueriesContext(connection) as captured:
            selectors.students_by_keys(user=reader, keys=keys, today=TODAY)
        assert len(captured.captured_queries) == 1
        texts.append(captured.captured_queries[0]["sql"])
    assert texts[0] != texts[1]  # their values in place
    coordinator = world.users["coordinator_a"]
    assert coordinator is not None
    assert list_rows.compiled_for(coordinator, len(keys), TODAY)
    assert sum(1 for key in list_rows._COMPILED if key[2] == len(keys)) <= 2  # coordinators share one shape


def test_another_day_compiles_again_with_its_own_dates(world: World, spread: list[Student]) -> None:
    """The reasons compare dates derived from the day: the next day's statement is compiled for it, and the
    rows follow (a milestone due tomorrow is late the day after)."""
    office = world.users["office"]
    assert office is not None
    student = spread[5]
    MilestoneFactory.create(student=student, kind=MilestoneKind.MIDTERM, due_date=TODAY + datetime.timedelta(days=1))

    def first_late(day: datetime.date) -> Any:
        rows = list_rows.read(
            user=office,
            keys=[student.pk],
            today=day,
            annotate=lists._annotated,
            current=lists._current_placements,
            related=lists.ROW_RELATED,
            using=connection.alias,
        )
        assert rows is not None
        return rows[0].first_late_due  # type: ignore[attr-defined]

    assert first_late(TODAY) is None
    assert first_late(TODAY + datetime.timedelta(days=2)) == TODAY + datetime.timedelta(days=1)
    assert all(key[3] == TODAY + datetime.timedelta(days=2) for key in list_rows._COMPILED)


def test_a_reason_plugged_in_later_is_a_column_of_another_statement(world: World, spread: list[Student]) -> None:
    """A reason another app registers after a page was compiled (``core.hooks.AT_RISK_REASONS``) is a column
    of the rows: the statement compiled without it is not reused."""
    office = world.users["office"]
    assert office is not None
    keys = [world.student_a.pk]
    assert not hasattr(selectors.students_by_keys(user=office, keys=keys, today=TODAY)[0], "risk_test_plugged")
    reason = hooks.RiskReason(
        key="test_plugged",
        label="Plugged in by a test",
        condition=lambda today: Exists(Student.objects.filter(pk=OuterRef("pk"), tutor__isnull=False)),
    )
    hooks.AT_RISK_REASONS.register(reason)
    try:
        rows = selectors.students_by_keys(user=office, keys=keys, today=TODAY)
        assert getattr(rows[0], "risk_test_plugged") is True  # noqa: B009 (an annotation mypy cannot know)
        assert list_rows.compiled_for(office, 1, TODAY)
    finally:
        hooks.AT_RISK_REASONS.unregister("test_plugged")


def test_the_at_risk_page_shows_the_compiled_rows(world: World, spread: list[Student]) -> None:
    office = world.users["office"]
    assert office is not None
    response = client_for(office).get(reverse("students:at-risk"))

    shown = [s.student_number for s in response.context["students"]]
    expected = list(selectors.student_at_risk_list(user=office).values_list("student_number", flat=True)[:25])
    assert shown == expected and shown
    assert list_rows.compiled_for(office, len(shown), timezone.localdate())


# --- The at-risk keys: "a late milestone" on the join the order reads (ADR 0060) ------------------------------


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("filters", [{}, {"status": "enrolled"}, {"plan_status": "approved"}])
def test_the_keys_are_the_lists_rows_in_its_order(
    world: World, spread: list[Student], persona: str, filters: dict[str, str]
) -> None:
    reader = world.users[persona]
    assert reader is not None

    keys = list(selectors.student_at_risk_keys(user=reader, filters=filters, today=TODAY))
    rows = list(selectors.student_at_risk_list(user=reader, filters=filters, today=TODAY).values_list("pk", flat=True))

    assert keys == rows


def test_the_office_sees_the_known_students_at_risk_in_order(world: World, spread: list[Student]) -> None:
    """Late milestones first, oldest first (late1 due 10 days ago, late0 9, student A 3), then the students
    without an approved plan in time, by enrolment; not the withdrawn one."""
    office = world.users["office"]
    assert office is not None
    student_a, _student_b, late0, late1, no_plan, unapproved, withdrawn, _bare = spread

    keys = list(selectors.student_at_risk_keys(user=office, today=TODAY))

    assert keys[:3] == [late1.pk, late0.pk, student_a.pk]
    assert no_plan.pk in keys and unapproved.pk in keys and withdrawn.pk not in keys


def test_the_keys_read_the_milestones_once(world: World) -> None:
    office = world.users["office"]
    assert office is not None

    sql = str(selectors.student_at_risk_keys(user=office, today=TODAY).query)

    assert sql.count('"students_milestone"') == 1, sql  # the join; no EXISTS over them besides


# --- The students list: its keys paged, then the page's rows by key (ADR 0063) ------------------------------


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize(
    "filters",
    [{}, {"status": "enrolled"}, {"plan_status": "approved"}, {"at_risk": True}, {"partner": "a"}, {"tutor": "tutor"}],
)
def test_the_students_list_keys_are_its_rows_in_its_order(
    world: World, spread: list[Student], persona: str, filters: dict[str, Any]
) -> None:
    reader = world.users[persona]
    assert reader is not None
    if "partner" in filters:
        filters = {"partner": world.partner_a}
    if "tutor" in filters:
        filters = {"tutor": world.users["tutor"]}

    keys = list(selectors.student_list_keys(user=reader, filters=filters, today=TODAY))
    rows = list(selectors.student_list(user=reader, filters=filters, today=TODAY).values_list("pk", flat=True))

    assert keys == rows
    if persona == "office" and not filters:
        assert len(keys) == len(spread)


def test_counted_keys_with_the_count_as_a_subquery_answer_as_the_keys_do(world: World, spread: list[Student]) -> None:
    office = world.users["office"]
    assert office is not None
    keys = selectors.student_list_keys(user=office, today=TODAY)
    every = list(keys)

    for start in (0, 3, 6):
        counted = selectors.CountedKeys(keys, start=start, size=3, total="subquery")
        with CaptureQueriesContext(connection) as captured:
            total = counted.count()
            page = counted[start : start + 3]
        assert len(captured.captured_queries) == 1  # the count came with the page
        assert total == len(every) and page == every[start : start + 3]
    past = selectors.CountedKeys(keys, start=300, size=3, total="subquery")
    assert past.count() == len(every) and past[300:303] == []
    assert selectors.CountedKeys(keys.none(), start=0, size=3, total="subquery").count() == 0
    with pytest.raises(ValueError, match="unknown total"):
        selectors.CountedKeys(keys, start=0, size=3, total="other")


@pytest.mark.parametrize("persona", ["office", "tutor", "coordinator_a", "supervisor_b", "student_a"])
def test_the_students_list_page_shows_the_rows_of_the_student_list(
    world: World, spread: list[Student], persona: str
) -> None:
    reader = world.users[persona]
    assert reader is not None
    response = client_for(reader).get(reverse("students:list"))
    assert response.status_code == 200

    shown = list(response.context["students"])
    expected = list(selectors.student_list(user=reader))
    assert [s.pk for s in shown] == [s.pk for s in expected]
    assert _rows(shown) == _rows(expected)
    if shown:
        assert response.context["paginator"].count == len(expected)
        assert list_rows.compiled_for(reader, len(shown), timezone.localdate())
