"""Background jobs about training funds: thin shells around the services of the same name, registered as
``funds.<service name>``, safe to run twice."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from funds import selectors
from funds.services import flags

logger = logging.getLogger(__name__)


@shared_task(
    name="funds.flags_refresh",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def flags_refresh(today: str | None = None) -> int:
    """The nightly beat job (02:30 Asia/Shanghai): check every allocation's spending against every rule and
    add the flags that are new (a receipt still missing after 14 days is found here), after checking the
    running totals against the entries. ``today`` (ISO date)
    is for replays. A second run adds nothing. Returns how many flags were added."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    _check_totals()
    return flags.flags_refresh(today=day)


def _check_totals() -> None:
    """The running totals must equal the entries (ADR 0031); a difference is logged as an error, never
    repaired silently (``manage.py fund_totals --rebuild`` repairs it, from the entries)."""
    mismatches = selectors.spending_totals_mismatches()
    if mismatches:
        logger.error(
            "Fund spending totals differ from the ledger in %d place(s), first %r; run manage.py fund_totals --rebuild",
            len(mismatches),
            mismatches[0],
        )
