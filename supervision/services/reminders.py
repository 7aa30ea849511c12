"""Supervision reminders: the services behind the daily and weekly beat jobs of the same names in
``supervision.tasks``.

Driven by the clock, not by a person (like ``practice.services.reminders``): they act for nobody and need no
permission check, but they tell each person only what that person may see.

* **Corrective actions** (daily): the owner of an open or reopened action due within 7 days, or overdue,
  hears of it while they still coordinate the partner inspected; once they no longer do (their
  membership ended, or their account was closed), the partner's current coordinators hear of it instead.
  Each person gets one message a day listing their actions. Only actions of started inspections, which
  the partner's coordinators see anyway, are included: a planned spot inspection, or a partner somebody
  has left, never shows up in anybody's reminder.
* **Office digest** (weekly): every office user gets one digest an ISO week, listing the overdue actions,
  the closed inspections not published in time (``supervision.services.publication.publication_overdue``, the same
  rule as the office's publication queue), and the partners proposed for probation. Nothing is sent when
  there is nothing to say.

The ``dedup_key`` names the kind and the day (or the ISO week); the unique constraint on
(user, dedup_key) makes a second run, or two at once, tell nobody twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import PlatformRole
from core.models import Notification
from core.services import notifications
from partners import access
from partners.models import Membership, MembershipRole
from supervision.models import AWAITING_ANSWER, STARTED_STATUSES, CorrectiveAction, Inspection
from supervision.services import publication
from supervision.services.scorecard import Scorecard, probation_proposals

#: An action due within this many days (or overdue) is reminded.
DUE_SOON_DAYS = 7
ACTIONS_KIND = "supervision_actions"
DIGEST_KIND = "supervision_office_digest"


def actions_dedup_key(today: datetime.date) -> str:
    """One corrective-action reminder per owner per day."""
    return f"supervision-actions:{today.isoformat()}"


def digest_dedup_key(today: datetime.date) -> str:
    """One office digest per person per ISO week."""
    year, week, _weekday = today.isocalendar()
    return f"supervision-digest:{year}-W{week:02d}"


def _link(name: str) -> str:
    """The page a reminder points to; empty while that page does not exist (the pages are another
    module's, and a missing page must not stop a reminder)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _told(key: str) -> set[int]:
    return set(Notification.objects.filter(dedup_key=key).values_list("user_id", flat=True))


# --- Corrective actions, to their owners -----------------------------------------------------------


def actions_to_remind(*, today: datetime.date) -> dict[User, list[CorrectiveAction]]:
    """Open or reopened actions due by ``today + 7 days`` (overdue included), by the person to remind,
    earliest due first.

    The owner is fixed when the action is opened, but people move on: the owner is reminded while they are
    active and still coordinate the partner inspected (a membership in force today); otherwise the
    partner's current coordinators are, so that no action is left without anybody hearing of it. (Any
    coordinator of the partner may answer, so each of them can act on the reminder.) Only actions of
    started inspections count: exactly the rows those coordinators' own scope holds, so a planned spot
    inspection never shows up. Two queries, however many actions and partners."""
    owner_coordinates = Membership.objects.active(today).filter(
        user_id=OuterRef("owner_id"),
        partner_id=OuterRef("finding__inspection__target_partner_id"),
        role=MembershipRole.COORDINATOR,
    )
    actions = list(
        CorrectiveAction.objects.filter(
            status__in=AWAITING_ANSWER,
            due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
            finding__inspection__status__in=STARTED_STATUSES,
        )
        .annotate(owner_coordinates=Exists(owner_coordinates))
        .select_related("owner", "finding__inspection__target_partner")
        .order_by("due_date", "pk")
    )

    def owner_in_charge(action: CorrectiveAction) -> bool:
        return bool(action.owner.is_active and getattr(action, "owner_coordinates", False))

    left_behind = {action.finding.inspection.target_partner_id for action in actions if not owner_in_charge(action)}
    coordinators: dict[int, list[User]] = defaultdict(list)
    if left_behind:
        memberships = (
            Membership.objects.active(today)
            .filter(partner_id__in=left_behind, role=MembershipRole.COORDINATOR, user__is_active=True)
            .select_related("user")
            .order_by("partner_id", "user_id", "pk")
        )
        for membership in memberships:
            people = coordinators[membership.partner_id]
            if membership.user not in people:  # two memberships in force, one person
                people.append(membership.user)
    by_person: dict[int, tuple[User, list[CorrectiveAction]]] = {}
    for action in actions:
        if owner_in_charge(action):
            recipients = [action.owner]
        else:
            recipients = coordinators.get(action.finding.inspection.target_partner_id, [])
        for person in recipients:
            by_person.setdefault(person.pk, (person, []))[1].append(action)
    return {person: listed for _pk, (person, listed) in sorted(by_person.items())}


def _action_line(action: CorrectiveAction, today: datetime.date) -> str:
    days = (action.due_date - today).days
    if days < 0:
        when = _("overdue since %(date)s") % {"date": action.due_date.isoformat()}
    elif days == 0:
        when = _("due today")
    else:
        when = _("due %(date)s") % {"date": action.due_date.isoformat()}
    finding = action.finding
    return _("%(partner)s · %(severity)s: %(description)s (%(when)s)") % {
        "partner": finding.inspection.target_partner.short_name,
        "severity": finding.get_severity_display(),
        "description": finding.description[:120],
        "when": when,
    }


def _actions_body(actions: list[CorrectiveAction], today: datetime.date) -> str:
    # Stored once, in the site's language (as the e-mail is); the subject is translated per reader.
    with translation.override(settings.LANGUAGE_CODE):
        return "\n".join(_action_line(action, today) for action in actions)


@dataclass(frozen=True)
class ActionReminderCounts:
    #: people reminded (owners, or coordinators standing in for an owner who left); the daily job's name
    owners: int
    #: actions listed, summed over the messages sent
    actions: int


def action_reminders_send(*, today: datetime.date) -> ActionReminderCounts:
    """Tell each person in charge (the owner, or the partner's current coordinators once the owner has
    left: :func:`actions_to_remind`), once a day, which corrective actions are overdue or due within 7
    days. The counts are of people told and of the actions their messages listed."""
    key = actions_dedup_key(today)
    already = _told(key)
    link = _link("supervision:actions")
    owners = actions = 0
    for person, listed in actions_to_remind(today=today).items():
        if person.pk in already:
            continue
        overdue = sum(1 for action in listed if action.due_date < today)
        sent = notifications.notify(
            users=[person],
            kind=ACTIONS_KIND,
            subject=gettext_noop("Corrective actions to answer: %(overdue)s overdue, %(soon)s due within 7 days"),
            params={"overdue": overdue, "soon": len(listed) - overdue},
            body=_actions_body(listed, today),
            link=link,
            dedup_key=key,
        )
        if sent:
            owners += 1
            actions += len(listed)
    return ActionReminderCounts(owners=owners, actions=actions)


# --- The office's weekly digest ---------------------------------------------------------------------


@dataclass
class OfficeDigest:
    overdue: list[CorrectiveAction]
    unpublished: list[Inspection]
    proposals: list[Scorecard]

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.unpublished or self.proposals)


