"""What internal supervision adds to the pages of lower apps, through ``core.hooks`` (registered from
``ReviewsConfig.ready()``):

* ``START_PANELS``: reviews to write, minutes to confirm, concerns to answer and agreed actions due;
* ``PLAN_SECTIONS``: supervision meetings this term against the programme's minimum;
* ``AT_RISK_REASONS``: a term ending within 30 days, or ended in the last 120, with fewer meetings than required;
* ``DRAW_FACTORS``: sites whose students' reviews average below the programme's low-score threshold (groups
  of 3 or more, closed rounds of the last 12 months) weigh in the spot draw;
* ``SCORECARD_SECTIONS``: internal review results beside the inspection results (aggregates only);
* ``NAV_ITEMS``: a "Reviews" link.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, F, FilteredRelation, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import hooks
from reviews import selectors
from reviews.models import (
    ANONYMITY_THRESHOLD,
    Direction,
    Meeting,
    ReviewAnswer,
    ReviewSchedule,
    ReviewStatus,
    ReviewTerm,
    RoundStatus,
)
from students.models import Student

#: Each site below the threshold adds this to a partner's draw weight, up to ``DRAW_CAP``.
DRAW_PER_SITE = Decimal("0.5")
DRAW_CAP = Decimal("1.0")
DEFAULT_LOW = Decimal("2.50")
_CENT = Decimal("0.01")


def _q2(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


# --- Start page -------------------------------------------------------------------------------------------


def start_panel(user: Any) -> Mapping[str, Any] | None:
    """The person's internal-supervision work: counts, and each agreed action due (fixed queries)."""
    if not user.is_authenticated:
        return None
    to_do = selectors.reviews_to_do(user=user).count()
    minutes = selectors.minutes_to_confirm(user=user).count()
    concerns = selectors.open_concerns_for(user=user).count()
    actions = list(selectors.actions_open_for(user=user).order_by("due_on", "pk")[:5])
    if not (to_do or minutes or concerns or actions):
        return None
    items = [
        {"label": _("Reviews to write"), "count": to_do, "url": reverse("reviews:todo")},
        {"label": _("Minutes to confirm"), "count": minutes, "url": reverse("reviews:todo")},
        {"label": _("Concerns waiting for your reply"), "count": concerns, "url": reverse("reviews:concerns")},
    ]
    items += [
        {
            "label": _("Action: %(text)s (due %(day)s)") % {"text": a.text, "day": a.due_on.isoformat()},
            "count": None,
            "url": reverse("reviews:meetings"),
        }
        for a in actions
    ]
    return {"key": "reviews", "title": _("Internal supervision"), "items": items}


# --- Plan page and at-risk list -----------------------------------------------------------------------------


def plan_meetings(*, user: Any, student: Any, today: datetime.date) -> Mapping[str, Any] | None:
    """Meetings held in the current term against the programme's minimum: one query (the term in force,
    the schedule's minimum and the meetings held, read together)."""
    meetings = (
        Meeting.objects.filter(student=student, held_on__gte=OuterRef("start_date"), held_on__lte=today)
        .order_by()
        .values("student_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    term = (
        ReviewTerm.objects.filter(
            programme_id=student.programme_id,
            start_date__lte=today,
            end_date__gte=today,
            programme__review_schedule__min_meetings_per_term__gt=0,
        )
        .annotate(
            required=F("programme__review_schedule__min_meetings_per_term"),
            held=Coalesce(Subquery(meetings, output_field=IntegerField()), Value(0)),
        )
        .first()
    )
    if term is None:
        return None
    required, held = term.required, term.held  # type: ignore[attr-defined]
    return {
        "key": "meetings",
        "title": _("Supervision meetings"),
        "text": _("%(held)s of at least %(required)s meetings held in %(term)s.")
        % {"held": held, "required": required, "term": term.name},
        "items": [{"label": term.name, "count": held, "url": reverse("reviews:meetings")}],
        "short": held < required,
    }


def meeting_shortfall(today: datetime.date) -> Any:
    """SQL over ``students.Student``: a term of the student's programme ending within 30 days, or ended in the
    last 120, in which fewer meetings were held than the programme requires."""
    held = (
        Meeting.objects.filter(
            student_id=OuterRef(OuterRef("pk")),
            held_on__gte=OuterRef("start_date"),
            held_on__lte=OuterRef("end_date"),
        )
        .order_by()
        .values("student_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    short_terms = (
        ReviewTerm.objects.filter(
            programme_id=OuterRef("programme_id"),
            end_date__gte=today - datetime.timedelta(days=120),
            end_date__lte=today + datetime.timedelta(days=30),
            start_date__lte=today,
            programme__review_schedule__min_meetings_per_term__gt=0,
        )
        .annotate(held=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)))
        .filter(held__lt=F("programme__review_schedule__min_meetings_per_term"))
    )
    return Exists(short_terms)


