"""The beat entry of the daily retention job: closed cases (and old check-ins) past the retention period are
destroyed at 03:30 Asia/Shanghai, leaving anonymous counts only (``wellbeing.services.retention``)."""

from django.db import migrations

from core.beat import BeatEntry, beat_entries_operation

ENTRY = BeatEntry(
    name="Wellbeing records retention (daily)",
    task="wellbeing.wellbeing_records_destroy",
    minute="30",
    hour="3",
    description="Destroys closed counselling cases and check-ins older than WELLBEING_RETENTION_DAYS; "
    "anonymous counts stay.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("wellbeing", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entries_operation(ENTRY)]
