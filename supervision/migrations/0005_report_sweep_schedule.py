"""The beat entry of the sweep that queues again the inspection reports stuck waiting or rendering (a lost
message, a killed worker): every five minutes.

Created through ``core.beat`` like the other entries: operations can change it in the admin, and an existing
entry of the same name is left as it is.
"""

from django.db import migrations

from core.beat import BeatEntry, beat_entries_operation

ENTRY = BeatEntry(
    name="Stuck inspection reports (every 5 minutes)",
    task="supervision.sweep_reports",
    minute="*/5",
    hour="*",
    description="Queues again the inspection reports waiting or rendering for more than 10 minutes; "
    "gives up (failed, the office told) on one whose render never finished in 5 attempts.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_report_render_claims"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entries_operation(ENTRY)]
