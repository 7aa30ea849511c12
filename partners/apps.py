from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        # The access engine, with the rules of partners' own models (and core's notifications).
        from partners import access  # noqa: F401
