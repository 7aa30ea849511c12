"""Background tasks shared by every app."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="core.ping", ignore_result=False)
def ping() -> str:
    """Answer ``"pong"``: proves end to end that a worker consumes the broker and writes results.

    Operations send it after a deploy (``celery -A config call core.ping``) and read the result back
    from the result backend; it touches no data, so it is safe to run any number of times.
    """
    return "pong"


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def send_notification_email(self, notification_id: int) -> bool:  # type: ignore[no-untyped-def]
    """E-mail one notification, once (``core.notification_email.notification_email_send``: claimed, sent, then
    marked sent). A mail server that does not answer (``OSError``) is retried in a minute."""
    from core.notification_email import notification_email_send

    try:
        return notification_email_send(notification_id=notification_id)
    except OSError as error:
        raise self.retry(exc=error) from error
