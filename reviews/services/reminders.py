"""Reminders of internal supervision: the services behind the daily and weekly beat jobs of the same names in
``reviews.tasks``. Driven by the clock, they act for nobody; each person hears only of their own work.

* **Reviews** (daily): a reviewer with reviews due within their programme's ``remind_days_before`` days, or
  overdue, in an open round hears of them once a day at most (the office of its yearly partner reviews).
* **Agreed actions** (daily): the owner of a meeting action due within 3 days or overdue, once a day.
* **Office digest** (weekly): completion of the open rounds by partner, and the concerns escalated to the
  office. Counts only: no reviewer is named.

The ``dedup_key`` names the kind and the day (or ISO week); the unique (user, dedup_key) tells nobody twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import PlatformRole
from core.models import Notification
from core.services import notifications
from partners import access
from reviews.models import Concern, ConcernStatus, MeetingAction, Review, ReviewStatus, RoundStatus

REVIEWS_KIND = "reviews_due"
ACTIONS_KIND = "reviews_meeting_actions"
DIGEST_KIND = "reviews_office_digest"
ACTION_SOON_DAYS = 3


def _told(key: str) -> set[int]:
    return set(Notification.objects.filter(dedup_key=key).values_list("user_id", flat=True))


def _remind_days(review: Review) -> int:
    schedule = getattr(review.round.programme, "review_schedule", None)
    return int(schedule.remind_days_before) if schedule is not None else 3


def reviews_to_remind(*, today: datetime.date) -> dict[int, tuple[User, list[Review]]]:
    """Pending reviews of open rounds due within the schedule's reminder days (or overdue), by reviewer."""
    # The window is at most a month ahead; each programme's own reminder days narrow it below.
    candidates = (
        Review.objects.filter(
            status=ReviewStatus.PENDING,
            round__status=RoundStatus.OPEN,
            due_on__lte=today + datetime.timedelta(days=31),
        )
        .select_related("reviewer", "round__programme__review_schedule")
        .order_by("due_on", "pk")
    )
    due = [review for review in candidates if review.due_on <= today + datetime.timedelta(days=_remind_days(review))]
    office: list[User] | None = None
    by_person: dict[int, tuple[User, list[Review]]] = {}
    for review in due:
        if review.reviewer is not None:
            people = [review.reviewer] if review.reviewer.is_active else []
        else:
            if office is None:
                office = list(access.users_with_platform_role(PlatformRole.OFFICE).order_by("pk"))
            people = office
        for person in people:
            by_person.setdefault(person.pk, (person, []))[1].append(review)
    return by_person


@dataclass(frozen=True)
class ReminderCounts:
    people: int
    items: int


def review_reminders_send(*, today: datetime.date) -> ReminderCounts:
    """Tell each reviewer, once a day at most, how many reviews are due soon and how many are overdue."""
    key = f"reviews-due:{today.isoformat()}"
    already = _told(key)
    people = items = 0
    for pk, (person, listed) in sorted(reviews_to_remind(today=today).items()):
        if pk in already:
            continue
        overdue = sum(1 for review in listed if review.due_on < today)
        sent = notifications.notify(
            users=[person],
            kind=REVIEWS_KIND,
            subject=gettext_noop("Reviews to write: %(overdue)s overdue, %(soon)s due soon"),
            params={"overdue": overdue, "soon": len(listed) - overdue},
            link=reverse("reviews:todo"),
            dedup_key=key,
        )
        if sent:
            people += 1
            items += len(listed)
    return ReminderCounts(people, items)


def meeting_action_reminders_send(*, today: datetime.date) -> ReminderCounts:
    """Tell each owner, once a day, of their agreed actions due within 3 days or overdue."""
    key = f"reviews-actions:{today.isoformat()}"
    already = _told(key)
    actions = (
        MeetingAction.objects.filter(
            done_at__isnull=True, due_on__lte=today + datetime.timedelta(days=ACTION_SOON_DAYS)
        )
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    by_owner: dict[int, tuple[User, list[MeetingAction]]] = {}
    for action in actions:
        if action.owner.is_active:
            by_owner.setdefault(action.owner_id, (action.owner, []))[1].append(action)
    people = items = 0
    for pk, (owner, listed) in sorted(by_owner.items()):
        if pk in already:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            body = "\n".join(f"- {a.text} ({a.due_on.isoformat()})" for a in listed)
        sent = notifications.notify(
            users=[owner],
            kind=ACTIONS_KIND,
            subject=gettext_noop("Agreed actions from supervision meetings: %(count)s due"),
            params={"count": len(listed)},
            body=body,
            link=reverse("reviews:meetings"),
            dedup_key=key,
        )
        if sent:
            people += 1
            items += len(listed)
    return ReminderCounts(people, items)


def completion_by_partner() -> list[dict[str, object]]:
    """Completion of the open rounds' reviews by partner (one query): name, total, submitted."""
    rows = (
        Review.objects.filter(round__status=RoundStatus.OPEN)
        .values("partner__name")
        .annotate(total=Count("pk"), submitted=Count("pk", filter=Q(status=ReviewStatus.SUBMITTED)))
        .order_by("partner__name")
    )
    return [dict(row) for row in rows]


def office_digest_send(*, today: datetime.date) -> ReminderCounts:
    """The office's weekly digest: completion of open rounds by partner and concerns with the office."""
    year, week, _weekday = today.isocalendar()
    key = f"reviews-digest:{year}-W{week:02d}"
    rows = completion_by_partner()
    escalated = Concern.objects.filter(status=ConcernStatus.ESCALATED).count()
    if not rows and not escalated:
        return ReminderCounts(0, 0)
    with translation.override(settings.LANGUAGE_CODE):
        lines = [_("Reviews of open rounds, by partner:")] if rows else []
        lines += [f"- {row['partner__name']}: {row['submitted']}/{row['total']}" for row in rows]
        if escalated:
            lines.append(_("Concerns with the office: %(count)s") % {"count": escalated})
    office = access.users_with_platform_role(PlatformRole.OFFICE).exclude(pk__in=_told(key)).order_by("pk")
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals["total"] += int(row["total"])  # type: ignore[call-overload]
        totals["submitted"] += int(row["submitted"])  # type: ignore[call-overload]
    sent = notifications.notify(
        users=list(office),
        kind=DIGEST_KIND,
        subject=gettext_noop(
            "Internal reviews this week: %(submitted)s of %(total)s submitted, %(concerns)s concerns with the office"
        ),
        params={"submitted": totals["submitted"], "total": totals["total"], "concerns": escalated},
        body="\n".join(lines),
        link=reverse("reviews:rounds"),
        dedup_key=key,
    )
    return ReminderCounts(len(sent), len(rows))
