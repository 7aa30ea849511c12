"""The practice-hours API: scoped list with filters and a cursor, single and bulk create with idempotency
keys, withdraw, approve, reject, bulk approval all or none, refusals naming their rule, token auth,
query counts and the indexes behind the filters.

The API works on the real today (``timezone.localdate()``), so the fixture moves the world's placements
to run from 60 days before today to 60 days after, and entries are dated at most 4 days back: inside the
entry window and in a month that is still open, whatever day the suite runs.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import token_issue
from practice.api.serializers import BULK_MAX
from practice.models import EntryStatus, PracticeLog
from programmes.models import ActivityCategory
from students.models import Placement
from tests.conftest import World, api_client_for
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory
from tests.factories.students import PlacementFactory, StudentFactory

pytestmark = pytest.mark.django_db

LOGS = "/api/v1/practice-logs/"
BULK = f"{LOGS}bulk/"
APPROVE_BULK = f"{LOGS}approve-bulk/"


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def _today() -> datetime.date:
    return timezone.localdate()


def _day(days_back: int) -> datetime.date:
    return _today() - datetime.timedelta(days=days_back)


@pytest.fixture
def category(world: World) -> ActivityCategory:
    today = _today()
    for placement in (world.placement_a, world.placement_b):
        Placement.objects.filter(pk=placement.pk).update(
            start_date=today - datetime.timedelta(days=60), end_date=today + datetime.timedelta(days=60)
        )
        placement.refresh_from_db()
    return ActivityCategoryFactory.create(programme=world.programme, code="ct", name="CT operation")


def _entry(world: World, category: ActivityCategory, **overrides: Any) -> PracticeLog:
    """A pending entry of student A at placement A (made by the factory, skipping the rules)."""
    values: dict[str, Any] = {"placement": world.placement_a, "category": category, "date": _day(1)}
    values.update(overrides)
    return PracticeLogFactory.create(**values)


def _body(world: World, category: ActivityCategory, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "placement": world.placement_a.pk,
        "date": _day(1).isoformat(),
        "category": category.pk,
        "hours": "3.5",
    }
    body.update(overrides)
    return body


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    fields: dict[str, Any] = body["error"]["fields"]
    return fields


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- List, filters, cursor ------------------------------------------------------------------------------


def test_list_holds_exactly_the_entries_in_scope(world: World, category: ActivityCategory) -> None:
    mine = _entry(world, category)
    theirs = PracticeLogFactory.create(placement=world.placement_b, date=_day(1))

    assert _ids(api_client_for(_u(world, "student_a")).get(LOGS)) == [mine.pk]
    assert _ids(api_client_for(_u(world, "supervisor_a")).get(LOGS)) == [mine.pk]
    assert _ids(api_client_for(_u(world, "coordinator_a")).get(LOGS)) == [mine.pk]
    assert _ids(api_client_for(_u(world, "tutor")).get(LOGS)) == [mine.pk]
    assert _ids(api_client_for(_u(world, "coordinator_b")).get(LOGS)) == [theirs.pk]
    assert _ids(api_client_for(_u(world, "inspector")).get(LOGS)) == []
    assert set(_ids(api_client_for(_u(world, "office")).get(LOGS))) == {mine.pk, theirs.pk}
    assert api_client_for(None).get(LOGS).status_code == 401


def test_entry_reads_with_ids_status_and_rule_version(world: World, category: ActivityCategory) -> None:
    log = _entry(world, category, hours=Decimal("2.5"), cases=3)

    row = api_client_for(_u(world, "student_a")).get(f"{LOGS}{log.pk}/").json()

    assert row["student"] == world.student_a.pk
    assert row["student_number"] == world.student_a.student_number
    assert row["placement"] == world.placement_a.pk
    assert row["partner"] == world.partner_a.pk
    assert row["category"] == category.pk and row["category_code"] == "ct"
    assert (row["hours"], row["cases"], row["status"], row["rule_version"]) == ("2.50", 3, "pending", "P0/L0")


def test_other_partner_gets_404_for_an_entry(world: World, category: ActivityCategory) -> None:
    log = _entry(world, category)

    for persona in ("supervisor_b", "coordinator_b", "student_b", "counsellor"):
        response = api_client_for(_u(world, persona)).get(f"{LOGS}{log.pk}/")
        _error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=approved", {"approved"}),
        ("status=pending", {"pending_old", "pending_new"}),
        ("date_from={d2}", {"pending_new", "approved", "at_b"}),
        ("date_to={d3}", {"pending_old", "other_category"}),
        ("date_from={d3}&date_to={d3}", {"pending_old", "other_category"}),
        ("category={other}", {"other_category"}),
        ("placement={placement_a}", {"pending_old", "pending_new", "approved", "other_category"}),
        ("partner={partner_a}", {"pending_old", "pending_new", "approved", "other_category"}),
        ("partner={partner_b}", {"at_b"}),
        ("student={student_b}", {"at_b"}),
    ],
)
def test_list_filters(world: World, category: ActivityCategory, query: str, expected: set[str]) -> None:
    other = ActivityCategoryFactory.create(programme=world.programme, code="mr", name="MR")
    made = {
        "pending_old": _entry(world, category, date=_day(3)),
        "pending_new": _entry(world, category, date=_day(1)),
        "approved": _entry(world, category, date=_day(2), approved=True),
        "other_category": _entry(world, other, date=_day(3), status=EntryStatus.REJECTED, rejection_reason="No."),
        "at_b": PracticeLogFactory.create(placement=world.placement_b, date=_day(1), status=EntryStatus.WITHDRAWN),
    }
    names = {log.pk: name for name, log in made.items()}
    url = f"{LOGS}?" + query.format(
        d2=_day(2).isoformat(),
        d3=_day(3).isoformat(),
        other=other.pk,
        placement_a=world.placement_a.pk,
        partner_a=world.partner_a.pk,
        partner_b=world.partner_b.pk,
        student_b=world.student_b.pk,
    )

    found = {names[pk] for pk in _ids(api_client_for(_u(world, "office")).get(url))}

    assert found == expected


def test_filters_never_widen_the_scope(world: World, category: ActivityCategory) -> None:
    PracticeLogFactory.create(placement=world.placement_b, date=_day(1))

    client = api_client_for(_u(world, "coordinator_a"))

    assert _ids(client.get(f"{LOGS}?partner={world.partner_b.pk}")) == []
    assert _ids(client.get(f"{LOGS}?student={world.student_b.pk}")) == []


def test_bad_filter_is_a_400_naming_the_filter(world: World, category: ActivityCategory) -> None:
    client = api_client_for(_u(world, "office"))

    assert "date_from" in _error(client.get(f"{LOGS}?date_from=yesterday"), 400, "invalid")
    assert "status" in _error(client.get(f"{LOGS}?status=lost"), 400, "invalid")
    assert "student" in _error(client.get(f"{LOGS}?student=1.5"), 400, "invalid")


def test_cursor_pages_newest_first_without_overlap(world: World, category: ActivityCategory) -> None:
    logs = [_entry(world, category, date=_day(days)) for days in (4, 1, 3, 1, 2)]
    client = api_client_for(_u(world, "office"))

    first = client.get(f"{LOGS}?page_size=2").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    seen = [row["id"] for page in (first, second, third) for row in page["results"]]
    expected = sorted(logs, key=lambda log: (log.date, log.pk), reverse=True)
    assert seen == [log.pk for log in expected]
    assert third["next"] is None
    assert "count" not in first  # a cursor costs no count query


def _pages(client: APIClient, url: str | None, link: str) -> list[dict[str, Any]]:
    """Every page from ``url`` on, following ``link`` ("next" or "previous")."""
    pages: list[dict[str, Any]] = []
    while url:
        assert len(pages) < 50, "the links go round in circles"
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        url = pages[-1][link]
    return pages


def _rows(pages: list[dict[str, Any]]) -> list[int]:
    return [row["id"] for page in pages for row in page["results"]]


@pytest.mark.parametrize("persona", ["office", "coordinator_a", "supervisor_a"])
def test_paging_forward_and_back_inside_shared_dates_sees_every_entry_once(
    world: World, category: ActivityCategory, persona: str
) -> None:
    # 23 entries on three dates, pages of 4: most page boundaries fall inside a date. (DRF's own cursor,
    # placed by the date and an offset, walked back from the end skipped one entry and repeated another.)
    logs = [_entry(world, category, date=_day(n % 3)) for n in range(23)]
    newest_first = [log.pk for log in sorted(logs, key=lambda log: (log.date, log.pk), reverse=True)]
    client = api_client_for(_u(world, persona))

    forward = _pages(client, f"{LOGS}?page_size=4", "next")
    assert _rows(forward) == newest_first
    assert [len(page["results"]) for page in forward] == [4, 4, 4, 4, 4, 3]
    assert forward[0]["previous"] is None and forward[-1]["next"] is None

    back = _pages(client, forward[-1]["previous"], "previous")
    assert _rows(list(reversed(back))) + _rows(forward[-1:]) == newest_first
    assert [page["results"] for page in reversed(back)] == [page["results"] for page in forward[:-1]]


def test_entries_logged_while_paging_neither_repeat_nor_push_others_off(
    world: World, category: ActivityCategory
) -> None:
    logs = [_entry(world, category, date=_day(n % 3)) for n in range(12)]
    client = api_client_for(_u(world, "office"))
    first = client.get(f"{LOGS}?page_size=5").json()
    # Logged after the first page was read, on the date the first page ends inside (day 0's four entries,
    # then one of day 1's): newer than the page's last row, so they belong before it, not on later pages.
    for _ in range(3):
        _entry(world, category, date=_day(1))

    rest = _pages(client, first["next"], "next")

    seen = _rows([first, *rest])
    assert len(seen) == len(set(seen)) == len(logs), seen
    assert set(seen) == {log.pk for log in logs}


def _placement_leaving_scope(world: World) -> Placement:
    """Another student's placement at partner A, supervised by supervisor A until the test replaces them."""
    return PlacementFactory.create(
        student=StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort),
        partner=world.placement_a.partner,
        site=world.placement_a.site,
        supervisor=_u(world, "supervisor_a"),
        start_date=world.placement_a.start_date,
        end_date=world.placement_a.end_date,
    )


