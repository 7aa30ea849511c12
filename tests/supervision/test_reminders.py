"""Supervision reminders: owners of corrective actions due soon or overdue (daily), the office's digest
(weekly). Real database, real notifications; the day is passed in, as the beat job does."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from core.models import Notification
from partners.models import Membership
from supervision import reminders
from supervision.jobs.reminders import office_overdue_digest, remind_corrective_actions
from supervision.models import CorrectiveAction, Inspection, Severity
from tests.conftest import World
from tests.factories.accounts import UserFactory
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
    helpers.plan(world, kind="scheduled")
    assert reminders.action_reminders_send(today=timezone.localdate()).owners == 0
    assert reminders.office_digest_send(today=timezone.localdate()).recipients == 0
    assert not Notification.objects.filter(user=helpers.user(world, "coordinator_a")).exists()


def test_planned_inspection_stays_out_of_a_reminder_about_another(world: World) -> None:
    action = _action(world, due_in=2)
    planned = helpers.plan(world, scope="Unannounced visit to imaging")
    reminders.action_reminders_send(today=timezone.localdate())
    [note] = _sent(reminders.ACTIONS_KIND, helpers.user(world, "coordinator_a"))
    assert action.finding.description in note.body
    assert planned.scope not in note.body and str(planned.planned_date) not in note.body


def test_owner_who_left_the_partner_is_not_reminded(world: World) -> None:
    _action(world, due_in=1)
    coordinator = helpers.user(world, "coordinator_a")
    membership = Membership.objects.get(user=coordinator, partner=world.partner_a)
    membership.start_date = timezone.localdate() - datetime.timedelta(days=30)
    membership.end_date = timezone.localdate() - datetime.timedelta(days=1)
    membership.save()
    assert reminders.action_reminders_send(today=timezone.localdate()).owners == 0


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
    assert remind_corrective_actions(day) == {"owners": 1, "actions": 1}
    assert remind_corrective_actions(day) == {"owners": 0, "actions": 0}


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


def test_digest_flags_closed_inspections_unpublished_after_14_days(world: World) -> None:
    today = timezone.localdate()
    old = helpers.closed(world)
    recent = helpers.closed(world)

    def closed_days_ago(inspection: Inspection, days: int) -> None:
        at = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(12)))
        Inspection.objects.filter(pk=inspection.pk).update(closed_at=at)

    closed_days_ago(old, 14)
    closed_days_ago(recent, 13)
    digest = reminders.office_digest(today=today)
    assert [i.pk for i in digest.unpublished] == [old.pk]
    reminders.office_digest_send(today=today)
    [note] = _sent(reminders.DIGEST_KIND)
    assert "14 days ago" in note.body and "13 days ago" not in note.body
    assert note.params["unpublished"] == "1"


def test_digest_names_probation_proposals(world: World) -> None:
    helpers.add_finding(world, helpers.start(world), Severity.CRITICAL)
    result = office_overdue_digest(timezone.localdate().isoformat())
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
