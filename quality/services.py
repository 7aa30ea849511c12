"""Every write of the quality app: requesting a build, building (figures, then pages and PDFs in every
language), retrying, the sweep, and publishing the public version.

A report is built once per version by the Celery task ``quality.build_report`` (``quality.tasks``), sent by
name (``BUILD_TASK``): the task module imports this one, never the other way round. Like the inspection
reports (``supervision.services.reports``, docs/decisions/0011, 0033 and 0039):

- the row saying "to build" (PENDING) is committed first, and the message is only a nudge sent after commit
  through ``core.queueing``; the periodic sweep (:func:`reports_sweep`) queues again what is still waiting;
- the build is claimed with a conditional update before its slow part, so a message delivered twice builds
  once, and only the claim's holder writes the result;
- a READY report is evidence: its figures and files are never changed; a new build is a new version with
  new files. Publishing adds the public figures and files and records who and when, nothing else;
- every file's PDF bytes are stable (the document's dates are the request's; the figures are frozen), and
  each has its SHA-256.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
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
from programmes.models import Cohort, Programme
from quality.figures import Frame
from quality.indicators import SECTIONS, figures_json
from quality.models import (
    STUCK_AFTER,
    QualityReport,
    QualityReportFile,
    QualityReportStatus,
    QualityReportVariant,
    stuck_q,
)
from quality.public import public_figures

logger = logging.getLogger("tandem.quality.reports")

#: The Celery task that builds a report (``quality.tasks.build_report``), sent by name.
BUILD_TASK = "quality.build_report"
PAGE_TEMPLATE = "quality/_report_body.html"
PDF_TEMPLATE = "quality/pdf.html"
#: Longest error text kept on a failed report.
ERROR_MAX = 500
#: A build claimed this many times without finishing is given up on by the sweep (FAILED, the office told).
MAX_ATTEMPTS = 5


def _refuse(field_name: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field_name: [ValidationError(message, code=code)]})


# --- Queueing ---------------------------------------------------------------------------------------------


def _send(report_id: int) -> None:
    # A seam for the worker test, which sends the task to a queue of its own.
    celery_app.send_task(BUILD_TASK, args=(report_id,))


def _enqueue(report_id: int) -> None:
    """Hand the build to the worker; a broker that is away leaves it PENDING for the sweep."""
    enqueue(lambda: _send(report_id), what=f"the build of quality report {report_id}")


def _sender(report_id: int) -> Callable[[], None]:
    # A seam for the tests, which build in-process or on a queue of their own.
    return lambda: _enqueue(report_id)


# --- Requesting -------------------------------------------------------------------------------------------


def report_request(*, programme: Programme, year: int, cohort: Cohort | None = None, by: User) -> QualityReport:
    """Ask for a new version of the report for ``programme`` (and ``cohort``) and ``year``: a PENDING row,
    built by the task ``quality.build_report`` once the transaction commits (the office only).

    Refused, naming the field: a year in the future or before the programme's first intake, a cohort of
    another programme or one that had not enrolled by that year. The programme row is locked, so two
    requests at once get two version numbers."""
    access.require(by, "request", QualityReport)
    if year > timezone.localdate().year:
        raise _refuse("year", _("A report can only be built for this year or an earlier one."), "future")
    if programme.first_intake_year and year < programme.first_intake_year:
        raise _refuse(
            "year",
            _("The programme took its first students in %(year)s; choose that year or a later one.")
            % {"year": programme.first_intake_year},
            "before_programme",
        )
    if cohort is not None:
        if cohort.programme_id != programme.pk:
            raise _refuse("cohort", _("Choose a cohort of this programme."), "other_programme")
        if year < cohort.intake_year:
            raise _refuse(
                "year",
                _("This cohort enrolled in %(year)s; choose that year or a later one.") % {"year": cohort.intake_year},
                "before_cohort",
            )
    with transaction.atomic():
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        versions = QualityReport.objects.filter(programme=programme, year=year, cohort=cohort)
        last = versions.aggregate(last=Max("version"))["last"]
        now = timezone.now()
        report = QualityReport.objects.create(
            programme=programme,
            cohort=cohort,
            year=year,
            version=(last or 0) + 1,
            requested_by=by,
            requested_at=now,
            queued_at=now,
        )
        transaction.on_commit(_sender(report.pk))
    return report


# --- Rendering --------------------------------------------------------------------------------------------


def report_languages() -> tuple[str, ...]:
    """Every language a report is rendered in: the site's default first, then the others offered."""
    offered = [code for code, _name in settings.LANGUAGES]
    return (settings.LANGUAGE_CODE, *(code for code in offered if code != settings.LANGUAGE_CODE))


