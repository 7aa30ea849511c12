"""Default entries of django-celery-beat's schedule, created by the data migrations of the apps that own the jobs.

Periodic work has one beat entry per kind of job (see ``config/celery.py``). Each app creates its entries'
defaults in a data migration, so operations can then change a schedule in the admin; this module is the one
place that knows how: a migration lists its ``BeatEntry`` rows and runs ``beat_entries_operation``::

    ENTRIES = (BeatEntry(name="Practice reminders (daily)", task="practice.practice_reminders_send",
                         description="...", minute="0", hour="8"),)
    operations = [beat_entries_operation(*ENTRIES)]

Creating leaves an existing entry of the same name as it is (an edited schedule is kept); reversing removes
the entries of those names and tasks, and their crontabs when no other entry uses them. A task renamed in
code is renamed in the entries by ``rename_tasks_operation({old: new})`` (reversible, schedules kept). The
functions take the migration's ``apps`` (historical models), never the models themselves.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db import migrations
from django.utils import timezone

#: The zone the project's default schedules are written in.
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class BeatEntry:
    """One periodic task and its crontab (fields as django-celery-beat's ``CrontabSchedule``)."""

    name: str
    task: str
    description: str
    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    timezone: str = DEFAULT_TIMEZONE

    @property
    def crontab(self) -> dict[str, str]:
        return {
            "minute": self.minute,
            "hour": self.hour,
            "day_of_week": self.day_of_week,
            "day_of_month": self.day_of_month,
            "month_of_year": self.month_of_year,
            "timezone": self.timezone,
        }


def beat_changed(apps: Any) -> None:
    """Tell the database scheduler to reload its entries (signals do not run in migrations)."""
    periodic_tasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    periodic_tasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def create_entries(apps: Any, schema_editor: Any = None, *, entries: tuple[BeatEntry, ...]) -> None:
    """Create each entry unless one of its name exists (that one is kept as it is, edits included)."""
    crontab_schedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    for entry in entries:
        crontab, _created = crontab_schedule.objects.get_or_create(**entry.crontab)
        periodic_task.objects.get_or_create(
            name=entry.name,
            defaults={"task": entry.task, "crontab": crontab, "enabled": True, "description": entry.description},
        )
    beat_changed(apps)


def remove_entries(apps: Any, schema_editor: Any = None, *, entries: tuple[BeatEntry, ...]) -> None:
    """Remove the entries of these names and tasks, and their crontabs once nothing else uses them."""
    crontab_schedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    for entry in entries:
        periodic_task.objects.filter(name=entry.name, task=entry.task).delete()
        crontab_schedule.objects.filter(**entry.crontab, periodictask__isnull=True).delete()
    beat_changed(apps)


def beat_entries_operation(*entries: BeatEntry) -> migrations.RunPython:
    """The migration operation that creates ``entries`` (and removes them when migrated backwards)."""
    return migrations.RunPython(
        functools.partial(create_entries, entries=entries),
        functools.partial(remove_entries, entries=entries),
    )


def rename_tasks(apps: Any, schema_editor: Any = None, *, renames: dict[str, str]) -> None:
    """Point every entry that names an old task (a key of ``renames``) at its new name."""
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new in renames.items():
        periodic_task.objects.filter(task=old).update(task=new)
    beat_changed(apps)


def rename_tasks_operation(renames: dict[str, str]) -> migrations.RunPython:
    """The migration operation that renames the entries' tasks (``{old: new}``), and back when reversed."""
    return migrations.RunPython(
        functools.partial(rename_tasks, renames=renames),
        functools.partial(rename_tasks, renames={new: old for old, new in renames.items()}),
    )
