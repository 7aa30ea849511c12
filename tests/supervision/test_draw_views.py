"""The spot-inspection draw pages: the office's history, one draw with its recomputation check, the manual
run (once per period); everybody else gets a 404; lists cost the same however many draws they show."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.models import AccessDenial
from partners.models import PartnerKind
from supervision.models import SpotDraw
from supervision.services import draw as spot
from tests.conftest import World, client_for
from tests.factories.partners import PartnerFactory
from tests.supervision import helpers

MONDAY = datetime.date(2026, 11, 2)


def _draws(world: World, count: int, picks: int = 2) -> list[SpotDraw]:
    """``count`` draws in successive weeks, each planning ``picks`` inspections (enough partners for all)."""
    helpers.template_for()
    PartnerFactory.create_batch(count * picks, kind=PartnerKind.HOSPITAL)
    return [spot.draw_run(today=MONDAY + datetime.timedelta(weeks=n), picks=picks) for n in range(count)]


def _detail_route_exists() -> bool:
    try:
        reverse("supervision:detail", kwargs={"pk": 1})
    except NoReverseMatch:
        return False
    return True


# --- The history ------------------------------------------------------------------------------------------


def test_office_sees_an_empty_history_with_a_button_to_draw_this_week(world: World) -> None:
    response = client_for(helpers.user(world, "office")).get(reverse("supervision:draws"))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="empty"' in body
    assert 'data-testid="run-draw"' in body
    year, week, _day = timezone.localdate().isocalendar()
    assert f"Run the draw of week {week} of {year}" in body  # words, not the code 2026-W49


def test_office_sees_draws_newest_first_with_their_picks(world: World) -> None:
    older, newer = _draws(world, 2)

    response = client_for(helpers.user(world, "office")).get(reverse("supervision:draws"))

    draws = list(response.context["draws"])
    assert [d.pk for d in draws] == [newer.pk, older.pk]
    body = response.content.decode()
    assert body.index(newer.period) < body.index(older.period)
    assert str(older.seed) in body
    for partner_id in spot.draw_picks(older):
        assert f'data-pick="{partner_id}"' in body
    if _detail_route_exists():
        inspection = older.candidates.filter(pick_order=1).get().inspection
        assert inspection is not None
        assert reverse("supervision:detail", kwargs={"pk": inspection.pk}) in body


def test_the_history_costs_the_same_for_one_draw_and_for_many(world: World) -> None:
    client = client_for(helpers.user(world, "office"))
    url = reverse("supervision:draws")
    _draws(world, 1)
    client.get(url)  # warm the session and caches

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for week in range(1, 5):
        spot.draw_run(today=MONDAY + datetime.timedelta(weeks=week), picks=2)
    assert SpotDraw.objects.count() == 5
    assert count() == one


# --- One draw ----------------------------------------------------------------------------------------------


def test_a_draw_shows_its_candidates_seed_and_that_it_recomputes(world: World) -> None:
    (draw,) = _draws(world, 1)

    response = client_for(helpers.user(world, "office")).get(reverse("supervision:draw-detail", args=[draw.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-testid="seed">{draw.seed}<' in body
    assert 'data-matches="yes"' in body
    rows = response.context["rows"]
    assert len(rows) == draw.candidates.count()
    assert sum(row["share"] for row in rows) > 99
    for partner_id in spot.draw_picks(draw):
        assert f'data-candidate="{partner_id}" class="table-primary"' in body


def test_a_tampered_draw_shows_that_it_does_not_match(world: World) -> None:
    (draw,) = _draws(world, 1)
    weights = list(draw.candidates.order_by("position").values_list("weight", flat=True))
    stored = spot.draw_pick(draw.seed, weights, draw.picks_wanted)
    other = next(s for s in range(1, 1000) if spot.draw_pick(s, weights, draw.picks_wanted) != stored)
    SpotDraw.objects.filter(pk=draw.pk).update(seed=other)

    response = client_for(helpers.user(world, "office")).get(reverse("supervision:draw-detail", args=[draw.pk]))

    assert 'data-matches="no"' in response.content.decode()


def test_a_pick_without_an_inspection_shows_why(world: World) -> None:
    draw = spot.draw_run(today=MONDAY)  # no checklist exists: picks are recorded, not planned

    response = client_for(helpers.user(world, "office")).get(reverse("supervision:draw-detail", args=[draw.pk]))

    body = response.content.decode()
    assert 'data-testid="skipped"' in body
    assert spot.NO_TEMPLATE in body
    assert 'data-testid="note"' in body


def test_a_draw_page_costs_the_same_for_few_and_many_candidates(world: World) -> None:
    client = client_for(helpers.user(world, "office"))
    few = spot.draw_run(today=MONDAY, picks=0)
    PartnerFactory.create_batch(8, kind=PartnerKind.HOSPITAL)
    many = spot.draw_run(today=MONDAY + datetime.timedelta(weeks=1), picks=0)
    assert many.candidates.count() > few.candidates.count() + 5

    def count(draw: SpotDraw) -> int:
        url = reverse("supervision:draw-detail", args=[draw.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    assert count(few) == count(many)


# --- Running the draw --------------------------------------------------------------------------------------


def test_office_runs_this_weeks_draw_once(world: World) -> None:
    helpers.template_for()
    client = client_for(helpers.user(world, "office"))

    first = client.post(reverse("supervision:draw-run"), follow=True)
    draw = SpotDraw.objects.get()
    second = client.post(reverse("supervision:draw-run"), follow=True)

    assert first.redirect_chain[-1][0] == reverse("supervision:draw-detail", args=[draw.pk])
    assert draw.period == spot.period_of(timezone.localdate())
    assert "2 spot inspections planned" in first.content.decode()
    assert second.redirect_chain[-1][0] == reverse("supervision:draw-detail", args=[draw.pk])
    assert "has already been drawn" in second.content.decode()
    assert SpotDraw.objects.count() == 1
    assert spot.draw_inspections_created(draw) == 2


# --- Nobody else -------------------------------------------------------------------------------------------


def test_nobody_but_the_office_reaches_the_draws(world: World) -> None:
    draw = spot.draw_run(today=MONDAY)
    urls: list[tuple[str, str, dict[str, Any]]] = [
        ("get", reverse("supervision:draws"), {}),
        ("get", reverse("supervision:draw-detail", args=[draw.pk]), {}),
        ("post", reverse("supervision:draw-run"), {}),
    ]
    for persona in ("coordinator_a", "supervisor_a", "coordinator_b", "tutor", "student_a", "inspector", "counsellor"):
        client = client_for(helpers.user(world, persona))
        for method, url, data in urls:
            assert getattr(client, method)(url, data).status_code == 404, (persona, url)
    assert SpotDraw.objects.count() == 1
    assert AccessDenial.objects.filter(user=helpers.user(world, "coordinator_a"), action="run").exists()
    for method, url, data in urls:
        response = getattr(client_for(None), method)(url, data)
        assert response.status_code == 302 and "/login" in response["Location"]
