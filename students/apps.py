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
