"""The demo of internal supervision: what the issue asks the demo to show, on the real seeded data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from core.demo import seed_demo
from reviews import selectors
from reviews.models import Concern, ConcernStatus, Meeting, MinutesStatus, ReviewRound, RoundStatus
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_part_of_internal_supervision() -> None:
    seed_demo()
    users = {u.username: u for u in User.objects.all()}
    assert ReviewRound.objects.filter(status=RoundStatus.CLOSED).exists()
    assert ReviewRound.objects.filter(status=RoundStatus.OPEN).exists()
    for username in ("student", "tutor", "sup-hospital"):
        assert selectors.reviews_to_do(user=users[username]).exists(), username
    hospital = selectors.supervisor_results(user=users["sup-hospital"])
    assert hospital and hospital[0].groups and hospital[0].groups[0].count == 3
    enterprise = selectors.supervisor_results(user=users["sup-enterprise"])
    assert enterprise and not enterprise[0].groups and enterprise[0].held_back
    concern = Concern.objects.get(addressed_to=users["sup-enterprise"])
    assert concern.status == ConcernStatus.AWAITING_REPLY
    assert Meeting.objects.filter(student__user=users["student"], minutes_status=MinutesStatus.AWAITING).exists()
    page = client_for(users["sup-hospital"]).get(reverse("reviews:results")).content.decode()
    assert 'data-testid="group"' in page and "Ma Jun" not in page
    start = client_for(users["student"]).get(reverse("core:start")).content.decode()
    assert 'data-panel="reviews"' in start
    draw_page = client_for(users["office"]).get(reverse("reviews:rounds")).content.decode()
    assert 'data-testid="trend-chart"' in draw_page
