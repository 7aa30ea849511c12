"""Partner scorecards: what external supervision says about each partner, and the probation rule.

A card counts a partner's inspections, its findings by severity (the last 12 months and all time), its
open and overdue corrective actions, and the trend of its results: the share of conforming checklist items
in each of its last four closed inspections. Cards are built for many partners in a fixed number of
queries (one per kind of figure, grouped by partner), so the office's page costs the same for 5 partners
as for 500.

Secrecy: everything a card counts is read through ``access.scope`` for the reader, so a coordinator's card
is built from started inspections only and never moves when a spot inspection of their partner is
planned. The office also sees how many are planned, as a separate figure.

The probation rule (issue #5): two major findings, or one critical finding, within 12 months propose
probation to the office, which decides. Accepting puts the partner on probation through
``partners.services.partner_change_status``; declining records a "no change" row in the partner's status
history (from and to the same status, with the reason), which is also what stops the same proposal from
coming back: a proposal is shown only while some finding behind it is newer than the partner's last
recorded status decision. A new qualifying finding after a decision proposes again.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import AnyUser
from core import hooks
from core.hooks import RenderedBlock
from core.validation import refuse
from partners import access
from partners.models import Partner, PartnerStatus, PartnerStatusChange
from partners.services import partner_change_status
from supervision.models import (
    AWAITING_ANSWER,
    STARTED_STATUSES,
    ActionStatus,
    ChecklistResult,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionStatus,
    Rating,
    Severity,
)

#: The window of the probation rule and of the "recent" findings.
WINDOW_DAYS = 365
#: How many closed inspections the trend shows.
TREND_POINTS = 4
#: The rule: this many findings of a severity within the window propose probation.
PROBATION_THRESHOLDS: dict[str, int] = {Severity.CRITICAL: 1, Severity.MAJOR: 2}
#: Severities in the order the card shows them, gravest last.
SEVERITIES: tuple[str, ...] = (Severity.OBSERVATION, Severity.MINOR, Severity.MAJOR, Severity.CRITICAL)
_CLOSED = (InspectionStatus.CLOSED, InspectionStatus.PUBLISHED)
_TONES: dict[str, str] = {
    Severity.OBSERVATION: "secondary",
    Severity.MINOR: "info",
    Severity.MAJOR: "warning",
    Severity.CRITICAL: "danger",
}

# The sparkline's drawing box (SVG user units); the template scales it.
SPARK_WIDTH = 120
SPARK_HEIGHT = 32
_SPARK_PAD = 4


@dataclass(frozen=True)
class TrendPoint:
    """One closed inspection's result: the share of its applicable items rated conforming."""

    inspection_id: int
    closed_on: datetime.date
    conforming: int
    applicable: int

    @property
    def percent(self) -> int:
        return round(100 * self.conforming / self.applicable) if self.applicable else 0


@dataclass(frozen=True)
class SeverityRow:
    """Findings of one severity, for the card's bars (``*_percent`` are relative to the card's largest)."""

    severity: str
    label: str
    recent: int
    total: int
    recent_percent: int
    total_percent: int

    @property
    def tone(self) -> str:
        """The Bootstrap colour of the severity's bars and badges."""
        return _TONES.get(self.severity, "secondary")