def test_an_empty_page_reached_with_a_cursor_links_back_to_the_rows_before(
    world: World, category: ActivityCategory
) -> None:
    # Supervisor A reads two pages of 3: their own student's three newest entries, then two entries at another
    # placement they supervise, until its supervisor is replaced while the client holds the cursor to page 2.
    leaving = _placement_leaving_scope(world)
    kept = [_entry(world, category, date=_day(1)) for _ in range(3)]
    for _ in range(2):
        _entry(world, category, placement=leaving, date=_day(3))
    client = api_client_for(_u(world, "supervisor_a"))
    first = client.get(f"{LOGS}?page_size=3").json()
    assert [row["id"] for row in first["results"]] == [log.pk for log in reversed(kept)]
    Placement.objects.filter(pk=leaving.pk).update(supervisor=_u(world, "supervisor_b"))

    empty = client.get(first["next"])

    assert empty.status_code == 200
    assert empty.json()["results"] == [] and empty.json()["next"] is None
    assert empty.json()["previous"], "an empty page leaves the client nowhere to go but the first page"
    back = client.get(empty.json()["previous"]).json()
    assert back["results"] == first["results"]  # the rows before the cursor, its own entry included
    assert back["previous"] is None


def test_an_empty_page_reached_backwards_links_forward_to_the_rows_after(
    world: World, category: ActivityCategory
) -> None:
    # The mirror: the client walked back from page 2, and the newer page's rows left the scope meanwhile.
    leaving = _placement_leaving_scope(world)
    for _ in range(3):
        _entry(world, category, placement=leaving, date=_day(1))
    kept = [_entry(world, category, date=_day(3)) for _ in range(2)]
    client = api_client_for(_u(world, "supervisor_a"))
    second = client.get(client.get(f"{LOGS}?page_size=3").json()["next"]).json()
    assert [row["id"] for row in second["results"]] == [log.pk for log in reversed(kept)]
    Placement.objects.filter(pk=leaving.pk).update(supervisor=_u(world, "supervisor_b"))

    empty = client.get(second["previous"]).json()

    assert empty["results"] == [] and empty["previous"] is None
    assert client.get(empty["next"]).json()["results"] == second["results"]


