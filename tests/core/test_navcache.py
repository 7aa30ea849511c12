"""The navigation kept in the cache between writes (``core.navcache``, ADR 0051): a second page costs one
cache read instead of the roles, badges and unread count; any statement that writes (``save()``,
``update()``, ``bulk_create``) makes the next page count afresh, so a badge is never behind what a fresh
count shows; rows that reading writes do not; each language is kept apart; a cache that does not answer
costs the counts, never the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from core import navcache
from core.models import AccessDenial, Notification
from funds.models import Fund
from students.models import PlanStatus, TrainingPlan
from tests.conftest import UNANSWERING_CACHE, World, client_for
from tests.factories.practice import PracticeLogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keeping_on(settings: Any) -> None:
    """The test settings count the navigation on every page (for the suite's query counts); on here, as in
    production."""
    settings.NAV_CACHE_SECONDS = 60


PAGE = "programmes:list"


def _get(client: Client, name: str = PAGE) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode(), len(captured.captured_queries)


def _queue_badge(html: str) -> str | None:
    found = re.search(r'href="/practice/queue/">[^<]*<span class="badge[^"]*" data-testid="nav-badge">(\d+)<', html)
    return found.group(1) if found else None


def _students_badge(html: str) -> str | None:
    found = re.search(r'href="/students/">[^<]*<span class="badge[^"]*" data-testid="nav-badge">(\d+)<', html)
    return found.group(1) if found else None


def _unread(html: str) -> str | None:
    found = re.search(r'data-testid="unread-count">(\d+)<', html)
    return found.group(1) if found else None


def test_a_second_page_reads_the_navigation_from_the_cache(world: World) -> None:
    PracticeLogFactory.create_batch(2, placement=world.placement_a)
    client = client_for(world.users["supervisor_a"])

    first, counted = _get(client)
    second, kept = _get(client)

    assert _queue_badge(first) == _queue_badge(second) == "2"
    assert kept < counted
    # What the kept navigation saves is the roles, the inbox and the unread count: the page's own queries stay.
    assert counted - kept >= 4


def test_a_row_saved_by_someone_else_shows_on_the_next_page(world: World) -> None:
    client = client_for(world.users["supervisor_a"])
    PracticeLogFactory.create(placement=world.placement_a)
    assert _queue_badge(_get(client)[0]) == "1"

    PracticeLogFactory.create_batch(2, placement=world.placement_a)  # the student logs more (a save each)

    assert _queue_badge(_get(client)[0]) == "3"


def test_an_update_without_signals_in_a_request_shows_on_the_next_page(world: World) -> None:
    """Marking every notification read is one ``update()``: no signal, but the POST raises the epoch."""
    student = world.users["student_a"]
    assert student is not None
    for _ in range(2):
        Notification.objects.create(user=student, kind="plan", subject="Plan returned", link="/")
    client = client_for(student)
    assert _unread(_get(client)[0]) == "2"

    response = client.post(reverse("core:notifications-read-all"))

    assert response.status_code in (200, 302)
    assert not Notification.objects.filter(user=student, read_at__isnull=True).exists()
    assert _unread(_get(client)[0]) is None


def test_an_update_without_signals_shows_on_the_next_page(world: World) -> None:
    """``update()`` sends no signal: the statement itself raises the epoch; with 0 nothing is kept at all."""
    client = client_for(world.users["tutor"])
    assert _students_badge(_get(client)[0]) is None

    TrainingPlan.objects.filter(student=world.student_a).update(status=PlanStatus.SUBMITTED)
    assert _students_badge(_get(client)[0]) == "1"

    with override_settings(NAV_CACHE_SECONDS=0):
        _first, counted = _get(client)
        second, again = _get(client)
    assert _students_badge(second) == "1" and again == counted


@pytest.mark.parametrize(
    ("sql", "counts"),
    [
        ('SELECT "a"."id" FROM "practice_practicelog" a', False),
        ('INSERT INTO "practice_practicelog" ("student_id") VALUES (%s)', True),
        ('UPDATE "students_trainingplan" SET "status" = %s WHERE "id" = %s', True),
        ('DELETE FROM "core_notification" WHERE "id" IN (%s)', True),
        ('UPDATE "accounts_user" SET "full_name" = %s WHERE "id" = %s', True),
        ('UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s', False),
        ('UPDATE "django_session" SET "session_data" = %s WHERE "session_key" = %s', False),
        ('INSERT INTO "core_accessdenial" ("user_id") VALUES (%s)', False),
        ('INSERT INTO "students_historicaltrainingplan" ("id") VALUES (%s)', False),
        ('SAVEPOINT "s1"', False),
        ("TRUNCATE practice_practicelog", True),
    ],
)
def test_which_statements_end_the_kept_navigation(sql: str, counts: bool) -> None:
    assert navcache.writes(sql) is counts


def test_rows_that_reading_writes_keep_the_navigation(world: World) -> None:
    epoch = cache.get(navcache.EPOCH_KEY)
    session = SessionStore()
    session["x"] = 1
    session.save()
    user = world.users["student_a"]
    assert user is not None
    AccessDenial.objects.create(user_id=user.pk, action="view", target="Partner:1")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])  # logging in

    assert cache.get(navcache.EPOCH_KEY) == epoch


def test_each_language_is_kept_apart(world: World) -> None:
    client = client_for(world.users["supervisor_a"])
    english, _ = _get(client)
    client.cookies["django_language"] = "zh-hans"
    chinese, _kept = _get(client)

    assert "Sign-off" in english and "Sign-off" not in chinese


def test_the_start_page_counts_afresh(world: World) -> None:
    """Its list is the inbox: it never shows a kept count, and keeps what it counted for the next page."""
    client = client_for(world.users["tutor"])
    _get(client, "core:start")  # the first request of a client costs a few lookups of its own
    _html, start = _get(client, "core:start")
    with override_settings(NAV_CACHE_SECONDS=0):
        _html, start_uncached = _get(client, "core:start")
    _html, kept = _get(client)
    with override_settings(NAV_CACHE_SECONDS=0):
        _html, counted = _get(client)

    assert start == start_uncached
    assert kept < counted  # the page after the start page used what the start page counted


@override_settings(CACHES=UNANSWERING_CACHE)
def test_a_cache_that_does_not_answer_costs_the_counts_not_the_page(world: World) -> None:
    PracticeLogFactory.create(placement=world.placement_a)  # raising the epoch fails: logged, not raised

    html, _queries = _get(client_for(world.users["supervisor_a"]))

    assert _queue_badge(html) == "1"


def test_a_write_to_a_table_the_navigation_does_not_count_keeps_it(world: World) -> None:
    """Kept by the tables its count read (ADR 0055), not by every write: a fund's row is nothing a
    supervisor's navigation counts; an entry at their placement is."""
    PracticeLogFactory.create(placement=world.placement_a)
    client = client_for(world.users["supervisor_a"])
    _first, counted = _get(client)
    _second, kept = _get(client)
    assert kept < counted

    Fund.objects.filter(pk=-1).update(name="nothing")  # a write statement the navigation does not read
    html, still_kept = _get(client)
    assert still_kept == kept and _queue_badge(html) == "1"

    PracticeLogFactory.create(placement=world.placement_a)
    html, again = _get(client)
    assert again == counted and _queue_badge(html) == "2"


def test_a_read_of_a_view_depends_on_the_tables_it_is_worked_out_from() -> None:
    """Writes go to a view's tables, never to the view (ADR 0071): a read naming ``RequiredCredits`` is
    ended by a write to the credit requirements."""
    from programmes.models import CreditRequirement, RequiredCredits

    view, source = RequiredCredits._meta.db_table, CreditRequirement._meta.db_table
    statement = f'SELECT "total" FROM "{view}" WHERE "programme_id" = 1'  # noqa: S608 (a table's name, no input)
    assert {view, source} <= navcache.tables_read([statement])


def test_every_view_says_what_it_is_worked_out_from() -> None:
    """An unmanaged model is a view here; one that named no ``view_of`` would keep reads past its tables'
    writes."""
    from django.apps import apps

    views = [model for model in apps.get_models() if not model._meta.managed]
    assert views, "no view to check"
    for model in views:
        sources: tuple[type[Any], ...] = getattr(model, "view_of", ())
        assert sources, f"{model._meta.label} names no view_of"
        assert navcache._views()[model._meta.db_table] == {source._meta.db_table for source in sources}
