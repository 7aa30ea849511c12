"""The office's pages for review schedules and terms: list, create, edit; validation by field, with what was
typed kept; history of changes; a term whose rounds opened keeps its dates; the list's queries do not grow."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import ReviewSchedule, ReviewTerm
from tests.conftest import World, client_for
from tests.factories.programmes import ProgrammeFactory
from tests.factories.reviews import ReviewScheduleFactory, ReviewTermFactory
from tests.reviews import helpers

pytestmark = pytest.mark.django_db

SCHEDULE = {
    "term_rounds": "on",
    "placement_rounds": "on",
    "yearly_review_month": "11",
    "window_days": "10",
    "grace_days": "5",
    "remind_days_before": "2",
    "min_meetings_per_term": "2",
    "low_score_threshold": "2.80",
}


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_office_sets_up_a_schedule_and_its_changes_are_kept(world: World) -> None:
    office = client_for(world.users["office"])
    created = office.post(reverse("reviews:schedule-add"), {**SCHEDULE, "programme": world.programme.pk})
    assert created.status_code == 302
    schedule = ReviewSchedule.objects.get(programme=world.programme)
    assert schedule.window_days == 10 and not schedule.yearly_partner_review
    assert schedule.low_score_threshold == Decimal("2.80")

    again = office.post(reverse("reviews:schedule-add"), {**SCHEDULE, "programme": world.programme.pk})
    assert again.status_code == 200  # the programme is no longer offered: one schedule each
    assert ReviewSchedule.objects.filter(programme=world.programme).count() == 1

    edit = reverse("reviews:schedule", args=[schedule.pk])
    assert office.post(edit, {**SCHEDULE, "window_days": "21"}).status_code == 302
    schedule.refresh_from_db()
    assert schedule.window_days == 21
    history = list(schedule.history.order_by("history_date"))  # type: ignore[attr-defined]
    assert [h.history_type for h in history] == ["+", "~"] and history[-1].history_user == world.users["office"]
    changes = office.get(edit).content.decode()  # the page lists the changes with who made them
    assert world.users["office"].display_name in changes  # type: ignore[union-attr]


def test_a_refused_schedule_names_the_field_and_keeps_what_was_typed(world: World) -> None:
    schedule = ReviewScheduleFactory.create(programme=world.programme)
    response = client_for(world.users["office"]).post(
        reverse("reviews:schedule", args=[schedule.pk]), {**SCHEDULE, "remind_days_before": "10", "grace_days": "6"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["remind_days_before"] and form["grace_days"].value() == "6"
    schedule.refresh_from_db()
    assert schedule.grace_days == 7 and schedule.remind_days_before == 3  # nothing written


def test_terms_are_in_order_never_overlap_and_keep_their_dates_once_rounds_opened(world: World) -> None:
    schedule = ReviewScheduleFactory.create(programme=world.programme)
    office = client_for(world.users["office"])
    add = reverse("reviews:term-add", args=[schedule.pk])
    autumn = {"name": "2026 autumn", "start_date": "2026-09-01", "end_date": "2027-01-31"}
    assert office.post(add, autumn).status_code == 302
    backwards = office.post(add, {"name": "Spring", "start_date": "2027-07-31", "end_date": "2027-02-01"})
    assert list(backwards.context["form"].errors) == ["end_date"]
    overlap = office.post(add, {"name": "Spring", "start_date": "2027-01-15", "end_date": "2027-07-31"})
    assert list(overlap.context["form"].errors) == ["start_date"] and "2026 autumn" in overlap.content.decode()
    assert overlap.context["form"]["name"].value() == "Spring"
    assert office.post(add, {"name": "Spring", "start_date": "2027-02-01", "end_date": "2027-07-31"}).status_code == 302
    assert ReviewTerm.objects.filter(programme=world.programme).count() == 2

    term = ReviewTerm.objects.get(programme=world.programme, name="2026 autumn")
    helpers.open_round(world, term)
    edit = reverse("reviews:term-edit", args=[term.pk])
    moved = office.post(edit, {**autumn, "end_date": "2027-01-20"})
    assert list(moved.context["form"].errors) == ["start_date"]
    assert office.post(edit, {**autumn, "name": "Autumn 2026"}).status_code == 302
    term.refresh_from_db()
    assert term.name == "Autumn 2026" and term.end_date == datetime.date(2027, 1, 31)
    assert term.history.count() == 2  # type: ignore[attr-defined]


def test_only_the_office_reaches_the_schedule_pages(world: World) -> None:
    schedule = ReviewScheduleFactory.create(programme=world.programme)
    term = ReviewTermFactory.create(programme=world.programme)
    urls = [
        reverse("reviews:schedules"),
        reverse("reviews:schedule-add"),
        reverse("reviews:schedule", args=[schedule.pk]),
        reverse("reviews:term-add", args=[schedule.pk]),
        reverse("reviews:term-edit", args=[term.pk]),
    ]
    for persona in ("coordinator_a", "tutor", "student_a", "inspector"):
        client = client_for(world.users[persona])
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)
        assert client.post(urls[2], {**SCHEDULE, "window_days": "30"}).status_code == 404
    schedule.refresh_from_db()
    assert schedule.window_days == 14


def test_the_schedule_list_costs_the_same_queries_for_few_or_many_programmes(world: World) -> None:
    office = client_for(world.users["office"])
    url = reverse("reviews:schedules")
    ReviewScheduleFactory.create(programme=world.programme)
    ReviewTermFactory.create(programme=world.programme)
    few = _queries(office, url)
    for _i in range(6):
        programme = ProgrammeFactory.create()
        last = ReviewScheduleFactory.create(programme=programme)
        ReviewTermFactory.create(programme=programme, name="A", start_date=datetime.date(2026, 2, 1))
        ReviewTermFactory.create(programme=programme, name="B")
    ProgrammeFactory.create()  # one without a schedule
    many = _queries(office, url)
    assert many == few
    assert reverse("reviews:term-add", args=[last.pk]) in office.get(url).content.decode()
