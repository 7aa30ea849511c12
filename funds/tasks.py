"""Background jobs about training funds: thin shells around the services of the same name, registered as
``funds.<service name>``, safe to run twice."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from funds.services import flags


@shared_task(
    name="funds.flags_refresh",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def flags_refresh(today: str | None = None) -> int:
    """The nightly beat job (02:30 Asia/Shanghai): check every allocation's spending against every rule and
    add the flags that are new (a receipt still missing after 14 days is found here). ``today`` (ISO date)
    is for replays. A second run adds nothing. Returns how many flags were added."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return flags.flags_refresh(today=day)
