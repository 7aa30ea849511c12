"""The index of the e-mails not sent yet, and the beat entry of their sweep (every five minutes): e-mails
whose message never reached the broker are queued again (core.services.notification_email)."""

from django.db import migrations, models

from core.beat import BeatEntry, beat_entries_operation

ENTRY = BeatEntry(
    name="Unsent notification e-mails (every 5 minutes)",
    task="core.notification_emails_sweep",
    minute="*/5",
    hour="*",
    description="Queues again the notification e-mails still unsent 5 minutes after they were written "
    "(the broker was away); each is sent once.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_notification_email_claim"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("emailed_at__isnull", True)),
                fields=["created_at"],
                name="notification_unsent_idx",
            ),
        ),
        beat_entries_operation(ENTRY),
    ]
