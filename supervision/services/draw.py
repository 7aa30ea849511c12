"""The risk-weighted spot-inspection draw: which partners get an unannounced inspection this week.

Once per period (an ISO week, ``2026-W48``) the draw lists the candidates, weighs each by its risk, picks
a few at random in proportion to their weights, and plans a spot inspection of each pick. It stores its
random seed, every candidate with its factors and weight, and its picks, so anyone can recompute it
(``draw_recompute``) and see that nobody chose the targets by hand. ``docs/supervision-draw.md`` explains
the model for the office; this docstring is the reference.

Candidates
    Partners that train students other than the university (hospitals, enterprises, research
    institutes: ``TRAINING_KINDS`` without the university; the supporting subjects host no placements
    and no practice hours), active or on probation (a suspended partner takes no students), and with no
    inspection already planned or in progress. They are ordered by partner id; that order is the
    candidate's ``position``.

Risk factors (``risk_factors``, three queries whatever the number of partners)
    * ``probation``: the partner's status is "on probation";
    * ``open_actions``: corrective actions of its inspections not yet verified (open, answered, reopened);
    * ``overdue_actions``: of those, the ones still awaiting the owner's answer after their due date;
    * practice-hour anomalies over the entries dated in the last ``ANOMALY_WINDOW_DAYS`` (90) days at the
      partner's placements, withdrawn entries left out (``entries`` counts them):

      - ``entered_by_others_share``: share of entries entered by someone other than the student (a
        supervisor logging for a supervisee is allowed, but a high share means students do not log);
      - ``late_approval_share``: share of approved entries decided more than ``LATE_APPROVAL_DAYS`` (14)
        days after the day they are about (sign-off long after the fact cannot be checked);
      - ``bulk_approval_share``: share of approved entries approved in a bulk approval. Bulk approvals
        are recorded: ``practice.services.practice_logs_approve`` sets ``PracticeLog.decided_in_bulk``
        when one request approves more than one entry, so the flag is read, not guessed.

      With fewer than ``MIN_ENTRIES`` (5) entries (or approved entries) a share says nothing and counts 0.
    * ``days_since_inspection``: days since the partner's last inspection (the later of the last start
      and the last planned date not in the future), capped at ``DAYS_CAP`` (730); never inspected counts
      as the cap (``never_inspected``).

Weight (``weight``; every term is a named constant below, rounded to 4 decimals)::

    weight = 1.0                                          BASE
           + 2.0  if on probation                         PROBATION
           + 0.5  x min(open actions, 4)                  OPEN_ACTION, OPEN_ACTIONS_CAP
           + 1.0  x min(overdue actions, 3)               OVERDUE_ACTION, OVERDUE_ACTIONS_CAP
           + 2.0  x share entered by others               ENTERED_BY_OTHERS
           + 1.5  x share approved late                   LATE_APPROVAL
           + 1.5  x share approved in bulk                BULK_APPROVAL
           + 2.0  x min(days since inspection, 730) / 730 TIME_SINCE_INSPECTION

So every candidate keeps a chance (at least 1.0) and, on these terms alone, the riskiest partner weighs
at most 15. Apps above supervision add capped terms of their own through ``core.hooks.DRAW_FACTORS``
(their values are stored with the candidate's factors, so a draw recomputes the same afterwards); the
draw page names each.

Picking (``draw_pick``): weighted sampling without replacement by Efraimidis-Spirakis keys. A
``random.Random(seed)`` draws ``u`` in [0, 1) for each candidate in position order; the key is
``u ** (1 / weight)``; the picks are the ``k`` largest keys (ties to the lower position), in decreasing
key order. The result depends only on the seed, the ordered candidates and their stored weights. The
same generator then, for each pick in pick order, chooses the planned date (a working day within the
next ``PLAN_WITHIN_DAYS`` days) and breaks ties among equally loaded inspectors.

Assignment: inspectors are users with the inspector platform role; one with a membership at the picked
partner that has not ended (in force now, or starting later) has a conflict of interest and is never
chosen. The least loaded (fewest inspections planned or in progress, counting this draw's assignments)
come first. ``inspection_plan`` tells the assigned inspectors (and nobody at the target). With no eligible
inspector, no office user or no active partner checklist, the pick is recorded with its reason and no
inspection is planned.
"""

