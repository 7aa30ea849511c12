"""One student's entries versioned apart from the others' (``core.navcache`` ``narrowed`` and ``writing_rows``,
ADR 0069): a plan page kept with its student's practice hours outlives an entry written or decided for another
student, and ends with one of its own student's, with any write to the entries that names no student
(``update()``, raw SQL) and, as before, with any write for a page that read the whole table (the sign-off
queue). Entries are written every few seconds at a university's scale: without this, no page that shows
practice hours would stay kept for long."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import keptreads, navcache, pagecache
from core.models import Notification
from core.services.notification_email import notification_email_send
from core.services.notifications import notification_mark_read, notifications_mark_all_read, notify
from practice.models import PracticeLog
from practice.services import BulkEntry, BulkRowStatus, practice_log_approve, practice_logs_bulk_create
from programmes.models import ActivityCategory
from students.models import Placement, Student
from tests.conftest import World, client_for
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory

pytestmark = pytest.mark.django_db

ENTRIES = PracticeLog._meta.db_table
NOTIFICATIONS = Notification._meta.db_table


@pytest.fixture(autouse=True)
def _keeping_on(settings: Any) -> None:
    """The test settings work every page out (for the suite's query counts); on here, as in production."""
    settings.PAGE_CACHE_SECONDS = 60
    settings.NAV_CACHE_SECONDS = 60
    cache.clear()


def _get(client: Client, url: str) -> tuple[str, bool]:
    """The page's HTML less its CSRF tokens (masked afresh on every rendering), and whether it was kept."""
    response = client.get(url)
    assert response.status_code == 200
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return html, response.get(pagecache.KEPT_HEADER) == "1"


def _kept_plan(world: World) -> tuple[Client, str, str]:
    """Student A's plan page, visited until it is sent as kept: the client, the address and the page. The
    programme's activity is made first (the entries' factory would otherwise make it: a write the page reads)."""
    ActivityCategoryFactory.create(programme=world.programme)
    client = client_for(world.users["student_a"])
    url = reverse("students:plan", args=[world.student_a.pk])
    client.get(url)  # sets the CSRF cookie (a page's form tokens belong to it)
    _get(client, url)  # worked out and kept
    html, kept = _get(client, url)
    assert kept
    return client, url, html


def _approved(placement: Any, hours: str) -> PracticeLog:
    return PracticeLogFactory.create(placement=placement, approved=True, hours=Decimal(hours))  # type: ignore[no-any-return]


def test_an_entry_for_another_student_keeps_the_page(world: World) -> None:
    client, url, before = _kept_plan(world)

    _approved(world.placement_b, "7.5")
    html, kept = _get(client, url)

    assert kept
    assert html == before


def test_an_entry_of_the_student_ends_it_and_shows(world: World) -> None:
    client, url, before = _kept_plan(world)

    _approved(world.placement_a, "7.5")
    html, kept = _get(client, url)

    assert not kept
    assert html != before
    assert "7.5" in html  # the approved hours the page sums


def test_a_decision_follows_the_entrys_student(world: World) -> None:
    """A decision saves only the decision's fields: it names the entry's student, as a new entry does."""
    theirs = PracticeLogFactory.create(placement=world.placement_b)
    mine = PracticeLogFactory.create(placement=world.placement_a, hours=Decimal("6.25"))
    client, url, _before = _kept_plan(world)

    practice_log_approve(log=theirs, by=world.users["supervisor_b"], today=theirs.date)  # type: ignore[arg-type]
    assert _get(client, url)[1]

    practice_log_approve(log=mine, by=world.users["supervisor_a"], today=mine.date)  # type: ignore[arg-type]
    html, kept = _get(client, url)
    assert not kept
    assert "6.25" in html


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda world: PracticeLog._base_manager.filter(student=world.student_b).update(cases=3), id="update"
        ),
        pytest.param(
            lambda world: connection.cursor().execute(
                'UPDATE "practice_practicelog" SET cases = 2 WHERE student_id = %s', [world.student_b.pk]
            ),
            id="raw-sql",
        ),
    ],
)
def test_a_write_that_names_no_student_ends_it(world: World, write: Any) -> None:
    """The product refuses ``update()`` on entries (``EvidenceQuerySet``); a migration or a shell need not."""
    PracticeLogFactory.create(placement=world.placement_b)
    client, url, _before = _kept_plan(world)

    write(world)

    assert not _get(client, url)[1]


def test_a_save_that_may_move_an_entry_names_no_student(world: World) -> None:
    """A whole save of an existing entry could change its student: both students' pages must end, so it raises
    every student's version."""
    entry = PracticeLogFactory.create(placement=world.placement_b)
    client, url, _before = _kept_plan(world)

    entry.description = "saved whole"
    entry.save()

    assert not _get(client, url)[1]


