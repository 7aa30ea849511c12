"""Hot pages kept between writes to what they read (``core.pagecache``, ADR 0055): a repeat visit is sent as
kept (a few queries, the same page); a write to a table the page read, a change of the navigation it shows,
another day, another session or language, messages waiting, or keeping turned off, each makes the page be
worked out afresh; a write elsewhere keeps it; a cache that does not answer costs the work, never the page."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import PlatformRole, grant_platform_role
from core import navcache, pagecache
from core.models import Notification
from funds.models import Fund
from students.models import Student
from tests.conftest import UNANSWERING_CACHE, World, client_for
from tests.factories.practice import PracticeLogFactory

pytestmark = pytest.mark.django_db

QUEUE = "practice:queue"


@pytest.fixture(autouse=True)
def _keeping_on(settings: Any) -> None:
    """The test settings work every page out (for the suite's query counts); on here, as in production."""
    settings.PAGE_CACHE_SECONDS = 60
    settings.NAV_CACHE_SECONDS = 60


def _get(client: Client, url: str) -> tuple[str, bool, int]:
    """The page's HTML, whether it was sent as kept, and the queries it cost."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), response.get(pagecache.KEPT_HEADER) == "1", len(captured.captured_queries)


def _warm(client: Client, url: str) -> str:
    """Visit twice: the first visit sets the CSRF cookie (a page's form tokens belong to it), the second is
    worked out and kept."""
    client.get(url)
    html, kept, _queries = _get(client, url)
    assert not kept
    return html


def _kept(client: Client, url: str) -> None:
    """Warm the page (``_warm``) and see the next visit sent as kept."""
    _warm(client, url)
    assert _get(client, url)[1]


def _without_tokens(html: str) -> str:
    """The page less its CSRF tokens, which Django masks afresh on every rendering."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.embedded  # make run keeps pages too (SQLite, the file cache)
def test_a_repeat_visit_is_sent_as_kept(world: World) -> None:
    PracticeLogFactory.create_batch(2, placement=world.placement_a, description="Contrast CT list")
    client = client_for(world.users["supervisor_a"])
    url = reverse(QUEUE)
    _warm(client, url)

    html, kept, queries = _get(client, url)
    with override_settings(PAGE_CACHE_SECONDS=0):
        worked_out, kept_off, _work = _get(client, url)

    assert kept and not kept_off
    assert "Contrast CT list" in html
    assert _without_tokens(html) == _without_tokens(worked_out)
    assert queries <= 3  # the session and the person: what any page costs before its own work


def test_the_work_a_kept_visit_saves(world: World) -> None:
    PracticeLogFactory.create_batch(3, placement=world.placement_a)
    client = client_for(world.users["supervisor_a"])
    url = reverse(QUEUE)
    client.get(url)
    with override_settings(PAGE_CACHE_SECONDS=0):
        _html, kept_off, worked = _get(client, url)
    _get(client, url)  # worked out and kept

    _html, kept, queries = _get(client, url)

    assert not kept_off and kept
    assert queries < worked


@pytest.mark.embedded
def test_a_write_to_a_table_the_page_read_ends_it(world: World) -> None:
    client = client_for(world.users["supervisor_a"])
    url = reverse(QUEUE)
    PracticeLogFactory.create(placement=world.placement_a, description="first entry")
    _kept(client, url)

    PracticeLogFactory.create(placement=world.placement_a, description="second entry")  # the student logs more
    html, kept, _queries = _get(client, url)

    assert not kept
    assert "second entry" in html


def test_an_update_without_signals_ends_it(world: World) -> None:
    """``update()`` sends no signal: the statement itself raises the table's version."""
    client = client_for(world.users["office"])
    url = reverse("students:list")
    _kept(client, url)

    Student.objects.filter(pk=world.student_a.pk).update(student_number="S-RENUMBERED")
    html, kept, _queries = _get(client, url)

    assert not kept
    assert "S-RENUMBERED" in html


def test_a_write_elsewhere_keeps_it(world: World) -> None:
    """A fund's row is nothing the queue reads, nor anything its navigation counts."""
    client = client_for(world.users["supervisor_a"])
    url = reverse(QUEUE)
    PracticeLogFactory.create(placement=world.placement_a)
    _warm(client, url)

    Fund.objects.filter(pk=-1).update(name="nothing")  # a write statement to a table the page does not read
    assert navcache.written_table('UPDATE "funds_fund" SET "name" = %s') == "funds_fund"

    assert _get(client, url)[1]


def test_a_change_of_the_navigation_ends_it(world: World) -> None:
    """A notification for the reader changes the unread count the page shows, though the page read none."""
    reader = world.users["supervisor_a"]
    assert reader is not None
    client = client_for(reader)
    url = reverse(QUEUE)
    _kept(client, url)

    Notification.objects.create(user=reader, kind="plan", subject="Something for you", link="/")
    html, kept, _queries = _get(client, url)

    assert not kept
    assert 'data-testid="unread-count">1<' in html


def test_a_write_whose_table_is_not_plain_ends_every_page(world: World) -> None:
    client = client_for(world.users["supervisor_a"])
    url = reverse(QUEUE)
    _kept(client, url)

    with connection.cursor() as cursor:  # a statement that writes, though no INSERT/UPDATE/DELETE heads it
        cursor.execute("WITH none AS (SELECT 0 AS id) DELETE FROM core_notification WHERE id IN (SELECT id FROM none)")

    assert not _get(client, url)[1]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_raises_the_versions_again_at_commit() -> None:
    """Another request may read the old rows between the statement and the commit, and keep them: the
    commit ends that page too (a real commit: no transaction around the test)."""
    key = navcache.TABLE_KEY.format("practice_practicelog")
    with transaction.atomic():
        PracticeLogFactory.create()
        during = cache.get(key)
        assert during is not None
    assert cache.get(key) > during


def test_each_session_and_language_is_kept_apart(world: World) -> None:
    url = reverse(QUEUE)
    PracticeLogFactory.create(placement=world.placement_a)
    first = client_for(world.users["supervisor_a"])
    _kept(first, url)

    second = client_for(world.users["supervisor_a"])  # another browser: its own session and CSRF cookie
    second.get(url)
    assert not _get(second, url)[1]

    first.cookies["django_language"] = "zh-hans"
    html, kept, _queries = _get(first, url)
    assert not kept
    assert 'lang="zh-hans"' in html


def test_another_person_never_gets_the_page(world: World) -> None:
    url = reverse("students:list")
    office = client_for(world.users["office"])
    _warm(office, url)
    tutor = client_for(world.users["tutor"])
    tutor.get(url)

    html, kept, _queries = _get(tutor, url)

    assert not kept
    assert 'data-testid="user-menu">' in html and "office" not in html.split('data-testid="user-menu">')[1][:20]


def test_another_day_works_it_out_afresh(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_for(world.users["supervisor_a"])
    url = reverse(QUEUE)
    _kept(client, url)

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)

    assert not _get(client, url)[1]


def test_a_page_older_than_the_limit_is_worked_out(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_for(world.users["supervisor_a"])
    url = reverse(QUEUE)
    _warm(client, url)
    later = pagecache.time.time() + 61
    monkeypatch.setattr(pagecache.time, "time", lambda: later)

    assert not _get(client, url)[1]


def test_messages_waiting_are_shown_not_skipped(world: World) -> None:
    """A page shown with a message ("Saved.") is neither sent as kept nor kept."""
    client = client_for(world.users["supervisor_a"])
    url = reverse(QUEUE)
    _warm(client, url)
    # A POST that leaves a message and sends the person back to the queue.
    placement = world.placement_a
    entry = PracticeLogFactory.create(placement=placement)
    response = client.post(reverse("practice:approve", args=[entry.pk]), follow=False)
    assert response.status_code in (302, 303)

    html, kept, _queries = _get(client, url)

    assert not kept
    assert 'role="status"' in html or "alert" in html


def test_only_a_plain_get_answered_200_is_kept() -> None:
    request = RequestFactory().get("/practice/queue/")
    request.session = type("S", (), {"session_key": "abc"})()  # type: ignore[assignment]
    request.COOKIES["csrftoken"] = "x"
    request.user = type("U", (), {"is_authenticated": True, "pk": 1})()  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    key = pagecache._key(request)
    assert key is not None
    epoch = int(cache.get(navcache.EPOCH_KEY) or 0)

    pagecache._keep(request, key, HttpResponse("missing", status=404), set(), epoch)
    pagecache._keep(request, key, HttpResponse("{}", content_type="application/json"), set(), epoch)
    assert cache.get(key) is None

    pagecache._keep(request, key, HttpResponse("<p>ok</p>"), set(), epoch - 1)  # a write meanwhile
    assert cache.get(key) is None

    messages.info(request, "Saved.")
    pagecache._keep(request, key, HttpResponse("<p>ok</p>"), set(), epoch)
    assert cache.get(key) is None


def test_no_csrf_cookie_no_keeping() -> None:
    request = HttpRequest()
    request.session = type("S", (), {"session_key": "abc"})()  # type: ignore[assignment]
    assert pagecache._key(request) is None


def test_keeping_off_works_every_page_out(world: World, settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    client = client_for(world.users["supervisor_a"])
    url = reverse(QUEUE)
    _warm(client, url)

    assert not _get(client, url)[1]


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('SELECT "a"."id" FROM "practice_practicelog" a', None),
        ('INSERT INTO "practice_practicelog" ("student_id") VALUES (%s)', "practice_practicelog"),
        ('UPDATE "students_trainingplan" SET "status" = %s WHERE "id" = %s', "students_trainingplan"),
        ('DELETE FROM "core_notification" WHERE "id" IN (%s)', "core_notification"),
        ('UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s', None),
        ('UPDATE "django_session" SET "session_data" = %s WHERE "session_key" = %s', None),
        ('INSERT INTO "students_historicaltrainingplan" ("id") VALUES (%s)', "students_historicaltrainingplan"),
        ("TRUNCATE practice_practicelog", navcache.ANY_TABLE),
        ("WITH x AS (INSERT INTO a VALUES (1) RETURNING id) SELECT id FROM x", navcache.ANY_TABLE),
    ],
)
def test_which_table_a_statement_writes(sql: str, table: str | None) -> None:
    assert navcache.written_table(sql) == table


def test_the_tables_a_page_read() -> None:
    read = navcache.tables_read(
        [
            'SELECT "practice_practicelog"."id" FROM "practice_practicelog" INNER JOIN "students_placement" ON (1=1)',
            "SELECT id FROM students_student, programmes_programme WHERE 1 = 1",
            'SELECT "session_data" FROM "django_session"',
        ]
    )
    assert {"practice_practicelog", "students_placement", "students_student", "programmes_programme"} <= read
    # Who the person is, though no statement named it (remembered on the user object): every page shows it.
    assert {"accounts_user", "accounts_user_groups", "auth_group", "partners_membership"} <= read
    assert "django_session" not in read


@override_settings(CACHES=UNANSWERING_CACHE)
def test_a_cache_that_does_not_answer_costs_the_work_not_the_page(world: World) -> None:
    PracticeLogFactory.create(placement=world.placement_a, description="seen anyway")
    client = client_for(world.users["supervisor_a"])
    url = reverse(QUEUE)
    client.get(url)

    html, kept, _queries = _get(client, url)

    assert not kept
    assert "seen anyway" in html


def test_a_new_role_ends_the_kept_page(world: World) -> None:
    """The person's platform roles are read once a request and remembered on the user object, maybe before
    the page's statements are noted: a page depends on them all the same."""
    reader = world.users["supervisor_a"]
    assert reader is not None
    client = client_for(reader)
    url = reverse(QUEUE)
    _kept(client, url)

    grant_platform_role(reader, PlatformRole.OFFICE)
    html, kept, _queries = _get(client, url)

    with override_settings(PAGE_CACHE_SECONDS=0):
        worked_out, _kept_off, _work = _get(client, url)
    assert not kept
    assert _without_tokens(html) == _without_tokens(worked_out)
