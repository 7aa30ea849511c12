"""Inspection reports: what goes in them, redaction for the public, the chart, and the frozen render.

A report is rendered once per version by the Celery task ``supervision.render_report`` (see
``supervision.jobs.reports``): the page (HTML, kept in the row) and the PDF (a file named after the
inspection, variant and version plus a random part, with its SHA-256). A READY version is never rendered again: a new
version is a new row and a new file, so a downloaded PDF can always be checked against its hash.

The PDF bytes are stable: the same report renders to the same bytes (WeasyPrint writes no clock time
when the document gives ``dcterms.created``/``dcterms.modified``; both come from the report's
``requested_at``), and "overdue" is judged as of that day too, not as of the render.

Redaction (the public variant) is done here, on the way into the template context, never in the
template: every free text goes through :func:`redact`. Students' names and numbers and people's contact
details are removed; supervisors and coordinators are named by their role; inspectors are named (by their
full name only: they act in an official capacity). A placement-level target is shown as its site.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.db.models import Count, F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import PlatformRole
from config.celery import app as celery_app
from core.claims import stale_before
from core.notifications import notify
from core.pdf import render_pdf
from partners import access
from partners.models import Membership
from students.models import Placement
from supervision.models import (
    REPORT_STUCK_AFTER,
    ActionStatus,
    Aspect,
    ChecklistResult,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionReport,
    Rating,
    ReportStatus,
    ReportVariant,
    Severity,
    TargetKind,
    report_stuck_q,
)

logger = logging.getLogger("tandem.supervision.reports")

REDACTED = "[redacted]"
#: Severities from the most to the least serious: the order of the findings in a report.
SEVERITY_ORDER: tuple[str, ...] = (Severity.CRITICAL, Severity.MAJOR, Severity.MINOR, Severity.OBSERVATION)
#: The ratings in the order the chart stacks them.
RATING_ORDER: tuple[str, ...] = (Rating.CONFORMING, Rating.MINOR_GAP, Rating.MAJOR_GAP, Rating.NOT_APPLICABLE)
#: Chart colours, as SVG presentation attributes: WeasyPrint (70) does not apply a document's stylesheets
#: to inline SVG, so the PDF needs them in the SVG itself; on the page, static/css/supervision-report.css
#: overrides them through the classes (a presentation attribute is not an inline style, so CSP is kept).
RATING_FILL: dict[str, str] = {
    Rating.CONFORMING: "#198754",
    Rating.MINOR_GAP: "#ffc107",
    Rating.MAJOR_GAP: "#dc3545",
    Rating.NOT_APPLICABLE: "#adb5bd",
}
#: Count labels on light segments are dark, for contrast.
COUNT_FILL: dict[str, str] = {Rating.MINOR_GAP: "#222", Rating.NOT_APPLICABLE: "#222"}
PAGE_TEMPLATE = "supervision/reports/_report_body.html"
PDF_TEMPLATE = "supervision/reports/pdf.html"
#: Longest error text kept on a failed report (the class and the start of the message).
ERROR_MAX = 500


# --- Redaction ----------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digits with the separators people type in phone numbers; judged by _phone_or_keep below.
_PHONE = re.compile(r"(?<![\w.])\+?\(?[0-9][0-9 ().-]{5,}[0-9](?![\w])")
_DATE = re.compile(r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}")
# A letter or digit that is not CJK: what a Latin term must not touch on either side. A CJK character next
# to it is a boundary ("Huang Xin老师": Chinese text runs on without spaces).
_LATIN_WORD_CHAR = r"[^\W\u2e80-\u9fff\uf900-\ufaff]"


def _phone_or_keep(match: re.Match[str]) -> str:
    """Redact a digit run that looks like a phone number (7 digits or more); keep dates and short numbers."""
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < 7 or _DATE.fullmatch(text.strip()):
        return text
    return REDACTED


#: Titles written before a name: never redacted on their own (the name after them is).
_TITLES = frozenset({"Dr", "Mr", "Ms", "Mrs", "Prof", "Jr", "Sr"})
#: A CJK run inside a name; runs shorter than this (a family name alone, 黄) are not matched on their own.
_CJK_RUN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff]+")
_CJK_MIN = 2
_CJK_GAP = re.compile(r"(?<=[\u2e80-\u9fff\uf900-\ufaff])\s+(?=[\u2e80-\u9fff\uf900-\ufaff])")


@dataclass(frozen=True)
class NameTerms:
    """The terms one recorded name is matched by (see :func:`name_terms`)."""

    exact: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    cjk: tuple[str, ...] = ()


def name_terms(name: str) -> NameTerms:
    """Split a recorded name into what to look for in free text.

    A name may be written in two scripts ("Huang Xin 黄欣"), and texts use either, so each script's part
    is a term of its own: the Latin part whole (case-insensitive), each of its words when it has several
    ("Huang" in "Huang was late"; case-sensitive, so the common word "smith" stays), and each CJK run of
    two characters or more (matched anywhere: Chinese has no spaces between words). A two-letter word
    ("Li", "Na", "Wu") is looked for capitalised, as names are written: "Li" goes, "li" stays. One-letter
    words (initials) and titles ("Dr") are not terms on their own.
    """
    name = _CJK_GAP.sub("", " ".join(name.split()))  # 黄 欣 is 黄欣: Chinese is written without spaces
    cjk = tuple(run for run in _CJK_RUN.findall(name) if len(run) >= _CJK_MIN)
    latin = " ".join(_CJK_RUN.sub(" ", name).split()).strip(" .,;:'\"()[]/-·")
    if len(latin) < 2:
        return NameTerms(cjk=cjk)
    words = [w.strip(".,;:'\"()[]") for w in latin.split()]
    parts: list[str] = []
    if len(words) > 1:
        for word in words:
            if not word.replace("-", "").replace("'", "").isalpha() or word in _TITLES or len(word) < 2:
                continue
            if len(word) == 2:
                parts.append(word[0].upper() + word[1].lower())
            else:
                parts.append(word)
    return NameTerms(exact=(latin,), parts=tuple(parts), cjk=cjk)


@dataclass
class Redactor:
    """Replaces the names, student numbers, e-mails and phones of the people an inspection concerns.

    Built once per inspection (a few queries), then applied to every free text of a report. Full Latin
    names, numbers, e-mails and phones match whole words, case-insensitively; a Latin name's single words
    match case-sensitively (so "Smith" goes, "smith" as a common word stays); CJK names match anywhere,
    since Chinese text has no spaces between words. A CJK character counts as a word boundary for the
    Latin terms ("Huang Xin老师"). See :func:`name_terms` for how a name becomes terms.
    """

    exact: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    cjk: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        def alternation(terms: Iterable[str]) -> str:
            unique = sorted({t for t in terms if t}, key=lambda t: (-len(t), t))
            return "|".join(re.escape(t) for t in unique)

        pieces = []
        exact = alternation(self.exact)
        before, after = rf"(?<!{_LATIN_WORD_CHAR})", rf"(?!{_LATIN_WORD_CHAR})"
        if exact:
            pieces.append(rf"(?i:{before}(?:{exact}){after})")
        parts = alternation(self.parts)
        if parts:
            pieces.append(rf"{before}(?:{parts}){after}")
        cjk = alternation(self.cjk)
        if cjk:
            pieces.append(rf"(?:{cjk})")
        self._pattern = re.compile("|".join(pieces)) if pieces else None

    def __call__(self, text: str) -> str:
        if not text:
            return text
        text = _EMAIL.sub(REDACTED, text)
        if self._pattern is not None:
            text = self._pattern.sub(REDACTED, text)
        return _PHONE.sub(_phone_or_keep, text)


def scrub_contacts(text: str) -> str:
    """``text`` with anything shaped like an e-mail address or a phone number replaced (names kept)."""
    return _PHONE.sub(_phone_or_keep, _EMAIL.sub(REDACTED, text)) if text else text


def inspectors_of(inspection: Inspection) -> list[User]:
    """The inspectors assigned to an inspection, in a stable order (one query)."""
    return list(User.objects.filter(inspection_assignments__inspection=inspection).order_by("pk"))


def public_inspector_names(inspectors: Iterable[User]) -> list[str]:
    """How public reports, pages and the API name the inspectors.

    Inspectors act in an official capacity, so the public may know who inspected (accountability): they
    are named, but by their recorded full name only, never by the username that ``display_name`` falls
    back to, and with anything shaped like contact details removed. One without a full name is "an
    inspector", so the count stays true.
    """
    names = []
    for inspector in inspectors:
        name = scrub_contacts(" ".join(inspector.full_name.split()))
        names.append(name or _("an inspector"))
    return names


def _people_of(inspection: Inspection) -> list[User]:
    """Everyone whose name an inspection's texts may carry: the students ever placed at the target
    partner, and the partner's people (every membership, ended ones too)."""
    partner_id = inspection.target_partner_id
    placed = Placement.objects.filter(partner_id=partner_id).values("student__user_id")
    members = Membership.objects.filter(partner_id=partner_id).values("user_id")
    return list(User.objects.filter(Q(pk__in=placed) | Q(pk__in=members)).order_by("pk"))