def figures_digest(figures: dict[str, Any]) -> str:
    """The SHA-256 of frozen figures (canonical JSON), printed on the cover: what the page and the PDF in
    every language were drawn from, so a reader can tell two renderings of the same figures apart from two
    versions."""
    canonical = json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _sections(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The frozen sections for the templates, each with an anchor and whether it has anything to show."""
    titles = dict(SECTIONS)
    out: list[dict[str, Any]] = []
    for section in figures.get("sections", []):
        has_figure = any(f.get("value") is not None or f.get("hidden") for f in section.get("figures", []))
        has_table = any(t.get("rows") for t in section.get("tables", []))
        out.append(
            {
                **section,
                "title": section.get("title") or titles.get(section.get("key", ""), ""),
                "anchor": f"section-{section.get('key', len(out))}",
                "empty": not (has_figure or has_table),
            }
        )
    return out


def report_context(report: QualityReport, variant: str, figures: dict[str, Any]) -> dict[str, Any]:
    """What the page and the PDF of one rendering show (in the active language)."""
    public = variant == QualityReportVariant.PUBLIC
    as_of = (figures.get("frame") or {}).get("as_of")
    built_at = report.built_at or report.requested_at
    return {
        "report": report,
        "programme": report.programme,
        "cohort": report.cohort,
        "variant": variant,
        "public": public,
        "figures": figures,
        "sections": _sections(figures),
        "previous": figures.get("previous") or {},
        "previous_year": report.year - 1,
        "as_of": datetime.date.fromisoformat(as_of) if as_of else None,
        "built_at": built_at,
        "figures_sha256": figures_digest(figures),
        "min_cell": (figures.get("public") or {}).get("minimum", settings.QUALITY_MIN_CELL),
        "language": translation.get_language(),
        # W3C date in UTC, the form WeasyPrint reads from <meta name="dcterms.created">: fixed, so the same
        # report renders to the same bytes.
        "stamp": report.requested_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def render_report_bytes(
    report: QualityReport, *, variant: str, language: str, figures: dict[str, Any] | None = None
) -> tuple[str, bytes]:
    """The page (HTML) and PDF bytes of one rendering of ``report``. Pure: writes nothing.

    ``figures`` defaults to the frozen figures of the variant (``figures`` or ``public_figures``). Exposed
    so tests can prove the bytes are stable (render again, compare the hash)."""
    if figures is None:
        figures = report.public_figures if variant == QualityReportVariant.PUBLIC else report.figures
    with translation.override(language):
        context = report_context(report, variant, figures or {})
        html = render_to_string(PAGE_TEMPLATE, context)
        # Safe: ``html`` was rendered just above by our template, with autoescaping on.
        pdf = render_pdf(PDF_TEMPLATE, {**context, "body": mark_safe(html)})  # noqa: S308
    return html, pdf


def file_name(report: QualityReport, variant: str, language: str) -> str:
    """A rendering's PDF name in storage: readable, with a random part so it cannot be guessed."""
    cohort = f"-c{report.cohort.intake_year}" if report.cohort_id and report.cohort else ""
    readable = f"quality-{report.programme.code}{cohort}-{report.year}-v{report.version}-{variant}-{language}"
    return f"quality/reports/{report.year}/{readable}-{secrets.token_hex(8)}.pdf"


@dataclass
class _Rendering:
    language: str
    html: str
    sha256: str
    stored: str


def _render_and_store(report: QualityReport, variant: str, figures: dict[str, Any]) -> list[_Rendering]:
    """Render ``variant`` in every language and store each PDF (a new file each: an existing one is never
    replaced). On failure, the files stored so far are deleted and the error raised."""
    done: list[_Rendering] = []
    try:
        for language in report_languages():
            html, pdf = render_report_bytes(report, variant=variant, language=language, figures=figures)
            stored = default_storage.save(file_name(report, variant, language), ContentFile(pdf))
            done.append(_Rendering(language, html, hashlib.sha256(pdf).hexdigest(), stored))
    except BaseException:
        _delete([r.stored for r in done])
        raise
    return done


def _delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("could not delete %s", name)


def _file_rows(report: QualityReport, variant: str, renderings: list[_Rendering]) -> None:
    now = timezone.now()
    QualityReportFile.objects.bulk_create(
        [
            QualityReportFile(
                report=report,
                variant=variant,
                language=r.language,
                html=r.html,
                pdf=r.stored,
                sha256=r.sha256,
                rendered_at=now,
            )
            for r in renderings
        ]
    )


# --- Building ---------------------------------------------------------------------------------------------


def _claim(report_id: int) -> datetime.datetime | None:
    """Claim a build with a conditional update: PENDING or FAILED (an automatic retry), or BUILDING under a
    claim so old that its worker is dead (``core.claims``), becomes BUILDING under this claim, one more
    attempt. Returns the claim's time, or None when the report is READY or another worker builds it now."""
    now = timezone.now()
    claimable = Q(status__in=[QualityReportStatus.PENDING, QualityReportStatus.FAILED]) | Q(
        status=QualityReportStatus.BUILDING, claimed_at__lt=stale_before(now)
    )
    claimed = QualityReport.objects.filter(claimable, pk=report_id).update(
        status=QualityReportStatus.BUILDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return now if claimed else None


def _as_of(report: QualityReport) -> datetime.date:
    """The day the figures are judged on: the day the build was requested (so a build retried later
    gives the figures that were asked for); the frame caps it at the year's end."""
    return timezone.localdate(report.requested_at)


class _ClaimLost(Exception):
    """The claim was taken over while building (this worker was presumed dead): its work is dropped."""


def report_build(report_id: int) -> QualityReport:
    """Build one requested version (the task's body): claim it, freeze its figures, render its page and
    PDF in each offered language. Safe to run twice: a READY report is returned as it is, and a report
    another worker is building is returned as it is (BUILDING).

    A failure leaves it FAILED with the error text, the office told once; it is raised again only when
    retrying may help (``OperationalError``: the database went away), for the task's automatic retries."""
    report = QualityReport.objects.select_related("programme", "cohort").get(pk=report_id)
    if report.status == QualityReportStatus.READY:
        return report
    claimed_at = _claim(report_id)
    if claimed_at is None:
        return QualityReport.objects.get(pk=report_id)
    renderings: list[_Rendering] = []
    try:
        frame = Frame(
            programme_id=report.programme_id, year=report.year, cohort_id=report.cohort_id, as_of=_as_of(report)
        )
        figures = figures_json(frame)
        report.built_at = timezone.now()
        report.figures = figures
        renderings = _render_and_store(report, QualityReportVariant.FULL, figures)
        with transaction.atomic():
            kept = QualityReport.objects.filter(
                pk=report_id, status=QualityReportStatus.BUILDING, claimed_at=claimed_at
            ).update(status=QualityReportStatus.READY, figures=figures, built_at=report.built_at, error="")
            if not kept:
                raise _ClaimLost
            _file_rows(report, QualityReportVariant.FULL, renderings)
    except _ClaimLost:
        logger.warning("quality report %s: its claim was taken over while building; this build is dropped", report_id)
        _delete([r.stored for r in renderings])
    except Exception as error:
        logger.exception("quality report %s failed to build", report_id)
        try:
            _delete([r.stored for r in renderings])
            _mark_failed(report_id, f"{type(error).__name__}: {error}", claimed_at=claimed_at)
        except Exception:  # the database itself may be what failed; the original error matters more
            logger.exception("could not record the failure of quality report %s", report_id)
        if isinstance(error, OperationalError):
            raise
    return QualityReport.objects.get(pk=report_id)


def _mark_failed(report_id: int, text: str, *, claimed_at: datetime.datetime | None = None) -> None:
    """Record a failed build (only while ``claimed_at`` still holds it, or, without, while it waits) and
    tell the office."""
    reports = QualityReport.objects.filter(pk=report_id)
    if claimed_at is not None:
        reports = reports.filter(status=QualityReportStatus.BUILDING, claimed_at=claimed_at)
    else:
        reports = reports.filter(status=QualityReportStatus.PENDING)
    if reports.update(status=QualityReportStatus.FAILED, error=text[:ERROR_MAX]):
        _tell_office_failed(report_id)


def report_link(report: QualityReport) -> str:
    """The office's page of a report, once the pages exist (``quality:report``); empty before."""
    try:
        return reverse("quality:report", args=[report.pk])
    except NoReverseMatch:
        return ""


def _tell_office_failed(report_id: int) -> None:
    """Notify the office users that a report could not be built: once per report (the dedup key), however
    many times it fails. Never raises: the failure recorded on the report matters more."""
    try:
        report = QualityReport.objects.select_related("programme").get(pk=report_id)
        office = access.users_with_platform_role(PlatformRole.OFFICE).order_by("pk")
        notify(
            users=office,
            kind="quality_report_failed",
            subject=gettext_noop(
                "The %(year)s quality report of %(programme)s (version %(version)s) could not be built."
            ),
            params={"programme": report.programme.name, "year": report.year, "version": report.version},
            link=report_link(report),
            dedup_key=f"quality-report-failed-{report_id}",
        )
    except Exception:
        logger.exception("could not tell the office that quality report %s failed", report_id)


def report_retry(*, report: QualityReport, by: User) -> QualityReport:
    """Queue a FAILED (or stuck) build again (the office): back to PENDING, queued after commit. The same
    version: a build that never finished has nothing to keep. A build still running is refused."""
    access.require(by, "retry", report)
    with transaction.atomic():
        report = QualityReport.objects.select_for_update().get(pk=report.pk)
        if report.status != QualityReportStatus.FAILED and not report.is_stuck():
            raise _refuse(
                "status",
                _("Only a report whose build failed, or that has waited more than %(minutes)s minutes, can be retried.")
                % {"minutes": int(STUCK_AFTER.total_seconds() // 60)},
                "not_failed",
            )
        report.status = QualityReportStatus.PENDING
        report.error = ""
        report.queued_at = timezone.now()
        report.save(update_fields=["status", "error", "queued_at"])
        transaction.on_commit(_sender(report.pk))
    return report


def reports_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Queue again the builds whose message was lost or whose worker died (the periodic sweep, every five
    minutes: ``quality.reports_sweep``). Each goes back to PENDING by a conditional update, so two sweeps
    at once queue it once; one claimed ``MAX_ATTEMPTS`` times without finishing is given up on (FAILED,
    the office told). Returns ``{"requeued": n, "given_up": m}``."""
    now = now or timezone.now()
    requeued = given_up = 0
    stuck = QualityReport.objects.filter(stuck_q(now)).order_by("pk")
    for report_id, status, attempts in stuck.values_list("pk", "status", "attempts"):
        still_stuck = QualityReport.objects.filter(stuck_q(now), pk=report_id)
        if status == QualityReportStatus.BUILDING and attempts >= MAX_ATTEMPTS:
            with translation.override(settings.LANGUAGE_CODE):  # stored like the other errors: in one language
                message = _(
                    "The build stopped %(attempts)s times without finishing (its worker was stopped or timed out)."
                ) % {"attempts": attempts}
            if still_stuck.update(status=QualityReportStatus.FAILED, error=message[:ERROR_MAX]):
                given_up += 1
                _tell_office_failed(report_id)
            continue
        if still_stuck.update(status=QualityReportStatus.PENDING, queued_at=now):
            requeued += 1
            logger.warning("quality report %s was stuck (%s); queued again", report_id, status)
            transaction.on_commit(_sender(report_id))
    return {"requeued": requeued, "given_up": given_up}


# --- Publishing -------------------------------------------------------------------------------------------


def report_publish(*, report: QualityReport, by: User) -> QualityReport:
    """Publish a READY report (the office): freeze its public figures (``quality.public``: no person, no
    small cell) and render the public page and PDF in each language, recording who and when.

    Done at once, inside the request (two PDFs), so a published report always has its public files. A
    version is published once: publishing it again is refused (build and publish a new version instead,
    so what was published stays as it was)."""
    access.require(by, "publish", report)
    renderings: list[_Rendering] = []
    try:
        with transaction.atomic():
            locked = (
                QualityReport.objects.select_for_update(of=("self",))
                .select_related("programme", "cohort")
                .get(pk=report.pk)
            )
            if locked.status != QualityReportStatus.READY:
                raise _refuse("status", _("Only a built report can be published."), "not_ready")
            if locked.published_at is not None:
                raise _refuse(
                    "status",
                    _("This version is already published; build a new version to publish new figures."),
                    "published",
                )
            public = public_figures(locked.figures)
            locked.public_figures = public
            locked.published_at = timezone.now()
            locked.published_by = by
            renderings = _render_and_store(locked, QualityReportVariant.PUBLIC, public)
            locked.save(update_fields=["public_figures", "published_at", "published_by"])
            _file_rows(locked, QualityReportVariant.PUBLIC, renderings)
    except BaseException:
        _delete([r.stored for r in renderings])
        raise
    return locked
