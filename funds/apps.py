from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("Funds")

    def ready(self) -> None:
        # The app's access rules register with the engine (partners.access) when it is imported.
        from funds import access  # noqa: F401