from __future__ import annotations

import datetime
import json
import random
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateField, ExpressionWrapper, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import PlatformRole
from core import hooks, navcache
from partners import access
from partners.models import TRAINING_KINDS, Membership, Partner, PartnerKind, PartnerStatus
from practice.models import EntryStatus, PracticeLog
from supervision.models import (
    AWAITING_ANSWER,
    ActionStatus,
    ChecklistTemplate,
    CorrectiveAction,
    DrawCandidate,
    Inspection,
    InspectionKind,
    InspectionStatus,
    SpotDraw,
    TargetKind,
)
from supervision.services.inspections import inspection_plan

#: The algorithm stored on each draw; ``draw_recompute`` refuses a draw made by another one.
ALGORITHM = "weighted-without-replacement-v1"

# --- The risk model's constants (see the module docstring) ------------------------------------------------
BASE = Decimal("1.0")
PROBATION = Decimal("2.0")
OPEN_ACTION = Decimal("0.5")
OPEN_ACTIONS_CAP = 4
OVERDUE_ACTION = Decimal("1.0")
OVERDUE_ACTIONS_CAP = 3
ENTERED_BY_OTHERS = Decimal("2.0")
LATE_APPROVAL = Decimal("1.5")
BULK_APPROVAL = Decimal("1.5")
TIME_SINCE_INSPECTION = Decimal("2.0")
DAYS_CAP = 730
ANOMALY_WINDOW_DAYS = 90
LATE_APPROVAL_DAYS = 14
MIN_ENTRIES = 5
#: A planned date is a working day (Monday to Friday) among the next this-many days.
PLAN_WITHIN_DAYS = 14
#: Candidates written per INSERT: 100,000 candidates in one statement made a 35 MB query (issue #19).
CANDIDATES_PER_INSERT = 2000

_PLACES = Decimal("0.0001")
#: Partners a spot inspection can target: the training subjects but the lead university.
DRAW_KINDS = tuple(sorted(TRAINING_KINDS - {PartnerKind.UNIVERSITY}))
_ELIGIBLE_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.PROBATION)
_OPEN_INSPECTION = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)

# Reasons and notes are stored as English source text and translated when shown (like notifications).
NO_INSPECTOR = gettext_noop("no inspector without a conflict of interest")
NO_OFFICE_USER = gettext_noop("no active office user to plan the inspection")
NO_TEMPLATE = gettext_noop("no active checklist for partners")
NOTE_NO_CANDIDATES = gettext_noop("No partner could be drawn: none is eligible.")
NOTE_NO_OFFICE_USER = gettext_noop("No active office user: the picks were recorded but no inspection was planned.")
NOTE_NO_TEMPLATE = gettext_noop("No active checklist for partners: the picks were recorded but not planned.")
NOTE_SKIPPED = gettext_noop("Some picks were not planned; see why on each pick.")

_PERIOD = re.compile(r"^\d{4}-W\d{2}$")


# --- Risk -----------------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float:
    """``part / whole`` rounded to 4 places, 0 below ``MIN_ENTRIES`` (a handful of entries proves nothing)."""
    if whole < MIN_ENTRIES:
        return 0.0
    return round(part / whole, 4)


def risk_factors(
    partners: Iterable[Partner], today: datetime.date, *, among: QuerySet[Partner] | None = None
) -> dict[int, dict[str, Any]]:
    """The risk factors of each partner on ``today``, by partner id, JSON-ready (stored on the candidate).

    Three grouped queries (corrective actions, practice-hour entries, inspections) whatever the number of
    partners, and each factor of ``core.hooks.DRAW_FACTORS`` its own: the database counts, Python only
    divides. ``among``, a queryset holding at least ``partners``, is sent to the database as a subquery
    (the draw passes every partner of a drawable kind); without it, the partners' ids are. Rows of
    partners not in ``partners`` are left out.
    """
    rows = [(p.pk, p.status) for p in partners]
    scope = among if among is not None else Partner.objects.filter(pk__in=[pk for pk, _status in rows])
    return _risk_factors(rows, today, scope.order_by().values("pk"))


