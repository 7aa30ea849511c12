"""Who is at risk, kept between writes to what it weighs (``list_keys.at_risk_keys``, ``core.keptreads``, ADR
0068), with pages, navigation and reads kept as in production: the at-risk list and the office's badge change
with the first write that changes who is at risk, even a write only the kept read weighed (a programme's
credit requirement) to a page kept while the read was answered from the cache; readers with the same rule
share one answer, readers with another rule never get it. Run on PostgreSQL and on SQLite (``embedded``).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from bench.server import forget_kept_pages
from core import pagecache
from programmes.models import CourseCategory, CreditRequirement
from students.models import Milestone, PlanStatus, Student, TrainingPlan
from students.selectors import list_keys
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

AT_RISK = "students:at-risk"


@pytest.fixture(autouse=True)
def _keeping_on(settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 60
    settings.NAV_CACHE_SECONDS = 60
    settings.READ_CACHE_SECONDS = 60
    cache.clear()


@pytest.fixture
def nobody_at_risk(world: World) -> World:
    """The world's students two years in, their plans approved, their milestones not yet due: nobody at
    risk, and anyone at risk the day their programme requires credits (they have none)."""
    today = timezone.localdate()
    Student.objects.update(enrolled_on=today - datetime.timedelta(days=730))
    TrainingPlan.objects.update(status=PlanStatus.APPROVED, approved_version=1)
    Milestone.objects.update(due_date=today + datetime.timedelta(days=100))
    return world


def _page(client: Client) -> tuple[list[int], bool]:
    response = client.get(reverse(AT_RISK))
    assert response.status_code == 200
    return [s.pk for s in response.context["students"]] if response.context else [], response.get(
        pagecache.KEPT_HEADER
    ) == "1"


def test_a_page_kept_with_a_kept_read_ends_with_a_write_only_the_read_weighed(nobody_at_risk: World) -> None:
    world = nobody_at_risk
    client = client_for(world.users["office"])
    client.get(reverse(AT_RISK))  # the CSRF cookie
    assert _page(client) == ([], False)  # worked out, and the read and the page kept
    assert _page(client)[1]  # sent as kept
    forget_kept_pages(cache)  # a write to something else the page read: the read is still kept
    assert _page(client) == ([], False)  # worked out again, with the kept read
    assert _page(client)[1]

    # No page row names the credit requirements (there are no rows): only the kept read weighed them.
    CreditRequirement.objects.create(programme=world.programme, category=CourseCategory.INNOVATION, credits=Decimal(2))

    students, kept = _page(client)
    assert not kept
    assert sorted(students) == sorted([world.student_a.pk, world.student_b.pk])


def test_the_badge_and_the_list_agree_and_follow_writes(nobody_at_risk: World) -> None:
    world = nobody_at_risk
    office = world.users["office"]
    assert office is not None
    today = timezone.localdate()

    def keys() -> list[int] | None:
        return list_keys.at_risk_keys(user=office, filters={}, today=today, using=connection.alias)

    assert keys() == []
    TrainingPlan.objects.filter(student=world.student_b).update(approved_version=None)
    assert keys() == [world.student_b.pk]
    client = client_for(office)
    response = client.get(reverse("core:start"))
    assert response.status_code == 200
    badge = next(item for item in response.context["inbox"] if str(item.label) == "Students at risk")
    assert badge.count == 1


def test_readers_with_the_same_rule_share_it_and_others_never_get_it(nobody_at_risk: World) -> None:
    world = nobody_at_risk
    TrainingPlan.objects.update(approved_version=None)  # everyone at risk: no approved plan in time
    another_office: User = UserFactory.create()
    grant_platform_role(another_office, PlatformRole.OFFICE)
    office, tutor = client_for(world.users["office"]), client_for(world.users["tutor"])
    for client in (office, client_for(another_office), tutor):
        client.get(reverse(AT_RISK))  # CSRF cookies

    forget_kept_pages(cache, reads=True)
    assert sorted(_page(office)[0]) == sorted([world.student_a.pk, world.student_b.pk])
    with CaptureQueriesContext(connection) as shared:
        seen = _page(client_for(another_office))[0]
    with CaptureQueriesContext(connection) as own:
        tutees = _page(tutor)[0]

    assert sorted(seen) == sorted([world.student_a.pk, world.student_b.pk])
    assert tutees == [world.student_a.pk]  # the tutor's own rule: only their tutee
    weighed = re.compile(r"ORDER BY MIN\(\W*late\W")  # the at-risk keys' order: the first late due date
    assert not [q for q in shared.captured_queries if weighed.search(q["sql"])]
    assert [q for q in own.captured_queries if weighed.search(q["sql"])]
