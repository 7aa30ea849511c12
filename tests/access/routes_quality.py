"""URL arguments and request bodies for the quality-report routes of the matrix (docs/permissions.md,
"Quality reports").

Object **A** is a report of the world's programme made with the ORM (``tests/quality/helpers_pages.py``):
READY with its full files for the report page, its PDF and publishing; FAILED for retrying; READY and
published (with its public files) for the public pages and API. Bodies are valid for the office, so
allowed means done: a request for last year's report of the world's programme.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quality.models import QualityReportStatus
from tests.conftest import World
from tests.quality.helpers_pages import make_report


def _ready(world: World) -> dict[str, Any]:
    return {"pk": make_report(world.programme).pk}


def _failed(world: World) -> dict[str, Any]:
    return {"pk": make_report(world.programme, status=QualityReportStatus.FAILED).pk}


def _published(world: World) -> dict[str, Any]:
    return {"pk": make_report(world.programme, published_by=world.users["office"]).pk}


def _public(world: World, **extra: Any) -> dict[str, Any]:
    return {"code": world.programme.code, **_published(world), **extra}


def _request(world: World) -> dict[str, Any]:
    return {"programme": world.programme.pk, "year": 2025}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "quality:report": _ready,
    "quality:report-pdf": lambda w: {**_ready(w), "variant": "full", "language": "en"},
    "quality:report-retry": _failed,
    "quality:report-publish": _ready,
    "public-quality:reports": lambda w: {"code": _public(w)["code"]},
    "public-quality:report": _public,
    "public-quality:report-pdf": lambda w: _public(w, language="en"),
    "api:quality-report-detail": _ready,
    "api:quality-report-pdf": _ready,
    "api:quality-report-publish": _ready,
    "api:quality-report-retry": _failed,
    "api:public-quality-report-detail": _published,
    "api:public-quality-report-pdf": _published,
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "quality:report-new": _request,
    "api:quality-report-list": _request,
}
