from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = _("Practice hours")

    def ready(self) -> None:
        # Register this app's access rules with the engine (partners.access).
        from practice import access  # noqa: F401
