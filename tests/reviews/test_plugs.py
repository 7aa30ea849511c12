"""What reviews adds to lower apps' pages: the spot draw's risk factor for low student reviews, with the
threshold from the programme's schedule."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from reviews.models import ReviewSchedule
from supervision.services import draw as spot
from tests.conftest import World, client_for
from tests.reviews import helpers

pytestmark = pytest.mark.django_db


def _rated(world: World, score: int) -> None:
    helpers.placed_students(world, 2)
    round_ = helpers.open_round(world)
    for review in helpers.placement_reviews(round_, world.site_a):
        helpers.submit(review, score=score)
    helpers.close(round_, world)


def test_low_student_reviews_weigh_in_the_draw_and_show_on_its_page(world: World) -> None:
    _rated(world, 2)
    today = datetime.date.today()
    factors = spot.risk_factors([world.partner_a, world.partner_b], today)
    assert factors[world.partner_a.pk]["low_review_sites"] == 1
    assert "low_review_sites" not in factors[world.partner_b.pk]
    assert spot.weight_parts(factors[world.partner_a.pk])["low_reviews"] == Decimal("0.5000")
    run = spot.draw_run(today=today, picks=1)
    page = client_for(world.users["office"]).get(reverse("supervision:draw-detail", args=[run.pk])).content.decode()
    assert "sites rated low by students" in page


def test_the_threshold_is_the_programme_s_and_a_good_site_adds_nothing(world: World) -> None:
    _rated(world, 3)
    today = datetime.date.today()
    assert "low_review_sites" not in spot.risk_factors([world.partner_a], today)[world.partner_a.pk]
    ReviewSchedule.objects.filter(programme=world.programme).update(low_score_threshold=Decimal("3.50"))
    assert spot.risk_factors([world.partner_a], today)[world.partner_a.pk]["low_review_sites"] == 1


def test_the_draw_factor_costs_two_queries_however_many_partners(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.plugs import draw_compute
    from tests.factories.partners import PartnerFactory

    _rated(world, 2)
    few = [world.partner_a.pk]
    more = [world.partner_a.pk, world.partner_b.pk, *(p.pk for p in PartnerFactory.create_batch(5))]
    counts = []
    for ids in (few, more):
        with CaptureQueriesContext(connection) as ctx:
            draw_compute(ids, datetime.date.today())
        counts.append(len(ctx.captured_queries))
    assert counts == [2, 2]
