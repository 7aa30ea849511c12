from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("Funds")

    def ready(self) -> None:
        # The app's access rules register with the engine (partners.access) when it is imported; its plugs
        # into the lower apps' hooks (draw factor, scorecard block, navigation, start panel) are registered.
        from funds import access, hooks, tasks  # noqa: F401

        hooks.register()
