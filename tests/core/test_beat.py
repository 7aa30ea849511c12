"""core.beat: the one helper the data migrations use to create their django-celery-beat entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django_celery_beat.models import CrontabSchedule, PeriodicTask, PeriodicTasks

from core.beat import BeatEntry, create_entries, remove_entries

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db

ENTRY = BeatEntry(name="Test job (hourly)", task="tests.job", description="A test job.", minute="7", hour="*")
OTHER = BeatEntry(name="Other test job", task="tests.other", description="Shares the crontab.", minute="7", hour="*")


def test_create_makes_the_entry_with_its_crontab_in_shanghai_and_tells_the_scheduler() -> None:
    create_entries(apps, entries=(ENTRY,))

    task = PeriodicTask.objects.get(name=ENTRY.name)
    assert (task.task, task.enabled, task.description) == ("tests.job", True, "A test job.")
    assert task.crontab is not None
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("7", "*", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    assert PeriodicTasks.objects.filter(ident=1).exists()


def test_create_again_keeps_an_entry_edited_in_the_admin() -> None:
    create_entries(apps, entries=(ENTRY,))
    PeriodicTask.objects.filter(name=ENTRY.name).update(enabled=False, description="Edited.")

    create_entries(apps, entries=(ENTRY,))

    assert list(PeriodicTask.objects.filter(name=ENTRY.name).values_list("enabled", "description")) == [
        (False, "Edited.")
    ]


def test_remove_deletes_its_entry_and_keeps_a_crontab_another_entry_uses() -> None:
    create_entries(apps, entries=(ENTRY, OTHER))

    remove_entries(apps, entries=(ENTRY,))

    assert not PeriodicTask.objects.filter(name=ENTRY.name).exists()
    assert CrontabSchedule.objects.filter(minute="7", hour="*", periodictask__name=OTHER.name).exists()
    remove_entries(apps, entries=(OTHER,))
    assert not CrontabSchedule.objects.filter(minute="7", hour="*", day_of_week="*").exists()


def test_data_migrations_create_beat_entries_through_core_beat_only() -> None:
    """The helper once repeated in the apps' migrations lives in core.beat: no migration touches the
    beat models itself, and each migration that makes beat entries calls the helper."""
    migrations = sorted(ROOT.glob("*/migrations/0*.py"))
    own_code = [str(p.relative_to(ROOT)) for p in migrations if "CrontabSchedule" in p.read_text(encoding="utf-8")]
    users = {p.relative_to(ROOT).parts[0] for p in migrations if "beat_entries_operation" in p.read_text("utf-8")}

    assert own_code == []
    assert {"students", "practice", "supervision"} <= users
