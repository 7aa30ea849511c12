"""Shared reads of internal supervision, starting from the scoped querysets (``partners.access``).

``results`` reads are the one place that looks at reviews past the reader's scope: the person reviewed by
students (a tutor, a supervisor, a partner's people) gets **aggregates only**, built here from the rows, of
groups of at least ``ANONYMITY_THRESHOLD`` responses; a smaller group is held back and carried into the next
period until it is large enough. No reviewer, no row, no small group leaves this module for them. Free text
is included only when its writer ticked "may be shared", and without a name, in a fixed order (by text), so
the order of submission tells nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import pgettext

from accounts.models import User
from partners import access
from partners.models import Site
from programmes.models import Programme
from reviews.models import (
    ANONYMITY_THRESHOLD,
    OPEN_CONCERN,
    Concern,
    ConcernStatus,
    Direction,
    Meeting,
    MeetingAction,
    MinutesStatus,
    Review,
    ReviewAnswer,
    ReviewRound,
    ReviewSchedule,
    ReviewStatus,
    ReviewTerm,
    RoundStatus,
)


def _q2(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- Aggregates ------------------------------------------------------------------------------------------


@dataclass
class CriterionResult:
    code: str
    label: str
    average: Decimal
    low: bool = False


@dataclass
class Group:
    """One released group of responses: the periods it spans, how many, averages by criterion."""

    periods: list[str]
    count: int
    criteria: list[CriterionResult]
    average: Decimal
    comments: list[str] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return " + ".join(self.periods)


def _period(round_: ReviewRound) -> tuple[datetime.date, str]:
    """The period a response counts in: its round's term, else the year it closed."""
    if round_.term_id is not None:
        return round_.term.start_date, round_.term.name  # type: ignore[union-attr]
    return datetime.date(round_.closes_on.year, 1, 1), str(round_.closes_on.year)


def released_groups(reviews: Iterable[Review], *, threshold: Decimal | None = None) -> tuple[list[Group], bool]:
    """Group submitted reviews (of one subject) by period, oldest first, carrying a group smaller than
    ``ANONYMITY_THRESHOLD`` into the next period until it is large enough. Returns the released groups
    (newest first) and whether responses are held back now. ``threshold`` marks low criterion averages."""
    by_period: dict[tuple[datetime.date, str], list[Review]] = defaultdict(list)
    for review in reviews:
        by_period[_period(review.round)].append(review)
    groups: list[Group] = []
    carried: list[Review] = []
    periods: list[str] = []
    for key in sorted(by_period):
        carried += by_period[key]
        periods.append(key[1])
        if len(carried) >= ANONYMITY_THRESHOLD:
            groups.append(_group(carried, periods, threshold))
            carried, periods = [], []
    return list(reversed(groups)), bool(carried)


def _group(reviews: list[Review], periods: list[str], threshold: Decimal | None) -> Group:
    scores: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, tuple[int, str]] = {}
    for review in reviews:
        for answer in review.answers.all():
            scores[answer.criterion.code].append(answer.score)
            labels.setdefault(answer.criterion.code, (answer.criterion.order, answer.criterion.label))
    criteria = []
    for code, values in sorted(scores.items(), key=lambda item: labels[item[0]]):
        average = _q2(sum(values) / len(values))
        criteria.append(CriterionResult(code, labels[code][1], average, threshold is not None and average < threshold))
    every = [s for values in scores.values() for s in values]
    comments = sorted(r.comment for r in reviews if r.may_share and r.comment)
    return Group(list(periods), len(reviews), criteria, _q2(sum(every) / len(every)) if every else Decimal(0), comments)


def _submitted_closed() -> QuerySet[Review]:
    answers = ReviewAnswer.objects.select_related("criterion")
    return (
        Review.objects.filter(status=ReviewStatus.SUBMITTED, round__status=RoundStatus.CLOSED)
        .select_related("round__term")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("pk")
    )


@dataclass
class SubjectResults:
    """The results about one subject, as its reader may see them."""

    label: str
    groups: list[Group]
    held_back: bool
    site: Site | None = None


def tutor_results(*, user: User) -> SubjectResults | None:
    """Students' reviews of ``user`` as their tutor: anonymous aggregates of 3 or more."""
    reviews = list(_submitted_closed().filter(direction=Direction.STUDENT_TUTOR, subject_user=user))
    if not reviews:
        return None
    groups, held = released_groups(reviews)
    return SubjectResults(label=user.display_name, groups=groups, held_back=held)


