from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        # The app's access rules register with the engine (partners.access) when it is imported.
        from projects import access  # noqa: F401
