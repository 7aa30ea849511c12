"""Supervision reminders: owners of corrective actions due soon or overdue (daily), the office's digest
(weekly). Real database, real notifications; the day is passed in, as the beat job does."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from core.models import Notification
from partners.models import Membership, MembershipRole, Partner
from supervision.models import CorrectiveAction, Inspection, Severity
from supervision.services import publication, reminders
from supervision.tasks import action_reminders_send, office_digest_send
from tests.conftest import World
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory
from tests.supervision import helpers

pytestmark = pytest.mark.django_db


def _action(world: World, severity: str = Severity.MAJOR, due_in: int = 3, **start: object) -> CorrectiveAction:
    finding = helpers.add_finding(world, helpers.start(world, **start), severity, f"{severity} finding {due_in}")
    action = CorrectiveAction.objects.get(finding=finding)
    action.due_date = timezone.localdate() + datetime.timedelta(days=due_in)
    action.save()
    return action


def _sent(kind: str, persona_user: User | None = None) -> list[Notification]:
    notes = Notification.objects.filter(kind=kind).order_by("pk")
    if persona_user is not None:
        notes = notes.filter(user=persona_user)
    return list(notes)


# --- Corrective actions ---------------------------------------------------------------------------------


def test_owner_hears_once_a_day_of_actions_due_within_7_days_or_overdue(world: World) -> None:
    today = timezone.localdate()
    soon = _action(world, due_in=7)
    late = _action(world, due_in=-2)
    _action(world, Severity.MINOR, due_in=8)  # not yet
    answered = _action(world, due_in=1)
    answered.status, answered.answer = "answered", "Done."
    answered.save()
    counts = reminders.action_reminders_send(today=today)
    assert (counts.owners, counts.actions) == (1, 2)
    [note] = _sent(reminders.ACTIONS_KIND, helpers.user(world, "coordinator_a"))
    assert note.params == {"overdue": "1", "soon": "1"}
    assert soon.finding.description in note.body and late.finding.description in note.body
    assert "overdue since" in note.body
    assert "minor finding 8" not in note.body and "finding 1" not in note.body
    assert reminders.action_reminders_send(today=today).owners == 0
    assert len(_sent(reminders.ACTIONS_KIND)) == 1
    assert reminders.action_reminders_send(today=today + datetime.timedelta(days=1)).owners == 1


def test_coordinator_hears_nothing_of_a_planned_inspection(world: World) -> None:
    helpers.plan(world)
    assert reminders.action_reminders_send(today=timezone.localdate()).owners == 0
    assert reminders.office_digest_send(today=timezone.localdate()).recipients == 0
    assert not Notification.objects.filter(user=helpers.user(world, "coordinator_a")).exists()
    helpers.plan(world, kind="scheduled")  # announced when planned (services), but nothing to remind of
    assert reminders.action_reminders_send(today=timezone.localdate()).owners == 0
    assert not _sent(reminders.ACTIONS_KIND) and not _sent(reminders.DIGEST_KIND)


def test_planned_inspection_stays_out_of_a_reminder_about_another(world: World) -> None:
    action = _action(world, due_in=2)
    planned = helpers.plan(world, scope="Unannounced visit to imaging")
    reminders.action_reminders_send(today=timezone.localdate())
    [note] = _sent(reminders.ACTIONS_KIND, helpers.user(world, "coordinator_a"))
    assert action.finding.description in note.body
    assert planned.scope not in note.body and str(planned.planned_date) not in note.body


def _leave(user: User, partner: Partner) -> None:
    """End ``user``'s membership at ``partner`` yesterday."""
    membership = Membership.objects.get(user=user, partner=partner)
    membership.start_date = timezone.localdate() - datetime.timedelta(days=30)
    membership.end_date = timezone.localdate() - datetime.timedelta(days=1)
    membership.save()


def _coordinator(partner: Partner, **membership: object) -> User:
    user = UserFactory.create()
    MembershipFactory.create(user=user, partner=partner, role=MembershipRole.COORDINATOR, **membership)
    return user


def test_owner_who_still_coordinates_is_the_only_one_reminded(world: World) -> None:
    action = _action(world, due_in=1)
    other = _coordinator(world.partner_a)
    counts = reminders.action_reminders_send(today=timezone.localdate())
    assert (counts.owners, counts.actions) == (1, 1)
    [note] = _sent(reminders.ACTIONS_KIND)
    assert note.user == action.owner == helpers.user(world, "coordinator_a")
    assert not _sent(reminders.ACTIONS_KIND, other)


