"""Sending a notification's e-mail: claimed, sent, then marked sent.

``core.services.notifications.notify`` queues the task ``core.tasks.notification_email_send`` after commit; the task
is a thin shell around :func:`notification_email_send`. This module imports neither of them, so the imports
go one way (``notifications`` -> ``tasks`` -> ``notification_email``).

A worker killed between the claim and the mark leaves the e-mail unsent with a claim that goes stale
(``core.claims``), so the redelivered message sends it. The price is "at least once": a worker killed after
the mail server took the e-mail but before the mark sends it a second time.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone, translation

from core.claims import stale_before
from core.models import Notification


def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one notification, once; ``True`` when this call sent it.

    Claims the e-mail with a conditional update first (not sent yet, and not claimed, or claimed so long
    ago that the claimer is dead), so a second delivery while the first is sending sends nothing. Marks it
    sent only after the mail server took it. A send that raises releases the claim and raises again (the
    task retries the transient errors): the notification stays unsent, and the next attempt sends it.
    Nobody to write to (no address): the claim is released and nothing is marked sent.
    """
    claimed_at = timezone.now()
    free = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale_before(claimed_at))
    if not Notification.objects.filter(free, pk=notification_id, emailed_at__isnull=True).update(
        email_claimed_at=claimed_at
    ):
        return False
    ours = Notification.objects.filter(pk=notification_id, email_claimed_at=claimed_at)
    notification = Notification.objects.select_related("user").get(pk=notification_id)
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
