"""The beat entries of supervision's periodic jobs: the weekly spot-inspection draw (Monday 02:00), the
daily corrective-action reminders (08:00) and the weekly office digest of overdue actions (Monday 08:30),
all Asia/Shanghai.

The schedules live in django-celery-beat's tables, so operations can change them in the admin; this
migration only creates the defaults, and leaves existing entries of the same names as they are.
"""

from django.db import migrations
from django.utils import timezone

ENTRIES = [
    {
        "name": "Spot-inspection draw (weekly)",
        "task": "supervision.draw_spot_inspections",
        "schedule": {"minute": "0", "hour": "2", "day_of_week": "1"},
        "description": "Draws partners for unannounced spot inspections, weighted by risk; once per ISO week.",
    },
    {
        "name": "Corrective-action reminders (daily)",
        "task": "supervision.remind_corrective_actions",
        "schedule": {"minute": "0", "hour": "8", "day_of_week": "*"},
        "description": "Tells owners of corrective actions due within 7 days or overdue; once per person per day.",
    },
    {
        "name": "Overdue corrective actions digest to the office (weekly)",
        "task": "supervision.office_overdue_digest",
        "schedule": {"minute": "30", "hour": "8", "day_of_week": "1"},
        "description": "A weekly digest of overdue corrective actions and unpublished closed inspections.",
    },
]
COMMON = {"day_of_month": "*", "month_of_year": "*", "timezone": "Asia/Shanghai"}


def _beat_changed(apps):
    # The database scheduler reloads its entries when this marker moves (signals do not run in migrations).
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for entry in ENTRIES:
        crontab, _created = CrontabSchedule.objects.get_or_create(**entry["schedule"], **COMMON)
        PeriodicTask.objects.get_or_create(
            name=entry["name"],
            defaults={"task": entry["task"], "crontab": crontab, "enabled": True, "description": entry["description"]},
        )
    _beat_changed(apps)


def remove_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for entry in ENTRIES:
        PeriodicTask.objects.filter(name=entry["name"], task=entry["task"]).delete()
        CrontabSchedule.objects.filter(**entry["schedule"], **COMMON, periodictask__isnull=True).delete()
    _beat_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_draws_reports_publication"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
