"""The beat entry of the sweep that queues again the originality checks stuck waiting or running (a lost
message, a killed worker): every five minutes, through ``core.beat`` like the other entries."""

from django.db import migrations

from core.beat import BeatEntry, beat_entries_operation

ENTRY = BeatEntry(
    name="Stuck originality checks (every 5 minutes)",
    task="integrity.checks_sweep",
    minute="*/5",
    hour="*",
    description="Queues again the originality checks waiting or running for more than 10 minutes.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("integrity", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entries_operation(ENTRY)]
