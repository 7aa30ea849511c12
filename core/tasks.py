"""Background tasks shared by every app.

A task shares its service's name and is registered as ``<app>.<service name>`` (docs/decisions/0012);
it receives ids, is safe to run twice, and retries with backoff on transient errors only.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from core.services import notification_email


@shared_task(name="core.ping", ignore_result=False)
def ping() -> str:
    """Answer ``"pong"``: proves end to end that a worker consumes the broker and writes results.

    Operations send it after a deploy (``celery -A config call core.ping``) and read the result back
    from the result backend; it touches no data, so it is safe to run any number of times.
    """
    return "pong"


@shared_task(
    name=notification_email.EMAIL_TASK,
    acks_late=True,
    # A mail server or database that does not answer (OSError covers ConnectionError and timeouts).
    autoretry_for=(OSError, OperationalError),
    retry_backoff=60,
    retry_backoff_max=300,
    max_retries=5,
)
def notification_email_send(notification_id: int) -> bool:
    """E-mail one notification, once (``core.services.notification_email.notification_email_send``: claimed, sent,
    then marked sent). A transient failure is retried after one minute, then two, four, at most five."""
    return notification_email.notification_email_send(notification_id=notification_id)


@shared_task(name="core.notification_emails_sweep", acks_late=True, autoretry_for=(OperationalError,), max_retries=3)
def notification_emails_sweep() -> int:
    """Queue again the e-mails still unsent five minutes after their notification was written (a broker away
    when it was written, a message lost): ``core.services.notification_email.notification_emails_sweep``.
    Returns how many were queued; each is sent once, whatever the number of messages (the claim)."""
    return notification_email.notification_emails_sweep()