def supervisor_results(*, user: User) -> list[SubjectResults]:
    """Students' reviews of the placements ``user`` supervised, by site: aggregates of 3 or more."""
    reviews = _submitted_closed().filter(direction=Direction.STUDENT_PLACEMENT, subject_user=user)
    by_site: dict[int, list[Review]] = defaultdict(list)
    sites: dict[int, Site] = {}
    for review in reviews.select_related("subject_site__partner"):
        by_site[review.subject_site_id].append(review)  # type: ignore[index]
        sites[review.subject_site_id] = review.subject_site  # type: ignore[index,assignment]
    results = []
    for site_id, rows in sorted(by_site.items()):
        groups, held = released_groups(rows)
        site = sites[site_id]
        results.append(SubjectResults(f"{site.partner.name} · {site.name}", groups, held, site=site))
    return results


def site_results(*, site: Site, threshold: Decimal | None = None) -> SubjectResults:
    """Students' reviews of a site's placements (every supervisor's): aggregates of 3 or more. The caller
    has checked ``view_reviews`` on the site."""
    rows = list(_submitted_closed().filter(direction=Direction.STUDENT_PLACEMENT, subject_site=site))
    groups, held = released_groups(rows, threshold=threshold)
    return SubjectResults(f"{site.partner.name} · {site.name}", groups, held, site=site)


def partner_sites_reviewed(*, user: User) -> QuerySet[Site]:
    """The sites whose review history the user may read and that have reviews (coordinators, office)."""
    return access.scope(Site.objects.select_related("partner"), user, "view_reviews").filter(
        Exists(Review.objects.filter(subject_site=OuterRef("pk"), direction=Direction.STUDENT_PLACEMENT))
    )


def feedback_about_student(*, user: User) -> QuerySet[Review]:
    """Reviews about the signed-in student from closed rounds, with the reviewer's name (their scope)."""
    return (
        access.scope(Review.objects.all(), user)
        .filter(subject_student__user=user, status=ReviewStatus.SUBMITTED)
        .select_related("reviewer", "round", "form")
        .prefetch_related(Prefetch("answers", queryset=ReviewAnswer.objects.select_related("criterion")))
        .order_by("-round__closes_on", "pk")
    )


# --- Lists ---------------------------------------------------------------------------------------------


def reviews_to_do(*, user: User) -> QuerySet[Review]:
    """The user's pending reviews in open rounds (the office's yearly partner reviews too), soonest due."""
    return (
        access.scope(Review.objects.all(), user, "submit")
        .filter(status=ReviewStatus.PENDING, round__status=RoundStatus.OPEN)
        .select_related(
            "round",
            "subject_student__user",
            "subject_user",
            "subject_placement__partner",
            "subject_placement__site",
            "subject_partner",
        )
        .order_by("due_on", "pk")
    )


def reviews_written(*, user: User) -> QuerySet[Review]:
    """The reviews the user has submitted, newest first."""
    return (
        Review.objects.filter(reviewer=user, status=ReviewStatus.SUBMITTED)
        .select_related(
            "round",
            "subject_student__user",
            "subject_user",
            "subject_placement__partner",
            "subject_placement__site",
            "subject_partner",
        )
        .order_by("-submitted_at", "-pk")
    )


def round_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[ReviewRound]:
    """Rounds in the user's scope with completion counts (one query), narrowed by ``filters``
    (``reviews.forms.RoundFilterForm``: ``programme``, ``year`` the round is due in)."""
    filters = filters or {}
    rows = access.scope(ReviewRound.objects.select_related("programme", "term"), user)
    if filters.get("programme") is not None:
        rows = rows.filter(programme=filters["programme"])
    if filters.get("year") is not None:
        rows = rows.filter(due_on__year=filters["year"])
    return rows.annotate(
        total=Count("reviews"),
        submitted=Count("reviews", filter=Q(reviews__status=ReviewStatus.SUBMITTED)),
    ).order_by("-opens_on", "-pk")


#: The concerns filter's "still open" (``OPEN_CONCERN``: every status before the office's outcome).
CONCERN_OPEN = "open"