def test_when_the_owner_left_the_partners_current_coordinators_are_reminded(world: World) -> None:
    action = _action(world, due_in=1)
    owner = helpers.user(world, "coordinator_a")
    successor = _coordinator(world.partner_a)
    second = _coordinator(world.partner_a)
    _coordinator(world.partner_a, start_date=timezone.localdate() + datetime.timedelta(days=5))  # not yet
    _coordinator(world.partner_b)  # another partner's
    _leave(owner, world.partner_a)
    today = timezone.localdate()
    counts = reminders.action_reminders_send(today=today)
    assert (counts.owners, counts.actions) == (2, 2)
    assert {note.user for note in _sent(reminders.ACTIONS_KIND)} == {successor, second}
    assert all(action.finding.description in note.body for note in _sent(reminders.ACTIONS_KIND))
    assert CorrectiveAction.objects.get(pk=action.pk).owner == owner  # reminding changes no ownership
    assert reminders.action_reminders_send(today=today).owners == 0
    assert reminders.action_reminders_send(today=today + datetime.timedelta(days=1)).owners == 2


def test_an_inactive_owner_is_replaced_by_the_current_coordinators(world: World) -> None:
    _action(world, due_in=1)
    owner = helpers.user(world, "coordinator_a")
    successor = _coordinator(world.partner_a)
    User.objects.filter(pk=owner.pk).update(is_active=False)
    assert reminders.action_reminders_send(today=timezone.localdate()).owners == 1
    [note] = _sent(reminders.ACTIONS_KIND)
    assert note.user == successor


def test_a_coordinator_hears_once_a_day_of_their_own_actions_and_of_those_left_behind(world: World) -> None:
    owner = helpers.user(world, "coordinator_a")
    orphaned = _action(world, due_in=2)
    successor = _coordinator(world.partner_a)
    _leave(owner, world.partner_a)
    own = _action(world, due_in=-1)  # opened now, so owned by the successor
    assert own.owner == successor and orphaned.owner == owner
    counts = reminders.action_reminders_send(today=timezone.localdate())
    assert (counts.owners, counts.actions) == (1, 2)
    [note] = _sent(reminders.ACTIONS_KIND)
    assert note.user == successor and note.params == {"overdue": "1", "soon": "1"}
    assert own.finding.description in note.body and orphaned.finding.description in note.body


def test_nobody_is_reminded_when_the_partner_has_no_coordinator_left(world: World) -> None:
    _action(world, due_in=1)
    _leave(helpers.user(world, "coordinator_a"), world.partner_a)
    assert reminders.action_reminders_send(today=timezone.localdate()).owners == 0
    assert not _sent(reminders.ACTIONS_KIND, helpers.user(world, "supervisor_a"))


def test_a_successor_hears_nothing_of_a_planned_inspection(world: World) -> None:
    action = _action(world, due_in=1)
    planned = helpers.plan(world, scope="Unannounced visit to imaging")
    successor = _coordinator(world.partner_a)
    _leave(helpers.user(world, "coordinator_a"), world.partner_a)
    reminders.action_reminders_send(today=timezone.localdate())
    [note] = _sent(reminders.ACTIONS_KIND, successor)
    assert action.finding.description in note.body and planned.scope not in note.body