def meeting_shortfall_over_all(today: datetime.date) -> Any:
    """``meeting_shortfall`` for a statement that weighs every student (the at-risk keys, the ``at_risk``
    filter): the students with a short term as one set the database builds once per statement, each
    student's meetings counted per term of their programme in one grouped pass over the meetings. Asked per
    student, the at-risk keys statement counted 8,000 students' meetings one student at a time (issue #19,
    ``bench/scale.py`` ``ensure_meetings``): about a tenth of the statement (108 ms, 100 ms this way, medians of
    31, alternated; with ADR 0070 too, 128 → 60 ms). For a page of 25 rows the set costs more than 25 probes:
    the rows keep ``meeting_shortfall``."""
    term = "programme__review_terms__"
    minimum = "programme__review_schedule__min_meetings_per_term"
    # The terms weighed: started, and ended at most 120 days ago or ending within 30 days.
    weighed = {
        "start_date__lte": today,
        "end_date__gte": today - datetime.timedelta(days=120),
        "end_date__lte": today + datetime.timedelta(days=30),
    }
    # Only the meetings a weighed term can hold are joined: from the earliest such term's first day to the
    # latest last day. Every meeting ever held was joined and hashed before, a cost that grew with each
    # year of the programme's history (ADR 0071).
    earliest = ReviewTerm.objects.filter(**weighed).order_by("start_date").values("start_date")[:1]
    recent = FilteredRelation(
        "meetings",
        condition=Q(meetings__held_on__gte=Subquery(earliest), meetings__held_on__lte=weighed["end_date__lte"]),
    )
    in_term = Q(recent__held_on__gte=F(f"{term}start_date"), recent__held_on__lte=F(f"{term}end_date"))
    # One filter() call: the term's conditions and the term the meetings are counted in are the same join.
    short = (
        Student.objects.annotate(recent=recent)
        .filter(**{f"{term}{name}": value for name, value in weighed.items()}, **{f"{minimum}__gt": 0})
        .order_by()
        .values("pk", f"{term}pk", minimum)  # one group per student and term
        .annotate(held=Count("recent", filter=in_term))
        .filter(held__lt=F(minimum))
        .values("pk")
    )
    return Q(pk__in=short)


# --- Spot draw ----------------------------------------------------------------------------------------------


def _site_averages(partner_ids: Any, today: datetime.date) -> list[dict[str, Any]]:
    """Per partner, site and programme: students' placement reviews of closed rounds of the last 12 months.
    ``partner_ids``: the partners' ids as a list or a subquery (the draw's candidates)."""
    return [
        dict(row)
        for row in ReviewAnswer.objects.filter(
            review__direction=Direction.STUDENT_PLACEMENT,
            review__status=ReviewStatus.SUBMITTED,
            review__round__status=RoundStatus.CLOSED,
            review__round__closes_on__gte=today - datetime.timedelta(days=365),
            review__partner_id__in=partner_ids,
        )
        .values("review__partner_id", "review__subject_site_id", "review__round__programme_id")
        .annotate(average=Avg("score"), responses=Count("review_id", distinct=True))
        .order_by()
    ]


def draw_compute(candidates: Any, today: datetime.date) -> dict[int, dict[str, Any]]:
    """By partner: how many of its sites students rated below their programme's threshold (2 queries).
    ``candidates`` is a subquery of partner ids (``core.hooks.DrawFactor``); partners without a low site
    are left out."""
    thresholds = dict(ReviewSchedule.objects.values_list("programme_id", "low_score_threshold"))
    result: dict[int, dict[str, Any]] = {}
    low: dict[int, set[int]] = defaultdict(set)
    for row in _site_averages(candidates, today):
        if row["responses"] < ANONYMITY_THRESHOLD:
            continue
        threshold = thresholds.get(row["review__round__programme_id"], DEFAULT_LOW)
        if Decimal(str(row["average"])) < threshold:
            low[row["review__partner_id"]].add(row["review__subject_site_id"])
    for partner_id, sites in low.items():
        result[partner_id] = {"low_review_sites": len(sites)}
    return result