def _risk_factors(
    rows: Sequence[tuple[int, str]], today: datetime.date, ids: QuerySet[Any]
) -> dict[int, dict[str, Any]]:
    """``risk_factors`` of the partners ``rows`` (id, status); ``ids`` is a subquery of partner ids that holds
    at least theirs. No statement lists the partners: at 100,000 candidates that made IN-lists of 0.7 MB
    (issue #19)."""
    actions: dict[int, Mapping[str, Any]] = {
        row["partner_id"]: row
        for row in CorrectiveAction.objects.filter(finding__inspection__target_partner_id__in=ids)
        .order_by()
        .values(partner_id=F("finding__inspection__target_partner_id"))
        .annotate(
            open=Count("pk", filter=~Q(status=ActionStatus.VERIFIED)),
            overdue=Count("pk", filter=Q(status__in=AWAITING_ANSWER, due_date__lt=today)),
        )
    }
    late_after = ExpressionWrapper(F("date") + datetime.timedelta(days=LATE_APPROVAL_DAYS), output_field=DateField())
    approved = Q(status=EntryStatus.APPROVED)
    logs: dict[int, Mapping[str, Any]] = {
        row["partner_id"]: row
        for row in PracticeLog.objects.filter(
            placement__partner_id__in=ids,
            date__gt=today - datetime.timedelta(days=ANOMALY_WINDOW_DAYS),
            date__lte=today,
        )
        .exclude(status=EntryStatus.WITHDRAWN)
        .order_by()
        .values(partner_id=F("placement__partner_id"))
        .annotate(
            entries=Count("pk"),
            by_others=Count("pk", filter=~Q(entered_by_id=F("student__user_id"))),
            approved=Count("pk", filter=approved),
            late=Count("pk", filter=approved & Q(decided_at__date__gt=late_after)),
            bulk=Count("pk", filter=approved & Q(decided_in_bulk=True)),
        )
    }
    inspections: dict[int, Mapping[str, Any]] = {
        row["target_partner_id"]: row
        for row in Inspection.objects.filter(target_partner_id__in=ids)
        .order_by()
        .values("target_partner_id")
        .annotate(
            last_started=Max("started_at", filter=Q(started_at__date__lte=today)),
            last_planned=Max("planned_date", filter=Q(planned_date__lte=today)),
        )
    }
    nothing: Mapping[str, Any] = {}
    result: dict[int, dict[str, Any]] = {}
    # Most partners have no action, no entry and no inspection: their factors differ only in probation.
    quiet = {probation: _quiet(probation) for probation in (False, True)}
    for partner_id, status in rows:
        if partner_id not in actions and partner_id not in logs and partner_id not in inspections:
            result[partner_id] = quiet[status == PartnerStatus.PROBATION].copy()
            continue
        action = actions.get(partner_id, nothing)
        log = logs.get(partner_id, nothing)
        entries, approved_count = log.get("entries", 0), log.get("approved", 0)
        seen = inspections.get(partner_id)
        last = None
        if seen is not None:
            started = seen["last_started"]
            dates = [
                d for d in (timezone.localdate(started) if started else None, seen["last_planned"]) if d is not None
            ]
            last = max(dates) if dates else None
        days = DAYS_CAP if last is None else max(0, min(DAYS_CAP, (today - last).days))
        result[partner_id] = {
            "probation": status == PartnerStatus.PROBATION,
            "open_actions": action.get("open", 0),
            "overdue_actions": action.get("overdue", 0),
            "entries": entries,
            "approved_entries": approved_count,
            "entered_by_others_share": _share(log.get("by_others", 0), entries),
            "late_approval_share": _share(log.get("late", 0), approved_count),
            "bulk_approval_share": _share(log.get("bulk", 0), approved_count),
            "last_inspected": last.isoformat() if last else None,
            "never_inspected": last is None,
            "days_since_inspection": days,
        }
    for factor in hooks.DRAW_FACTORS:
        if factor.absent:
            for values in result.values():
                values.update(factor.absent)
        for partner_id, computed in factor.compute(ids, today).items():
            if partner_id in result:
                result[partner_id].update(computed)
    return result


