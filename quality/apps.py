from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Programme quality")

    def ready(self) -> None:
        # The app's access rules register with the engine (partners.access) when it is imported.
        from django.db import connections
        from django.db.backends.signals import connection_created

        from core import hooks
        from partners.access import is_office
        from quality import access  # noqa: F401
        from quality.indicators._aggregates import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="quality-sqlite-functions")
        # A connection opened before the app was ready (management commands, the test runner) gets them too.
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                register_sqlite_functions(sender=None, connection=connection)

        # The office's link to its quality reports in the main navigation (core.hooks.NAV_ITEMS).
        hooks.NAV_ITEMS.register(
            hooks.NavItem(key="quality", label=_("Quality reports"), url_name="quality:reports", visible=is_office)
        )
