"""The office's round dashboard: completion by partner, scores by criterion with low scores marked, and the
trend of average scores by term as an inline SVG chart. Office only (the pages check ``manage`` on rounds):
these reads name partners and, on the round page, reviewers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from reviews.models import Direction, Review, ReviewAnswer, ReviewRound, ReviewSchedule, ReviewStatus, RoundStatus

DEFAULT_LOW = Decimal("2.50")


def low_threshold(round_: ReviewRound) -> Decimal:
    schedule = ReviewSchedule.objects.filter(programme_id=round_.programme_id).first()
    return schedule.low_score_threshold if schedule else DEFAULT_LOW


def completion_by_partner(round_: ReviewRound) -> list[dict[str, Any]]:
    """Reviews of the round by partner concerned: total, submitted, percent (one query)."""
    rows = (
        Review.objects.filter(round=round_)
        .values("partner__name")
        .annotate(total=Count("pk"), submitted=Count("pk", filter=Q(status=ReviewStatus.SUBMITTED)))
        .order_by("partner__name")
    )
    return [{**row, "percent": round(100 * row["submitted"] / row["total"]) if row["total"] else 0} for row in rows]


def scores_by_criterion(round_: ReviewRound, threshold: Decimal) -> list[dict[str, Any]]:
    """Average score per direction and criterion in the round (one query); ``low`` below the threshold."""
    rows = (
        ReviewAnswer.objects.filter(review__round=round_)
        .values("review__direction", "criterion__code", "criterion__label", "criterion__order")
        .annotate(average=Avg("score"), count=Count("pk"))
        .order_by("review__direction", "criterion__order", "criterion__code")
    )
    result = []
    for row in rows:
        average = Decimal(str(row["average"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        result.append(
            {
                "direction": Direction(row["review__direction"]).label,
                "label": row["criterion__label"],
                "average": average,
                "count": row["count"],
                "low": average < threshold,
            }
        )
    return result


def round_reviews(round_: ReviewRound) -> QuerySet[Review]:
    """Every review of the round with its reviewer: the office sees who wrote what."""
    return (
        Review.objects.filter(round=round_)
        .select_related(
            "reviewer",
            "subject_student__user",
            "subject_user",
            "subject_placement__partner",
            "subject_placement__site",
            "subject_partner",
            "partner",
        )
        .order_by("direction", "partner__name", "pk")
    )


@dataclass
class TrendChart:
    """Average score of students' reviews by term, per direction, as SVG points (oldest term first)."""

    width: int
    height: int
    terms: list[str]
    series: list[dict[str, Any]]

    @property
    def empty(self) -> bool:
        return not self.terms


def trend_by_term(*, width: int = 480, height: int = 160) -> TrendChart:
    """One query: the average score per term and direction of submitted students' reviews in closed rounds."""
    rows = (
        ReviewAnswer.objects.filter(
            review__status=ReviewStatus.SUBMITTED,
            review__round__status=RoundStatus.CLOSED,
            review__round__term__isnull=False,
            review__direction__in=[Direction.STUDENT_PLACEMENT, Direction.STUDENT_TUTOR],
        )
        .values("review__round__term__name", "review__round__term__start_date", "review__direction")
        .annotate(average=Avg("score"))
        .order_by("review__round__term__start_date", "review__round__term__name")
    )
    terms: list[str] = []
    values: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        name = row["review__round__term__name"]
        if name not in terms:
            terms.append(name)
        values[row["review__direction"]][name] = float(row["average"])
    pad, step = 24, (width - 48) / max(len(terms) - 1, 1)
    series = []
    for direction, css in ((Direction.STUDENT_PLACEMENT, "text-primary"), (Direction.STUDENT_TUTOR, "text-success")):
        points = []
        for i, term in enumerate(terms):
            if term in values[direction]:
                value = values[direction][term]
                x = pad + i * step
                y = height - pad - (value - 1) / 4 * (height - 2 * pad)
                points.append({"x": round(x, 1), "y": round(y, 1), "term": term, "value": round(value, 2)})
        if points:
            series.append(
                {
                    "label": Direction(direction).label,
                    "css": css,
                    "points": points,
                    "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
                }
            )
    return TrendChart(width, height, terms, series)
