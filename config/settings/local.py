"""Development on one machine: ``make run``. Debug pages, console e-mail, SQLite and a filesystem broker."""

from config.env import env_bool

from .base import *  # noqa: F403

ENVIRONMENT = "local"

DEBUG = env_bool("DEBUG", True)
