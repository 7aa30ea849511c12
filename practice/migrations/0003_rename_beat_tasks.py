"""The beat entries name tasks as ``<app>.<service name>`` (docs/decisions/0012-services-per-topic.md)."""

from django.db import migrations

from core.beat import rename_tasks_operation

RENAMES = {
    "practice.tasks.send_practice_reminders": "practice.practice_reminders_send",
}


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0002_practice_reminder_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [rename_tasks_operation(RENAMES)]
