"""Scorecard pages: the office's overview with proposals on top, a partner's card, the probation decision."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import PartnerStatus, PartnerStatusChange
from supervision.models import Severity
from tests.conftest import World, client_for
from tests.factories.partners import MembershipFactory, PartnerFactory
from tests.supervision import helpers

pytestmark = pytest.mark.django_db

LIST = reverse("supervision:scorecards")


def _propose(world: World) -> None:
    helpers.add_finding(world, helpers.start(world), Severity.CRITICAL, "Unsupervised procedures.")


def test_office_sees_every_partner_and_proposals_on_top(world: World) -> None:
    _propose(world)
    response = client_for(helpers.user(world, "office")).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    proposals = html.index('data-testid="proposals"')
    table = html.index('data-testid="scorecards"')
    assert proposals < html.index(f'data-proposal="{world.partner_a.pk}"') < table
    assert reverse("supervision:probation-decide", args=[world.partner_a.pk]) in html
    for partner in (world.partner_a, world.partner_b, world.university):
        assert f'data-partner="{partner.pk}"' in html
    assert "A critical finding within 12 months" in html


def test_office_without_proposals_gets_an_empty_state(world: World) -> None:
    response = client_for(helpers.user(world, "office")).get(LIST)
    assert 'data-testid="no-proposals"' in response.content.decode()


def test_coordinator_is_taken_to_their_partners_card(world: World) -> None:
    response = client_for(helpers.user(world, "coordinator_a")).get(LIST)
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:scorecard", args=[world.partner_a.pk])


def test_coordinator_of_two_partners_sees_both_cards_without_proposals(world: World) -> None:
    _propose(world)
    coordinator = helpers.user(world, "coordinator_a")
    second = PartnerFactory.create(name="Institute C", short_name="INST-C")
    MembershipFactory.create(user=coordinator, partner=second, role="coordinator")
    response = client_for(coordinator).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-partner="{world.partner_a.pk}"' in html and f'data-partner="{second.pk}"' in html
    assert f'data-partner="{world.partner_b.pk}"' not in html
    assert 'data-testid="proposals"' not in html and "Probation proposed" not in html


@pytest.mark.parametrize("persona", ["supervisor_a", "tutor", "inspector", "student_a"])
def test_others_get_404(world: World, persona: str) -> None:
    client = client_for(helpers.user(world, persona))
    assert client.get(LIST).status_code == 404
    assert client.get(reverse("supervision:scorecard", args=[world.partner_a.pk])).status_code == 404


def test_card_page_draws_the_trend_and_the_bars(world: World) -> None:
    helpers.closed(world)
    helpers.closed(world)
    helpers.plan(world)
    url = reverse("supervision:scorecard", args=[world.partner_a.pk])
    html = client_for(helpers.user(world, "coordinator_a")).get(url).content.decode()
    assert 'data-testid="sparkline"' in html and "<polyline" in html
    assert 'data-severity="major"' in html
    assert 'data-testid="inspections">2<' in html
    assert 'data-testid="planned"' not in html  # the coordinator never hears of planned ones
    assert 'style="' not in html.split('<main id="main"')[1]
    office_html = client_for(helpers.user(world, "office")).get(url).content.decode()
    assert 'data-testid="planned"' in office_html
    assert 'data-testid="proposal"' in office_html  # two major findings in the two closed inspections


def test_coordinator_cannot_open_another_partners_card(world: World) -> None:
    url = reverse("supervision:scorecard", args=[world.partner_b.pk])
    assert client_for(helpers.user(world, "coordinator_a")).get(url).status_code == 404


def test_decide_form_is_prefilled_with_the_proposals_reason(world: World) -> None:
    _propose(world)
    url = reverse("supervision:probation-decide", args=[world.partner_a.pk])
    html = client_for(helpers.user(world, "office")).get(url).content.decode()
    assert 'data-testid="decide-form"' in html
    assert "A critical finding within 12 months</textarea>" in html


def test_declining_without_a_reason_keeps_the_form_and_writes_nothing(world: World) -> None:
    _propose(world)
    before = PartnerStatusChange.objects.count()
    url = reverse("supervision:probation-decide", args=[world.partner_a.pk])
    response = client_for(helpers.user(world, "office")).post(url, {"decision": "decline", "reason": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html and 'value="decline"' in html and "checked" in html
    assert PartnerStatusChange.objects.count() == before


def test_office_declines_then_accepts_after_a_new_finding(world: World) -> None:
    _propose(world)
    office = client_for(helpers.user(world, "office"))
    url = reverse("supervision:probation-decide", args=[world.partner_a.pk])
    response = office.post(url, {"decision": "decline", "reason": "Fixed on the spot."})
    assert response.status_code == 302 and response["Location"] == LIST
    assert 'data-testid="no-proposals"' in office.get(LIST).content.decode()
    assert 'data-testid="no-proposal"' in office.get(url).content.decode()
    refused = office.post(url, {"decision": "accept", "reason": "Again."})
    assert refused.status_code == 200 and "Probation is not proposed" in refused.content.decode()
    helpers.add_finding(world, helpers.start(world), Severity.CRITICAL)
    assert office.post(url, {"decision": "accept", "reason": "Second critical finding."}).status_code == 302
    world.partner_a.refresh_from_db()
    assert world.partner_a.status == PartnerStatus.PROBATION
    last = PartnerStatusChange.objects.filter(partner=world.partner_a).latest("changed_at", "pk")
    assert (last.to_status, last.reason) == ("probation", "Second critical finding.")


def test_coordinator_cannot_decide(world: World) -> None:
    _propose(world)
    url = reverse("supervision:probation-decide", args=[world.partner_a.pk])
    client = client_for(helpers.user(world, "coordinator_a"))
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "decline", "reason": "Mine."}).status_code == 404
    world.partner_a.refresh_from_db()
    assert world.partner_a.status == PartnerStatus.ACTIVE


def _count(client: object, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return len(captured)


def test_scorecards_page_query_count_does_not_grow_with_partners(world: World) -> None:
    office = helpers.user(world, "office")
    client = client_for(office)
    helpers.closed(world)
    client.get(LIST)
    few = _count(client, LIST)
    for index in range(5):
        partner = PartnerFactory.create(name=f"Clinic {index}", short_name=f"CL-{index}")
        MembershipFactory.create(partner=partner, role="coordinator")
        inspection = helpers.start(world, partner=partner)
        helpers.rate_all(world, inspection)
        helpers.add_finding(world, inspection, Severity.CRITICAL)
    assert _count(client, LIST) == few


def test_scorecards_are_paged_and_proposals_stay_on_every_page(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from supervision.views import scorecard

    monkeypatch.setattr(scorecard, "SCORECARDS_PER_PAGE", 2)
    _propose(world)
    client = client_for(helpers.user(world, "office"))

    pages = [client.get(LIST).content.decode(), client.get(f"{LIST}?page=2").content.decode()]

    listed = [set(re.findall(r'data-partner="(\d+)"', html)) for html in pages]
    assert [len(partners) for partners in listed] == [2, 1]
    assert listed[0] | listed[1] == {str(p.pk) for p in (world.partner_a, world.partner_b, world.university)}
    assert all(f'data-proposal="{world.partner_a.pk}"' in html for html in pages)
    assert 'data-testid="scorecard-pages"' in pages[0]
