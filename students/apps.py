from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Students")

    def ready(self) -> None:
        # Register this app's access rules with the engine (partners.access).
        from students import access  # noqa: F401
