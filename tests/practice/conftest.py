"""Fixtures shared by the practice tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection


@pytest.fixture(params=["rows", "set"])
def bulk_path(request: pytest.FixtureRequest, settings: Any) -> str:
    """Run a bulk-create test through each path: row by row, and set-based (PostgreSQL only); the answers
    must be the same (``practice.services.bulk``)."""
    if request.param == "set" and connection.vendor != "postgresql":
        pytest.skip("the set-based path runs on PostgreSQL only")
    settings.PRACTICE_BULK_SET_BASED = request.param == "set"
    return str(request.param)
