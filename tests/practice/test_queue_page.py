"""The sign-off queue's cards as the page writes them in Python (``practice_tags.queue_entry`` and
``progress_cell``): every fact of an entry, what the reader typed escaped, and "Approve all" told apart
from "the others are on another page" with the pending count asked only for the cards that span pages."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from practice.models import PracticeLog
from programmes.models import ActivityCategory
from students.models import Placement
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory
from tests.factories.students import PlacementFactory, StudentFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _supervisor(world: World) -> User:
    user = world.users["supervisor_a"]
    assert user is not None
    return user


@pytest.fixture
def ct(world: World) -> ActivityCategory:
    Placement.objects.filter(pk=world.placement_a.pk).update(
        start_date=TODAY - datetime.timedelta(days=30), end_date=TODAY + datetime.timedelta(days=30)
    )
    world.placement_a.refresh_from_db()
    return ActivityCategoryFactory.create(
        programme=world.programme, code="ct", name="CT <operation>", required_hours=20
    )


def _entry(placement: Placement, category: ActivityCategory, days_ago: int, **extra: Any) -> PracticeLog:
    extra.setdefault("hours", Decimal("1"))
    extra.setdefault("date", TODAY - datetime.timedelta(days=days_ago))
    return PracticeLogFactory.create(placement=placement, category=category, **extra)


def test_an_entry_card_shows_every_fact_escaped_with_its_buttons(world: World, ct: ActivityCategory) -> None:
    approved = _entry(world.placement_a, ct, 5, hours=Decimal("3"), approved=True)
    entry = _entry(
        world.placement_a,
        ct,
        2,
        hours=Decimal("2.50"),
        start_time=datetime.time(8, 0),
        end_time=datetime.time(10, 30),
        cases=3,
        description="Scans <b>& reports</b>",
        corrects=approved,
        correction_reason="Lunch <script>",
    )

    html = client_for(_supervisor(world)).get(reverse("practice:queue")).content.decode()

    day = entry.date.isoformat()
    assert f'data-entry="{entry.pk}"' in html
    assert f'id="entry-{entry.pk}"' in html and f'for="entry-{entry.pk}"' in html
    assert f"{day} · 2.5 h · CT &lt;operation&gt;" in html
    assert f"08:00\u201310:30 · {world.placement_a.partner.name} · 3 cases" in html
    assert "Scans &lt;b&gt;&amp; reports&lt;/b&gt;" in html and "<b>&" not in html
    assert f"Corrects the entry of {approved.date.isoformat()} (3 h): Lunch &lt;script&gt;" in html
    assert "<script>" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert f'name="all-{world.student_a.pk}" value="{entry.pk}"' in html
    assert f'formaction="{reverse("practice:approve", args=[entry.pk])}"' in html
    assert f'aria-label="Approve 2.5 h on {day}"' in html
    assert f'href="{reverse("practice:reject", args=[entry.pk])}"' in html
    assert 'data-testid="queue-progress"' in html


def test_the_card_speaks_the_readers_language(world: World, ct: ActivityCategory) -> None:
    entry = _entry(world.placement_a, ct, 1, cases=1)
    client = client_for(_supervisor(world))

    html = client.get(reverse("practice:queue"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert f'data-entry="{entry.pk}"' in html
    assert "1 例" in html
    assert f"通过 {entry.date.isoformat()} 的 1 学时" in html


def _students_with_entries(world: World, ct: ActivityCategory, counts: list[int]) -> list[list[PracticeLog]]:
    """Students named in the queue's order (A, B, C...), each with ``count`` pending entries."""
    made = []
    for index, count in enumerate(counts):
        user = UserFactory.create(full_name=f"{'ABCDEFG'[index]} Student")
        student = StudentFactory.create(programme=world.programme, user=user)
        placement = PlacementFactory.create(
            student=student, partner=world.partner_a, site=world.site_a, supervisor=_supervisor(world)
        )
        made.append(
            [_entry(placement, ct, 0, date=placement.start_date + datetime.timedelta(days=day)) for day in range(count)]
        )
    return made


def test_only_the_cards_that_span_pages_say_their_other_entries_wait_elsewhere(
    world: World, ct: ActivityCategory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from practice import views

    monkeypatch.setattr(views, "QUEUE_PER_PAGE", 4)
    _a, b, c = _students_with_entries(world, ct, [1, 4, 2])  # page 1: A1 B1 B2 B3; page 2: B4 C1 C2
    client = client_for(_supervisor(world))

    first = client.get(reverse("practice:queue")).content.decode()
    second = client.get(reverse("practice:queue") + "?page=2").content.decode()

    assert "Approve all of A Student" in first
    assert "Approve the 3 entries of B Student shown here" in first
    assert "B Student has 4 pending entries in all" in first
    assert "Approve the 1 entry of B Student shown here" in second
    assert "Approve all of C Student" in second
    assert re.findall(r'name="ids" value="(\d+)"', second) == [str(e.pk) for e in (b[3], *c)]


@pytest.mark.parametrize("counts", [[1], [3, 4, 5]])
def test_a_queue_of_one_page_asks_no_pending_count(world: World, ct: ActivityCategory, counts: list[int]) -> None:
    _students_with_entries(world, ct, counts)
    client = client_for(_supervisor(world))
    client.get(reverse("practice:queue"))

    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("practice:queue")).content.decode()

    assert html.count('<section class="card mb-3"') == len(counts)
    assert not [q for q in captured.captured_queries if "GROUP BY" in q["sql"] and '"n"' in q["sql"]]
