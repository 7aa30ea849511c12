"""The entries API's pages read as the top of a UNION of the scope's branches (ADR 0054) give exactly the rows,
in exactly the order, that the rule's plain OR gives (``access.scope(..., correlated=True)``: the filter as
the rule writes it), for every reader, whole and filtered, page by page forwards and backwards.

The world makes the branches overlap (a coordinator who also supervises one of the partner's placements and
tutors a student placed elsewhere) and puts several entries on one day (the order's tie on ``date`` falls to
``id``). It runs on PostgreSQL and SQLite (``embedded``): the UNION is plain SQL on both.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from partners import access
from partners.ordered import ordered_keys
from practice.api.pagination import KeysFirstQuerySet
from practice.api.views import PracticeLogViewSet
from practice.models import EntryStatus, PracticeLog
from students.models import Placement
from tests.conftest import World, api_client_for
from tests.factories.practice import PracticeLogFactory
from tests.factories.students import PlacementFactory, StudentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

LOGS = "/api/v1/practice-logs/"
READERS = ("student_a", "student_b", "tutor", "supervisor_a", "supervisor_b", "coordinator_a", "coordinator_b")


@pytest.fixture
def entries(world: World) -> World:
    """Four placements at A and one more at B, 8 entries each over 5 days (ties on a day), statuses mixed;
    coordinator A also supervises one of A's placements and tutors B's second student."""
    coordinator_a = world.users["coordinator_a"]
    today = timezone.localdate()
    placements = [world.placement_a, world.placement_b]
    for index in range(3):
        student = StudentFactory.create(programme=world.programme)
        placements.append(
            PlacementFactory.create(
                student=student,
                partner=world.partner_a,
                site=world.site_a,
                supervisor=coordinator_a if index == 0 else world.users["supervisor_a"],
            )
        )
    tutee = StudentFactory.create(programme=world.programme, tutor=coordinator_a)
    placements.append(
        PlacementFactory.create(
            student=tutee, partner=world.partner_b, site=world.site_b, supervisor=world.users["supervisor_b"]
        )
    )
    statuses = (EntryStatus.PENDING, EntryStatus.APPROVED, EntryStatus.REJECTED)
    for number, placement in enumerate(placements):
        for entry in range(8):
            PracticeLogFactory.create(
                placement=placement,
                date=today - datetime.timedelta(days=(entry * 3 + number) % 5),
                status=statuses[(entry + number) % 3],
            )
    return world


def _walk(user: User, query: str = "") -> tuple[list[int], list[int]]:
    """Every entry the API lists for ``user``, page after page of 5, then the same walked back from the last
    page by the ``previous`` links (DRF's cursor reverses the order to read them)."""
    client = api_client_for(user)
    forward: list[int] = []
    pages: list[list[int]] = []
    url: str | None = f"{LOGS}?page_size=5{query}"
    last_url = url
    while url:
        body: Any = client.get(url).json()
        pages.append([row["id"] for row in body["results"]])
        forward.extend(pages[-1])
        last_url, url = url, body["next"]
    backward: list[int] = []
    url = last_url
    while url:
        body = client.get(url).json()
        backward = [row["id"] for row in body["results"]] + backward
        url = body["previous"]
    return forward, backward


def _plain(user: User, **filters: Any) -> list[int]:
    """The rule's OR as one filter (no UNION), in the list's order."""
    rows = access.scope(PracticeLog.objects.filter(**filters), user, "view", correlated=True)
    return list(rows.order_by("-date", "-id").values_list("id", flat=True))


def _keys_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The entries API as it was before ADR 0054: every page's keys read by ``pk = ANY(<UNION>)``."""
    monkeypatch.setattr("practice.api.pagination.ordered_keys", lambda qs, k: None)


@pytest.mark.parametrize("reader", READERS)
def test_the_list_is_the_rules_rows_in_order(entries: World, reader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    user = entries.users[reader]
    assert user is not None
    expected = _plain(user)

    forward, backward = _walk(user)
    _keys_only(monkeypatch)
    before = _walk(user)

    assert expected  # every reader sees some
    assert forward == expected
    # Walking back by DRF's cursor (a position on ``date`` and an offset among ties) is what it was.
    assert (forward, backward) == before


@pytest.mark.parametrize("reader", ["coordinator_a", "tutor", "supervisor_a"])
@pytest.mark.parametrize("by_status", [True, False], ids=["status and day (keys only)", "days (branches)"])
def test_a_filtered_list_is_the_rules_rows_in_order(
    entries: World, reader: str, by_status: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = entries.users[reader]
    assert user is not None
    day = timezone.localdate() - datetime.timedelta(days=2)
    filters: dict[str, Any]
    if by_status:
        query, filters = f"&status=pending&date_to={day.isoformat()}", {"status": EntryStatus.PENDING}
    else:
        since = day - datetime.timedelta(days=1)
        query, filters = f"&date_from={since.isoformat()}&date_to={day.isoformat()}", {"date__gte": since}

    forward, backward = _walk(user, query)
    _keys_only(monkeypatch)
    before = _walk(user, query)

    expected = _plain(user, date__lte=day, **filters)
    assert expected
    assert forward == expected
    assert (forward, backward) == before


def test_the_coordinators_page_is_read_through_the_branches(entries: World) -> None:
    """The coordinator's page goes the UNION's way (not the keys-only fallback), and any slice of it matches."""
    user = entries.users["coordinator_a"]
    assert user is not None
    scoped = access.scope(PracticeLogViewSet.queryset.all(), user, "view").order_by("-date", "-id")
    keys_first = KeysFirstQuerySet(PracticeLog, query=scoped.query.chain(), using=scoped.db)
    expected = _plain(user)
    assert len(expected) > 30

    assert ordered_keys(keys_first, slice(0, 5)) is not None
    for start, stop in ((0, 5), (3, 11), (25, len(expected) + 4)):
        assert [log.pk for log in keys_first[start:stop]] == expected[start:stop]


def test_no_union_no_branches(entries: World) -> None:
    """The office (everything), a scope under an OR, an order through a relation and a filter on other columns
    keep the keys-only path."""
    office, coordinator = entries.users["office"], entries.users["coordinator_a"]
    assert office is not None and coordinator is not None
    everything = access.scope(PracticeLog.objects.order_by("-date", "-id"), office, "view")
    scoped = access.scope(PracticeLog.objects.all(), coordinator, "view")
    under_or = PracticeLog.objects.filter(Q(pk__in=scoped.values("pk")) | Q(status="x")).order_by("-date")

    assert ordered_keys(everything, slice(0, 5)) is None
    assert access.split_scope(everything) is None
    assert ordered_keys(under_or, slice(0, 5)) is None
    assert ordered_keys(scoped.order_by("-placement__start_date"), slice(0, 5)) is None
    assert ordered_keys(scoped.order_by("-date"), slice(0, None)) is None
    assert access.split_scope(scoped) is not None
    assert ordered_keys(scoped, slice(0, 5)) is None  # no order of its own: the model's default is not read
    # A filter on other columns than the order's keeps the keys-only path; DRF's cursor position does not.
    day = timezone.localdate()
    assert ordered_keys(scoped.filter(status=EntryStatus.PENDING).order_by("-date", "-id"), slice(0, 5)) is None
    assert ordered_keys(scoped.filter(date__lt=day).order_by("-date", "-id"), slice(0, 5)) is not None


def test_placements_of_other_partners_stay_out(entries: World) -> None:
    """Coordinator B's list holds B's placements' entries only (A's coordinator tutors a student there: that
    entry is A's coordinator's too, never B's coordinator's through A)."""
    user = entries.users["coordinator_b"]
    assert user is not None
    forward, _backward = _walk(user)
    partners = set(
        Placement.objects.filter(practice_logs__pk__in=forward).values_list("partner_id", flat=True).distinct()
    )

    assert partners == {entries.partner_b.pk}
