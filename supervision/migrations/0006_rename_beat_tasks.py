"""The beat entries name tasks as ``<app>.<service name>`` (docs/decisions/0012-services-per-topic.md).

``supervision.render_report`` keeps its name: ``supervision.reports`` sends it by that name and no beat entry
names it."""

from django.db import migrations

from core.beat import rename_tasks_operation

RENAMES = {
    "supervision.draw_spot_inspections": "supervision.draw_run_outcome",
    "supervision.remind_corrective_actions": "supervision.action_reminders_send",
    "supervision.office_overdue_digest": "supervision.office_digest_send",
    "supervision.sweep_reports": "supervision.reports_sweep",
}


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0005_report_sweep_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [rename_tasks_operation(RENAMES)]