def _quiet(probation: bool) -> dict[str, Any]:
    """The factors of a partner with no corrective action, no entry in the window and no inspection."""
    return {
        "probation": probation,
        "open_actions": 0,
        "overdue_actions": 0,
        "entries": 0,
        "approved_entries": 0,
        "entered_by_others_share": _share(0, 0),
        "late_approval_share": _share(0, 0),
        "bulk_approval_share": _share(0, 0),
        "last_inspected": None,
        "never_inspected": True,
        "days_since_inspection": DAYS_CAP,
    }


def _q(value: Decimal) -> Decimal:
    return value.quantize(_PLACES, rounding=ROUND_HALF_UP)


def weight_parts(factors: dict[str, Any]) -> dict[str, Decimal]:
    """What each factor adds to the base weight (the detail page shows it; ``weight`` sums it)."""

    def share(name: str) -> Decimal:
        return Decimal(str(factors.get(name) or 0))

    days = min(int(factors.get("days_since_inspection") or 0), DAYS_CAP)
    return {
        "base": BASE,
        "probation": PROBATION if factors.get("probation") else Decimal("0"),
        "open_actions": OPEN_ACTION * min(int(factors.get("open_actions") or 0), OPEN_ACTIONS_CAP),
        "overdue_actions": OVERDUE_ACTION * min(int(factors.get("overdue_actions") or 0), OVERDUE_ACTIONS_CAP),
        "entered_by_others": _q(ENTERED_BY_OTHERS * share("entered_by_others_share")),
        "late_approval": _q(LATE_APPROVAL * share("late_approval_share")),
        "bulk_approval": _q(BULK_APPROVAL * share("bulk_approval_share")),
        "time_since_inspection": _q(TIME_SINCE_INSPECTION * days / DAYS_CAP),
        **{factor.key: _q(Decimal(factor.weight(factors))) for factor in hooks.DRAW_FACTORS},
    }


def weight(factors: dict[str, Any]) -> Decimal:
    """The candidate's weight: ``BASE`` plus each factor's term (module docstring), to 4 decimals."""
    return _q(sum(weight_parts(factors).values(), Decimal("0")))


def _weights(factors: Sequence[dict[str, Any]], stored: Sequence[str]) -> list[Decimal]:
    """``weight`` of each candidate's factors, computed once per distinct set: most candidates share theirs
    (no entries, no actions, never inspected), and the Decimal terms were a fifth of the draw's Python
    time at 100,000 candidates. ``stored`` is each set as the JSON text the candidate stores, so two sets
    are the same when they are stored the same (``1`` and ``True`` or ``1.0`` stay apart). The weight is a
    pure function of the factors (a hook's ``weight`` too: ``core.hooks.DrawFactor``)."""
    seen: dict[str, Decimal] = {}
    weights: list[Decimal] = []
    for values, text in zip(factors, stored, strict=True):
        known = seen.get(text)
        if known is None:
            known = seen[text] = weight(values)
        weights.append(known)
    return weights


# --- Picking --------------------------------------------------------------------------------------------


def _pick_with(rng: random.Random, weights: Sequence[Decimal], k: int) -> list[int]:
    """Efraimidis-Spirakis: one ``u`` per candidate in order, key ``u ** (1/w)``, the ``k`` largest keys."""
    keyed = []
    for position, w in enumerate(weights):
        u = rng.random()
        keyed.append((u ** (1.0 / float(w)) if w > 0 else 0.0, position))
    keyed.sort(key=lambda pair: (-pair[0], pair[1]))
    return [position for _key, position in keyed[: max(0, min(k, len(weights)))]]


