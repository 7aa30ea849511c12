from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Programme quality")

    def ready(self) -> None:
        # The app's access rules register with the engine (partners.access) when it is imported.
        from core import hooks
        from partners.access import is_office
        from quality import access  # noqa: F401

        # The office's link to its quality reports in the main navigation (core.hooks.NAV_ITEMS).
        hooks.NAV_ITEMS.register(
            hooks.NavItem(key="quality", label=_("Quality reports"), url_name="quality:reports", visible=is_office)
        )
