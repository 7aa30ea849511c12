"""The hot pages' reads prepared on their connection (``core.prepared``, ADR 0065): inside the block a read is
prepared at its first use and nothing else is; the connection comes back as it was, however the block ends;
the setting and SQLite turn it off; and the five hot pages prepare their reads and answer as they do without."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import prepared
from students.models import TrainingPlan
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements of PostgreSQL")

READ = "SELECT count(*) FROM django_content_type WHERE id > %s"
WRITE = "UPDATE django_content_type SET model = model WHERE id < %s"


def _prepared(like: str) -> list[str]:
    """The statements prepared on this connection whose text contains ``like``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{like}%"])
        return sorted(row[0] for row in cursor.fetchall())


def _state() -> tuple[Any, Any]:
    connection.ensure_connection()
    raw = connection.connection
    return raw.cursor_factory, raw.prepare_threshold


@postgres_only
def test_a_read_inside_the_block_is_prepared_at_its_first_use_and_nothing_else() -> None:
    before = _state()
    with connection.cursor() as cursor:
        cursor.execute(READ, [1])  # outside: sent with its value in the text, not prepared
    assert _prepared("django_content_type") == []

    with prepared.statements() as preparing, connection.cursor() as cursor:
        assert preparing is True
        cursor.execute(READ, [2])
        assert cursor.fetchone() is not None
        cursor.execute(WRITE, [-1])  # a write in the block: bound by the server, not prepared
        assert _prepared("django_content_type") == ["SELECT count(*) FROM django_content_type WHERE id > $1"]
        cursor.execute(READ, [3])  # the same read again: the same prepared statement
    assert _prepared("django_content_type") == ["SELECT count(*) FROM django_content_type WHERE id > $1"]
    assert _state() == before  # Django's own cursor and psycopg's threshold (none) again


@postgres_only
def test_the_connection_comes_back_as_it_was_when_the_block_fails() -> None:
    before = _state()
    with pytest.raises(RuntimeError), prepared.statements():
        assert _state() != before
        raise RuntimeError("the view failed")
    assert _state() == before


@postgres_only
@override_settings(DATABASE_PREPARED_PAGES=False)
def test_nothing_is_prepared_when_the_setting_is_off() -> None:
    before = _state()
    with prepared.statements() as preparing, connection.cursor() as cursor:
        assert preparing is False
        assert _state() == before
        cursor.execute(READ, [2])
    assert _prepared("django_content_type") == []


@postgres_only
def test_the_log_reads_a_prepared_statement_with_its_values_written_in() -> None:
    connection.ensure_connection()
    raw = connection.connection
    assert prepared._Logged(raw, READ, [7]).query == b"SELECT count(*) FROM django_content_type WHERE id > 7"
    # A value psycopg cannot write into the text: the statement as it was sent, not an error in the log.
    assert prepared._Logged(raw, READ, [object()]).query == READ.encode()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what the block does where there is no PostgreSQL")
def test_nothing_to_prepare_elsewhere() -> None:
    with prepared.statements() as preparing, connection.cursor() as cursor:
        assert preparing is False
        cursor.execute("SELECT count(*) FROM django_content_type WHERE id > %s", [0])


HOT_PAGES = [
    ("student_a", "students:plan", "students_trainingplan"),
    ("supervisor_a", "practice:queue", "practice_practicelog"),
    ("office", "students:list", "students_student"),
    ("office", "students:at-risk", "students_student"),
    ("office", "supervision:list", "supervision_inspection"),
]


def _without_tokens(content: bytes) -> bytes:
    """A page without its CSRF tokens, masked afresh on every answer."""
    return re.sub(rb"[A-Za-z0-9]{64}", b"<token>", content)


@postgres_only
@pytest.mark.parametrize(("persona", "route", "table"), HOT_PAGES)
def test_a_hot_page_prepares_its_reads_and_answers_alike(world: World, persona: str, route: str, table: str) -> None:
    """Each test starts with nothing prepared: psycopg forgets its statements when the test's transaction is
    rolled back. The page is asked for twice, with the setting off, then on."""
    TrainingPlan.objects.get_or_create(student=world.student_a)
    url = reverse(route, args=[world.student_a.pk] if route == "students:plan" else [])
    client = client_for(world.users[persona])
    assert _prepared("") == []
    with override_settings(DATABASE_PREPARED_PAGES=False), CaptureQueriesContext(connection) as sent_plain:
        plain = client.get(url)
    assert _prepared("") == []
    with CaptureQueriesContext(connection) as sent:
        answer = client.get(url)

    assert answer.status_code == plain.status_code == 200
    assert _without_tokens(answer.content) == _without_tokens(plain.content)
    # The page's own reads are prepared, their parameters as $1, $2...; the middleware's (session, user) not.
    statements = _prepared("")
    assert any(table in sql for sql in statements), statements
    assert all("%s" not in sql and "django_session" not in sql for sql in statements), statements
    # Django's query log reads the same statements, values written in, prepared or not.
    assert len(sent) == len(sent_plain)
    assert all(query["sql"] and "$1" not in query["sql"] for query in sent.captured_queries)