def test_a_read_of_every_students_entries_ends_with_any_entry(world: World, settings: Any) -> None:
    """A read that is not narrowed depends on the whole table, as before: an entry of any student ends it."""
    settings.READ_CACHE_SECONDS = 60
    calls: list[int] = []

    def every_entry() -> int:
        calls.append(1)
        return PracticeLog.objects.count()

    PracticeLogFactory.create(placement=world.placement_a)
    assert keptreads.kept("test.entries", (), every_entry) == 1
    assert keptreads.kept("test.entries", (), every_entry) == 1 and len(calls) == 1

    PracticeLogFactory.create(placement=world.placement_b)

    assert keptreads.kept("test.entries", (), every_entry) == 2 and len(calls) == 2


def test_the_sign_off_queue_outlives_entries_of_students_it_does_not_decide(world: World) -> None:
    ActivityCategoryFactory.create(programme=world.programme)
    PracticeLogFactory.create(placement=world.placement_a, description="waiting for A")
    client = client_for(world.users["supervisor_a"])
    url = reverse("practice:queue")
    client.get(url)
    _get(client, url)
    assert _get(client, url)[1]

    PracticeLogFactory.create(placement=world.placement_b)  # student B: supervisor B decides it
    assert _get(client, url)[1]

    PracticeLogFactory.create(placement=world.placement_a, description="more from A")
    html, kept = _get(client, url)
    assert not kept
    assert "more from A" in html


def test_a_visit_after_another_students_entry_costs_what_a_kept_visit_costs(world: World) -> None:
    """The navigation is kept too: its counts of entries (to correct, to decide) read the person's students'
    only, so the visit is the kept page and nothing else, as with no write at all."""
    client, url, _before = _kept_plan(world)
    with CaptureQueriesContext(connection) as quiet:
        assert _get(client, url)[1]

    _approved(world.placement_b, "2")
    with CaptureQueriesContext(connection) as captured:
        assert _get(client, url)[1]

    assert len(captured.captured_queries) == len(quiet.captured_queries) <= 3  # the session and the person


def test_the_names_a_narrowed_read_depends_on(world: World) -> None:
    with navcache.noting() as statements:
        list(PracticeLog.objects.filter(student=world.student_b))
        with navcache.narrowed(ENTRIES, world.student_a.pk):
            list(PracticeLog.objects.filter(student=world.student_a).select_related("placement"))

    only_narrowed = navcache.tables_read(statements[1:])
    assert navcache.partition(ENTRIES, world.student_a.pk) in only_narrowed
    assert ENTRIES + navcache.ALL_ROWS in only_narrowed
    assert ENTRIES not in only_narrowed
    assert "students_placement" in only_narrowed  # other tables of the statement count whole
    assert ENTRIES in navcache.tables_read(statements)  # a read not narrowed depends on the whole table


def test_a_kept_read_reports_the_names_it_stands_for() -> None:
    names = {navcache.partition(ENTRIES, 7), ENTRIES + navcache.ALL_ROWS, "students_placement"}
    with navcache.noting() as statements:
        navcache.note_read(names)

    assert names <= navcache.tables_read(statements)
    assert ENTRIES not in navcache.tables_read(statements)


def test_only_a_partitioned_table_is_narrowed() -> None:
    with pytest.raises(ValueError, match="not versioned per owner"), navcache.narrowed("students_placement", 1):
        pass  # pragma: no cover
    with pytest.raises(ValueError, match="not versioned per owner"), navcache.writing_rows("students_placement", [1]):
        pass  # pragma: no cover


def _versions(*names: str) -> list[Any]:
    return [cache.get(navcache.TABLE_KEY.format(name)) for name in names]


@pytest.mark.django_db(transaction=True)
def test_a_declared_write_raises_its_students_versions_again_at_commit(world: World) -> None:
    """Another request may read the old rows between the statement and the commit, and keep them: the commit
    raises the student's version again (a real commit: no transaction around the test)."""
    mine = navcache.partition(ENTRIES, world.student_a.pk)
    theirs = navcache.partition(ENTRIES, world.student_b.pk)
    every = ENTRIES + navcache.ALL_ROWS
    with transaction.atomic():
        _approved(world.placement_a, "2")
        during = _versions(ENTRIES, mine, theirs, every)
        assert during[0] is not None and during[1] is not None
    after = _versions(ENTRIES, mine, theirs, every)

    assert after[0] > during[0] and after[1] > during[1]
    assert after[2] == during[2] and after[3] == during[3]  # other students' rows, and every narrowed read, kept


@pytest.mark.embedded  # make run keeps pages too (SQLite, the file cache)
def test_on_both_databases_the_plan_page_outlives_another_students_entry(world: World) -> None:
    client, url, before = _kept_plan(world)
    with CaptureQueriesContext(connection) as captured:
        _approved(world.placement_b, "3")
    assert any(ENTRIES in query["sql"] for query in captured.captured_queries)

    assert _get(client, url) == (before, True)
    _approved(world.placement_a, "3")
    assert not _get(client, url)[1]


def test_student_progress_is_narrowed_to_its_student(world: World) -> None:
    """Every statement ``student_progress`` sends that reads the entries is noted as the student's rows only
    (``practice.selectors``)."""
    from practice.selectors import student_progress

    student = Student.objects.select_related("programme").get(pk=world.student_a.pk)
    with navcache.noting() as statements:
        student_progress(student=student, user=world.users["office"], today=datetime.date.today())  # type: ignore[arg-type]

    reading = [sql for sql in statements if ENTRIES in sql]
    assert reading
    assert all(getattr(sql, "narrow", {}).get(ENTRIES) == {student.pk} for sql in reading)