def draw_weight(factors: Mapping[str, Any]) -> Decimal:
    return min(DRAW_PER_SITE * int(factors.get("low_review_sites") or 0), DRAW_CAP)


# --- Partner scorecard -------------------------------------------------------------------------------------


def scorecard_build(*, partner_ids: list[int], user: Any, today: datetime.date) -> Mapping[int, Mapping[str, Any]]:
    """By partner: students' placement reviews and the office's yearly reviews of the last 12 months, as
    averages by criterion; a group under 3 responses is not shown (2 queries)."""
    since = today - datetime.timedelta(days=365)
    rows = (
        ReviewAnswer.objects.filter(
            review__status=ReviewStatus.SUBMITTED,
            review__round__status=RoundStatus.CLOSED,
            review__round__closes_on__gte=since,
            review__partner_id__in=partner_ids,
            review__direction__in=[Direction.STUDENT_PLACEMENT, Direction.OFFICE_PARTNER],
        )
        .values("review__partner_id", "review__direction", "criterion__code", "criterion__label", "criterion__order")
        .annotate(average=Avg("score"), responses=Count("review_id", distinct=True))
        .order_by("review__partner_id", "review__direction", "criterion__order")
    )
    counts = (
        ReviewAnswer.objects.filter(
            review__status=ReviewStatus.SUBMITTED,
            review__round__status=RoundStatus.CLOSED,
            review__round__closes_on__gte=since,
            review__partner_id__in=partner_ids,
            review__direction=Direction.STUDENT_PLACEMENT,
        )
        .values("review__partner_id")
        .annotate(responses=Count("review_id", distinct=True), average=Avg("score"))
        .order_by()
    )
    totals: dict[int, dict[str, Any]] = {row["review__partner_id"]: dict(row) for row in counts}
    built: dict[int, dict[str, Any]] = {}
    for row in rows:
        pid = row["review__partner_id"]
        is_student = row["review__direction"] == Direction.STUDENT_PLACEMENT
        if is_student and totals.get(pid, {}).get("responses", 0) < ANONYMITY_THRESHOLD:
            continue
        block = built.setdefault(
            pid,
            {"key": "internal-reviews", "title": _("Internal reviews (last 12 months)"), "students": [], "office": []},
        )
        block["students" if is_student else "office"].append(
            {"label": row["criterion__label"], "average": _q2(row["average"])}
        )
    for pid, block in built.items():
        total = totals.get(pid)
        if total and total["responses"] >= ANONYMITY_THRESHOLD:
            block["responses"] = total["responses"]
            block["average"] = _q2(total["average"])
    return built


def register() -> None:
    """Plug internal supervision into the lower apps' hooks (idempotent: entries are keyed)."""
    hooks.START_PANELS.register(hooks.StartPanel(key="reviews", build=start_panel, template="core/_panel.html"))
    hooks.PLAN_SECTIONS.register(
        hooks.PlanSection(key="reviews-meetings", build=plan_meetings, template="core/_panel.html", order=60)
    )
    hooks.AT_RISK_REASONS.register(
        hooks.RiskReason(
            key="meetings",
            label=gettext_lazy("Too few supervision meetings this term"),
            condition=meeting_shortfall,
            whole=meeting_shortfall_over_all,
        )
    )
    hooks.DRAW_FACTORS.register(
        hooks.DrawFactor(
            key="low_reviews",
            label=gettext_lazy("sites rated low by students"),
            compute=draw_compute,
            weight=draw_weight,
        )
    )
    hooks.SCORECARD_SECTIONS.register(
        hooks.ScorecardSection(key="internal-reviews", build=scorecard_build, template="reviews/_scorecard.html")
    )
    hooks.NAV_ITEMS.register(
        hooks.NavItem(
            key="reviews", label=gettext_lazy("Reviews"), url_name="reviews:todo", visible=lambda u: u.is_authenticated
        )
    )