def redactor_for(inspection: Inspection) -> Redactor:
    """The redactor for one inspection's texts (see :func:`redact`)."""
    exact: list[str] = []
    parts: list[str] = []
    cjk: list[str] = []

    def add_name(name: str) -> None:
        terms = name_terms(name)
        exact.extend(terms.exact)
        parts.extend(terms.parts)
        cjk.extend(terms.cjk)

    for person in _people_of(inspection):
        for name in (person.full_name, person.get_full_name(), person.display_name):
            add_name(name)
        exact.extend(value for value in (person.email, person.phone) if value)
    numbers = Placement.objects.filter(partner_id=inspection.target_partner_id).values_list(
        "student__student_number", flat=True
    )
    exact.extend(number for number in numbers if number)
    partner = inspection.target_partner
    add_name(partner.contact_name)
    exact.extend(value for value in (partner.contact_email, partner.contact_phone) if value)
    return Redactor(exact=exact, parts=parts, cjk=cjk)


def redact(text: str, inspection: Inspection) -> str:
    """``text`` with the personal data of the people ``inspection`` concerns replaced by "[redacted]".

    Replaced: the names, e-mails and phones of the students ever placed at the target partner and of the
    partner's people (and its contact person), the students' numbers, and anything shaped like an e-mail
    address or a phone number (7 digits or more; dates are kept).

    A name recorded in two scripts ("Huang Xin 黄欣") is matched by each: the Latin name whole, each of its
    words, and the CJK name anywhere in the text (see :func:`name_terms`).

    Limits: it only knows the people recorded in Tandem. These pass through: a nickname or a misspelling;
    a name written in a script it is not recorded in ("Huang Xin" when only 黄欣 is recorded); a CJK family
    name alone (黄老师: one character is too common to match); an initial; a two-letter name word not
    written capitalised ("li", "LI"); a description ("the only male student of the 2026 cohort"); a number
    of fewer than 7 digits. Over-redaction is the accepted failure: a word that happens to be someone's
    name goes too, two-letter ones included ("He said" when someone is named He Wei). The office reads the
    public version before publishing it; the preview on the publish page is there for that.
    """
    return redactor_for(inspection)(text)


