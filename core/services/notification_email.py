"""Sending a notification's e-mail: claimed, sent, then marked sent.

``core.services.notifications.notify`` queues the task ``core.tasks.notification_email_send`` after commit; the task
is a thin shell around :func:`notification_email_send`. This module imports neither of them, so the imports
go one way (``notifications`` -> ``tasks`` -> ``notification_email``).

A worker killed between the claim and the mark leaves the e-mail unsent with a claim that goes stale
(``core.claims``), so the redelivered message sends it. The price is "at least once": a worker killed after
the mail server took the e-mail but before the mark sends it a second time.

A message that never reached the broker (down or hung when the notification was written: ``core.queueing``)
is made up for by :func:`notification_emails_sweep`, run every five minutes by the periodic task
``core.notification_emails_sweep``: it queues again every e-mail still unsent and unclaimed a while after its
notification was written. The claim keeps the sweep's message and a late original from sending it twice.
"""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone, translation

from config.celery import app as celery_app
from core import navcache
from core.claims import stale_before
from core.models import Notification
from core.queueing import enqueue

#: The task that sends one notification's e-mail (``core.tasks.notification_email_send``), sent by name by
#: the sweep: this module never imports the task module.
EMAIL_TASK = "core.services.notification_email_send"
#: An e-mail still unsent this long after its notification was written has lost its message (or its send
#: failed and is waiting for a retry, which the claim keeps from sending twice): the sweep queues it again.
SWEEP_AFTER = datetime.timedelta(minutes=5)
#: E-mails older than this are not sent any more by the sweep: the notification is in the app, and news days
#: late by e-mail is worse than none.
SWEEP_WINDOW = datetime.timedelta(days=2)
#: At most this many e-mails are queued by one sweep (the next sweep takes the rest).
SWEEP_LIMIT = 500


def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one notification, once; ``True`` when this call sent it.

    Claims the e-mail with a conditional update first (not sent yet, and not claimed, or claimed so long
    ago that the claimer is dead), so a second delivery while the first is sending sends nothing. Marks it
    sent only after the mail server took it. A send that raises releases the claim and raises again (the
    task retries the transient errors): the notification stays unsent, and the next attempt sends it.
    Nobody to write to (no address): the claim is released and nothing is marked sent.
    """
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return False
    # Its person's row only: a navigation kept with another person's unread count outlives it (ADR 0069).
    with navcache.writing_rows(Notification._meta.db_table, [notification.user_id]):
        return _claim_and_send(notification)


def _claim_and_send(notification: Notification) -> bool:
    notification_id = notification.pk
    claimed_at = timezone.now()
    free = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale_before(claimed_at))
    if not Notification.objects.filter(free, pk=notification_id, emailed_at__isnull=True).update(
        email_claimed_at=claimed_at
    ):
        return False
    ours = Notification.objects.filter(pk=notification_id, email_claimed_at=claimed_at)
    if not notification.user.email:
        ours.update(email_claimed_at=None)
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = f"[Tandem] {notification.text}"
        body = notification.body
        if notification.link:
            body = f"{body}\n\n{settings.SITE_URL}{notification.link}".strip()
    try:
        send_mail(subject, body or subject, None, [notification.user.email])
    except Exception:
        ours.update(email_claimed_at=None)
        raise
    # Marked sent whoever holds the claim by now: a worker that took it over as stale must not send it again.
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now(), email_claimed_at=None)
    return True


def _send(notification_id: int) -> None:
    # A seam for the fault tests, which send the task to a queue of their own.
    celery_app.send_task(EMAIL_TASK, args=(notification_id,))


def emails_waiting(now: datetime.datetime | None = None) -> list[int]:
    """The notifications whose e-mail is due and not on its way: unsent, unclaimed (or under a stale claim),
    written between ``SWEEP_WINDOW`` and ``SWEEP_AFTER`` ago, to a user with an address; oldest first."""
    now = now or timezone.now()
    free = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale_before(now))
    waiting = (
        Notification.objects.filter(
            free, emailed_at__isnull=True, created_at__lt=now - SWEEP_AFTER, created_at__gte=now - SWEEP_WINDOW
        )
        .exclude(user__email="")
        .order_by("created_at", "pk")
    )
    return list(waiting.values_list("pk", flat=True)[:SWEEP_LIMIT])


def notification_emails_sweep(*, now: datetime.datetime | None = None) -> int:
    """Queue again every e-mail that is due and not on its way (:func:`emails_waiting`); returns how many were
    queued. Safe at any time: the claim of :func:`notification_email_send` sends each e-mail once however many
    messages ask for it."""
    queued = 0
    for pk in emails_waiting(now):
        if not enqueue(functools.partial(_send, pk), what=f"the e-mail of notification {pk}"):
            break  # the broker is still away: the next sweep tries again
        queued += 1
    return queued
