"""Development on one machine: ``make run``. Debug pages, console e-mail, SQLite and a filesystem broker."""

from config.env import env_bool

from .base import *  # noqa: F403

ENVIRONMENT = "local"

DEBUG = env_bool("DEBUG", True)

# One cache for the web server, the worker and beat (``make run`` starts all three): the navigation and the
# hot pages are kept between writes (ADRs 0051, 0055), and a write the worker makes (a spot draw, say) must end
# what the web server keeps. A folder under var/, like the database and the broker: nothing to install.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
