from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("Academic integrity")

    def ready(self) -> None:
        # The app's access rules register with the engine (partners.access) when it is imported; its effects
        # on the apps below plug into core.hooks.
        from integrity import access, effects  # noqa: F401

        effects.register()
