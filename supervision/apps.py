from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Register this app's access rules with the engine (partners.access), and what waits for a person
        # on the start page and behind the navigation's badges.
        from core import hooks
        from supervision import access  # noqa: F401

        # Its effects on the apps below it (reviews' concern outcomes).
        from supervision.effects import register
        from supervision.inbox import supervision_inbox

        register()

        hooks.INBOX.register(hooks.InboxSource(key="supervision", build=supervision_inbox, order=30))