@dataclass
class Scorecard:
    """What supervision says about one partner, as the reader may know it."""

    partner: Partner
    #: started inspections (in progress, closed or published)
    inspections: int = 0
    #: planned inspections, counted for the office only (None for everybody else)
    planned: int | None = None
    findings_recent: dict[str, int] = field(default_factory=dict)
    findings_total: dict[str, int] = field(default_factory=dict)
    #: actions not yet verified (open, answered or reopened)
    open_actions: int = 0
    #: actions awaiting an answer after their due date
    overdue_actions: int = 0
    #: the last closed inspections, oldest first
    trend: list[TrendPoint] = field(default_factory=list)
    probation_proposed: bool = False
    probation_reason: str = ""
    #: blocks other apps add through ``core.hooks.SCORECARD_SECTIONS`` (review results, budget use...)
    sections: list[RenderedBlock] = field(default_factory=list)

    @property
    def severity_rows(self) -> list[SeverityRow]:
        labels = dict(Severity.choices)
        largest = max([*self.findings_total.values(), 1])
        rows = []
        for severity in SEVERITIES:
            recent, total = self.findings_recent.get(severity, 0), self.findings_total.get(severity, 0)
            rows.append(
                SeverityRow(
                    severity=severity,
                    label=str(labels[severity]),
                    recent=recent,
                    total=total,
                    recent_percent=round(100 * recent / largest),
                    total_percent=round(100 * total / largest),
                )
            )
        return rows

    @property
    def findings_recent_count(self) -> int:
        return sum(self.findings_recent.values())

    @property
    def last_result(self) -> int | None:
        return self.trend[-1].percent if self.trend else None

    @property
    def sparkline(self) -> list[tuple[float, float, TrendPoint]]:
        """The trend as (x, y, point) in the sparkline's box: 0% at the bottom, 100% at the top."""
        if not self.trend:
            return []
        inner_w, inner_h = SPARK_WIDTH - 2 * _SPARK_PAD, SPARK_HEIGHT - 2 * _SPARK_PAD
        step = inner_w / (len(self.trend) - 1) if len(self.trend) > 1 else 0
        points = []
        for index, point in enumerate(self.trend):
            x = _SPARK_PAD + (index * step if len(self.trend) > 1 else inner_w / 2)
            y = _SPARK_PAD + inner_h * (1 - point.percent / 100)
            points.append((round(x, 1), round(y, 1), point))
        return points

    @property
    def sparkline_points(self) -> str:
        """The ``points`` attribute of the sparkline's SVG polyline."""
        return " ".join(f"{x},{y}" for x, y, _point in self.sparkline)


def window_start(today: datetime.date) -> datetime.datetime:
    """The first moment of the 12 months ending ``today``."""
    first_day = today - datetime.timedelta(days=WINDOW_DAYS)
    return timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))


def _is_office(user: AnyUser | None) -> bool:
    return user is None or access.is_office(user)


def _scoped(queryset: QuerySet[Any], user: AnyUser | None) -> QuerySet[Any]:
    """The reader's rows (``None``: the office's jobs, which act for nobody and see everything)."""
    return queryset if user is None else access.scope(queryset, user)


def _proposal_reason(recent: dict[str, int]) -> str:
    """Why the rule proposes probation, in the current language ("" when it does not)."""
    reasons = []
    critical, major = recent.get(Severity.CRITICAL, 0), recent.get(Severity.MAJOR, 0)
    if critical >= PROBATION_THRESHOLDS[Severity.CRITICAL]:
        reasons.append(
            ngettext(
                "a critical finding within 12 months",
                "%(count)s critical findings within 12 months",
                critical,
            )
            % {"count": critical}
        )
    if major >= PROBATION_THRESHOLDS[Severity.MAJOR]:
        reasons.append(_("%(count)s major findings within 12 months") % {"count": major})
    text = "; ".join(reasons)
    return text[:1].upper() + text[1:]