# --- Choices written into the text (``codes_written_in``) ------------------------------------------------------


def test_a_text_choice_is_written_in_and_the_other_parameters_stay() -> None:
    from practice.models import EntryStatus

    sql = 'SELECT 1 FROM t WHERE "status" = %s AND "who" = %s AND "note" LIKE \'50%%\' AND "kind" IN (%s, %s)'
    written, left = prepared.codes_written_in(sql, (EntryStatus.PENDING, 7, "typed", EntryStatus.APPROVED))
    assert written == (
        'SELECT 1 FROM t WHERE "status" = \'pending\' AND "who" = %s AND "note" LIKE \'50%%\' AND "kind" IN (%s, '
        "'approved')"
    )
    assert left == (7, "typed")
    assert type(left) is tuple
    written, left = prepared.codes_written_in(sql, [EntryStatus.PENDING, 7, "typed", 8])
    assert left == [7, "typed", 8]


def test_what_is_not_a_plain_choice_stays_a_parameter() -> None:
    from practice.models import EntryStatus

    # Plain strings (what a person typed) are never written in, even when they look like a code.
    assert prepared.codes_written_in("SELECT %s", ["pending"]) == ("SELECT %s", ["pending"])
    # Named placeholders, or a count that does not match: left as they are.
    assert prepared.codes_written_in("SELECT %(a)s", {"a": EntryStatus.PENDING}) == (
        "SELECT %(a)s",
        {"a": EntryStatus.PENDING},
    )
    assert prepared.codes_written_in("SELECT %s, %s", [EntryStatus.PENDING]) == ("SELECT %s, %s", [EntryStatus.PENDING])
    assert prepared.codes_written_in("SELECT 1", None) == ("SELECT 1", None)


def test_a_day_is_written_in_and_a_moment_stays_a_parameter() -> None:
    import datetime

    day, moment = datetime.date(2026, 12, 5), datetime.datetime(2026, 12, 5, 9, 30, tzinfo=datetime.UTC)
    written, left = prepared.codes_written_in("SELECT 1 WHERE d < %s AND t > %s", [day, moment])
    assert written == "SELECT 1 WHERE d < '2026-12-05'::date AND t > %s"
    assert left == [moment]


@postgres_only
@pytest.mark.parametrize("written_in", [True, False])
def test_the_queue_keeps_a_generic_plan_once_its_status_is_written_in(
    world: World, written_in: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On entries whose status is skewed (nearly all approved, a few pending), PostgreSQL keeps the queue's
    prepared statement's generic plan only when ``'pending'`` is in its text; passed as a parameter, every
    use is planned again (the case each parametrization shows)."""
    from practice.models import EntryStatus, PracticeLog
    from tests.factories.practice import PracticeLogFactory

    if not written_in:
        monkeypatch.setattr(prepared, "codes_written_in", lambda sql, params: (sql, params))
    approved = PracticeLogFactory.create(placement=world.placement_a, approved=True)
    fields = {f.attname: getattr(approved, f.attname) for f in PracticeLog._meta.concrete_fields if not f.primary_key}
    PracticeLog.objects.bulk_create(PracticeLog(**fields) for _ in range(3000))
    PracticeLogFactory.create_batch(3, placement=world.placement_a, status=EntryStatus.PENDING)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE practice_practicelog")
    client = client_for(world.users["supervisor_a"])
    for _ in range(8):
        assert client.get(reverse("practice:queue")).status_code == 200

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE 'SELECT \"practice_practicelog\".\"id\", %%' AND statement LIKE '%%ORDER BY%%'"
        )
        (statement, generic, custom), *others = cursor.fetchall()
    assert others == []
    assert ("'pending'" in statement) is written_in
    if written_in:
        assert generic >= 2, (generic, custom)
    else:
        assert generic == 0, (generic, custom)
