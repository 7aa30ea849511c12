from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Internal supervision")

    def ready(self) -> None:
        # The app's access rules register with the engine (partners.access) when it is imported.
        from reviews import access  # noqa: F401
