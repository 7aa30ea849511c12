"""Concerns: a criticism raised in a review, the reply of the person or partner concerned, escalation to the
office, and the office's decision. The thread (``ConcernMessage``) is only ever added to.

Anonymity: when a student raises a concern, the people concerned are told "a student raised a concern",
never who; only the office (and the student) see ``raised_by``. Notifications name no student either.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import PlatformRole
from core.services import notifications
from core.validation import refuse
from partners import access
from partners.models import Membership, MembershipRole
from reviews import hooks
from reviews.models import (
    CLOSED_CONCERN,
    CONCERN_REPLY_DAYS,
    Concern,
    ConcernCategory,
    ConcernMessage,
    ConcernStatus,
    Direction,
    MessageKind,
    Review,
)

NEW_KIND = "reviews_concern"
ESCALATED_KIND = "reviews_concern_escalated"


def _concerned(concern: Concern) -> list[User]:
    """Who must answer: the person addressed, else the partner's coordinators in force."""
    if concern.addressed_to_id is not None:
        return [concern.addressed_to]  # type: ignore[list-item]
    users = User.objects.filter(
        pk__in=Membership.objects.active()
        .filter(partner_id=concern.partner_id, role=MembershipRole.COORDINATOR)
        .values("user_id"),
        is_active=True,
    )
    return list(users.order_by("pk"))


def _office() -> list[User]:
    return list(access.users_with_platform_role(PlatformRole.OFFICE).order_by("pk"))


def _link(concern: Concern) -> str:
    return reverse("reviews:concern", args=[concern.pk])


def concern_raise(*, review: Review, category: str, text: str, by: User) -> Concern:
    """Raise a concern in one's own review (the reviewer). It is addressed to the person reviewed (a tutor,
    the placement's supervisor, a student) or, for a partner's review, to the partner's coordinators, who
    must reply within ``CONCERN_REPLY_DAYS`` days."""
    if review.reviewer_id != by.pk:
        raise refuse("review", "not_reviewer", _("Only the reviewer raises a concern in a review."))
    if category not in ConcernCategory.values:
        raise refuse("category", "invalid_category", _("Choose a category."))
    if not text.strip():
        raise refuse("text", "required", _("Say what the concern is about."))
    addressed_to: User | None
    if review.direction == Direction.OFFICE_PARTNER:
        addressed_to = None
    elif review.subject_student_id is not None:
        addressed_to = review.subject_student.user  # type: ignore[union-attr]
    else:
        addressed_to = review.subject_user
    with transaction.atomic():
        concern = Concern.objects.create(
            review=review,
            category=category,
            raised_by=by,
            addressed_to=addressed_to,
            partner_id=review.partner_id,
            reply_due_on=timezone.localdate() + datetime.timedelta(days=CONCERN_REPLY_DAYS),
        )
        ConcernMessage.objects.create(concern=concern, kind=MessageKind.RAISED, author=by, text=text.strip())
        notifications.notify(
            users=_concerned(concern),
            kind=NEW_KIND,
            subject=gettext_noop("A concern about %(category)s needs your reply by %(date)s"),
            params={"category": concern.get_category_display(), "date": concern.reply_due_on.isoformat()},
            link=_link(concern),
        )
    return concern


def _open_or_refuse(concern: Concern) -> Concern:
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    if locked.status in CLOSED_CONCERN:
        raise refuse("status", "concern_closed", _("This concern has been closed by the office."))
    return locked


def concern_reply(*, concern: Concern, text: str, by: User) -> Concern:
    """Reply to a concern (the person concerned or the partner's coordinators). Every reply is kept."""
    access.require(by, "reply", concern)
    if not text.strip():
        raise refuse("text", "required", _("Write your reply."))
    with transaction.atomic():
        locked = _open_or_refuse(concern)
        ConcernMessage.objects.create(concern=locked, kind=MessageKind.REPLY, author=by, text=text.strip())
        if locked.status == ConcernStatus.AWAITING_REPLY:
            locked.status = ConcernStatus.REPLIED
            locked.save(update_fields=["status"])
        notifications.notify(
            users=[locked.raised_by],
            kind=NEW_KIND,
            subject=gettext_noop("Your concern about %(category)s has a reply"),
            params={"category": locked.get_category_display()},
            link=_link(locked),
        )
    return locked


