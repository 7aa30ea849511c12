from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = _("Practice hours")

    def ready(self) -> None:
        # Register this app's access rules with the engine (partners.access).
        # What waits for people from this app, on their start page.
        from core import hooks
        from practice import access  # noqa: F401
        from practice.inbox import practice_inbox

        hooks.INBOX.register(hooks.InboxSource(key="practice", build=practice_inbox, order=20))
