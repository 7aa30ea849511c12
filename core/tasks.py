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
    """E-mail one notification, once: the row is claimed before sending, so a retry never sends twice."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.utils import timezone, translation

    from core.models import Notification

    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    if not notification.user.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = f"[Tandem] {notification.text}"
        body = notification.body
        if notification.link:
            body = f"{body}\n\n{settings.SITE_URL}{notification.link}".strip()
    try:
        send_mail(subject, body or subject, None, [notification.user.email])
    except OSError as error:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise self.retry(exc=error) from error
    return True
