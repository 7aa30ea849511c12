from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CurriculumConfig(AppConfig):
    name = "curriculum"
    verbose_name = _("Curriculum")

    def ready(self) -> None:
        # The app's access rules register with the engine (partners.access) when it is imported.
        from curriculum import access  # noqa: F401
