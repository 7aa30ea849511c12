"""The beat entry of the daily practice reminder job: one entry for the kind of job, at 08:00 Asia/Shanghai.

The schedule lives in django-celery-beat's tables, so operations can change it in the admin; this migration
only creates the default, and leaves an existing entry of the same name as it is (``core.beat``).
"""

from django.db import migrations

from core.beat import BeatEntry, beat_entries_operation

ENTRY = BeatEntry(
    name="Practice reminders (daily)",
    task="practice.tasks.send_practice_reminders",
    minute="0",
    hour="8",
    description="Digest to supervisors of entries pending for more than 3 days; reminder to students "
    "on a placement with no entry for 7 days. Once per person per day.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entries_operation(ENTRY)]
