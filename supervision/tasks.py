"""Supervision's Celery tasks, one module per job in ``supervision.jobs``; importing them here lets Celery's
autodiscovery register them. Task names are fixed (the beat entries in migration 0003 name them):
``supervision.draw_spot_inspections``, ``supervision.render_report``,
``supervision.remind_corrective_actions`` and ``supervision.office_overdue_digest``."""

from supervision.jobs import draw, reminders, reports  # noqa: F401
