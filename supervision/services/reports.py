"""Requesting and rendering reports: the frozen render of one version, its claim, retries and the sweep.

A report is rendered once per version by the Celery task ``supervision.render_report`` (see
``supervision.tasks``), sent by name (``RENDER_TASK``): the task module imports this package, never
the other way round. It renders the page (HTML, kept in the row) and the PDF (a file named after the
inspection, variant and version plus a random part, with its SHA-256). A READY version is never rendered again: a new
version is a new row and a new file, so a downloaded PDF can always be checked against its hash.

The PDF bytes are stable: the same report renders to the same bytes (WeasyPrint writes no clock time
when the document gives ``dcterms.created``/``dcterms.modified``; both come from the report's
``requested_at``), and "overdue" is judged as of that day too, not as of the render.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import PlatformRole
from config.celery import app as celery_app
from core.claims import stale_before
from core.pdf import render_pdf
from core.queueing import enqueue
from core.services.notifications import notify
from partners import access
from supervision.models import (
    REPORT_STUCK_AFTER,
    Inspection,
    InspectionReport,
    ReportStatus,
    ReportVariant,
    report_stuck_q,
)
from supervision.reports.context import report_context

logger = logging.getLogger("tandem.supervision.reports")

PAGE_TEMPLATE = "supervision/reports/_report_body.html"
PDF_TEMPLATE = "supervision/reports/pdf.html"
#: Longest error text kept on a failed report (the class and the start of the message).
ERROR_MAX = 500


#: The Celery task that renders a report (``supervision.tasks.report_render``), sent by name: the task
#: module imports this one, never the other way round.
RENDER_TASK = "supervision.render_report"
#: A render claimed this many times without finishing (its worker killed each time: out of memory, a hung
#: PDF engine) is given up on by the sweep (FAILED, the office told) rather than queued again for ever.
MAX_ATTEMPTS = 5


def _refuse(field_name: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field_name: [ValidationError(message, code=code)]})


def _mark_failed(report_id: int, text: str, *, claimed_at: datetime.datetime | None = None) -> None:
    """Record a failed render (status, error text), in its own transaction, and tell the office (only it
    sees the error text and can retry). With ``claimed_at``: only while that claim still holds the render
    (a claim taken over as stale is the other worker's to finish); without: only while it waits."""
    reports = InspectionReport.objects.filter(pk=report_id)
    if claimed_at is not None:
        reports = reports.filter(status=ReportStatus.RENDERING, claimed_at=claimed_at)
    else:
        reports = reports.filter(status=ReportStatus.PENDING)
    if reports.update(status=ReportStatus.FAILED, error=text[:ERROR_MAX]):
        _tell_office_failed(report_id)


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX]


def _tell_office_failed(report_id: int) -> None:
    """Notify the office users that a report could not be rendered: once per report (the dedup key), so
    the task's automatic retries and later failures of the same version do not repeat it.

    Never raises: this runs while handling a failure (possibly a broker or database that went away), and
    the failure recorded on the report matters more than the message about it.
    """
    try:
        report = InspectionReport.objects.select_related("inspection__target_partner").get(pk=report_id)
        office = access.users_with_platform_role(PlatformRole.OFFICE).order_by("pk")
        notify(
            users=office,
            kind="inspection_report_failed",
            subject=gettext_noop("A report of the inspection of %(partner)s could not be rendered."),
            params={"partner": report.inspection.target_partner.name},
            link=reverse("supervision:report", args=[report.inspection_id]),
            dedup_key=f"inspection-report-failed-{report_id}",
        )
    except Exception:
        logger.exception("could not tell the office that report %s failed", report_id)


def _send(report_id: int) -> None:
    # A seam for the fault tests, which send the task to a queue of their own.
    celery_app.send_task(RENDER_TASK, args=(report_id,))


def _enqueue(report_id: int) -> None:
    """Hand the render to the worker. A broker that is down or does not answer costs seconds and leaves the
    report PENDING (``core.queueing``): the sweep (:func:`reports_sweep`) queues it once the broker is back."""
    enqueue(lambda: _send(report_id), what=f"the render of report {report_id}")


def _sender(report_id: int) -> Callable[[], None]:
    # A seam for the worker test, which sends the task to a queue of its own.
    return lambda: _enqueue(report_id)


