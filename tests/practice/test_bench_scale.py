"""``make bench``'s issue #19 table (``bench/scale.py``) runs on a few hundred rows: every page answers 200
for its reader and every row has a floor, in this process and over HTTP from gunicorn with production
settings (``bench/server.py``). No timing is asserted (the bench prints ratios: docs/bench.md)."""

from __future__ import annotations

import http.client
import io
import json

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bench import scale
from bench.bounds import measure_bounds, write_bounds
from bench.practice import FIELDS, copy_entries, entry_rows, populate
from bench.server import PROXY_HEADERS
from practice.models import PracticeLog

pytestmark = pytest.mark.django_db


def test_issue_19_table_runs_on_a_small_load() -> None:
    population = populate(students=3, partners=2, supervisors_per_partner=2, today=timezone.localdate(), prefix="s")
    rows = entry_rows(population, limit=300)
    if connection.vendor == "postgresql":
        copy_entries(rows)
    else:
        PracticeLog.objects.bulk_create(PracticeLog(**dict(zip(FIELDS, row, strict=True))) for row in rows)
    people = scale.personas(population.placements[0].id)
    lists = scale.measure_lists(people, runs=1, warmup=0)

    table = [
        *scale.measure_pages(people, runs=1, warmup=0),
        *scale.compare_lists(lists, lists, small_n=300, large_n=300),
        *scale.measure_scoped(people, runs=1, warmup=0),
        *scale.measure_hours(people, runs=1, warmup=0),
    ]
    out = io.StringIO()
    scale.write_rows(table, out)

    # Row 1 three times per page: kept (a repeat visit), kept after another student's entry was written (ADR
    # 0069) and worked out afresh (ADR 0055); the at-risk list a fourth time, its kept risk dropped too (ADR 0068).
    assert [row.name[0] for row in table] == ["1"] * 16 + ["2"] * 4 + ["3"] * 6 + ["4"] * 3
    notes = ["kept (repeat visit)", "kept, another's entry written", "worked out afresh"]
    assert [row.note for row in table[:3]] == notes
    assert [row.note for row in table if "at-risk" in row.name] == [
        "kept (repeat visit)",
        "kept, another's entry written",
        "worked out afresh",
        "afresh, risk weighed too",
    ]
    assert all(row.floor_median > 0 and row.queries > 0 for row in table), [r for r in table if not r.floor_median]
    assert "of 29 measurements meet their goal" in out.getvalue()

    # What bounds the misses (bench/bounds.py): the frame, each hot page's SQL alone, the aggregate's compile.
    bounds = measure_bounds(people, runs=1, warmup=0)
    write_bounds(bounds, out)
    assert len(bounds) == 1 + 5 + 1
    assert all(b.median > 0 and b.floor_median > 0 for b in bounds), bounds
    assert "What bounds the rows that miss" in out.getvalue()
    # The pages' statements are captured with the navigation kept, as the server runs a page afresh: fewer
    # than the same request counts with the test settings' navigation worked out on every page.
    page_bounds = bounds[1:6]
    for bound, (name, user, url) in zip(page_bounds, scale.hot_pages(people), strict=True):
        assert name in bound.name
        assert 0 < bound.queries < scale.InProcess().count_queries(user, url, api=False), bound
    assert bounds[-1].queries == 1  # the aggregate is one statement