@pytest.mark.parametrize("cursor", ["bm90IGEgY3Vyc29y", "cD0yMDI2LTAxLTAx", "cD1ub3QtYS1kYXRlLjE%3D", "%%%"])
def test_a_cursor_that_is_not_ours_is_a_404(world: World, category: ActivityCategory, cursor: str) -> None:
    # "not a cursor", "p=2026-01-01" (no id), "p=not-a-date.1", and no base64 at all.
    _entry(world, category)
    response = api_client_for(_u(world, "office")).get(f"{LOGS}?cursor={cursor}")
    assert response.status_code == 404, response.content


def test_page_size_is_capped_at_500(world: World, category: ActivityCategory) -> None:
    from practice.api.views import PracticeLogCursorPagination

    assert (PracticeLogCursorPagination.page_size, PracticeLogCursorPagination.max_page_size) == (100, 500)
    assert PracticeLogCursorPagination.ordering == ("-date", "-id")


def test_list_costs_the_same_queries_at_two_sizes(world: World, category: ActivityCategory) -> None:
    other = ActivityCategoryFactory.create(programme=world.programme, code="mr", name="MR")
    for persona in ("supervisor_a", "coordinator_a", "student_a", "office"):
        client = api_client_for(_u(world, persona))
        for days in range(2):
            _entry(world, category, date=_day(days))
        client.get(LOGS)  # warm the per-user caches (platform roles)
        with CaptureQueriesContext(connection) as small:
            assert len(_ids(client.get(LOGS))) >= 2
        for days in range(30):
            _entry(world, other if days % 2 else category, date=_day(days % 5), hours=Decimal("0.25"))
        with CaptureQueriesContext(connection) as large:
            assert len(_ids(client.get(LOGS))) >= 32
        assert len(large) == len(small), (persona, [q["sql"] for q in large.captured_queries])


