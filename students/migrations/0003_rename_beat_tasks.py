"""The beat entries name tasks as ``<app>.<service name>`` (docs/decisions/0012-services-per-topic.md)."""

from django.db import migrations

from core.beat import rename_tasks_operation

RENAMES = {
    "students.tasks.send_milestone_reminders": "students.milestone_reminders_send",
}


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0002_milestone_reminder_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [rename_tasks_operation(RENAMES)]
