"""The beat entries of supervision's periodic jobs: the weekly spot-inspection draw (Monday 02:00), the
daily corrective-action reminders (08:00) and the weekly office digest of overdue actions (Monday 08:30),
all Asia/Shanghai.

The schedules live in django-celery-beat's tables, so operations can change them in the admin; this
migration only creates the defaults, and leaves existing entries of the same names as they are
(``core.beat``).
"""

from django.db import migrations

from core.beat import BeatEntry, beat_entries_operation

ENTRIES = (
    BeatEntry(
        name="Spot-inspection draw (weekly)",
        task="supervision.draw_spot_inspections",
        minute="0",
        hour="2",
        day_of_week="1",
        description="Draws partners for unannounced spot inspections, weighted by risk; once per ISO week.",
    ),
    BeatEntry(
        name="Corrective-action reminders (daily)",
        task="supervision.remind_corrective_actions",
        minute="0",
        hour="8",
        day_of_week="*",
        description="Tells owners of corrective actions due within 7 days or overdue; once per person per day.",
    ),
    BeatEntry(
        name="Overdue corrective actions digest to the office (weekly)",
        task="supervision.office_overdue_digest",
        minute="30",
        hour="8",
        day_of_week="1",
        description="A weekly digest of overdue corrective actions and unpublished closed inspections.",
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_draws_reports_publication"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entries_operation(*ENTRIES)]
