"""The beat entry of the sweep that queues again the quality reports stuck waiting or building (a lost
message, a killed worker): every five minutes. Created through ``core.beat`` like the other entries:
operations can change it in the admin, and an existing entry of the same name is left as it is.
"""

from django.db import migrations

from core.beat import BeatEntry, beat_entries_operation

ENTRY = BeatEntry(
    name="Stuck quality reports (every 5 minutes)",
    task="quality.reports_sweep",
    minute="*/5",
    hour="*",
    description="Queues again the quality reports waiting or building for more than 10 minutes; "
    "gives up (failed, the office told) on one whose build never finished in 5 attempts.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entries_operation(ENTRY)]