@pytest.mark.django_db(transaction=True)
def test_http_harness_serves_each_persona_their_page_and_the_api_root_through_gunicorn() -> None:
    """The table's default reader (``scale.readers("http")``): gunicorn with production settings, started
    on the test's database (committed data: a transactional test), answers each persona's page and the
    API root with 200 and the persona's own page, through the session the harness made in the database;
    and the table's HTTP rows measure. Without the session or the proxy's HTTPS header, production
    settings answer otherwise: the check can fail."""
    if connection.vendor != "postgresql":
        pytest.skip("the bench serves PostgreSQL only (production settings refuse SQLite)")
    from bench.server import check_answer

    population = populate(students=3, partners=2, supervisors_per_partner=2, today=timezone.localdate(), prefix="h")
    copy_entries(entry_rows(population, limit=200))
    people = scale.personas(population.placements[0].id)
    pages = [(user, url) for _name, user, url in scale.hot_pages(people)]
    root, entries = reverse(scale.API_ROOT), reverse("api:practice-log-list")

    with scale.readers("http") as readers:
        assert isinstance(readers, scale.OverHttp)
        via = readers.served
        for user, url in pages:
            status, headers, body, _cookies = via.fetch(user, url, api=False)
            check_answer(user, url, status, headers.get("Location", ""), body, api=False)
            assert headers["Strict-Transport-Security"].startswith("max-age=")  # production, seen as HTTPS
            status, _headers, body, _cookies = via.fetch(user, root, api=True)
            assert status == 200 and "practice-logs" in json.loads(body)
        # The student's own entries, from the rows this test committed.
        status, _headers, body, _cookies = via.fetch(people.student, entries + "?page_size=500", api=True)
        own = set(PracticeLog.objects.filter(student_id=people.student_id).values_list("pk", flat=True))
        assert status == 200 and own
        assert {entry["id"] for entry in json.loads(body)["results"]} == own
        # Someone else's page is not the persona's: the check refuses it.
        status, headers, body, _cookies = via.fetch(people.supervisor, pages[0][1], api=False)
        with pytest.raises(AssertionError):
            check_answer(people.student, pages[0][1], status, headers.get("Location", ""), body, api=False)
        # No session: a redirect to the login page; no proxy header: production's redirect to HTTPS.
        plain = http.client.HTTPConnection("127.0.0.1", via.port, timeout=30)
        plain.request("GET", pages[2][1], headers={**PROXY_HEADERS, "Host": "127.0.0.1"})
        anonymous = plain.getresponse()
        anonymous.read()
        assert anonymous.status == 302 and "/accounts/login/" in anonymous.getheader("Location", "")
        plain.request("GET", pages[2][1], headers={"Host": "127.0.0.1"})
        insecure = plain.getresponse()
        insecure.read()
        assert insecure.status == 301 and insecure.getheader("Location", "").startswith("https://")
        plain.close()

        # Production keeps a page between writes to what it read (ADR 0055): the first visit sets the CSRF
        # cookie, the second is worked out and kept, the third is sent as kept; forget_kept ends that.
        queue = pages[1][1]
        _status, _headers, _body, jar = via.fetch(people.supervisor, queue, api=False)
        via.fetch(people.supervisor, queue, api=False, cookies=jar)
        _status, headers, body, _jar = via.fetch(people.supervisor, queue, api=False, cookies=jar)
        assert headers.get("X-Tandem-Kept") == "1"
        check_answer(people.supervisor, queue, 200, "", body, api=False)
        via.forget_kept()
        _status, headers, _body, _jar = via.fetch(people.supervisor, queue, api=False, cookies=jar)
        assert "X-Tandem-Kept" not in headers

        # The bench's writes reach the server's cache (``write``): the plan page and the queue, kept with their
        # students' entries only, outlive another student's entry (ADR 0069); a write ANY_TABLE ends them.
        plan = pages[0][1]
        _status, _headers, _body, plan_jar = via.fetch(people.student, plan, api=False)
        via.fetch(people.student, plan, api=False, cookies=plan_jar)
        via.fetch(people.supervisor, queue, api=False, cookies=jar)
        readers.write(scale.entry_elsewhere(people))
        _status, headers, _body, _jar = via.fetch(people.student, plan, api=False, cookies=plan_jar)
        assert headers.get("X-Tandem-Kept") == "1"
        _status, headers, _body, _jar = via.fetch(people.supervisor, queue, api=False, cookies=jar)
        assert headers.get("X-Tandem-Kept") == "1"
        nothing = "WITH none AS (SELECT 0 AS id) DELETE FROM core_notification WHERE id IN (SELECT id FROM none)"
        readers.write(lambda: connection.cursor().execute(nothing))  # a write whose table is not plain to see
        _status, headers, _body, _jar = via.fetch(people.supervisor, queue, api=False, cookies=jar)
        assert "X-Tandem-Kept" not in headers

        lists = scale.measure_lists(people, runs=1, warmup=0, via=readers)
        table = [
            *scale.measure_pages(people, runs=1, warmup=0, via=readers),
            *scale.compare_lists(lists, lists, small_n=200, large_n=200),
            *scale.measure_scoped(people, runs=1, warmup=0, via=readers),
        ]
        bounds = measure_bounds(people, runs=1, warmup=0, via=readers)
        cookie = settings.SESSION_COOKIE_NAME
        made = [*via.sessions.values(), *(c.cookies[cookie].value for c in readers.counter.clients.values())]
    assert len(made) == 2 * 5  # five personas, a session each for the server and the counting client
    assert not Session.objects.filter(session_key__in=made).exists()  # deleted when the server stopped
    assert [row.name[0] for row in table] == ["1"] * 16 + ["2"] * 4 + ["3"] * 6
    assert all(row.floor_median > 0 and row.queries > 0 for row in table), [r for r in table if not r.floor_median]
    assert [b.floor_name for b in bounds[:6]] == ["API root, same server"] * 6  # the empty page over HTTP too
    assert {row.floor_name for row in table if row.name[0] != "2"} == {"API root, same server", "office's, same server"}


@pytest.mark.django_db(databases=[])
def test_the_step_before_each_timing_is_not_timed() -> None:
    """``median_seconds``'s ``before`` (the bench making kept pages stale) runs before every call, warm-up
    included, and outside the timing: a page "afresh" is timed without the bench's own housekeeping."""
    import time

    calls: list[str] = []

    def before() -> None:
        calls.append("before")
        time.sleep(0.02)

    def fn() -> None:
        calls.append("fn")

    median = scale.median_seconds(fn, runs=3, warmup=1, before=before)
    assert calls == ["before", "fn"] * 4
    assert median < 0.01