def test_action_reminder_query_count_does_not_grow(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    _action(world, due_in=1)
    _leave(helpers.user(world, "coordinator_a"), world.partner_a)
    _coordinator(world.partner_a)
    with CaptureQueriesContext(connection) as one:
        assert sum(len(listed) for listed in reminders.actions_to_remind(today=today).values()) == 1
    for _ in range(3):
        _action(world, due_in=1)
        _action(world, due_in=1, partner=world.partner_b)
    _coordinator(world.partner_a)
    # The orphaned action to both of A's coordinators now, A's three new ones to their owner, B's three to B's.
    with CaptureQueriesContext(connection) as many:
        assert sum(len(listed) for listed in reminders.actions_to_remind(today=today).values()) == 2 + 3 + 3
    assert len(many) == len(one)


def test_each_owner_hears_only_of_their_own_actions(world: World) -> None:
    mine = _action(world, due_in=1)
    theirs = _action(world, due_in=1, partner=world.partner_b)
    assert reminders.action_reminders_send(today=timezone.localdate()).owners == 2
    [a] = _sent(reminders.ACTIONS_KIND, helpers.user(world, "coordinator_a"))
    [b] = _sent(reminders.ACTIONS_KIND, helpers.user(world, "coordinator_b"))
    assert world.partner_a.short_name in a.body and world.partner_b.short_name not in a.body
    assert world.partner_b.short_name in b.body and world.partner_a.short_name not in b.body
    assert mine.owner != theirs.owner


def test_the_daily_task_returns_its_counts(world: World) -> None:
    _action(world, due_in=0)
    day = timezone.localdate().isoformat()
    assert action_reminders_send(day) == {"owners": 1, "actions": 1}
    assert action_reminders_send(day) == {"owners": 0, "actions": 0}


# --- The office's weekly digest -----------------------------------------------------------------------


def test_no_digest_when_there_is_nothing_to_say(world: World) -> None:
    _action(world, due_in=5)  # due, not overdue
    counts = reminders.office_digest_send(today=timezone.localdate())
    assert counts.recipients == 0 and not _sent(reminders.DIGEST_KIND)


def test_office_gets_a_weekly_digest_of_overdue_actions(world: World) -> None:
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    late = _action(world, due_in=(monday - timezone.localdate()).days - 3)
    second_office = UserFactory.create()
    grant_platform_role(second_office, PlatformRole.OFFICE)
    counts = reminders.office_digest_send(today=monday)
    assert (counts.recipients, counts.overdue) == (2, 1)
    notes = _sent(reminders.DIGEST_KIND)
    assert {note.user for note in notes} == {helpers.user(world, "office"), second_office}
    assert late.finding.description in notes[0].body
    assert reminders.office_digest_send(today=monday + datetime.timedelta(days=3)).recipients == 0
    assert reminders.office_digest_send(today=monday + datetime.timedelta(days=7)).recipients == 2


def _closed_days_ago(inspection: Inspection, today: datetime.date, days: int) -> None:
    at = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(12)))
    Inspection.objects.filter(pk=inspection.pk).update(closed_at=at)


def test_digest_flags_closed_inspections_unpublished_14_or_more_days_after_closing(world: World) -> None:
    """The boundary is ``publication.publication_overdue``'s: 14 full days since the closing day or more."""
    today = timezone.localdate()
    assert publication.PUBLICATION_DAYS == 14
    fourteen, thirteen, fifteen = helpers.closed(world), helpers.closed(world), helpers.closed(world)
    published = helpers.closed(world)
    _closed_days_ago(fourteen, today, 14)
    _closed_days_ago(thirteen, today, 13)
    _closed_days_ago(fifteen, today, 15)
    _closed_days_ago(published, today, 30)
    publication.inspection_publish(inspection=published, by=helpers.user(world, "office"))
    digest = reminders.office_digest(today=today)
    assert [i.pk for i in digest.unpublished] == [fifteen.pk, fourteen.pk]
    assert {i.pk for i in digest.unpublished} == set(
        publication.publication_overdue(today).values_list("pk", flat=True)
    )
    reminders.office_digest_send(today=today)
    [note] = _sent(reminders.DIGEST_KIND)
    assert "after 14 days" in note.body
    assert "(14 days ago)" in note.body and "(15 days ago)" in note.body and "(13 days ago)" not in note.body
    assert note.params["unpublished"] == "2"


def test_digest_follows_the_publication_rule_not_a_constant_of_its_own(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the publication deadline changed, the digest would change with it (one definition)."""
    today = timezone.localdate()
    inspection = helpers.closed(world)
    _closed_days_ago(inspection, today, 7)
    assert reminders.office_digest(today=today).unpublished == []
    monkeypatch.setattr(publication, "PUBLICATION_DAYS", 7)
    assert [i.pk for i in reminders.office_digest(today=today).unpublished] == [inspection.pk]
    reminders.office_digest_send(today=today)
    [note] = _sent(reminders.DIGEST_KIND)
    assert "after 7 days" in note.body and "(7 days ago)" in note.body


def test_digest_names_probation_proposals(world: World) -> None:
    helpers.add_finding(world, helpers.start(world), Severity.CRITICAL)
    result = office_digest_send(timezone.localdate().isoformat())
    assert result["proposals"] == 1 and result["recipients"] == 1
    [note] = _sent(reminders.DIGEST_KIND)
    assert "A critical finding within 12 months" in note.body
    assert not Notification.objects.filter(kind=reminders.DIGEST_KIND, user=helpers.user(world, "coordinator_a"))


def test_digest_query_count_does_not_grow(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _action(world, due_in=-1)
    with CaptureQueriesContext(connection) as one:
        reminders.office_digest(today=timezone.localdate())
    for _ in range(4):
        _action(world, due_in=-1)
    with CaptureQueriesContext(connection) as five:
        digest = reminders.office_digest(today=timezone.localdate())
    assert len(digest.overdue) == 5
    assert len(five) == len(one)
