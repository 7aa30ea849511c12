"""A page of the student lists' keys through the statement compiled once per shape of the reader's rule, filters
and day (``list_keys``, ADR 0067) answers what the keys queryset built for the call answers through
``CountedKeys``: the same keys in the same order and the same count, for every kind of reader, both lists,
each filter that is a value, and a first and a second page. Filters that read more than a value are left to
the queryset. The pages themselves no longer build the keys queryset when the statement answers. Run on
PostgreSQL and on SQLite (``embedded``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import User
from students import selectors
from students.models import PlanStatus, Student, StudentStatus
from students.selectors import list_keys, lists
from tests.conftest import World, client_for
from tests.students.conftest import READERS, TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

SIZE = 3


def _filters(world: World) -> list[dict[str, Any]]:
    """Every filter that is a value, alone and together, as the filter form gives them (rows, codes)."""
    tutor = world.users["tutor"]
    return [
        {},
        {"programme": world.programme},
        {"cohort": world.student_a.cohort},
        {"tutor": tutor},
        {"status": StudentStatus.WITHDRAWN},
        {"plan_status": PlanStatus.APPROVED},
        {"at_risk": True},
        {"programme": world.programme, "tutor": tutor, "status": StudentStatus.ENROLLED, "at_risk": True},
    ]


def _reference(which: str, user: User, filters: dict[str, Any], start: int) -> tuple[list[int], int]:
    """The page and count as ``CountedKeys`` reads them from the keys queryset built for the call."""
    if which == list_keys.AT_RISK:
        keys = selectors.student_at_risk_keys(user=user, filters=filters, today=TODAY)
    else:
        keys = selectors.student_list_keys(user=user, filters=filters, today=TODAY)
    counted = selectors.CountedKeys(keys, start=start, size=SIZE, total=list_keys.TOTAL[which])
    total = counted.count()
    return counted[start : start + SIZE], total


def _compiled(which: str, user: User, filters: dict[str, Any], start: int) -> lists.KeysPage | None:
    return list_keys.page(
        which, user=user, filters=filters, start=start, size=SIZE, today=TODAY, using=connection.alias
    )


@pytest.mark.parametrize("which", [list_keys.AT_RISK, list_keys.STUDENTS])
@pytest.mark.parametrize("persona", READERS)
def test_the_compiled_page_is_the_querysets_page(world: World, spread: list[Student], persona: str, which: str) -> None:
    reader = world.users[persona]
    assert reader is not None
    seen = 0
    for filters in _filters(world):
        for start in (0, SIZE):
            reference = _reference(which, reader, filters, start)
            compiled = _compiled(which, reader, filters, start)
            if compiled is None:  # a page past the end: the usual way
                assert start > 0 and not reference[0]
                continue
            assert compiled == reference, (filters, start)
            assert list_keys.compiled_for(which, reader, filters, TODAY)
            seen += len(compiled[0])
    if persona == "office":
        assert seen > 0  # the comparison is over rows, not only empty pages


def test_the_compared_pages_hold_the_right_students(world: World, spread: list[Student]) -> None:
    """Equal, and right: the office's at-risk list, oldest late milestone first, then no plan in time; the
    tutor's students list, by number."""
    office, tutor = world.users["office"], world.users["tutor"]
    assert office is not None and tutor is not None
    student_a, student_b, late0, late1, no_plan, unapproved, _withdrawn, _bare = spread

    first = _compiled(list_keys.AT_RISK, office, {}, 0)
    second = _compiled(list_keys.AT_RISK, office, {}, SIZE)

    assert first is not None and second is not None
    assert first == ([late1.pk, late0.pk, student_a.pk], 6)  # due 10, 9 and 3 days ago
    assert second[1] == 6 and set(second[0]) == {no_plan.pk, unapproved.pk, student_b.pk}
    mine = _compiled(list_keys.STUDENTS, tutor, {}, 0)
    expected = Student.objects.filter(pk__in=[student_a.pk, late1.pk, unapproved.pk]).order_by("student_number")
    assert mine == ([s.pk for s in expected], 3)


def test_filters_reading_more_than_a_value_or_unknown_are_built_for_the_call(
    world: World, spread: list[Student]
) -> None:
    office = world.users["office"]
    assert office is not None
    for filters in (
        {"partner": world.partner_b},
        {"supervisor": world.users["supervisor_b"]},
        {"tutor_in": User.objects.filter(pk=world.users["tutor"].pk)},  # type: ignore[union-attr]
        {"destination": "industry"},  # a filter this module does not know: never ignored
    ):
        assert _compiled(list_keys.AT_RISK, office, filters, 0) is None


def test_an_empty_list_and_a_page_past_the_end(world: World, spread: list[Student]) -> None:
    office = world.users["office"]
    assert office is not None
    assert _compiled(list_keys.AT_RISK, office, {"status": StudentStatus.GRADUATED}, 0) == ([], 0)
    assert _compiled(list_keys.AT_RISK, office, {}, 30) is None


@pytest.mark.parametrize(
    ("url", "selector"),
    [("students:at-risk", "student_at_risk_keys"), ("students:list", "student_list_keys")],
)
def test_the_pages_do_not_build_the_keys_queryset(
    world: World, spread: list[Student], url: str, selector: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's keys come from the compiled statement: the queryset is never built (it raises here). A page
    past the end still reads them the usual way, and a filter by partner too."""

    def refused(**kwargs: Any) -> Any:
        raise AssertionError("the keys queryset was built")

    client = client_for(world.users["office"])
    answered = client.get(reverse(url))
    assert answered.status_code == 200
    rows = answered.context["students"]
    assert rows

    monkeypatch.setattr(selectors, selector, refused)
    again = client.get(reverse(url))
    assert again.status_code == 200
    assert [s.pk for s in again.context["students"]] == [s.pk for s in rows]
    with pytest.raises(AssertionError, match="keys queryset was built"):
        client.get(reverse(url), {"partner": world.partner_b.pk})
