from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WellbeingConfig(AppConfig):
    name = "wellbeing"
    verbose_name = _("Wellbeing")

    def ready(self) -> None:
        # The app's access rules register with the engine (partners.access) when it is imported.
        from wellbeing import access  # noqa: F401
