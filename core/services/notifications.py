"""Notifications: one call tells people something, in the app and by e-mail.

``notify`` writes one ``Notification`` per recipient inside the caller's transaction and sends the
e-mails after commit through Celery (``core.tasks.notification_email_send``, which claims each e-mail, sends
it, then marks it sent: ``core.services.notification_email``), so a rolled-back change notifies nobody. A
broker that is away does not fail the caller: the e-mail waits, unsent, for the sweep
(``notification_emails_sweep`` in ``core.services.notification_email``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import User
from core import navcache
from core.models import Notification
from core.queueing import enqueue_on_commit


def _sender(task: Any, pk: int) -> Any:
    return lambda: task.delay(pk)


def notify(
    *,
    users: Iterable[User],
    kind: str,
    subject: str,
    params: dict[str, Any],
    link: str = "",
    body: str = "",
    dedup_key: str | None = None,
) -> list[Notification]:
    """Tell each user something. With ``dedup_key``, a user already told under that key is skipped.

    ``subject`` is the English source text, marked with ``gettext_noop`` at the call site so it is in
    the catalogue; it is translated when shown, into each reader's language.
    """
    from core.tasks import notification_email_send

    created = []
    for user in users:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user,
                    kind=kind,
                    subject=subject[:200],
                    params={k: str(v) for k, v in params.items()},
                    link=link,
                    body=body,
                    dedup_key=dedup_key,
                )
        except IntegrityError:
            continue  # already told under this key
        created.append(notification)
        # After commit, and never failing the caller: a broker away leaves the e-mail to the sweep.
        enqueue_on_commit(
            _sender(notification_email_send, notification.pk), what=f"the e-mail of notification {notification.pk}"
        )
    return created


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of the user's own notifications read. Reading it twice keeps the first time."""
    from django.utils import timezone

    from partners import access

    access.require(by, "mark_read", notification)
    with navcache.writing_rows(Notification._meta.db_table, [notification.user_id]):  # ADR 0069
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    from django.utils import timezone

    from partners import access

    unread = access.scope(Notification.objects.filter(read_at__isnull=True, user_id=by.pk), by, "mark_read")
    with navcache.writing_rows(Notification._meta.db_table, [by.pk]):  # one's own only (ADR 0069)
        return unread.update(read_at=timezone.now())
