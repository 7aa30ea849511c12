"""One placement status everywhere: the API, the plan page and the PDF all show what
``placement_status_on`` decides from the dates (the stored field only says "cancelled"), and the API's
``status`` filter is the same rule in SQL."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from students.models import Placement, PlacementStatus, placement_status_on, placement_status_q
from tests.conftest import World, api_client_for, client_for

pytestmark = pytest.mark.django_db


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def _running_today(world: World) -> Placement:
    today = timezone.localdate()
    Placement.objects.filter(pk=world.placement_a.pk).update(
        start_date=today - datetime.timedelta(days=10), end_date=today + datetime.timedelta(days=10)
    )
    return Placement.objects.get(pk=world.placement_a.pk)


def test_api_page_and_pdf_agree_on_a_running_placement(world: World) -> None:
    placement = _running_today(world)
    assert placement.status == PlacementStatus.PLANNED  # what is stored: not cancelled
    tutor = _u(world, "tutor")

    api = api_client_for(tutor).get(f"/api/v1/placements/{placement.pk}/").json()
    plan_api = api_client_for(tutor).get("/api/v1/training-plans/").json()
    page = client_for(tutor).get(reverse("students:plan", args=[world.student_a.pk])).content.decode()
    pdf = client_for(tutor).get(reverse("students:plan-pdf", args=[world.student_a.pk])).content
    pdf_text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)

    assert api["status"] == PlacementStatus.ACTIVE
    plan_a = next(row for row in plan_api["results"] if row["student"] == world.student_a.pk)
    assert plan_a["placements"][0]["status"] == PlacementStatus.ACTIVE
    assert str(PlacementStatus.ACTIVE.label) in page
    assert str(PlacementStatus.ACTIVE.label) in pdf_text


@pytest.mark.parametrize(
    ("offset_start", "offset_end", "expected"),
    [
        (5, 10, PlacementStatus.PLANNED),
        (-5, 5, PlacementStatus.ACTIVE),
        (0, 0, PlacementStatus.ACTIVE),
        (-10, -1, PlacementStatus.COMPLETED),
    ],
)
def test_api_status_filter_matches_the_computed_status(
    world: World, offset_start: int, offset_end: int, expected: str
) -> None:
    today = timezone.localdate()
    Placement.objects.filter(pk=world.placement_a.pk).update(
        start_date=today + datetime.timedelta(days=offset_start), end_date=today + datetime.timedelta(days=offset_end)
    )
    placement = Placement.objects.get(pk=world.placement_a.pk)
    assert placement.current_status() == expected
    for status in PlacementStatus.values:
        in_sql = Placement.objects.filter(placement_status_q(status, today), pk=placement.pk).exists()
        assert in_sql == (status == expected), status

    listed = api_client_for(_u(world, "office")).get("/api/v1/placements/", {"status": expected}).json()
    assert placement.pk in {row["id"] for row in listed["results"]}


def test_cancelled_stays_cancelled_whatever_the_dates() -> None:
    day = datetime.date(2027, 1, 1)
    assert (
        placement_status_on(stored=PlacementStatus.CANCELLED, start_date=day, end_date=day, day=day)
        == PlacementStatus.CANCELLED
    )
