"""Supervision meetings: recording one (minutes and agreed actions), the student's confirmation or dispute of
the minutes, and marking an action done. Minutes are kept as recorded: a dispute adds the student's comment
beside them, it does not change them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.services import notifications
from core.validation import refuse
from partners import access
from reviews.models import Meeting, MeetingAction, MinutesStatus
from students.models import Placement, Student

MINUTES_KIND = "reviews_minutes"


@dataclass(frozen=True)
class AgreedAction:
    text: str
    owner: User
    due_on: datetime.date


def meeting_people(student: Student) -> set[int]:
    """Who may attend (and own actions of) a student's meetings: the student, the tutor, the practice
    co-supervisor and the supervisors of the student's placements."""
    people = {student.user_id}
    people |= {pk for pk in (student.tutor_id, student.practice_supervisor_id) if pk}
    people |= set(Placement.objects.filter(student=student).values_list("supervisor_id", flat=True))
    return people


def meeting_record(
    *,
    student: Student,
    held_on: datetime.date,
    minutes: str,
    by: User,
    attendees: Iterable[User] = (),
    actions: Sequence[AgreedAction] = (),
) -> Meeting:
    """Record a meeting (the student's tutor, co-supervisor or placement supervisors, or the office): its
    minutes, attendees and agreed actions. The student is asked to confirm the minutes. Refused:
    ``not_attendee`` (somebody outside the student's supervision), ``in_future``, ``required``."""
    access.require(by, "record_meeting", student)
    if not minutes.strip():
        raise refuse("minutes", "required", _("Write the minutes."))
    if held_on > timezone.localdate():
        raise refuse("held_on", "in_future", _("A meeting is recorded once it has taken place."))
    allowed = meeting_people(student)
    present = list(attendees)
    if any(user.pk not in allowed for user in present):
        raise refuse("attendees", "not_attendee", _("Only the student and their tutor and supervisors attend."))
    for action in actions:
        if action.owner.pk not in allowed:
            raise refuse(
                "actions", "not_attendee", _("An action's owner must be the student, a tutor or a supervisor.")
            )
        if not action.text.strip():
            raise refuse("actions", "required", _("Say what each action is."))
    with transaction.atomic():
        meeting = Meeting.objects.create(student=student, held_on=held_on, minutes=minutes.strip(), recorded_by=by)
        meeting.attendees.set({*present, by} if by.pk in allowed else present)
        MeetingAction.objects.bulk_create(
            MeetingAction(meeting=meeting, text=a.text.strip()[:300], owner=a.owner, due_on=a.due_on) for a in actions
        )
        if student.user_id != by.pk:
            notifications.notify(
                users=[student.user],
                kind=MINUTES_KIND,
                subject=gettext_noop("Minutes of your supervision meeting of %(date)s: please confirm them"),
                params={"date": held_on.isoformat()},
                link=reverse("reviews:meeting", args=[meeting.pk]),
            )
    return meeting


def _answer(meeting: Meeting, by: User, status: str, comment: str) -> Meeting:
    access.require(by, "confirm", meeting)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.minutes_status != MinutesStatus.AWAITING:
            raise refuse("minutes_status", "already_answered", _("You have already answered these minutes."))
        locked.minutes_status = status
        locked.student_comment = comment.strip()
        locked.answered_at = timezone.now()
        locked.save(update_fields=["minutes_status", "student_comment", "answered_at"])
        notifications.notify(
            users=[locked.recorded_by],
            kind=MINUTES_KIND,
            subject=gettext_noop("The student has %(answer)s the minutes of %(date)s"),
            params={"answer": locked.get_minutes_status_display(), "date": locked.held_on.isoformat()},
            link=reverse("reviews:meeting", args=[locked.pk]),
        )
    return locked


def meeting_confirm(*, meeting: Meeting, by: User, comment: str = "") -> Meeting:
    """The student confirms the minutes (once)."""
    return _answer(meeting, by, MinutesStatus.CONFIRMED, comment)


def meeting_dispute(*, meeting: Meeting, comment: str, by: User) -> Meeting:
    """The student disputes the minutes, saying why (once); the minutes stay as recorded."""
    if not comment.strip():
        raise refuse("student_comment", "required", _("Say what is wrong in the minutes."))
    return _answer(meeting, by, MinutesStatus.DISPUTED, comment)


def meeting_action_complete(*, action: MeetingAction, by: User) -> MeetingAction:
    """The owner marks an agreed action done (once; marking it again keeps the first time)."""
    access.require(by, "complete", action)
    MeetingAction.objects.filter(pk=action.pk, done_at__isnull=True).update(done_at=timezone.now())
    action.refresh_from_db(fields=["done_at"])
    return action