@transaction.atomic
def report_request(
    *, inspection: Inspection, variant: str, by: User | None = None, language: str | None = None
) -> InspectionReport:
    """A new version of the inspection's ``variant`` report, PENDING, rendered by the worker after commit.

    Called by the services that need one (closing: the full report; publishing: the public ones); it
    checks no permission itself. The inspection row is locked, so two requests get two versions.
    """
    if variant not in ReportVariant.values:
        raise _refuse("variant", _("Choose the full or the public report."))
    languages = {code for code, _name in settings.LANGUAGES}
    language = language or settings.LANGUAGE_CODE
    if language not in languages:
        raise _refuse("language", _("This language is not offered."))
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    last = InspectionReport.objects.filter(inspection=locked, variant=variant).aggregate(last=Max("version"))["last"]
    now = timezone.now()
    report = InspectionReport.objects.create(
        inspection=locked,
        variant=variant,
        version=(last or 0) + 1,
        language=language,
        requested_by=by,
        requested_at=now,
        queued_at=now,
    )
    transaction.on_commit(_sender(report.pk))
    return report


def report_languages() -> tuple[str, ...]:
    """The languages every report is rendered in: the site's default first (its version keeps number 1),
    then the other offered languages, in ``settings.LANGUAGES`` order."""
    offered = [code for code, _name in settings.LANGUAGES]
    return (settings.LANGUAGE_CODE, *(code for code in offered if code != settings.LANGUAGE_CODE))


def report_request_every_language(
    *, inspection: Inspection, variant: str, by: User | None = None
) -> list[InspectionReport]:
    """A new version of the ``variant`` report in each of :func:`report_languages`, each frozen on its own
    (page, PDF, SHA-256), so that every reader gets the report in their own language and the version they
    read is still evidence: nothing is translated or rendered again after the fact (ADR 0033)."""
    return [
        report_request(inspection=inspection, variant=variant, by=by, language=language)
        for language in report_languages()
    ]


def report_file_name(report: InspectionReport) -> str:
    """The frozen PDF's name in storage: the inspection, variant and version stay readable, and a random
    part makes it unguessable, so a file served without a check (a misconfigured media route) cannot be
    found by counting ids. Downloads are named without it (``download_name``)."""
    year = timezone.localtime(report.requested_at).year
    readable = f"inspection-{report.inspection_id}-{report.variant}-v{report.version}"
    return f"inspections/reports/{year}/{readable}-{secrets.token_hex(8)}.pdf"


def download_name(report: InspectionReport) -> str:
    """The file name a download is offered under: readable, without the storage name's random part."""
    return f"inspection-{report.inspection_id}-{report.variant}-v{report.version}-{report.language}.pdf"


