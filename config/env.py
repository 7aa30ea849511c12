"""Typed readers for environment variables.

Every setting that comes from the environment goes through one of these helpers, so a typo such as
``DEBUG=ture`` or ``SESSION_IDLE_MINUTES=ten`` stops the process at start-up with a message naming the
variable, instead of silently falling back to a default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ


class ImproperEnvironment(Exception):
    """Raised when an environment variable is missing or cannot be parsed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_MISSING: Any = object()


def _raw(name: str, default: Any) -> str | Any:
    value = os.environ.get(name)
    if value is None:
        if default is _MISSING:
            raise ImproperEnvironment(f"Environment variable {name} is required but not set.")
        return default
    return value


def env_str(name: str, default: str = _MISSING) -> str:
    """A string variable; required when no default is given."""
    return str(_raw(name, default))


def env_bool(name: str, default: bool = _MISSING) -> bool:
    """A boolean: 1/true/yes/on or 0/false/no/off (any case). Anything else is an error."""
    value = _raw(name, default)
    if isinstance(value, bool):
        return value
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperEnvironment(f"Environment variable {name}={value!r} is not a boolean (use true or false).")


def env_int(name: str, default: int = _MISSING, *, minimum: int | None = None) -> int:
    """An integer, optionally bounded below."""
    value = _raw(name, default)
    if isinstance(value, int):
        result = value
    else:
        try:
            result = int(value.strip())
        except ValueError:
            raise ImproperEnvironment(f"Environment variable {name}={value!r} is not an integer.") from None
    if minimum is not None and result < minimum:
        raise ImproperEnvironment(f"Environment variable {name}={result} must be at least {minimum}.")
    return result


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    value = _raw(name, None)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict[str, Any]:
    """A database URL (``sqlite:///path``, ``postgres://user@host:5432/name``) as Django's DATABASES entry."""
    url = env_str(name, default)
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperEnvironment(
            f"Environment variable {name} has unsupported scheme {scheme!r}: use sqlite:// or postgres://."
        )
    config: dict[str, Any] = environ.Env.db_url_config(url)
    return config


def env_broker(name: str, default: str) -> str:
    """A Celery broker URL: ``filesystem://``, ``redis://`` or ``memory://``."""
    url = env_str(name, default)
    scheme = urlsplit(url).scheme
    if scheme not in {"filesystem", "redis", "rediss", "memory"}:
        raise ImproperEnvironment(
            f"Environment variable {name} has unsupported scheme {scheme!r}: use filesystem://, redis:// or memory://."
        )
    return url


def filesystem_broker_options(folder: Path) -> dict[str, Any]:
    """The ``filesystem://`` broker's transport options for a broker kept in ``folder`` (``make run``'s, a test
    run's, a test's own): messages in ``queue``, the worker's control in ``control``, nothing kept once done."""
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """One of a fixed set of values (compared case-sensitively)."""
    value = env_str(name, default)
    if value not in choices:
        raise ImproperEnvironment(f"Environment variable {name}={value!r} must be one of: {', '.join(choices)}.")
    return value