def draw_pick(seed: int, weights: Sequence[Decimal], k: int) -> list[int]:
    """Indexes (positions) of the ``k`` picks among candidates of ``weights``, in pick order: a pure function
    of the seed, the order of the candidates and their weights."""
    return _pick_with(random.Random(seed), weights, k)  # noqa: S311 (reproducible by design, not secret)


def draw_recompute(draw: SpotDraw) -> list[int]:
    """Re-run the pick of a stored draw from its seed, candidates and weights: partner ids in pick order.
    Equal to ``draw_picks(draw)`` unless the stored draw was altered (the audit check)."""
    if draw.algorithm != ALGORITHM:
        raise ValueError(f"Cannot recompute a draw made with {draw.algorithm!r}.")
    candidates = list(draw.candidates.order_by("position").values_list("partner_id", "weight"))
    positions = draw_pick(draw.seed, [w for _pid, w in candidates], draw.picks_wanted)
    return [candidates[p][0] for p in positions]


def draw_picks(draw: SpotDraw) -> list[int]:
    """The partner ids the draw stored as picks, in pick order."""
    return list(
        draw.candidates.filter(pick_order__isnull=False).order_by("pick_order").values_list("partner_id", flat=True)
    )


# --- Running a period's draw --------------------------------------------------------------------------------


def period_of(day: datetime.date) -> str:
    """The ISO week of ``day``, as ``YYYY-Www``."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DrawOutcome:
    """A period's draw, and whether this call made it (False: the period was already drawn)."""

    draw: SpotDraw
    created: bool


def _candidates() -> QuerySet[Partner]:
    busy = Inspection.objects.filter(status__in=_OPEN_INSPECTION).values("target_partner_id")
    return (
        Partner.objects.filter(kind__in=DRAW_KINDS, status__in=_ELIGIBLE_STATUSES).exclude(pk__in=busy).order_by("pk")
    )


def draw_candidates() -> list[Partner]:
    """Partners that may be drawn now, ordered by id (their position)."""
    return list(_candidates())


def _drawable_kinds() -> QuerySet[Partner]:
    """Every partner of a kind the draw can target: a superset of the candidates that does not move while
    the draw runs (kinds do not change), so the risk queries can take it as a subquery."""
    return Partner.objects.filter(kind__in=DRAW_KINDS)


def _system_user() -> User | None:
    """Who plans the inspections of the beat job: the earliest active user of the office group."""
    return access.users_with_platform_role(PlatformRole.OFFICE).order_by("date_joined", "pk").first()


def _working_days(today: datetime.date) -> list[datetime.date]:
    days = (today + datetime.timedelta(days=n) for n in range(1, PLAN_WITHIN_DAYS + 1))
    return [day for day in days if day.weekday() < 5]


class _Inspectors:
    """The inspector pool of one draw: loads read once, conflicts read once, loads updated as it assigns."""

    def __init__(self, partner_ids: Sequence[int], today: datetime.date) -> None:
        pool = (
            access.users_with_platform_role(PlatformRole.INSPECTOR)
            .annotate(
                load=Count(
                    "inspection_assignments",
                    filter=Q(inspection_assignments__inspection__status__in=_OPEN_INSPECTION),
                )
            )
            .order_by("pk")
        )
        # Inspectors working for a suspended partner take no new inspection (the planning service refuses them).
        employed_by_suspended = Membership.objects.active().filter(partner__status=PartnerStatus.SUSPENDED)
        self.users: list[User] = list(pool.exclude(pk__in=employed_by_suspended.values("user_id")))
        self.load = {u.pk: int(u.load) for u in self.users}  # type: ignore[attr-defined]
        # Conflicted: a membership at the partner not ended yet (in force, or starting later). The planning
        # service checks memberships in force; this is stricter, so the service never refuses a pick.
        not_ended = Q(end_date__isnull=True) | Q(end_date__gte=min(today, timezone.localdate()))
        self.conflicts = set(
            Membership.objects.filter(not_ended, user__in=[u.pk for u in self.users], partner_id__in=partner_ids)
            .order_by()
            .values_list("user_id", "partner_id")
        )

    def choose(self, partner_id: int, rng: random.Random, count: int) -> list[User]:
        """The ``count`` least loaded inspectors free of conflict at the partner; ties by ``rng``."""
        ties = {u.pk: rng.random() for u in self.users}
        eligible = [u for u in self.users if (u.pk, partner_id) not in self.conflicts]
        eligible.sort(key=lambda u: (self.load[u.pk], ties[u.pk]))
        chosen = eligible[: max(1, count)]
        for user in chosen:
            self.load[user.pk] += 1
        return chosen