# --- Create ---------------------------------------------------------------------------------------------


def test_student_logs_a_pending_entry(world: World, category: ActivityCategory) -> None:
    response = api_client_for(_u(world, "student_a")).post(LOGS, _body(world, category, cases=2), format="json")

    assert response.status_code == 201, response.content
    row = response.json()
    log = PracticeLog.objects.get()
    assert row["id"] == log.pk
    assert (log.status, log.entered_by, log.entered_by_supervisor) == ("pending", _u(world, "student_a"), False)
    assert (log.hours, log.cases) == (Decimal("3.5"), 2)


def test_supervisor_entry_is_approved_on_entry(world: World, category: ActivityCategory) -> None:
    response = api_client_for(_u(world, "supervisor_a")).post(LOGS, _body(world, category), format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["entered_by_supervisor"]) == ("approved", True)


def test_time_range_gives_the_hours(world: World, category: ActivityCategory) -> None:
    body = _body(world, category, hours=None, start_time="08:00", end_time="11:30")

    response = api_client_for(_u(world, "student_a")).post(LOGS, body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["hours"] == "3.50"


def test_repeated_idempotency_key_answers_the_first_entry_with_200(world: World, category: ActivityCategory) -> None:
    client = api_client_for(_u(world, "student_a"))
    body = _body(world, category, hours="8", idempotency_key="his-2026-0001")

    first = client.post(LOGS, body, format="json")
    # Eight more hours on that day would break the daily maximum: a retry still answers the entry.
    again = client.post(LOGS, body, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert PracticeLog.objects.count() == 1


def test_idempotency_keys_are_per_person(world: World, category: ActivityCategory) -> None:
    body = _body(world, category, hours="1", idempotency_key="k-1")

    api_client_for(_u(world, "student_a")).post(LOGS, body, format="json")
    response = api_client_for(_u(world, "supervisor_a")).post(LOGS, body, format="json")

    assert response.status_code == 201
    assert PracticeLog.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"date": "+1"}, "date", "future_date"),
        ({"date": "-30"}, "date", "entry_window"),
        ({"hours": "0"}, "hours", "hours_range"),
        ({"hours": "12.5"}, "hours", "hours_range"),
        ({"hours": None}, "hours", "hours_range"),
    ],
)
def test_refusal_names_the_rule(
    world: World, category: ActivityCategory, overrides: dict[str, Any], field: str, rule: str
) -> None:
    if "date" in overrides:
        overrides = {"date": (_today() + datetime.timedelta(days=int(overrides["date"]))).isoformat()}

    response = api_client_for(_u(world, "student_a")).post(LOGS, _body(world, category, **overrides), format="json")

    fields = _error(response, 400, rule)
    assert list(fields) == [field]
    assert not PracticeLog.objects.exists()


