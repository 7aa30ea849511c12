from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Students")

    def ready(self) -> None:
        # Register this app's access rules with the engine (partners.access).
        # What waits for people from this app, on their start page.
        from core import hooks
        from students import access  # noqa: F401
        from students.selectors.inbox import plan_inbox

        hooks.INBOX.register(hooks.InboxSource(key="students", build=plan_inbox, order=10))