@dataclass
class _Pick:
    """What became of a pick: its inspection, or why it got none."""

    order: int
    inspection_id: int | None = None
    skipped_reason: str = ""


def _make(*, today: datetime.date, period: str, picks: int, by: User | None) -> SpotDraw:
    """Record the draw and plan its picks (inside the caller's transaction)."""
    seed = secrets.randbits(63)
    draw = SpotDraw.objects.create(period=period, seed=seed, picks_wanted=picks, algorithm=ALGORITHM)
    rows = list(_candidates().values_list("pk", "status"))
    partner_ids = [partner_id for partner_id, _status in rows]
    by_partner = _risk_factors(rows, today, _drawable_kinds().order_by().values("pk"))
    factors = [by_partner[partner_id] for partner_id in partner_ids]
    stored = [json.dumps(values) for values in factors]
    weights = _weights(factors, stored)
    rng = random.Random(seed)  # noqa: S311 (reproducible by design: the seed is stored)
    picked = _pick_with(rng, weights, picks)
    picks_at = {position: _Pick(order=order) for order, position in enumerate(picked, start=1)}
    notes: list[str] = []
    if not rows:
        notes.append(NOTE_NO_CANDIDATES)
    planner = by or _system_user()
    template = ChecklistTemplate.objects.filter(is_active=True, target_kind=TargetKind.PARTNER).order_by("pk").first()
    if picked and planner is None:
        notes.append(NOTE_NO_OFFICE_USER)
    if picked and template is None:
        notes.append(NOTE_NO_TEMPLATE)
    per_pick = int(getattr(settings, "SUPERVISION_DRAW_INSPECTORS_PER_PICK", 1))
    picked_ids = [partner_ids[p] for p in picked]
    targets = Partner.objects.in_bulk(picked_ids) if picked_ids else {}
    pool = _Inspectors(picked_ids, today)
    days = _working_days(today)
    for position in picked:
        pick, partner_id = picks_at[position], partner_ids[position]
        planned_date = rng.choice(days)
        if planner is None:
            pick.skipped_reason = NO_OFFICE_USER
            continue
        if template is None:
            pick.skipped_reason = NO_TEMPLATE
            continue
        inspectors = pool.choose(partner_id, rng, per_pick)
        if not inspectors:
            pick.skipped_reason = NO_INSPECTOR
            continue
        pick.inspection_id = inspection_plan(
            kind=InspectionKind.SPOT,
            partner=targets[partner_id],
            template=template,
            planned_date=planned_date,
            inspectors=inspectors,
            by=planner,
            scope=_("Spot inspection drawn in %(period)s.") % {"period": period},
        ).pk
    if any(pick.skipped_reason for pick in picks_at.values()) and planner is not None and template is not None:
        notes.append(NOTE_SKIPPED)
    _write_candidates(draw, partner_ids, weights, factors, stored, picks_at)
    if notes:
        draw.note = "\n".join(notes)
        draw.save(update_fields=["note"])
    return draw


def _copies() -> bool:
    """Whether the candidates go in with ``COPY`` (PostgreSQL) rather than batched INSERTs."""
    return connection.vendor == "postgresql"


