from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Students")

    def ready(self) -> None:
        # Register this app's access rules with the engine (partners.access).
        # A programme's duration may not fall short of the plans that exist (programmes asks, never imports us).
        from programmes.services.setup import PROGRAMME_DURATION_CHECKS
        from students import access  # noqa: F401
        from students.services.programme_checks import duration_exceeded

        if duration_exceeded not in PROGRAMME_DURATION_CHECKS:
            PROGRAMME_DURATION_CHECKS.append(duration_exceeded)

        # The office's start card: programme set-up, placements to move, destinations to record.
        from core import hooks
        from students.selectors.outcomes import office_start_panel

        hooks.START_PANELS.register(
            hooks.StartPanel(
                key="students-office-setup", build=office_start_panel, template="students/_start_panel_office.html"
            )
        )

        # What waits for people from this app, on their start page.
        from students.selectors.inbox import plan_inbox

        hooks.INBOX.register(hooks.InboxSource(key="students", build=plan_inbox, order=10))
