"""Supervision's Celery tasks, one module per job in ``supervision.jobs``; importing them here lets Celery's
autodiscovery register them. Task names are fixed (beat entries and ``supervision.reports.RENDER_TASK``
name them): ``supervision.draw_spot_inspections``, ``supervision.remind_corrective_actions`` and
``supervision.office_overdue_digest`` (beat entries of migration 0003), ``supervision.render_report``, and
``supervision.sweep_reports`` (beat entry of migration 0005)."""

from supervision.jobs import draw, reminders, reports  # noqa: F401