def office_digest(*, today: datetime.date) -> OfficeDigest:
    """What the office should know this week (a fixed number of queries)."""
    overdue = list(
        CorrectiveAction.objects.overdue(today)
        .filter(finding__inspection__status__in=STARTED_STATUSES)
        .select_related("finding__inspection__target_partner")
        .order_by("due_date", "pk")
    )
    # One definition of "not published in time" for the digest and the publication queue alike.
    unpublished = list(
        publication.publication_overdue(today).select_related("target_partner").order_by("closed_at", "pk")
    )
    return OfficeDigest(overdue=overdue, unpublished=unpublished, proposals=probation_proposals(today))


def _digest_body(digest: OfficeDigest, today: datetime.date) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        lines: list[str] = []
        if digest.overdue:
            lines.append(_("Overdue corrective actions:"))
            lines += [f"- {_action_line(action, today)}" for action in digest.overdue]
        if digest.unpublished:
            lines.append(
                _("Closed inspections not yet published after %(days)s days:") % {"days": publication.PUBLICATION_DAYS}
            )
            for inspection in digest.unpublished:
                closed_on = timezone.localdate(inspection.closed_at) if inspection.closed_at else today
                lines.append(
                    "- "
                    + _("%(partner)s, closed %(date)s (%(days)s days ago)")
                    % {
                        "partner": inspection.target_partner.name,
                        "date": closed_on.isoformat(),
                        "days": publication.days_since(inspection.closed_at, today) or 0,
                    }
                )
        if digest.proposals:
            lines.append(_("Partners proposed for probation:"))
            lines += [f"- {card.partner.name}: {card.probation_reason}" for card in digest.proposals]
        return "\n".join(lines)


@dataclass(frozen=True)
class DigestCounts:
    recipients: int
    overdue: int
    unpublished: int
    proposals: int


def office_digest_send(*, today: datetime.date) -> DigestCounts:
    """Send the office's weekly digest, once per person per ISO week; nothing when there is nothing to say."""
    digest = office_digest(today=today)
    if digest.empty:
        return DigestCounts(recipients=0, overdue=0, unpublished=0, proposals=0)
    key = digest_dedup_key(today)
    already = _told(key)
    office = access.users_with_platform_role(PlatformRole.OFFICE).exclude(pk__in=already).order_by("pk")
    sent = notifications.notify(
        users=office,
        kind=DIGEST_KIND,
        subject=gettext_noop(
            "Supervision this week: %(overdue)s overdue actions, %(unpublished)s inspections awaiting "
            "publication, %(proposals)s probation proposals"
        ),
        params={
            "overdue": len(digest.overdue),
            "unpublished": len(digest.unpublished),
            "proposals": len(digest.proposals),
        },
        body=_digest_body(digest, today),
        link=_link("supervision:scorecards") if digest.proposals else _link("supervision:actions"),
        dedup_key=key,
    )
    return DigestCounts(
        recipients=len(sent),
        overdue=len(digest.overdue),
        unpublished=len(digest.unpublished),
        proposals=len(digest.proposals),
    )