def _build(partners: list[Partner], *, today: datetime.date, user: AnyUser | None) -> list[Scorecard]:
    """Cards for ``partners`` as ``user`` may know them, in six queries whatever their number."""
    cards = {partner.pk: Scorecard(partner=partner) for partner in partners}
    if not cards:
        return []
    ids = list(cards)
    office = _is_office(user)
    since = window_start(today)

    inspections = _scoped(Inspection.objects.filter(target_partner_id__in=ids), user)
    for row in inspections.values("target_partner_id", "status").annotate(count=Count("pk")).order_by():
        card = cards[row["target_partner_id"]]
        if row["status"] in STARTED_STATUSES:
            card.inspections += row["count"]
        elif office:
            card.planned = (card.planned or 0) + row["count"]
    if office:
        for card in cards.values():
            card.planned = card.planned or 0

    findings = _scoped(
        Finding.objects.filter(inspection__target_partner_id__in=ids, inspection__status__in=STARTED_STATUSES), user
    )
    latest_grave: dict[int, datetime.datetime] = {}
    for row in (
        findings.values("inspection__target_partner_id", "severity")
        .annotate(
            total=Count("pk"),
            recent=Count("pk", filter=Q(created_at__gte=since)),
            latest_recent=Max("created_at", filter=Q(created_at__gte=since)),
        )
        .order_by()
    ):
        partner_id = row["inspection__target_partner_id"]
        card = cards[partner_id]
        card.findings_total[row["severity"]] = row["total"]
        card.findings_recent[row["severity"]] = row["recent"]
        if row["severity"] in PROBATION_THRESHOLDS and row["latest_recent"] is not None:
            latest_grave[partner_id] = max(latest_grave.get(partner_id, row["latest_recent"]), row["latest_recent"])

    actions = _scoped(
        CorrectiveAction.objects.filter(
            finding__inspection__target_partner_id__in=ids, finding__inspection__status__in=STARTED_STATUSES
        ),
        user,
    )
    for row in (
        actions.values("finding__inspection__target_partner_id")
        .annotate(
            open=Count("pk", filter=~Q(status=ActionStatus.VERIFIED)),
            overdue=Count("pk", filter=Q(status__in=AWAITING_ANSWER, due_date__lt=today)),
        )
        .order_by()
    ):
        card = cards[row["finding__inspection__target_partner_id"]]
        card.open_actions, card.overdue_actions = row["open"], row["overdue"]

    results = _scoped(
        ChecklistResult.objects.filter(inspection__target_partner_id__in=ids, inspection__status__in=_CLOSED), user
    )
    trends: dict[int, list[TrendPoint]] = defaultdict(list)
    for row in (
        results.values("inspection_id", "inspection__target_partner_id", "inspection__closed_at")
        .annotate(
            conforming=Count("pk", filter=Q(rating=Rating.CONFORMING)),
            applicable=Count("pk", filter=~Q(rating=Rating.NOT_APPLICABLE)),
        )
        .order_by()
    ):
        if not row["applicable"] or row["inspection__closed_at"] is None:
            continue  # nothing applicable was rated: no share to draw
        trends[row["inspection__target_partner_id"]].append(
            TrendPoint(
                inspection_id=row["inspection_id"],
                closed_on=timezone.localdate(row["inspection__closed_at"]),
                conforming=row["conforming"],
                applicable=row["applicable"],
            )
        )
    for partner_id, points in trends.items():
        points.sort(key=lambda point: (point.closed_on, point.inspection_id))
        cards[partner_id].trend = points[-TREND_POINTS:]

    extra_reasons = _sections(cards, user=user, today=today)

    if office:
        decided = dict(
            PartnerStatusChange.objects.filter(partner_id__in=ids)
            .values("partner_id")
            .annotate(last=Max("changed_at"))
            .values_list("partner_id", "last")
        )
        for partner_id, card in cards.items():
            _propose(card, latest_grave.get(partner_id), decided.get(partner_id))
            if (
                not card.probation_proposed
                and extra_reasons.get(partner_id)
                and card.partner.status == PartnerStatus.ACTIVE
            ):
                card.probation_proposed, card.probation_reason = True, extra_reasons[partner_id]
    return list(cards.values())


def _sections(cards: dict[int, Scorecard], *, user: AnyUser | None, today: datetime.date) -> dict[int, str]:
    """Fill each card's blocks from ``core.hooks.SCORECARD_SECTIONS``; return the probation reasons they
    give by partner id (the office's proposal rule reads them beside the findings)."""
    reasons: dict[int, str] = {}
    ids = list(cards)
    for section in hooks.SCORECARD_SECTIONS:
        built = section.build(partner_ids=ids, user=user, today=today)
        for partner_id, context in built.items():
            if partner_id not in cards:
                continue
            cards[partner_id].sections.append(RenderedBlock(section.key, section.template, context))
            if context.get("probation_reason") and partner_id not in reasons:
                reasons[partner_id] = str(context["probation_reason"])
    return reasons


def _propose(card: Scorecard, latest_grave: datetime.datetime | None, decided: datetime.datetime | None) -> None:
    """Apply the rule to one card: only to an active partner, and only while a finding behind the proposal
    is newer than the partner's last status decision (accepted, declined or any other)."""
    reason = _proposal_reason(card.findings_recent)
    if not reason or card.partner.status != PartnerStatus.ACTIVE or latest_grave is None:
        return
    if decided is not None and decided >= latest_grave:
        return
    card.probation_proposed, card.probation_reason = True, reason