def render_report_bytes(report: InspectionReport) -> tuple[str, bytes]:
    """The page (HTML) and PDF bytes of one report version, in its language. Pure: writes nothing.

    Exposed so tests can prove the bytes are stable (render again, compare the hash).
    """
    stamp = report.requested_at
    with translation.override(report.language):
        context = report_context(
            report.inspection, report.variant, as_of=timezone.localdate(stamp), version=report.version
        )
        # W3C date in UTC, the form WeasyPrint reads from <meta name="dcterms.created">.
        context.update(report=report, stamp=stamp.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        html = render_to_string(PAGE_TEMPLATE, context)
        # Safe: ``html`` was rendered just above by our template, with autoescaping on.
        pdf = render_pdf(PDF_TEMPLATE, {**context, "body": mark_safe(html)})  # noqa: S308
    return html, pdf


def _store(report: InspectionReport, pdf: bytes) -> str:
    # A file already under this name (left by an attempt whose transaction rolled back, or by a restored
    # database reusing ids) is never replaced: the storage picks a free name, and the row records it.
    return default_storage.save(report_file_name(report), ContentFile(pdf))


def _claim(report_id: int) -> datetime.datetime | None:
    """Claim the render of a report with a conditional update: PENDING or FAILED (an automatic retry after
    a database error), or RENDERING under a claim so old that its worker is dead (``core.claims``), becomes
    RENDERING with this claim's time, one more attempt. Returns the claim's time, or None when the report
    is READY or another worker is rendering it now."""
    now = timezone.now()
    claimable = Q(status__in=[ReportStatus.PENDING, ReportStatus.FAILED]) | Q(
        status=ReportStatus.RENDERING, claimed_at__lt=stale_before(now)
    )
    claimed = InspectionReport.objects.filter(claimable, pk=report_id).update(
        status=ReportStatus.RENDERING, claimed_at=now, attempts=F("attempts") + 1
    )
    return now if claimed else None


def report_render(report_id: int) -> InspectionReport:
    """Render one report version, once. READY: returned as it is (never rendered again in place).

    The render is claimed first (:func:`_claim`), so a second delivery of the message while it renders
    returns the report as it is (RENDERING), and only the claim's holder writes the result: a worker whose
    claim was taken over (it was presumed dead) keeps nothing, and its file is deleted. A worker killed
    while rendering leaves the report RENDERING: the redelivered message takes the stale claim over, or
    the sweep (:func:`reports_sweep`) queues it again. A failure leaves it FAILED with the error; it is
    raised again only when retrying may help (``OperationalError``: the database went away), for the
    task's automatic retries.
    """
    report = InspectionReport.objects.select_related("inspection").get(pk=report_id)
    if report.status == ReportStatus.READY:
        return report
    claimed_at = _claim(report_id)
    if claimed_at is None:
        return InspectionReport.objects.get(pk=report_id)
    stored = ""
    try:
        html, pdf = render_report_bytes(report)
        stored = _store(report, pdf)
        kept = InspectionReport.objects.filter(
            pk=report_id, status=ReportStatus.RENDERING, claimed_at=claimed_at
        ).update(
            status=ReportStatus.READY,
            pdf=stored,
            html=html,
            sha256=hashlib.sha256(pdf).hexdigest(),
            error="",
            rendered_at=timezone.now(),
        )
    except Exception as error:
        logger.exception("report %s failed to render", report_id)
        try:
            if stored:
                default_storage.delete(stored)
            _mark_failed(report_id, _error_text(error), claimed_at=claimed_at)
        except Exception:  # the database itself may be what failed; the original error matters more
            logger.exception("could not record the failure of report %s", report_id)
        if isinstance(error, OperationalError):
            raise
    else:
        if not kept:
            logger.warning("report %s: its claim was taken over while rendering; this render is dropped", report_id)
            default_storage.delete(stored)
    return InspectionReport.objects.get(pk=report_id)


def report_retry(*, report: InspectionReport, by: User) -> InspectionReport:
    """Render a version again (office): a FAILED one, or one stuck (waiting or rendering for longer than
    ``REPORT_STUCK_AFTER``: its message lost or its worker killed). Back to PENDING, queued after commit.
    Same version: such a version has no file to keep. A render still running (not stuck) is refused."""
    access.require(by, "retry_report", report.inspection)
    with transaction.atomic():
        report = InspectionReport.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.FAILED and not report.is_stuck():
            raise _refuse(
                "status",
                _(
                    "Only a report whose rendering failed, or that has waited more than %(minutes)s minutes, can "
                    "be retried."
                )
                % {"minutes": stuck_minutes()},
                "not_failed",
            )
        report.status = ReportStatus.PENDING
        report.error = ""
        report.queued_at = timezone.now()
        report.save(update_fields=["status", "error", "queued_at"])
        transaction.on_commit(_sender(report.pk))
    return report


def stuck_minutes() -> int:
    """``REPORT_STUCK_AFTER`` in minutes, for the messages that name it."""
    return int(REPORT_STUCK_AFTER.total_seconds() // 60)


@dataclass(frozen=True)
class SweepCounts:
    """What one sweep did: reports queued again, and reports given up on (FAILED)."""

    requeued: int
    given_up: int


def reports_sweep(*, now: datetime.datetime | None = None) -> SweepCounts:
    """Queue again every report stuck at ``now`` (``supervision.models.report_stuck_q``): waiting longer
    than ``REPORT_STUCK_AFTER`` since it was queued (a lost message), or rendering longer than that since it
    was claimed (a killed worker). Each goes back to PENDING by a conditional update, so two sweeps at once
    queue it once, and the render's own claim keeps a duplicate message from rendering twice. A report
    whose render was claimed ``MAX_ATTEMPTS`` times without finishing is given up on: FAILED, the office
    told. The periodic task ``supervision.sweep_reports`` runs this every five minutes."""
    now = now or timezone.now()
    requeued = given_up = 0
    stuck = InspectionReport.objects.filter(report_stuck_q(now)).order_by("pk")
    for report_id, status, attempts in stuck.values_list("pk", "status", "attempts"):
        still_stuck = InspectionReport.objects.filter(report_stuck_q(now), pk=report_id)
        if status == ReportStatus.RENDERING and attempts >= MAX_ATTEMPTS:
            with translation.override(settings.LANGUAGE_CODE):  # stored like the other errors: in one language
                message = _(
                    "Rendering stopped %(attempts)s times without finishing (its worker was stopped or timed out)."
                ) % {"attempts": attempts}
            if still_stuck.update(status=ReportStatus.FAILED, error=message[:ERROR_MAX]):
                given_up += 1
                _tell_office_failed(report_id)
            continue
        if still_stuck.update(status=ReportStatus.PENDING, queued_at=now):
            requeued += 1
            logger.warning("report %s was stuck (%s); queued again", report_id, status)
            transaction.on_commit(_sender(report_id))
    return SweepCounts(requeued=requeued, given_up=given_up)


def latest_ready(inspection: Inspection, variant: str, language: str | None = None) -> InspectionReport | None:
    """The newest READY version of a variant (in ``language`` when given), or None."""
    reports = InspectionReport.objects.filter(inspection=inspection, variant=variant, status=ReportStatus.READY)
    if language is not None:
        reports = reports.filter(language=language)
    return reports.order_by("-version").first()
