"""The beat entry of the daily practice reminder job: one entry for the kind of job, at 08:00 Asia/Shanghai.

The schedule lives in django-celery-beat's tables, so operations can change it in the admin; this migration
only creates the default, and leaves an existing entry of the same name as it is.
"""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "Practice reminders (daily)"
TASK = "practice.tasks.send_practice_reminders"
SCHEDULE = {
    "minute": "0",
    "hour": "8",
    "day_of_week": "*",
    "day_of_month": "*",
    "month_of_year": "*",
    "timezone": "Asia/Shanghai",
}


def _beat_changed(apps):
    # The database scheduler reloads its entries when this marker moves (signals do not run in migrations).
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _created = CrontabSchedule.objects.get_or_create(**SCHEDULE)
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "crontab": crontab,
            "enabled": True,
            "description": "Digest to supervisors of entries pending for more than 3 days; reminder to students "
            "on a placement with no entry for 7 days. Once per person per day.",
        },
    )
    _beat_changed(apps)


def remove_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME, task=TASK).delete()
    CrontabSchedule.objects.filter(**SCHEDULE, periodictask__isnull=True).delete()
    _beat_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