def test_daily_maximum_is_named(world: World, category: ActivityCategory) -> None:
    _entry(world, category, hours=Decimal("10"))

    response = api_client_for(_u(world, "student_a")).post(LOGS, _body(world, category, hours="3"), format="json")

    assert "hours" in _error(response, 400, "daily_maximum")


def test_category_of_another_programme_is_refused_by_rule_category(world: World, category: ActivityCategory) -> None:
    foreign = ActivityCategoryFactory.create()

    body = {**_body(world, category), "category": foreign.pk}

    response = api_client_for(_u(world, "student_a")).post(LOGS, body, format="json")

    assert "category" in _error(response, 400, "category")


@pytest.mark.parametrize("persona", ["student_b", "supervisor_b", "coordinator_a", "office", "tutor"])
def test_placement_not_yours_to_log_at_is_refused_as_missing(
    world: World, category: ActivityCategory, persona: str
) -> None:
    response = api_client_for(_u(world, persona)).post(LOGS, _body(world, category), format="json")

    assert "placement" in _error(response, 400, "invalid")
    assert not PracticeLog.objects.exists()


def test_token_auth_logs_and_lists(world: World, category: ActivityCategory) -> None:
    _token, key = token_issue(user=_u(world, "supervisor_a"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    created = client.post(LOGS, _body(world, category, idempotency_key="his-1"), format="json")

    assert created.status_code == 201, created.content
    assert _ids(client.get(LOGS)) == [created.json()["id"]]
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad.get(LOGS).status_code == 401


# --- Withdraw, approve, reject --------------------------------------------------------------------------


def test_student_withdraws_own_pending_entry(world: World, category: ActivityCategory) -> None:
    log = _entry(world, category)

    response = api_client_for(_u(world, "student_a")).post(f"{LOGS}{log.pk}/withdraw/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"


@pytest.mark.parametrize(("persona", "status"), [("supervisor_a", 403), ("tutor", 403), ("student_b", 404)])
def test_others_cannot_withdraw(world: World, category: ActivityCategory, persona: str, status: int) -> None:
    log = _entry(world, category)

    response = api_client_for(_u(world, persona)).post(f"{LOGS}{log.pk}/withdraw/")

    assert response.status_code == status
    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING


def test_withdrawing_an_approved_entry_names_the_rule(world: World, category: ActivityCategory) -> None:
    log = _entry(world, category, approved=True)

    response = api_client_for(_u(world, "student_a")).post(f"{LOGS}{log.pk}/withdraw/")

    assert "status" in _error(response, 400, "not_pending")


def test_supervisor_approves(world: World, category: ActivityCategory) -> None:
    log = _entry(world, category)

    response = api_client_for(_u(world, "supervisor_a")).post(f"{LOGS}{log.pk}/approve/")

    assert response.status_code == 200, response.content
    row = response.json()
    supervisor = _u(world, "supervisor_a")
    assert (row["status"], row["decided_by"], row["decided_in_bulk"]) == ("approved", supervisor.pk, False)


def test_supervisor_cannot_approve_log_at_other_partner(world: World, category: ActivityCategory) -> None:
    log = _entry(world, category)

    response = api_client_for(_u(world, "supervisor_b")).post(f"{LOGS}{log.pk}/approve/")

    _error(response, 404, "not_found")
    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING


@pytest.mark.parametrize("persona", ["coordinator_a", "tutor", "student_a", "office"])
def test_seeing_an_entry_is_not_deciding_it(world: World, category: ActivityCategory, persona: str) -> None:
    log = _entry(world, category)

    response = api_client_for(_u(world, persona)).post(f"{LOGS}{log.pk}/approve/")

    assert response.status_code == 403
    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING


def test_approving_twice_names_rule_not_pending(world: World, category: ActivityCategory) -> None:
    log = _entry(world, category, approved=True)

    response = api_client_for(_u(world, "supervisor_a")).post(f"{LOGS}{log.pk}/approve/")

    assert "status" in _error(response, 400, "not_pending")


def test_supervisor_rejects_with_a_reason(world: World, category: ActivityCategory) -> None:
    log = _entry(world, category)
    client = api_client_for(_u(world, "supervisor_a"))

    without = client.post(f"{LOGS}{log.pk}/reject/", {"reason": ""}, format="json")
    response = client.post(f"{LOGS}{log.pk}/reject/", {"reason": "You were at the lecture."}, format="json")

    assert "reason" in _error(without, 400, "invalid")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["rejection_reason"]) == ("rejected", "You were at the lecture.")


def test_supervisor_b_cannot_reject_an_entry_at_a(world: World, category: ActivityCategory) -> None:
    log = _entry(world, category)

    response = api_client_for(_u(world, "supervisor_b")).post(f"{LOGS}{log.pk}/reject/", {"reason": "No."})

    assert response.status_code == 404


# --- Bulk approval --------------------------------------------------------------------------------------


def test_bulk_approval_approves_all(world: World, category: ActivityCategory) -> None:
    logs = [_entry(world, category, date=_day(days)) for days in (1, 2, 3)]

    response = api_client_for(_u(world, "supervisor_a")).post(
        APPROVE_BULK, {"ids": [log.pk for log in logs]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert sorted(row["id"] for row in response.json()) == sorted(log.pk for log in logs)
    assert set(PracticeLog.objects.values_list("status", "decided_in_bulk")) == {("approved", True)}


def test_bulk_approval_with_an_entry_of_another_partner_approves_nothing(
    world: World, category: ActivityCategory
) -> None:
    mine = _entry(world, category)
    theirs = PracticeLogFactory.create(placement=world.placement_b, date=_day(1))

    response = api_client_for(_u(world, "supervisor_a")).post(
        APPROVE_BULK, {"ids": [mine.pk, theirs.pk]}, format="json"
    )

    fields = _error(response, 400, "not_found")
    assert fields == {"ids": [f"{theirs.pk}: No such entry that you may approve."]}
    assert response.json()["error"]["failures"] == [
        {"id": theirs.pk, "rule": "not_found", "field": "ids", "message": "No such entry that you may approve."}
    ]
    assert set(PracticeLog.objects.values_list("status", flat=True)) == {"pending"}


def test_bulk_approval_names_every_failing_entry_and_its_rule(world: World, category: ActivityCategory) -> None:
    fine = _entry(world, category, date=_day(1))
    done = _entry(world, category, date=_day(2), approved=True)
    own = _entry(world, category, date=_day(3), entered_by=_u(world, "supervisor_a"))

    response = api_client_for(_u(world, "supervisor_a")).post(
        APPROVE_BULK, {"ids": [fine.pk, done.pk, own.pk, 999999]}, format="json"
    )

    assert response.status_code == 400
    failures = response.json()["error"]["failures"]
    assert [(f["id"], f["rule"]) for f in failures] == [
        (done.pk, "not_pending"),
        (own.pk, "own_entry"),
        (999999, "not_found"),
    ]
    assert response.json()["error"]["message"] == "3 entries cannot be approved; none was approved."
    fine.refresh_from_db()
    assert fine.status == EntryStatus.PENDING


def test_bulk_approval_refuses_more_than_500_ids_and_no_ids(world: World, category: ActivityCategory) -> None:
    client = api_client_for(_u(world, "supervisor_a"))

    assert "ids" in _error(client.post(APPROVE_BULK, {"ids": list(range(1, 502))}, format="json"), 400, "invalid")
    assert "ids" in _error(client.post(APPROVE_BULK, {"ids": []}, format="json"), 400, "invalid")


# --- Bulk create ----------------------------------------------------------------------------------------


def _row(world: World, category: ActivityCategory, key: str, **overrides: Any) -> dict[str, Any]:
    return {**_body(world, category, hours="1"), "idempotency_key": key, **overrides}


@pytest.mark.usefixtures("bulk_path")
def test_bulk_create_answers_each_row(world: World, category: ActivityCategory) -> None:
    rows = [
        _row(world, category, "r0"),
        _row(world, category, "r1", date=(_today() + datetime.timedelta(days=1)).isoformat()),
        _row(world, category, "r2", placement=world.placement_b.pk),
        {k: v for k, v in _row(world, category, "r3").items() if k != "category"},
        _row(world, category, "r4", date=_day(2).isoformat(), start_time="08:00", end_time="10:00", hours=None),
        _row(world, category, "r0", date=_day(3).isoformat()),
        "not an entry",
        {k: v for k, v in _row(world, category, "").items() if k != "idempotency_key"},
    ]

    response = api_client_for(_u(world, "student_a")).post(BULK, {"entries": rows}, format="json")

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    made = {log.idempotency_key: log.pk for log in PracticeLog.objects.all()}
    assert set(made) == {"r0", "r4"}
    assert [(r["index"], r["idempotency_key"], r["status"], r["id"], r["rule"], r["field"]) for r in results] == [
        (0, "r0", "created", made["r0"], None, None),
        (1, "r1", "refused", None, "future_date", "date"),
        (2, "r2", "refused", None, "does_not_exist", "placement"),
        (3, "r3", "refused", None, "required", "category"),
        (4, "r4", "created", made["r4"], None, None),
        (5, "r0", "duplicate", made["r0"], None, None),
        (6, None, "refused", None, "invalid", "non_field_errors"),
        (7, None, "refused", None, "required", "idempotency_key"),
    ]
    assert all(r["message"] for r in results if r["status"] == "refused")


@pytest.mark.usefixtures("bulk_path")
def test_retried_bulk_request_never_duplicates(world: World, category: ActivityCategory) -> None:
    client = api_client_for(_u(world, "student_a"))
    rows = [_row(world, category, f"his-{n}", date=_day(n % 4).isoformat()) for n in range(8)]
    rows.append(_row(world, category, "too-much", hours="12"))

    first = client.post(BULK, {"entries": rows}, format="json").json()["results"]
    again = client.post(BULK, {"entries": rows}, format="json").json()["results"]

    assert [r["status"] for r in first] == ["created"] * 8 + ["refused"]
    assert first[-1]["rule"] == "daily_maximum"
    assert [r["status"] for r in again] == ["duplicate"] * 8 + ["refused"]
    assert [r["id"] for r in again[:8]] == [r["id"] for r in first[:8]]
    assert PracticeLog.objects.count() == 8


@pytest.mark.usefixtures("bulk_path")
def test_refused_row_does_not_stop_the_rows_after_it(world: World, category: ActivityCategory) -> None:
    rows = [
        _row(world, category, "a", hours="11"),
        _row(world, category, "b", hours="2"),  # 13 hours that day: refused
        _row(world, category, "c", hours="1"),  # 12: still fits
    ]

    results = api_client_for(_u(world, "student_a")).post(BULK, {"entries": rows}, format="json").json()["results"]

    assert [r["status"] for r in results] == ["created", "refused", "created"]
    assert sorted(str(key) for key in PracticeLog.objects.values_list("idempotency_key", flat=True)) == ["a", "c"]


@pytest.mark.usefixtures("bulk_path")
def test_supervisor_bulk_entries_are_approved(world: World, category: ActivityCategory) -> None:
    rows = [_row(world, category, "s1"), _row(world, category, "s2", placement=world.placement_b.pk)]

    results = api_client_for(_u(world, "supervisor_a")).post(BULK, {"entries": rows}, format="json").json()["results"]

    assert [r["status"] for r in results] == ["created", "refused"]
    assert PracticeLog.objects.get().status == EntryStatus.APPROVED


@pytest.mark.usefixtures("bulk_path")
def test_bulk_create_of_more_than_500_rows_is_a_400_and_creates_nothing(
    world: World, category: ActivityCategory
) -> None:
    rows = [_row(world, category, f"k{n}", hours="0.01") for n in range(BULK_MAX + 1)]

    response = api_client_for(_u(world, "student_a")).post(BULK, {"entries": rows}, format="json")

    assert "entries" in _error(response, 400, "invalid")
    assert not PracticeLog.objects.exists()


@pytest.mark.usefixtures("bulk_path")
def test_bulk_create_needs_a_list(world: World, category: ActivityCategory) -> None:
    client = api_client_for(_u(world, "student_a"))

    assert "entries" in _error(client.post(BULK, {"entries": []}, format="json"), 400, "invalid")
    assert "entries" in _error(client.post(BULK, {}, format="json"), 400, "invalid")


def _bulk_queries(world: World, category: ActivityCategory, count: int, prefix: str) -> int:
    rows = [_row(world, category, f"{prefix}{n}", hours="0.1", date=_day(n % 5).isoformat()) for n in range(count)]
    client = api_client_for(_u(world, "student_a"))
    with CaptureQueriesContext(connection) as captured:
        response = client.post(BULK, {"entries": rows}, format="json")
    assert [r["status"] for r in response.json()["results"]] == ["created"] * count
    return len(captured)


def test_bulk_create_queries_are_bounded_per_row(world: World, category: ActivityCategory, settings: Any) -> None:
    settings.PRACTICE_BULK_SET_BASED = False  # the row path (SQLite's); the set-based path: test_bulk_paths.py
    _bulk_queries(world, category, 1, "warm")
    ten = _bulk_queries(world, category, 10, "a")
    fifty = _bulk_queries(world, category, 50, "b")

    per_row = (fifty - ten) / 40
    # The rules and the writes cost a fixed number of queries per row; the reads that name the rows'
    # placements, activities and earlier keys are one query each, whatever the number of rows.
    assert per_row == int(per_row) and per_row <= 16, per_row
    assert ten - 10 * per_row <= 8


# --- Indexes ---------------------------------------------------------------------------------------------


def test_every_list_filter_is_served_by_an_index() -> None:
    with connection.cursor() as cursor:
        logs = connection.introspection.get_constraints(cursor, PracticeLog._meta.db_table)
        placements = connection.introspection.get_constraints(cursor, Placement._meta.db_table)
    leading = {c["columns"][0] for c in logs.values() if c["index"] and c["columns"]}
    # partner: the entries' placement index, reached from the placements' partner index.
    assert {"student_id", "placement_id", "category_id", "status", "date"} <= leading
    assert "partner_id" in {c["columns"][0] for c in placements.values() if c["index"] and c["columns"]}