def _write_candidates(
    draw: SpotDraw,
    partner_ids: Sequence[int],
    weights: Sequence[Decimal],
    factors: Sequence[dict[str, Any]],
    stored: Sequence[str],
    picks_at: Mapping[int, _Pick],
) -> None:
    """Store every candidate, in position order (``stored``: its factors as JSON text). On PostgreSQL one
    ``COPY`` streams the rows: 100,000 candidates as INSERTs made 50 statements of 0.75 MB whose values
    Django and psycopg prepared and quoted one by one, most of the draw's time (issue #19). Elsewhere,
    INSERTs of ``CANDIDATES_PER_INSERT`` rows."""
    nobody = _Pick(order=0)
    if not _copies():
        candidates = (
            DrawCandidate(
                draw=draw,
                partner_id=partner_id,
                weight=weights[position],
                factors=factors[position],
                position=position,
                pick_order=picks_at[position].order if position in picks_at else None,
                inspection_id=picks_at.get(position, nobody).inspection_id,
                skipped_reason=picks_at.get(position, nobody).skipped_reason,
            )
            for position, partner_id in enumerate(partner_ids)
        )
        DrawCandidate.objects.bulk_create(candidates, batch_size=CANDIDATES_PER_INSERT)
        return
    meta = DrawCandidate._meta
    names = ("draw", "partner", "weight", "factors", "position", "pick_order", "inspection", "skipped_reason")
    column = {field.name: str(field.column) for field in meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(column[name]) for name in names)  # the order of the rows below
    table = connection.ops.quote_name(meta.db_table)
    draw_id = draw.pk
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for position, partner_id in enumerate(partner_ids):
            pick = picks_at.get(position, nobody)
            copy.write_row(
                (
                    draw_id,
                    partner_id,
                    weights[position],
                    stored[position],  # JSON text: the column's type (jsonb) reads it
                    position,
                    pick.order or None,
                    pick.inspection_id,
                    pick.skipped_reason,
                )
            )
    # COPY passes by Django's statement wrappers: say what it wrote, for what is kept between writes (ADR 0055).
    navcache.note_write(connection, meta.db_table)


def draw_run_outcome(
    *,
    today: datetime.date | None = None,
    period: str | None = None,
    picks: int | None = None,
    by: User | None = None,
) -> DrawOutcome:
    """Run the draw of a period (``draw_run``), saying whether this call made it."""
    if by is not None:
        access.require(by, "run", SpotDraw)
    day = today or timezone.localdate()
    name = period or period_of(day)
    if not _PERIOD.match(name):
        raise ValidationError({"period": [ValidationError(_("Write the period as 2026-W48."), code="invalid")]})
    wanted = picks if picks is not None else int(getattr(settings, "SUPERVISION_DRAW_PICKS", 2))
    if wanted < 0:
        raise ValidationError({"picks": [ValidationError(_("Ask for zero picks or more."), code="invalid")]})
    existing = SpotDraw.objects.filter(period=name).first()
    if existing is not None:
        return DrawOutcome(existing, created=False)
    try:
        with transaction.atomic():
            return DrawOutcome(_make(today=day, period=name, picks=wanted, by=by), created=True)
    except IntegrityError:
        # Another run of the same period committed first (the unique period): its draw is the draw.
        existing = SpotDraw.objects.filter(period=name).first()
        if existing is None:
            raise
        return DrawOutcome(existing, created=False)


def draw_run(
    *,
    today: datetime.date | None = None,
    period: str | None = None,
    picks: int | None = None,
    by: User | None = None,
) -> SpotDraw:
    """Draw this period's spot inspections, once: a period already drawn returns its draw unchanged.

    ``by`` (the office, from the page) must be allowed to run draws and plans the inspections; the beat
    job passes none and the earliest active office user plans them. Everything is one transaction: a
    failure writes nothing. See the module docstring for candidates, weights, picking and assignment.
    """
    return draw_run_outcome(today=today, period=period, picks=picks, by=by).draw


def draw_inspections_created(draw: SpotDraw) -> int:
    """How many of the draw's picks got an inspection."""
    return draw.candidates.filter(inspection__isnull=False).count()