@pytest.fixture
def open_placements(world: World) -> None:
    """Both placements running from 150 days ago to 60 days ahead, so that entries of the last week pass."""
    today = datetime.date.today()
    for placement in (world.placement_a, world.placement_b):
        Placement.objects.filter(pk=placement.pk).update(
            start_date=today - datetime.timedelta(days=150), end_date=today + datetime.timedelta(days=60)
        )
        placement.refresh_from_db()


def _bulk(world: World, placement: Any, by: str, key: str) -> None:
    category = ActivityCategory.objects.filter(programme=world.programme).order_by("pk").first()
    assert category is not None
    rows = [
        BulkEntry(
            index=0,
            idempotency_key=key,
            placement_id=placement.pk,
            category_id=category.pk,
            date=datetime.date.today() - datetime.timedelta(days=2),
            hours=Decimal("2.5"),
        )
    ]
    outcomes = practice_logs_bulk_create(rows=rows, by=world.users[by])  # type: ignore[arg-type]
    assert [outcome.status for outcome in outcomes] == [BulkRowStatus.CREATED]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path runs on PostgreSQL only")
def test_a_set_based_bulk_create_names_its_students(world: World, open_placements: None) -> None:
    """The set-based path's statements (a ``WITH … INSERT``, a staging table's DDL) say nothing the watcher can
    read; the service declares what they write (``navcache.declared_writes``): another student's entries keep
    the plan page, and the navigation, its own student's end it."""
    client, url, _before = _kept_plan(world)
    with CaptureQueriesContext(connection) as quiet:
        assert _get(client, url)[1]

    _bulk(world, world.placement_b, "supervisor_b", "bulk-b")
    with CaptureQueriesContext(connection) as captured:
        assert _get(client, url)[1]
    assert len(captured.captured_queries) == len(quiet.captured_queries)

    _bulk(world, world.placement_a, "supervisor_a", "bulk-a")
    html, kept = _get(client, url)
    assert not kept
    assert "2.5" in html


def test_declared_writes_stand_for_what_the_statements_say() -> None:
    """Inside ``declared_writes`` a statement whose table is not plain raises the declared versions, not
    ``ANY_TABLE``; outside it raises ``ANY_TABLE``."""
    every = ENTRIES + navcache.ALL_ROWS
    mine, theirs = navcache.partition(ENTRIES, 1), navcache.partition(ENTRIES, 2)
    nothing = "WITH none AS (SELECT 0 AS id) DELETE FROM core_notification WHERE id IN (SELECT id FROM none)"

    before = _versions(navcache.ANY_TABLE, ENTRIES, mine, theirs, every, "students_placement")
    with navcache.declared_writes({ENTRIES: [1], "students_placement": None}), connection.cursor() as cursor:
        cursor.execute(nothing)
    inside = _versions(navcache.ANY_TABLE, ENTRIES, mine, theirs, every, "students_placement")
    with connection.cursor() as cursor:
        cursor.execute(nothing)
    after = _versions(navcache.ANY_TABLE, ENTRIES, mine, theirs, every, "students_placement")

    raised = [b != a for b, a in zip(before, inside, strict=True)]
    assert raised == [False, True, True, False, False, True]
    assert after[0] != inside[0]


def test_another_persons_notification_keeps_the_navigation(world: World) -> None:
    """Notifications are versioned per person too: one made for someone else, claimed, e-mailed and read
    keeps the student's page and navigation (no query more than a kept visit); one for the student ends the
    navigation and shows in its count."""
    client, url, _before = _kept_plan(world)
    with CaptureQueriesContext(connection) as quiet:
        assert _get(client, url)[1]
    other = world.users["student_b"]
    assert other is not None and other.email

    (theirs,) = notify(users=[other], kind="test", subject="For B", params={})
    assert notification_email_send(notification_id=theirs.pk)
    notification_mark_read(notification=theirs, by=other)
    notifications_mark_all_read(by=other)
    with CaptureQueriesContext(connection) as captured:
        html, kept = _get(client, url)
    assert kept and len(captured.captured_queries) == len(quiet.captured_queries)
    assert 'data-testid="unread-count"' not in html

    notify(users=[world.users["student_a"]], kind="test", subject="For A", params={})  # type: ignore[list-item]
    with CaptureQueriesContext(connection) as captured:
        html, _kept = _get(client, url)
    assert len(captured.captured_queries) > len(quiet.captured_queries)  # the navigation counted again
    assert 'data-testid="unread-count">1<' in html


def test_the_unread_count_is_narrowed_to_its_person(world: World) -> None:
    from core.selectors import notification_unread_count

    reader = world.users["student_a"]
    assert reader is not None
    with navcache.noting() as statements:
        notification_unread_count(user=reader)

    read = navcache.tables_read(statements)
    assert navcache.partition(NOTIFICATIONS, reader.pk) in read and NOTIFICATIONS not in read
