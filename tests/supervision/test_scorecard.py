"""Partner scorecards and the probation rule (issue #5): figures, trend, secrecy, proposals, decisions.

Inspections go through the real services (``helpers``). Findings are dated in the past by saving them (the
evidence querysets refuse bulk updates), never by mocking the clock.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partners.models import Partner, PartnerStatus, PartnerStatusChange
from partners.services import partner_change_status
from supervision import services
from supervision.models import CorrectiveAction, Finding, Inspection, InspectionKind, Rating, Severity
from supervision.services import scorecard
from tests.conftest import World
from tests.supervision import helpers

pytestmark = pytest.mark.django_db


def _card(world: World, persona: str, partner: Partner | None = None) -> scorecard.Scorecard:
    cards = scorecard.scorecards(
        Partner.objects.filter(pk=(partner or world.partner_a).pk), user=helpers.user(world, persona)
    )
    assert len(cards) == 1
    return cards[0]


def _age(finding: Finding, days: int) -> Finding:
    finding.created_at = timezone.now() - datetime.timedelta(days=days)
    finding.save()
    return finding


# --- Figures --------------------------------------------------------------------------------------------


def test_card_counts_started_inspections_and_the_office_sees_planned_apart(world: World) -> None:
    helpers.start(world)
    helpers.closed(world)
    helpers.plan(world)
    helpers.plan(world, kind=InspectionKind.SCHEDULED)
    office = _card(world, "office")
    assert (office.inspections, office.planned) == (2, 2)
    coordinator = _card(world, "coordinator_a")
    assert (coordinator.inspections, coordinator.planned) == (2, None)


def test_coordinators_card_does_not_move_when_a_spot_inspection_is_planned(world: World) -> None:
    inspection = helpers.start(world)
    helpers.add_finding(world, inspection, Severity.MAJOR)
    before = _card(world, "coordinator_a")
    planned = helpers.plan(world)
    after = _card(world, "coordinator_a")
    assert (after.inspections, after.findings_total, after.open_actions, after.planned) == (
        before.inspections,
        before.findings_total,
        before.open_actions,
        None,
    )
    assert Inspection.objects.filter(pk=planned.pk).exists()


def test_findings_by_severity_recent_and_all_time(world: World) -> None:
    inspection = helpers.start(world)
    helpers.add_finding(world, inspection, Severity.MAJOR)
    _age(helpers.add_finding(world, inspection, Severity.MAJOR), days=400)
    helpers.add_finding(world, inspection, Severity.MINOR)
    helpers.add_finding(world, inspection, Severity.OBSERVATION)
    card = _card(world, "office")
    assert card.findings_total == {Severity.MAJOR: 2, Severity.MINOR: 1, Severity.OBSERVATION: 1}
    assert card.findings_recent == {Severity.MAJOR: 1, Severity.MINOR: 1, Severity.OBSERVATION: 1}
    rows = {row.severity: row for row in card.severity_rows}
    assert [row.severity for row in card.severity_rows] == ["observation", "minor", "major", "critical"]
    assert (rows["major"].recent, rows["major"].total, rows["major"].total_percent, rows["major"].recent_percent) == (
        1,
        2,
        100,
        50,
    )
    assert (rows["critical"].total, rows["critical"].tone) == (0, "danger")


def test_open_and_overdue_actions(world: World) -> None:
    inspection = helpers.start(world)
    late = CorrectiveAction.objects.get(finding=helpers.add_finding(world, inspection, Severity.MAJOR))
    late.due_date = timezone.localdate() - datetime.timedelta(days=2)
    late.save()
    answered = CorrectiveAction.objects.get(finding=helpers.add_finding(world, inspection, Severity.MINOR))
    services.corrective_action_answer(action=answered, answer="Done.", by=helpers.user(world, "coordinator_a"))
    verified = CorrectiveAction.objects.get(finding=helpers.add_finding(world, inspection, Severity.MINOR))
    services.corrective_action_answer(action=verified, answer="Done.", by=helpers.user(world, "coordinator_a"))
    services.corrective_action_verify(action=verified, by=helpers.user(world, "inspector"))
    card = _card(world, "coordinator_a")
    assert (card.open_actions, card.overdue_actions) == (2, 1)


def _closed_with(world: World, conforming: int, gaps: int) -> Inspection:
    """A closed inspection of partner A: ``conforming`` items conforming, ``gaps`` with a minor gap, the rest
    not applicable (which does not count)."""
    inspection = helpers.start(world)
    items = list(inspection.template.items.order_by("aspect", "order"))
    ratings = [Rating.CONFORMING] * conforming + [Rating.MINOR_GAP] * gaps
    ratings += [Rating.NOT_APPLICABLE] * (len(items) - len(ratings))
    for item, rating in zip(items, ratings, strict=True):
        services.checklist_record(
            inspection=inspection, item=item, rating=rating, note="Gap.", by=helpers.user(world, "inspector")
        )
    return services.inspection_close(inspection=inspection, by=helpers.user(world, "inspector"))


def test_trend_is_the_share_of_conforming_items_of_the_last_four_closed_inspections(world: World) -> None:
    # The template has three items: each inspection rates them differently.
    made = [_closed_with(world, *shape) for shape in [(0, 3), (1, 2), (2, 1), (3, 0), (1, 1)]]
    helpers.start(world)  # in progress: not in the trend
    card = _card(world, "coordinator_a")
    assert [point.inspection_id for point in card.trend] == [i.pk for i in made[1:]]
    assert [point.percent for point in card.trend] == [33, 67, 100, 50]
    assert card.last_result == 50
    xs = [x for x, _y, _p in card.sparkline]
    ys = [y for _x, y, _p in card.sparkline]
    assert xs == sorted(xs) and xs[0] < xs[-1]
    assert ys[2] == min(ys)  # 100% is drawn highest
    assert len(card.sparkline_points.split()) == 4


# --- The probation rule ---------------------------------------------------------------------------------


def test_two_major_findings_within_12_months_propose_probation(world: World) -> None:
    inspection = helpers.start(world)
    helpers.add_finding(world, inspection, Severity.MAJOR)
    assert not _card(world, "office").probation_proposed
    helpers.add_finding(world, inspection, Severity.MAJOR)
    card = _card(world, "office")
    assert card.probation_proposed
    assert card.probation_reason == "2 major findings within 12 months"
    assert [c.partner for c in scorecard.probation_proposals()] == [world.partner_a]


def test_one_critical_finding_proposes_probation(world: World) -> None:
    helpers.add_finding(world, helpers.start(world), Severity.CRITICAL)
    card = _card(world, "office")
    assert card.probation_proposed and card.probation_reason == "A critical finding within 12 months"


def test_old_findings_do_not_count(world: World) -> None:
    inspection = helpers.start(world)
    _age(helpers.add_finding(world, inspection, Severity.MAJOR), days=366)
    helpers.add_finding(world, inspection, Severity.MAJOR)
    _age(helpers.add_finding(world, inspection, Severity.CRITICAL), days=500)
    assert not _card(world, "office").probation_proposed
    assert scorecard.probation_proposals() == []


def test_no_proposal_for_a_partner_already_on_probation_or_suspended(world: World) -> None:
    helpers.add_finding(world, helpers.start(world), Severity.CRITICAL)
    partner_change_status(
        partner=world.partner_a, status=PartnerStatus.SUSPENDED, reason="Audit.", by=helpers.user(world, "office")
    )
    assert not _card(world, "office").probation_proposed
    assert scorecard.probation_proposals() == []


def test_coordinator_never_sees_the_proposal(world: World) -> None:
    helpers.add_finding(world, helpers.start(world), Severity.CRITICAL)
    card = _card(world, "coordinator_a")
    assert not card.probation_proposed and card.probation_reason == ""


def test_one_partners_findings_stay_on_its_own_card(world: World) -> None:
    helpers.add_finding(world, helpers.start(world, partner=world.partner_b), Severity.CRITICAL)
    assert _card(world, "office").findings_total == {}
    assert [c.partner for c in scorecard.probation_proposals()] == [world.partner_b]
    assert scorecard.scorecards(Partner.objects.all(), user=helpers.user(world, "coordinator_a"))[0].partner == (
        world.partner_a
    )


# --- Decisions ------------------------------------------------------------------------------------------


def test_accepting_puts_the_partner_on_probation_with_the_reason_in_its_history(world: World) -> None:
    helpers.add_finding(world, helpers.start(world), Severity.CRITICAL)
    office = helpers.user(world, "office")
    change = scorecard.probation_accept(partner=world.partner_a, reason="Critical finding, March.", by=office)
    world.partner_a.refresh_from_db()
    assert world.partner_a.status == PartnerStatus.PROBATION
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "active",
        "probation",
        "Critical finding, March.",
        office,
    )
    assert scorecard.probation_proposals() == []


def test_declining_is_kept_and_the_same_proposal_is_not_shown_again(world: World) -> None:
    inspection = helpers.start(world)
    helpers.add_finding(world, inspection, Severity.MAJOR)
    helpers.add_finding(world, inspection, Severity.MAJOR)
    change = scorecard.probation_decline(
        partner=world.partner_a, reason="Both fixed within a week.", by=helpers.user(world, "office")
    )
    world.partner_a.refresh_from_db()
    assert world.partner_a.status == PartnerStatus.ACTIVE
    assert (change.from_status, change.to_status) == ("active", "active")
    assert "Both fixed within a week." in change.reason and "2 major findings" in change.reason
    assert not _card(world, "office").probation_proposed
    # A new grave finding after the decision proposes again.
    helpers.add_finding(world, inspection, Severity.MAJOR)
    card = _card(world, "office")
    assert card.probation_proposed and card.probation_reason == "3 major findings within 12 months"


def test_decisions_need_a_proposal_a_reason_and_the_office(world: World) -> None:
    office = helpers.user(world, "office")
    history = PartnerStatusChange.objects.filter(partner=world.partner_a).count()
    with pytest.raises(ValidationError) as no_proposal:
        scorecard.probation_accept(partner=world.partner_a, reason="Why not.", by=office)
    assert no_proposal.value.error_dict["decision"][0].code == "no_proposal"
    helpers.add_finding(world, helpers.start(world), Severity.CRITICAL)
    with pytest.raises(ValidationError) as no_reason:
        scorecard.probation_decline(partner=world.partner_a, reason="  ", by=office)
    assert "reason" in no_reason.value.error_dict
    with pytest.raises(PermissionDenied):
        scorecard.probation_accept(partner=world.partner_a, reason="x", by=helpers.user(world, "coordinator_a"))
    assert PartnerStatusChange.objects.filter(partner=world.partner_a).count() == history
