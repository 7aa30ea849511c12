from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Register this app's access rules with the engine (partners.access).
        from supervision import access  # noqa: F401

        # Its effects on the apps below it (reviews' concern outcomes).
        from supervision.effects import register

        register()