def _about_cohort(cohort: Any, prefix: str = "") -> Q:
    """A review by or about one of the cohort's students (as the quality report counts a cohort's)."""
    return Q(**{f"{prefix}subject_student__cohort": cohort}) | Q(**{f"{prefix}author_student__cohort": cohort})


def concern_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Concern]:
    """Concerns in the user's scope, newest first, narrowed by ``filters`` (``reviews.forms.ConcernFilterForm``:
    ``programme`` of the review's round, ``cohort``, ``year`` raised in, ``status`` or "open")."""
    filters = filters or {}
    rows = access.scope(Concern.objects.select_related("partner", "addressed_to"), user)
    if filters.get("programme") is not None:
        rows = rows.filter(review__round__programme=filters["programme"])
    if filters.get("cohort") is not None:
        rows = rows.filter(_about_cohort(filters["cohort"], "review__"))
    if filters.get("year") is not None:
        rows = rows.filter(created_at__year=filters["year"])
    status = filters.get("status")
    if status == CONCERN_OPEN:
        rows = rows.filter(status__in=OPEN_CONCERN)
    elif status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def open_concerns_for(*, user: User) -> QuerySet[Concern]:
    """Concerns waiting for this user's reply (addressed to them or to a partner they coordinate)."""
    return access.scope(Concern.objects.all(), user, "reply").filter(status=ConcernStatus.AWAITING_REPLY)


def meeting_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Meeting]:
    """Meetings in the user's scope, latest first, narrowed by ``filters`` (``reviews.forms.MeetingFilterForm``:
    the student's ``programme`` and ``cohort``, the ``year`` held in)."""
    filters = filters or {}
    rows = access.scope(Meeting.objects.select_related("student__user", "recorded_by"), user)
    if filters.get("programme") is not None:
        rows = rows.filter(student__programme=filters["programme"])
    if filters.get("cohort") is not None:
        rows = rows.filter(student__cohort=filters["cohort"])
    if filters.get("year") is not None:
        rows = rows.filter(held_on__year=filters["year"])
    return rows.order_by("-held_on", "-pk")


def minutes_to_confirm(*, user: User) -> QuerySet[Meeting]:
    return access.scope(Meeting.objects.all(), user, "confirm").filter(minutes_status=MinutesStatus.AWAITING)


def actions_open_for(*, user: User) -> QuerySet[MeetingAction]:
    """The user's agreed actions not done yet, soonest due."""
    return MeetingAction.objects.filter(owner=user, done_at__isnull=True).select_related("meeting__student__user")


# --- Schedules and terms (the office's set-up pages) ------------------------------------------------------


def schedule_list(*, user: User) -> QuerySet[Programme]:
    """The programmes the reader sees, each with its review schedule (or none yet) and its terms: three
    queries with the page count, however many programmes and terms."""
    terms = Prefetch("review_terms", queryset=ReviewTerm.objects.order_by("start_date"))
    rows = access.scope(Programme.objects.all(), user, "view")
    return rows.select_related("review_schedule").prefetch_related(terms).order_by("code", "pk")


@dataclass(frozen=True)
class Change:
    """One recorded change of a schedule or of one of its programme's terms."""

    at: datetime.datetime
    by: str
    what: str
    kind: str


def schedule_changes(*, schedule: ReviewSchedule, limit: int = 10) -> list[Change]:
    """The latest changes of a schedule and of its programme's terms, newest first (two queries)."""
    kinds = {
        "+": pgettext("history", "created"),
        "~": pgettext("history", "changed"),
        "-": pgettext("history", "deleted"),
    }
    found: list[Change] = []
    for row in schedule.history.select_related("history_user").order_by("-history_date")[:limit]:  # type: ignore[attr-defined]
        by = row.history_user.display_name if row.history_user else ""
        found.append(Change(row.history_date, by, str(ReviewSchedule._meta.verbose_name), kinds[row.history_type]))
    terms = ReviewTerm.history.filter(programme_id=schedule.programme_id)  # type: ignore[attr-defined]
    for row in terms.select_related("history_user").order_by("-history_date")[:limit]:
        by = row.history_user.display_name if row.history_user else ""
        what = f"{row.name} ({row.start_date:%Y-%m-%d} to {row.end_date:%Y-%m-%d})"
        found.append(Change(row.history_date, by, what, kinds[row.history_type]))
    return sorted(found, key=lambda c: c.at, reverse=True)[:limit]
