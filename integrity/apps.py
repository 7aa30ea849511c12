from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("Academic integrity")

    def ready(self) -> None:
        # The app's access rules register with the engine (partners.access) when it is imported.
        from integrity import access  # noqa: F401