# --- The chart ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AspectSummary:
    """Checklist results of one aspect: how many items got each rating, and the items themselves."""

    aspect: str
    label: str
    counts: dict[str, int]
    items: tuple[dict[str, Any], ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def conforming_percent(self) -> int:
        """Conforming share of the rated items that apply (n.a. left out), rounded down."""
        applicable = self.total - self.counts.get(Rating.NOT_APPLICABLE, 0)
        return (100 * self.counts.get(Rating.CONFORMING, 0)) // applicable if applicable else 0

    @property
    def segments(self) -> list[dict[str, Any]]:
        """The ratings with a count, in chart order (for the lists' stacked bars)."""
        total = self.total or 1
        labels = dict(Rating.choices)
        return [
            {
                "rating": rating,
                "label": labels[rating],
                "count": self.counts.get(rating, 0),
                "percent": (100 * self.counts.get(rating, 0)) // total,
            }
            for rating in RATING_ORDER
            if self.counts.get(rating, 0)
        ]


def summarise_aspects(rows: Iterable[tuple[str, str, int]]) -> list[AspectSummary]:
    """Every aspect in order, with its counts per rating, from ``(aspect, rating, count)`` rows."""
    counts: dict[str, dict[str, int]] = {aspect: {} for aspect in Aspect.values}
    for aspect, rating, number in rows:
        counts.setdefault(aspect, {})
        counts[aspect][rating] = counts[aspect].get(rating, 0) + number
    labels = dict(Aspect.choices)
    return [AspectSummary(aspect=a, label=str(labels.get(a, a)), counts=counts[a]) for a in counts]


def aspect_chart_svg(results: Sequence[AspectSummary]) -> SafeString:
    """A stacked bar per aspect (conforming, minor gap, major gap, not applicable), as an SVG string.

    Built by hand, every label escaped, no script, no style element and no external reference, so it can
    be inlined in the page (CSP 'self') and in the PDF alike. Colours: see ``RATING_FILL``.
    """
    label_w, bar_w, count_w, row_h, top = 150, 380, 110, 30, 8
    legend_h = 26
    width = label_w + bar_w + count_w
    height = top + row_h * max(len(results), 1) + legend_h + 6
    rating_labels = dict(Rating.choices)
    title = escape(_("Checklist results by aspect"))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{title}">',
        f"<title>{title}</title>",
    ]
    for index, row in enumerate(results):
        y = top + index * row_h
        out.append(
            f'<text class="chart-label" x="0" y="{y + 18}" font-size="12" fill="#222">{escape(row.label)}</text>'
        )
        out.append(f'<rect class="chart-track" x="{label_w}" y="{y + 4}" width="{bar_w}" height="18" fill="#eef1f4"/>')
        x = float(label_w)
        total = row.total
        for rating in RATING_ORDER:
            count = row.counts.get(rating, 0)
            if not count or not total:
                continue
            w = bar_w * count / total
            name = escape(str(rating_labels[rating]))
            out.append(
                f'<rect class="chart-{rating}" x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="18" '
                f'fill="{RATING_FILL[rating]}"><title>{name}: {count}</title></rect>'
            )
            if w >= 18:
                out.append(
                    f'<text class="chart-count" x="{x + w / 2:.1f}" y="{y + 17}" font-size="11" '
                    f'text-anchor="middle" fill="{COUNT_FILL.get(rating, "#fff")}">{count}</text>'
                )
            x += w
        summary = (
            escape(
                _("%(conforming)d of %(total)d conforming")
                % {
                    "conforming": row.counts.get(Rating.CONFORMING, 0),
                    "total": total,
                }
            )
            if total
            else escape(_("not rated"))
        )
        out.append(
            f'<text class="chart-total" x="{label_w + bar_w + 8}" y="{y + 18}" font-size="11" fill="#555">'
            f"{summary}</text>"
        )
    legend_y = top + row_h * max(len(results), 1) + 6
    x = float(label_w)
    for rating in RATING_ORDER:
        name = escape(str(rating_labels[rating]))
        out.append(
            f'<rect class="chart-{rating}" x="{x:.1f}" y="{legend_y}" width="12" height="12" '
            f'fill="{RATING_FILL[rating]}"/>'
        )
        out.append(
            f'<text class="chart-legend" x="{x + 16:.1f}" y="{legend_y + 11}" font-size="11" fill="#222">{name}</text>'
        )
        x += 16 + 7.5 * len(name) + 14
    out.append("</svg>")
    # Safe: every piece of text above went through escape(); numbers are formatted by us.
    return mark_safe("".join(out))  # noqa: S308


