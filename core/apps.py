from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core import checks, navcache  # noqa: F401  (checks registers the system checks)
        from core.middleware import mark_seen_at_login

        user_logged_in.connect(mark_seen_at_login, dispatch_uid="core.mark_seen_at_login")
        navcache.connect()  # writes end the navigation kept in the cache
