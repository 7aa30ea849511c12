"""Milestone reminders: the service behind the daily beat job ``students.milestone_reminders_send``.

A service module of its own (rather than a section of ``students.services``) because it is driven by the
clock, not by a person: it acts for nobody and needs no permission check.

Each person gets at most one reminder a day, a digest of every milestone of theirs (or of their tutees)
that is pending and due within the next 14 days. The notification's ``dedup_key`` names the day, and the
database's unique constraint on (user, dedup_key) makes a second run on the same day, or two runs at
once, tell nobody twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.models import Notification
from core.services import notifications
from students.models import Milestone, MilestoneStatus, StudentStatus

REMINDER_DAYS = 14
NOTIFICATION_KIND = "milestone_due"


def reminder_dedup_key(today: datetime.date) -> str:
    """One digest per person per day: the key every reminder of ``today`` shares."""
    return f"milestone-digest:{today.isoformat()}"


@dataclass
class _Digest:
    user: User
    milestones: list[Milestone] = field(default_factory=list)


def milestones_due_soon(*, today: datetime.date) -> list[Milestone]:
    """Pending milestones due from ``today`` to 14 days on (not late) of enrolled students (one query)."""
    return list(
        Milestone.objects.filter(
            status=MilestoneStatus.PENDING,
            due_date__gte=today,
            due_date__lte=today + datetime.timedelta(days=REMINDER_DAYS),
            student__status=StudentStatus.ENROLLED,
        )
        .select_related("student__user", "student__tutor")
        .order_by("due_date", "student__student_number", "kind")
    )


def _digests(milestones: list[Milestone]) -> list[_Digest]:
    """Group the milestones by the person to tell: the student, and the student's tutor."""
    digests: dict[int, _Digest] = {}
    for milestone in milestones:
        student = milestone.student
        for person in (student.user, student.tutor):
            if person is None or not person.is_active:
                continue
            digests.setdefault(person.pk, _Digest(user=person)).milestones.append(milestone)
    return list(digests.values())


def _body(digest: _Digest) -> str:
    # The body is stored once, in the site's language (as the e-mail is); the subject is translated
    # for each reader when shown.
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("%(date)s: %(milestone)s, %(student)s (%(number)s)")
            % {
                "date": m.due_date.isoformat(),
                "milestone": m.get_kind_display(),
                "student": m.student.user.display_name,
                "number": m.student.student_number,
            }
            for m in digest.milestones
        ]
    return "\n".join(lines)


def _link(digest: _Digest) -> str:
    """The plan page when the digest is about one student; the reader's inbox lists the rest."""
    students = {m.student_id for m in digest.milestones}
    if len(students) == 1:
        return reverse("students:plan", args=[students.pop()])
    return ""


def milestone_reminders_send(*, today: datetime.date) -> list[Notification]:
    """Tell each student and tutor about milestones due within 14 days, at most once per person per day.

    Safe to run any number of times: a person already told today is skipped (``dedup_key``). Returns the
    notifications created by this run; their e-mails go out after commit.
    """
    created: list[Notification] = []
    already = set(Notification.objects.filter(dedup_key=reminder_dedup_key(today)).values_list("user_id", flat=True))
    for digest in _digests(milestones_due_soon(today=today)):
        if digest.user.pk in already:
            continue
        created += notifications.notify(
            users=[digest.user],
            kind=NOTIFICATION_KIND,
            subject=gettext_noop("Milestones due within 14 days: %(count)s"),
            params={"count": len(digest.milestones)},
            body=_body(digest),
            link=_link(digest),
            dedup_key=reminder_dedup_key(today),
        )
    return created
