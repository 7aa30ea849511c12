"""What waits for a person on the start page, from practice hours (``core.hooks.INBOX``): a supervisor's
entries to sign off; a student's rejected entries of the last 30 days to correct. Three queries at most."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import AnyUser
from core import navcache
from core.hooks import InboxItem
from partners import access
from practice import selectors
from practice.models import EntryStatus, PracticeLog
from students.selectors import own_student

#: Rejections older than this are history, not something waiting.
REJECTED_RECENT_DAYS = 30


def practice_inbox(user: AnyUser) -> list[InboxItem]:
    """The practice lines of ``user``'s inbox."""
    if not user.is_authenticated:
        return []
    since = timezone.localdate() - datetime.timedelta(days=REJECTED_RECENT_DAYS)
    rejected = 0
    # The person's own student record first: the count then reads that student's entries only, and a
    # navigation kept with it outlives entries of other students (ADR 0069); nobody else has entries to correct.
    own = own_student(user=user)
    if own is not None:
        with navcache.narrowed(PracticeLog._meta.db_table, own.pk):
            rejected = access.scope(
                PracticeLog.objects.filter(
                    student_id=own.pk, status=EntryStatus.REJECTED, corrections__isnull=True, date__gte=since
                ),
                user,
                "view",
            ).count()
    return [
        InboxItem(
            _("Practice-hour entries waiting for your sign-off"),
            selectors.supervisor_pending_count(user=user),
            reverse("practice:queue"),
        ),
        InboxItem(
            _("Rejected entries to correct"),
            rejected,
            reverse("practice:mine") + f"?status={EntryStatus.REJECTED}",
            late=True,
        ),
    ]
