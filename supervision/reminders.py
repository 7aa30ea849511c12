"""Supervision reminders: the services behind the daily and weekly beat jobs in ``supervision.jobs.reminders``.

Driven by the clock, not by a person (like ``practice.reminders``): they act for nobody and need no
permission check, but they tell each person only what that person may see.

* **Corrective actions** (daily): each owner of an open or reopened action due within 7 days, or overdue,
  gets one message a day listing those actions. Only actions the owner still sees are included (they
  coordinate the partner inspected, and the inspection has started), so a planned spot inspection, or a
  partner the owner has left, never shows up in anybody's reminder.
* **Office digest** (weekly): every office user gets one digest an ISO week, listing the overdue actions,
  the closed inspections still unpublished 14 days after closing, and the partners proposed for
  probation. Nothing is sent when there is nothing to say.

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
from core import notifications
from core.models import Notification
from partners.models import Membership, MembershipRole
from supervision.models import AWAITING_ANSWER, STARTED_STATUSES, CorrectiveAction, Inspection, InspectionStatus
from supervision.scorecard import Scorecard, probation_proposals

#: An action due within this many days (or overdue) is reminded.
DUE_SOON_DAYS = 7
#: A closed inspection still unpublished this many days after closing is flagged to the office.
PUBLISH_WITHIN_DAYS = 14
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
    """Open or reopened actions due by ``today + 7 days`` (overdue included), by owner, earliest due first.

    One query: the owner must be active and coordinate the partner inspected today (a membership in
    force), and the inspection must have started: the same rows the owner's own scope holds."""
    coordinates = Membership.objects.active(today).filter(
        user_id=OuterRef("owner_id"),
        partner_id=OuterRef("finding__inspection__target_partner_id"),
        role=MembershipRole.COORDINATOR,
    )
    actions = (
        CorrectiveAction.objects.filter(
            status__in=AWAITING_ANSWER,
            due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
            finding__inspection__status__in=STARTED_STATUSES,
            owner__is_active=True,
        )
        .filter(Exists(coordinates))
        .select_related("owner", "finding__inspection__target_partner")
        .order_by("owner_id", "due_date", "pk")
    )
    by_owner: dict[User, list[CorrectiveAction]] = defaultdict(list)
    for action in actions:
        by_owner[action.owner].append(action)
    return dict(by_owner)


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
    owners: int
    actions: int


def action_reminders_send(*, today: datetime.date) -> ActionReminderCounts:
    """Tell each owner, once a day, which of their corrective actions are overdue or due within 7 days."""
    key = actions_dedup_key(today)
    already = _told(key)
    link = _link("supervision:actions")
    owners = actions = 0
    for owner, listed in actions_to_remind(today=today).items():
        if owner.pk in already:
            continue
        overdue = sum(1 for action in listed if action.due_date < today)
        sent = notifications.notify(
            users=[owner],
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
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=PUBLISH_WITHIN_DAYS - 1), datetime.time.min)
    )
    unpublished = list(
        Inspection.objects.filter(status=InspectionStatus.CLOSED, closed_at__lt=cutoff)
        .select_related("target_partner")
        .order_by("closed_at", "pk")
    )
    return OfficeDigest(overdue=overdue, unpublished=unpublished, proposals=probation_proposals(today))


def _digest_body(digest: OfficeDigest, today: datetime.date) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        lines: list[str] = []
        if digest.overdue:
            lines.append(_("Overdue corrective actions:"))
            lines += [f"- {_action_line(action, today)}" for action in digest.overdue]
        if digest.unpublished:
            lines.append(_("Closed inspections not yet published after %(days)s days:") % {"days": PUBLISH_WITHIN_DAYS})
            for inspection in digest.unpublished:
                closed_on = timezone.localdate(inspection.closed_at) if inspection.closed_at else today
                lines.append(
                    "- "
                    + _("%(partner)s, closed %(date)s (%(days)s days ago)")
                    % {
                        "partner": inspection.target_partner.name,
                        "date": closed_on.isoformat(),
                        "days": (today - closed_on).days,
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
    office = (
        User.objects.filter(groups__name=PlatformRole.OFFICE, is_active=True).exclude(pk__in=already).order_by("pk")
    )
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
