from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Programme quality")

    def ready(self) -> None:
        # The app's access rules register with the engine (partners.access) when it is imported.
        from quality import access  # noqa: F401
