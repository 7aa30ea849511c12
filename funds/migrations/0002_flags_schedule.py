"""The beat entry of the nightly flag check (02:30 Asia/Shanghai), created through ``core.beat``."""

from django.db import migrations

from core.beat import BeatEntry, beat_entries_operation

ENTRY = BeatEntry(
    name="Fund flags (nightly)",
    task="funds.flags_refresh",
    minute="30",
    hour="2",
    description="Checks every allocation's spending against the fund rules (over budget, receipts missing after "
    "14 days, duplicates, split purchases, ...) and adds the flags that are new.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entries_operation(ENTRY)]
