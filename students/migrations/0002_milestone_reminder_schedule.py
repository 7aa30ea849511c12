"""The beat entry of the daily milestone reminder job: one entry for the kind of job, at 07:00 Asia/Shanghai.

The schedule lives in django-celery-beat's tables, so operations can change it in the admin; this migration
only creates the default, and leaves an existing entry of the same name as it is (``core.beat``).
"""

from django.db import migrations

from core.beat import BeatEntry, beat_entries_operation

ENTRY = BeatEntry(
    name="Milestone reminders (daily)",
    task="students.tasks.send_milestone_reminders",
    minute="0",
    hour="7",
    description="Remind students and tutors of milestones due within 14 days, once per person per day.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entries_operation(ENTRY)]
