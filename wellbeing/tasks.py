"""Background jobs of the psychological service: thin shells around the services of the same name,
registered as ``wellbeing.<service name>``, safe to run twice. Task arguments and results carry no
content of anyone's record."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from wellbeing.services import retention


@shared_task(
    name="wellbeing.wellbeing_records_destroy",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def wellbeing_records_destroy() -> dict[str, int]:
    """The daily beat job: destroy what is past the retention period. Returns how many of each went."""
    destroyed = retention.wellbeing_records_destroy()
    return {"cases": destroyed.cases, "check_ins": destroyed.check_ins}
