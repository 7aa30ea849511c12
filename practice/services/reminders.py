"""Practice-hour reminders: the services behind the daily beat job ``practice.practice_reminders_send``.

A module of its own (like ``students.services.reminders``) because it is driven by the clock, not by a person: it
acts for nobody and needs no permission check. Two kinds of reminder, each at most once per person per
day, however often the job runs or is retried:

* **digest** to each supervisor with entries pending for more than 3 days (entered before the start of
  ``today - 3 days``): one message listing how many wait, per student;
* **nudge** to each enrolled student with a placement running today and no entry dated in the last
  7 days (``today - 7`` to ``today``; withdrawn entries do not count, anyone's entry for them does).

The notification's ``dedup_key`` names the kind and the day, and the database's unique constraint on
(user, dedup_key) makes a second run on the same day, or two runs at once, tell nobody twice. The
e-mails go out after commit, through ``core.services.notifications.notify``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.models import Notification
from core.services import notifications
from practice.models import EntryStatus, PracticeLog
from students.models import Placement, PlacementStatus, Student, StudentStatus

PENDING_DAYS = 3
QUIET_DAYS = 7
DIGEST_KIND = "practice_digest"
NUDGE_KIND = "practice_nudge"


def digest_dedup_key(today: datetime.date) -> str:
    """One digest per supervisor per day: the key every digest of ``today`` shares."""
    return f"practice-digest:{today.isoformat()}"


def nudge_dedup_key(today: datetime.date) -> str:
    """One nudge per student per day."""
    return f"practice-nudge:{today.isoformat()}"


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class _Digest:
    supervisor: User
    #: (student, number of entries pending for more than 3 days), by student name
    students: list[tuple[Student, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(count for _student, count in self.students)


def _told(key: str) -> set[int]:
    return set(Notification.objects.filter(dedup_key=key).values_list("user_id", flat=True))


def stale_pending_digests(*, today: datetime.date) -> list[_Digest]:
    """Supervisors with entries pending since before ``today - 3 days``, and how many per student.

    Two queries whatever the number of entries: the counts grouped by (supervisor, student) in the
    database (``log_status_entered_idx`` finds the pending, old entries), then the people they name."""
    cutoff = _start_of(today - datetime.timedelta(days=PENDING_DAYS))
    counts = list(
        PracticeLog.objects.filter(status=EntryStatus.PENDING, entered_at__lt=cutoff)
        .values("placement__supervisor_id", "student_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    if not counts:
        return []
    supervisors = User.objects.in_bulk({row["placement__supervisor_id"] for row in counts})
    students = Student.objects.select_related("user").in_bulk({row["student_id"] for row in counts})
    digests: dict[int, _Digest] = {}
    for row in counts:
        supervisor = supervisors[row["placement__supervisor_id"]]
        if not supervisor.is_active:
            continue
        digest = digests.setdefault(supervisor.pk, _Digest(supervisor=supervisor))
        digest.students.append((students[row["student_id"]], row["count"]))
    for digest in digests.values():
        digest.students.sort(key=lambda item: (item[0].user.display_name, item[0].student_number))
    return sorted(digests.values(), key=lambda digest: digest.supervisor.pk)


def _digest_body(digest: _Digest) -> str:
    # Stored once, in the site's language (as the e-mail is); the subject is translated per reader.
    with translation.override(settings.LANGUAGE_CODE):
        return "\n".join(
            _("%(student)s (%(number)s): %(count)s pending")
            % {
                "student": student.user.display_name,
                "number": student.student_number,
                "count": count,
            }
            for student, count in digest.students
        )


def practice_digests_send(*, today: datetime.date) -> list[Notification]:
    """Tell each supervisor how many entries have waited for their decision for more than 3 days, per
    student: one digest (in the app and by e-mail) per supervisor per day, however often this runs."""
    key = digest_dedup_key(today)
    already = _told(key)
    created: list[Notification] = []
    for digest in stale_pending_digests(today=today):
        if digest.supervisor.pk in already:
            continue
        created += notifications.notify(
            users=[digest.supervisor],
            kind=DIGEST_KIND,
            subject=gettext_noop("Practice hours waiting for your sign-off for more than 3 days: %(count)s"),
            params={"count": digest.total},
            body=_digest_body(digest),
            link=reverse("practice:queue"),
            dedup_key=key,
        )
    return created


def quiet_students(*, today: datetime.date) -> list[Student]:
    """Enrolled students with a placement running today and no entry dated ``today - 7`` to ``today``.

    One query: the placement and the entries are ``EXISTS`` subqueries (``log_student_date_idx``)."""
    running = Placement.objects.filter(
        student_id=OuterRef("pk"),
        start_date__lte=today,
        end_date__gte=today,
        status__in=(PlacementStatus.PLANNED, PlacementStatus.ACTIVE),
    )
    recent = PracticeLog.objects.filter(
        student_id=OuterRef("pk"),
        date__gte=today - datetime.timedelta(days=QUIET_DAYS),
        date__lte=today,
    ).exclude(status=EntryStatus.WITHDRAWN)
    return list(
        Student.objects.filter(status=StudentStatus.ENROLLED, user__is_active=True)
        .filter(Exists(running), ~Exists(recent))
        .select_related("user")
        .order_by("pk")
    )


def practice_nudges_send(*, today: datetime.date) -> list[Notification]:
    """Remind each student on a placement who has logged nothing for 7 days: at most once a day."""
    key = nudge_dedup_key(today)
    already = _told(key)
    created: list[Notification] = []
    for student in quiet_students(today=today):
        if student.user_id in already:
            continue
        created += notifications.notify(
            users=[student.user],
            kind=NUDGE_KIND,
            subject=gettext_noop("No practice hours logged in the last %(days)s days"),
            params={"days": QUIET_DAYS},
            link=reverse("practice:log"),
            dedup_key=key,
        )
    return created


@dataclass(frozen=True)
class ReminderCounts:
    digests: int
    nudges: int


def practice_reminders_send(*, today: datetime.date) -> ReminderCounts:
    """Both reminders of the day. Safe to run any number of times: people already told today are skipped."""
    return ReminderCounts(
        digests=len(practice_digests_send(today=today)),
        nudges=len(practice_nudges_send(today=today)),
    )
