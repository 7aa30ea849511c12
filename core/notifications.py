"""Moved to ``core.services.notifications`` (docs/decisions/0012-services-per-topic.md).

Kept only for ``supervision/reports.py``, which is being split in parallel; import
``core.services.notifications`` in new code, and delete this module once nothing imports it.
"""

from core.services.notifications import notify

__all__ = ["notify"]