# --- The context --------------------------------------------------------------------------------------------


def _as_of(inspection: Inspection) -> datetime.date:
    return timezone.localdate(inspection.closed_at) if inspection.closed_at else timezone.localdate()


def _site_name(placement: Placement | None) -> str:
    return placement.site.name if placement is not None and placement.site_id else ""


def public_target_kind(inspection: Inspection) -> str:
    """The target kind the public is told: a placement-level inspection is shown as one of its site (a
    placement at a small site can point to one student), or of the partner when the placement has no site."""
    if inspection.target_site_id is not None:
        return TargetKind.SITE
    if inspection.target_placement_id is not None:
        return TargetKind.SITE if public_target_site(inspection) else TargetKind.PARTNER
    return TargetKind.PARTNER


def public_target_site(inspection: Inspection) -> str:
    """The name of the narrower target as the public sees it: the site, or a placement's site; "" for a
    partner-level inspection (or a placement without a site). Never a student."""
    if inspection.target_site_id is not None:
        return inspection.target_site.name  # type: ignore[union-attr]
    return _site_name(inspection.target_placement)


def report_context(
    inspection: Inspection, variant: str, *, as_of: datetime.date | None = None, version: int | None = None
) -> dict[str, Any]:
    """Everything a report shows, already redacted for the public variant.

    Facts (kind, target, scope, dates, inspectors, days to publication), checklist results by aspect with
    counts per rating and the chart, findings by severity, corrective actions (status, due, overdue as of
    ``as_of``). For ``ReportVariant.PUBLIC``: no student names or numbers, no person's phone or e-mail,
    supervisors said to be "a supervisor", inspectors by their full name (:func:`public_inspector_names`),
    placements named by their site only (a placement-level target too), and every free text through
    :func:`redact`.
    """
    public = variant == ReportVariant.PUBLIC
    inspection = Inspection.objects.select_related(
        "target_partner", "target_site", "target_placement__site", "target_placement__student__user", "template"
    ).get(pk=inspection.pk)
    day = as_of or _as_of(inspection)
    clean: Callable[[str], str] = redactor_for(inspection) if public else (lambda text: text)

    def placement_label(placement: Placement | None) -> str:
        if placement is None:
            return ""
        site = _site_name(placement)
        if public:
            return _("a placement at %(site)s") % {"site": site} if site else _("a placement")
        student = placement.student
        return f"{student.user.display_name} ({student.student_number}), {site}" if site else str(student)

    def person_label(person: User | None, role: str) -> str:
        if person is None:
            return ""
        return role if public else person.display_name

    inspectors = inspectors_of(inspection)
    target = inspection.target_partner.name
    target_label = _("Site")
    if inspection.target_site_id is not None:
        target_detail = inspection.target_site.name  # type: ignore[union-attr]
    elif inspection.target_placement_id is not None and public:
        # A placement at a small site can point to one student: the public sees the site only.
        target_detail = public_target_site(inspection)
    elif inspection.target_placement_id is not None:
        target_label = _("Placement")
        target_detail = placement_label(inspection.target_placement)
    else:
        target_detail = ""

    # Checklist results, grouped by aspect in the checklist's order.
    results = list(
        ChecklistResult.objects.filter(inspection=inspection)
        .select_related("item")
        .order_by("item__aspect", "item__order", "item__code", "pk")
    )
    rating_labels = dict(Rating.choices)
    aspects: list[AspectSummary] = []
    aspect_labels = dict(Aspect.choices)
    for aspect in Aspect.values:
        rows = [r for r in results if r.item.aspect == aspect]
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.rating] = counts.get(r.rating, 0) + 1
        items = tuple(
            {
                "code": r.item.code,
                "text": r.item.text,
                "rating": r.rating,
                "rating_label": rating_labels.get(r.rating, r.rating),
                "note": clean(r.note),
            }
            for r in rows
        )
        aspects.append(AspectSummary(aspect=aspect, label=str(aspect_labels[aspect]), counts=counts, items=items))

    # Findings by severity, each with its corrective action.
    findings = list(
        Finding.objects.filter(inspection=inspection)
        .select_related("placement__site", "placement__student__user", "supervisor", "corrective_action__owner")
        .annotate(log_count=Count("practice_logs"))
        .order_by("created_at", "pk")
    )
    severity_labels = dict(Severity.choices)
    status_labels = dict(ActionStatus.choices)
    by_severity = []
    actions = []
    for severity in SEVERITY_ORDER:
        group = []
        for finding in (f for f in findings if f.severity == severity):
            action: CorrectiveAction | None = getattr(finding, "corrective_action", None)
            entry = {
                "number": 0,
                "severity": severity,
                "severity_label": severity_labels[severity],
                "description": clean(finding.description),
                "placement": placement_label(finding.placement),
                "supervisor": person_label(finding.supervisor, _("a supervisor")),
                "practice_logs": finding.log_count,  # type: ignore[attr-defined]
                "action": None,
            }
            if action is not None:
                entry["action"] = {
                    "owner": person_label(action.owner, _("the partner's coordinator")),
                    "due_date": action.due_date,
                    "status": action.status,
                    "status_label": status_labels.get(action.status, action.status),
                    "overdue": action.is_overdue_on(day),
                    "answer": "" if public else action.answer,
                    "answered_at": action.answered_at,
                    "verified_at": action.verified_at,
                    "reopen_reason": "" if public else action.reopen_reason,
                }
            group.append(entry)
        if group:
            by_severity.append({"severity": severity, "label": severity_labels[severity], "findings": group})
    number = 0
    for group_entry in by_severity:
        for entry in group_entry["findings"]:
            number += 1
            entry["number"] = number
            if entry["action"] is not None:
                actions.append({"finding": entry, **entry["action"]})

    return {
        "inspection": inspection,
        "variant": variant,
        "public": public,
        "version": version,
        "as_of": day,
        "facts": {
            "kind": inspection.get_kind_display(),
            "target_partner": target,
            "target_partner_kind": inspection.target_partner.get_kind_display(),
            "target_detail": target_detail,
            "target_detail_label": target_label,
            "scope": clean(inspection.scope),
            "checklist": inspection.template.name,
            "planned_date": inspection.planned_date,
            "started_at": inspection.started_at,
            "closed_at": inspection.closed_at,
            "published_at": inspection.published_at,
            "days_to_publication": inspection.days_to_publication,
            "inspectors": public_inspector_names(inspectors) if public else [u.display_name for u in inspectors],
            "summary": clean(inspection.public_summary),
        },
        "aspects": aspects,
        "chart_svg": aspect_chart_svg(aspects),
        "rated": len(results),
        "findings_by_severity": by_severity,
        "finding_count": len(findings),
        "actions": actions,
        "overdue_count": sum(1 for a in actions if a["overdue"]),
    }


# --- Requesting and rendering -----------------------------------------------------------------------------

#: The Celery task that renders a report (``supervision.jobs.reports.render_report``), sent by name: the task
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


def _enqueue(report_id: int) -> None:
    """Hand the render to the worker. A broker that does not answer leaves the report FAILED (visible, and
    the office can retry), not silently pending for ever."""
    try:
        celery_app.send_task(RENDER_TASK, args=(report_id,))
    except Exception as error:
        logger.exception("could not queue the render of report %s", report_id)
        _mark_failed(report_id, _error_text(error))


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
