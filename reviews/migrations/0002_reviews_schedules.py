"""The beat entries of internal supervision's periodic jobs (Asia/Shanghai): opening due review rounds
(daily 01:30), escalating unanswered concerns (01:45), review reminders (08:15), agreed-action reminders
(08:20), and the office's weekly digest (Monday 08:40). Existing entries of the same names are kept
(``core.beat``)."""

from django.db import migrations

from core.beat import BeatEntry, beat_entries_operation

ENTRIES = (
    BeatEntry(
        name="Review rounds: open due rounds (daily)",
        task="reviews.rounds_open_due",
        minute="30",
        hour="1",
        description="Opens each due review round once, with its review tasks; closes rounds past their closing day.",
    ),
    BeatEntry(
        name="Concerns: escalate unanswered (daily)",
        task="reviews.concerns_escalate_due",
        minute="45",
        hour="1",
        description="Concerns without a reply in 14 days go to the office.",
    ),
    BeatEntry(
        name="Review reminders (daily)",
        task="reviews.review_reminders_send",
        minute="15",
        hour="8",
        description="Reviewers with reviews due soon or overdue; once per person per day.",
    ),
    BeatEntry(
        name="Agreed-action reminders (daily)",
        task="reviews.meeting_action_reminders_send",
        minute="20",
        hour="8",
        description="Owners of supervision-meeting actions due soon or overdue; once per person per day.",
    ),
    BeatEntry(
        name="Internal reviews digest to the office (weekly)",
        task="reviews.office_digest_send",
        minute="40",
        hour="8",
        day_of_week="1",
        description="Completion of open review rounds by partner and concerns with the office.",
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entries_operation(*ENTRIES)]