def concern_escalate(*, concern: Concern, by: User | None, text: str = "") -> Concern:
    """Take a concern to the office: who raised it (not content with the reply, or none came), the office, or
    the daily job when no reply came in time (``by`` None)."""
    if by is not None:
        access.require(by, "escalate", concern)
    with transaction.atomic():
        locked = _open_or_refuse(concern)
        if locked.status == ConcernStatus.ESCALATED:
            raise refuse("status", "already_escalated", _("This concern is already with the office."))
        locked.status = ConcernStatus.ESCALATED
        locked.save(update_fields=["status"])
        default = _("No reply within %(days)s days.") % {"days": CONCERN_REPLY_DAYS}
        ConcernMessage.objects.create(
            concern=locked, kind=MessageKind.ESCALATED, author=by, text=text.strip() or ("" if by else default)
        )
        notifications.notify(
            users=_office(),
            kind=ESCALATED_KIND,
            subject=gettext_noop("A concern about %(category)s at %(partner)s is with the office"),
            params={"category": locked.get_category_display(), "partner": locked.partner.short_name},
            link=_link(locked),
        )
    return locked


def concerns_escalate_due(*, today: datetime.date) -> int:
    """The daily job: every concern still awaiting a reply after its due day goes to the office (once: the
    status changes)."""
    count = 0
    for concern in Concern.objects.filter(status=ConcernStatus.AWAITING_REPLY, reply_due_on__lt=today):
        try:
            concern_escalate(concern=concern, by=None)
        except ValidationError:  # closed or escalated meanwhile: nothing left to do for this one
            continue
        count += 1
    return count


def concern_decide(
    *,
    concern: Concern,
    outcome: str,
    note: str,
    by: User,
    reference: str = "",
    details: Mapping[str, str] | None = None,
) -> Concern:
    """The office closes a concern: ``resolved``; ``referred`` (to an inspection to be: ``reference`` says
    which, and a handler registered in ``reviews.hooks.CONCERN_OUTCOMES`` may act on it); or ``violation``
    (only while a handler for it is registered: the violations register, which reads its fields from
    ``details``). Refused: ``concern_closed``, ``invalid_outcome``, ``outcome_unavailable``, and whatever the
    handler refuses (then nothing is written)."""
    access.require(by, "decide", concern)
    kinds = {
        ConcernStatus.RESOLVED: MessageKind.RESOLVED,
        ConcernStatus.REFERRED: MessageKind.REFERRED,
        ConcernStatus.VIOLATION: MessageKind.VIOLATION,
    }
    if outcome not in kinds:
        raise refuse("outcome", "invalid_outcome", _("Choose how to close the concern."))
    if not note.strip():
        raise refuse("note", "required", _("Say why."))
    handler = hooks.outcome_handler(outcome)
    if outcome == ConcernStatus.VIOLATION and handler is None:
        raise refuse(
            "outcome",
            "outcome_unavailable",
            _("The violations register is not available yet: close the concern as resolved or referred."),
        )
    with transaction.atomic():
        locked = _open_or_refuse(concern)
        stored = reference.strip()
        if handler is not None:
            stored = handler.handle(concern=locked, note=note.strip(), by=by, details=dict(details or {})) or stored
        locked.status = outcome
        locked.outcome_reference = stored[:200]
        locked.save(update_fields=["status", "outcome_reference"])
        text = note.strip() + (f"\n{stored}" if stored else "")
        ConcernMessage.objects.create(concern=locked, kind=kinds[ConcernStatus(outcome)], author=by, text=text)
        notifications.notify(
            users=[locked.raised_by, *_concerned(locked)],
            kind=NEW_KIND,
            subject=gettext_noop("A concern about %(category)s was closed: %(outcome)s"),
            params={"category": locked.get_category_display(), "outcome": locked.get_status_display()},
            link=_link(locked),
        )
    return locked
