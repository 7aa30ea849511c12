"""Publishing inspection results, and the reads behind the public pages and API.

The office publishes a closed inspection: it becomes PUBLISHED, its summary is stored redacted, and a
public (redacted) report is rendered in English and in Chinese. The public pages read only through
:func:`published_inspections`, which never returns anything not published; a planned, started or
closed inspection stays a 404 there for everybody, the office included.

Results should be published in good time: a closed inspection not published once ``PUBLICATION_DAYS``
full days have passed since its closing is overdue. That rule is written once, twice over:
:func:`is_publication_overdue` for a number of days, :func:`publication_overdue` for the query; every
page that flags lateness (the queue, the report and publish pages, the public list) uses one of them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.services.notifications import notify
from core.validation import refuse
from partners import access
from partners.models import Membership, MembershipRole
from supervision.models import (
    ChecklistResult,
    Inspection,
    InspectionReport,
    InspectionStatus,
    ReportStatus,
    ReportVariant,
)
from supervision.reports import AspectSummary, redact, report_request, summarise_aspects

#: Days from closing within which results should be published.
PUBLICATION_DAYS = 14
#: The languages a public report is rendered in, the first being the fallback.
PUBLIC_LANGUAGES: tuple[str, ...] = ("en", "zh-hans")
#: Longest public summary accepted.
SUMMARY_MAX = 4000


def _refuse(field: str, message: str, code: str = "invalid") -> ValidationError:
    return refuse(field, code, message)


@transaction.atomic
def inspection_publish(*, inspection: Inspection, by: User, summary: str = "") -> Inspection:
    """Publish a closed inspection (office): PUBLISHED now, by ``by``, with ``summary`` stored redacted,
    a public report requested per language, and the target partner's coordinators told."""
    access.require(by, "publish", inspection)
    # The inspection's row only, not the partner's joined to it (a FOR UPDATE of both would block other work
    # on the partner for the whole publication).
    inspection = (
        Inspection.objects.select_for_update(of=("self",)).select_related("target_partner").get(pk=inspection.pk)
    )
    if inspection.status != InspectionStatus.CLOSED:
        raise _refuse("status", _("Only a closed inspection can be published."), "not_closed")
    if len(summary) > SUMMARY_MAX:
        raise _refuse("summary", _("Keep the summary under %(max)d characters.") % {"max": SUMMARY_MAX}, "too_long")
    inspection.status = InspectionStatus.PUBLISHED
    inspection.published_at = timezone.now()
    inspection.published_by = by
    inspection.public_summary = redact(summary.strip(), inspection)
    inspection.save(update_fields=["status", "published_at", "published_by", "public_summary"])
    for language in PUBLIC_LANGUAGES:
        report_request(inspection=inspection, variant=ReportVariant.PUBLIC, by=by, language=language)
    coordinators = User.objects.filter(
        pk__in=Membership.objects.active()
        .filter(partner=inspection.target_partner, role=MembershipRole.COORDINATOR)
        .values("user_id")
    ).order_by("pk")
    notify(
        users=coordinators,
        kind="inspection_published",
        subject=gettext_noop("The results of the inspection of %(partner)s are published."),
        params={"partner": inspection.target_partner.name},
        link=reverse("public:inspection-detail", args=[inspection.pk]),
        dedup_key=f"inspection-published-{inspection.pk}",
    )
    return inspection


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def days_since(moment: datetime.datetime | None, today: datetime.date | None = None) -> int | None:
    """Whole days from ``moment`` to ``today`` (local dates)."""
    if moment is None:
        return None
    return ((today or timezone.localdate()) - timezone.localdate(moment)).days


def is_publication_overdue(days: int | None) -> bool:
    """Whether results ``days`` whole days after closing (:func:`days_since`) are late: 14 full days have
    passed (``days >= PUBLICATION_DAYS``). For a published inspection, pass its days to publication: it
    was late if it was overdue on the day it was published. None (not closed) is never overdue."""
    return days is not None and days >= PUBLICATION_DAYS


def publication_overdue(today: datetime.date | None = None) -> QuerySet[Inspection]:
    """Closed inspections, not published, that are overdue on ``today``: closed ``PUBLICATION_DAYS`` or more
    days before it (the query form of :func:`is_publication_overdue`)."""
    day = today or timezone.localdate()
    # Overdue when today - closing day >= PUBLICATION_DAYS, i.e. closed before the start of the day after
    # (today - PUBLICATION_DAYS).
    limit = _day_start(day - datetime.timedelta(days=PUBLICATION_DAYS - 1))
    return Inspection.objects.filter(status=InspectionStatus.CLOSED, closed_at__lt=limit)


def publication_queue(*, user: User) -> QuerySet[Inspection]:
    """Closed inspections awaiting publication, the longest waiting first, for those who may publish (the
    office); empty for everyone else."""
    inspections = Inspection.objects.filter(status=InspectionStatus.CLOSED)
    return (
        access.scope(inspections, user, "publish")
        .select_related("target_partner", "target_site", "target_placement__site")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=InspectionReport.objects.filter(variant=ReportVariant.FULL).defer("html").order_by("-version"),
                to_attr="full_reports",
            )
        )
        .order_by("closed_at", "pk")
    )


def published_inspections() -> QuerySet[Inspection]:
    """Published inspections, newest first, each with its READY public reports (newest version first) in
    ``public_reports``: a constant number of queries however many there are. The only read of the public
    pages and API."""
    return (
        Inspection.objects.filter(status=InspectionStatus.PUBLISHED, published_at__isnull=False)
        .select_related("target_partner", "target_site", "target_placement__site")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=InspectionReport.objects.filter(variant=ReportVariant.PUBLIC, status=ReportStatus.READY)
                .defer("html")
                .order_by("-version"),
                to_attr="public_reports",
            )
        )
        .order_by("-published_at", "-pk")
    )


def public_report(inspection: Inspection, language: str | None) -> InspectionReport | None:
    """The newest READY public report of a published inspection in ``language``, else in English, else
    in any language; None while none is ready."""
    reports = list(
        InspectionReport.objects.filter(
            inspection=inspection,
            inspection__status=InspectionStatus.PUBLISHED,
            variant=ReportVariant.PUBLIC,
            status=ReportStatus.READY,
        ).order_by("-version")
    )
    for wanted in (language, PUBLIC_LANGUAGES[0]):
        for report in reports:
            if report.language == wanted:
                return report
    return reports[0] if reports else None


def aspect_counts(inspection_ids: Iterable[int]) -> dict[int, list[AspectSummary]]:
    """Checklist results per aspect and rating for each inspection, in one query."""
    ids = list(inspection_ids)
    rows: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    if ids:
        counted = (
            ChecklistResult.objects.filter(inspection_id__in=ids)
            .values("inspection_id", "item__aspect", "rating")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in counted:
            rows[row["inspection_id"]].append((row["item__aspect"], row["rating"], row["n"]))
    return {pk: summarise_aspects(rows.get(pk, [])) for pk in ids}