def scorecards(partners_qs: QuerySet[Partner], *, user: AnyUser, today: datetime.date | None = None) -> list[Scorecard]:
    """Cards for the partners of ``partners_qs`` whose scorecard ``user`` may see (``view_scorecard``),
    in the queryset's order. The office gets planned counts and probation proposals; a coordinator's card
    holds started inspections only and never carries a proposal (the office decides)."""
    partners = list(access.scope(partners_qs, user, "view_scorecard"))
    return _build(partners, today=today or timezone.localdate(), user=user)


def scorecard_list(*, user: AnyUser, today: datetime.date | None = None) -> list[Scorecard]:
    """Every partner's card the user may see, by partner name (the office's overview, a coordinator's own)."""
    return scorecards(Partner.objects.order_by("name"), user=user, today=today)


def scorecard_page(partners: list[Partner], *, user: AnyUser, today: datetime.date | None = None) -> list[Scorecard]:
    """Cards for one page of partners already read through the user's ``view_scorecard`` scope (the
    overview is paged: issue #19), in their order; six queries whatever their number."""
    return _build(partners, today=today or timezone.localdate(), user=user)


def scorecard_of(*, user: AnyUser, partner: Partner, today: datetime.date | None = None) -> Scorecard:
    """The card of one partner whose scorecard the user may see (fetched through the scope first)."""
    return scorecards(Partner.objects.filter(pk=partner.pk), user=user, today=today)[0]


def probation_proposals(today: datetime.date | None = None) -> list[Scorecard]:
    """Cards of the active partners the rule proposes for probation and the office has not yet decided
    on, by partner name. For the office's pages and digest: it acts for nobody and sees every partner."""
    day = today or timezone.localdate()
    since = window_start(day)
    grave = Q(severity=Severity.CRITICAL) | Q(severity=Severity.MAJOR)
    candidates = (
        Finding.objects.filter(grave, created_at__gte=since, inspection__status__in=STARTED_STATUSES)
        .values("inspection__target_partner_id")
        .order_by()
    )
    partners = list(Partner.objects.filter(status=PartnerStatus.ACTIVE, pk__in=candidates).order_by("name"))
    return [card for card in _build(partners, today=day, user=None) if card.probation_proposed]


# --- The office's decision ------------------------------------------------------------------------------


def _refuse(field_name: str, message: str, code: str) -> ValidationError:
    return refuse(field_name, code, message)


def _proposal_of(partner: Partner, today: datetime.date) -> Scorecard:
    card = _build([partner], today=today, user=None)[0]
    if not card.probation_proposed:
        raise _refuse(
            "decision", _("Probation is not proposed for this partner (or it was already decided)."), "no_proposal"
        )
    return card


@transaction.atomic
def probation_accept(
    *, partner: Partner, reason: str, by: User, today: datetime.date | None = None
) -> PartnerStatusChange:
    """The office accepts the proposal: the partner goes on probation, with the reason in its history."""
    access.require(by, "change_status", partner)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    _proposal_of(partner, today or timezone.localdate())
    if not reason.strip():
        raise _refuse("reason", _("Give the reason for probation."), "required")
    return partner_change_status(partner=partner, status=PartnerStatus.PROBATION, reason=reason, by=by)


@transaction.atomic
def probation_decline(
    *, partner: Partner, reason: str, by: User, today: datetime.date | None = None
) -> PartnerStatusChange:
    """The office declines the proposal, saying why. The decision is kept in the partner's status history
    as a row that changes nothing (from and to the same status), and the same proposal is not shown
    again; a later major or critical finding proposes anew."""
    access.require(by, "change_status", partner)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    card = _proposal_of(partner, today or timezone.localdate())
    if not reason.strip():
        raise _refuse("reason", _("Say why probation is not needed."), "required")
    # Stored once, in the site's language, like every reason in the history.
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Probation proposed (%(basis)s) and declined: %(reason)s") % {
            "basis": _proposal_reason(card.findings_recent),
            "reason": reason.strip(),
        }
    return PartnerStatusChange.objects.create(
        partner=partner, from_status=partner.status, to_status=partner.status, reason=text, changed_by=by
    )


def cards_by_proposal(cards: Iterable[Scorecard]) -> tuple[list[Scorecard], list[Scorecard]]:
    """The cards with a proposal first (the office decides those), then the others, each in order."""
    listed = list(cards)
    return [c for c in listed if c.probation_proposed], [c for c in listed if not c.probation_proposed]
