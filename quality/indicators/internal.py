"""The report's "internal supervision" section (the ``reviews`` app): how many of the year's reviews were
submitted, the scores by criterion and by partner, the concerns raised and how fast they were answered, and
the supervision meetings held against the programme's minimum.

The year's reviews are those of the programme's rounds due in the year; states (submitted, a concern's
status) are judged as of ``frame.today`` from their timestamps and the concern's thread, so last year's
figures do not move when a late review comes in. No review's text and no concern's message is read: counts,
means and dates only. Twelve aggregate queries, whatever the number of reviews.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Avg, Case, CharField, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models import When as W
from django.utils.translation import gettext_noop

from programmes.models import Programme
from quality.figures import Column, Figure, Frame, Row, Section, Table, share
from quality.indicators._aggregates import Median, by_today, days, days_between, msgid, number, year_bounds
from quality.indicators._drill import drill
from reviews.models import (
    CLOSED_CONCERN,
    Concern,
    ConcernMessage,
    ConcernStatus,
    Direction,
    Meeting,
    MessageKind,
    MinutesStatus,
    Review,
    ReviewAnswer,
    ReviewStatus,
    ReviewTerm,
)
from reviews.selectors import CONCERN_OPEN
from students.models import Student, StudentStatus, add_months

KEY = "internal"

#: Directions in which the partner's training is what is reviewed (by its students or by the office); the
#: reviews of students are about the students, not the partner.
ABOUT_PARTNER = (Direction.STUDENT_PLACEMENT, Direction.STUDENT_TUTOR, Direction.OFFICE_PARTNER)


def _cohort_q(frame: Frame, prefix: str = "") -> Q:
    """A review about or by one of the cohort's students (a cohort's report); everything for a programme's."""
    if frame.cohort_id is None:
        return Q()
    return Q(**{f"{prefix}subject_student__cohort_id": frame.cohort_id}) | Q(
        **{f"{prefix}author_student__cohort_id": frame.cohort_id}
    )


def year_reviews(frame: Frame) -> QuerySet[Review]:
    """The review tasks of the programme's rounds due in the year (of the cohort's students, for a cohort)."""
    return Review.objects.filter(
        _cohort_q(frame), round__programme_id=frame.programme_id, due_on__gte=frame.start, due_on__lte=frame.end
    )


def _submitted_q(frame: Frame, prefix: str = "") -> Q:
    """Submitted by the end of ``frame.today``."""
    return Q(**{f"{prefix}status": ReviewStatus.SUBMITTED, f"{prefix}submitted_at__lt": by_today(frame)})


def _completion(frame: Frame) -> tuple[list[Figure], Table]:
    """Reviews due by ``frame.today`` and how many were submitted, by direction (two queries)."""
    due = year_reviews(frame).filter(due_on__lte=frame.today)
    counts = {
        "due": Count("pk"),
        "submitted": Count("pk", filter=_submitted_q(frame)),
        "on_time": Count("pk", filter=_submitted_q(frame) & Q(submitted_at__date__lte=F("due_on"))),
        "reviewers": Count("reviewer", distinct=True),
    }
    rows: dict[str, dict[str, Any]] = {
        r["direction"]: dict(r) for r in due.values("direction").annotate(**counts).order_by()
    }
    total = due.aggregate(**counts)
    table = Table(
        key=f"{KEY}.completion_by_direction",
        label=gettext_noop("Reviews submitted, by who reviews whom"),
        columns=[
            Column("completion", gettext_noop("Completion"), unit="share", better="higher"),
            Column("submitted", gettext_noop("Submitted"), unit="count"),
            Column("due", gettext_noop("Reviews due"), unit="count"),
        ],
        rows=[
            Row(
                label=msgid(Direction(d).label),
                values=[share(rows[d]["submitted"], rows[d]["due"]), rows[d]["submitted"], rows[d]["due"]],
                people=[rows[d]["reviewers"]] * 3,
                translate=True,
                key=d,
            )
            for d in Direction.values
            if d in rows
        ],
        chart="bar",
        note=gettext_noop("Reviews of the programme's rounds due in the year by the report's day."),
    )
    # Rounds are for the whole programme: the list narrows to its rounds due in the year, not to a cohort.
    rounds = drill("reviews:rounds", frame, cohort=False, year=True)
    figures = [
        Figure(
            key=f"{KEY}.reviews_due",
            label=gettext_noop("Reviews due"),
            value=total["due"],
            people=total["reviewers"],
            drill=rounds,
        ),
        Figure(
            key=f"{KEY}.reviews_submitted",
            label=gettext_noop("Reviews submitted"),
            value=total["submitted"],
            people=total["reviewers"],
        ),
        Figure(
            key=f"{KEY}.review_completion",
            label=gettext_noop("Review completion"),
            value=share(total["submitted"], total["due"]),
            unit="share",
            people=total["reviewers"],
            better="higher",
            drill=rounds,
        ),
        Figure(
            key=f"{KEY}.reviews_on_time",
            label=gettext_noop("Reviews submitted by their due day"),
            value=share(total["on_time"], total["due"]),
            unit="share",
            people=total["reviewers"],
            better="higher",
        ),
    ]
    return figures, table


def _scores(frame: Frame) -> tuple[list[Figure], list[Table]]:
    """Mean scores of the submitted reviews by criterion, and of the reviews of partners' training by
    partner (four queries)."""
    answers = ReviewAnswer.objects.filter(
        review__in=year_reviews(frame).filter(_submitted_q(frame)).values("pk"),
    )
    by_criterion = list(
        answers.values("criterion__form__direction", "criterion__code")
        .annotate(
            label=Max("criterion__label"),
            order=Min("criterion__order"),
            mean=Avg("score"),
            reviews=Count("review", distinct=True),
            reviewers=Count("review__reviewer", distinct=True),
        )
        .order_by()
    )
    directions = {d: i for i, d in enumerate(Direction.values)}
    by_criterion.sort(key=lambda r: (directions.get(r["criterion__form__direction"], 99), r["order"], r["label"]))
    criteria = Table(
        key=f"{KEY}.scores_by_criterion",
        label=gettext_noop("Mean score by criterion (1 to 5)"),
        columns=[
            Column("mean", gettext_noop("Mean score"), unit="score", better="higher"),
            Column("reviews", gettext_noop("Reviews"), unit="count"),
        ],
        rows=[
            Row(
                label=r["label"],
                values=[number(r["mean"]), r["reviews"]],
                people=[r["reviewers"]] * 2,
                key=f"{r['criterion__form__direction']}.{r['criterion__code']}",
            )
            for r in by_criterion
        ],
        chart="bar",
        note=gettext_noop("Criteria in the order of the forms: reviews of students, then of tutors and placements."),
    )

    about_partner = answers.filter(review__direction__in=ABOUT_PARTNER)

    def of(direction: str | None) -> dict[str, Any]:
        where = Q() if direction is None else Q(review__direction=direction)
        suffix = direction or "all"
        return {
            f"mean_{suffix}": Avg("score", filter=where),
            f"people_{suffix}": Count("review__reviewer", distinct=True, filter=where),
        }

    cells: dict[str, Any] = {}
    for direction in (None, *ABOUT_PARTNER):
        cells.update(of(direction))
    grouped = about_partner.values("review__partner_id", "review__partner__name").annotate(**cells).order_by()
    partner_rows: list[dict[str, Any]] = [dict(r) for r in grouped]
    partner_rows.sort(key=lambda r: r["review__partner__name"])
    overall = about_partner.aggregate(**of(None))
    suffixes = ("all", *ABOUT_PARTNER)
    partners = Table(
        key=f"{KEY}.scores_by_partner",
        label=gettext_noop("Mean score of the partners' training, by partner (1 to 5)"),
        columns=[
            Column("all", gettext_noop("All reviews of the partner"), unit="score", better="higher"),
            Column(Direction.STUDENT_PLACEMENT, gettext_noop("Students' reviews of placements"), "score", "higher"),
            Column(Direction.STUDENT_TUTOR, gettext_noop("Students' reviews of tutors"), "score", "higher"),
            Column(Direction.OFFICE_PARTNER, gettext_noop("The office's yearly review"), "score", "higher"),
        ],
        rows=[
            Row(
                label=r["review__partner__name"],
                values=[number(r[f"mean_{s}"]) for s in suffixes],
                people=[r[f"people_{s}"] for s in suffixes],
                key=str(r["review__partner_id"]),
            )
            for r in partner_rows
        ],
        chart="bar",
        note=gettext_noop(
            "Reviews of a placement count for its partner, of a tutor for the lead university, the office's "
            "yearly review for the partner reviewed."
        ),
    )
    overall_all = answers.aggregate(mean=Avg("score"), people=Count("review__reviewer", distinct=True))
    figures = [
        Figure(
            key=f"{KEY}.mean_score",
            label=gettext_noop("Mean score of all reviews (1 to 5)"),
            value=number(overall_all["mean"]),
            unit="score",
            people=overall_all["people"],
        ),
        Figure(
            key=f"{KEY}.mean_score_partners",
            label=gettext_noop("Mean score of the partners' training (1 to 5)"),
            value=number(overall["mean_all"]),
            unit="score",
            people=overall["people_all"],
            better="higher",
        ),
    ]
    return figures, [criteria, partners]


#: A concern's status as of a day, from its thread: closed by the office, else taken to the office, else
#: replied, else awaiting its reply (the order the services move it in).
_STATE_ORDER: tuple[tuple[str, str], ...] = (
    (ConcernStatus.RESOLVED, MessageKind.RESOLVED),
    (ConcernStatus.REFERRED, MessageKind.REFERRED),
    (ConcernStatus.VIOLATION, MessageKind.VIOLATION),
    (ConcernStatus.ESCALATED, MessageKind.ESCALATED),
    (ConcernStatus.REPLIED, MessageKind.REPLY),
)
#: Rows of the concerns table: the open statuses, then the office's outcomes.
_STATUS_ROWS = (
    ConcernStatus.AWAITING_REPLY,
    ConcernStatus.REPLIED,
    ConcernStatus.ESCALATED,
    ConcernStatus.RESOLVED,
    ConcernStatus.REFERRED,
    ConcernStatus.VIOLATION,
)


def _concerns(frame: Frame) -> tuple[list[Figure], Table]:
    """Concerns raised in the year, their state as of ``frame.today`` and the days to their first reply
    (two queries). The threads' text is never read."""
    start, end = year_bounds(frame)
    before = by_today(frame)
    messages = ConcernMessage.objects.filter(concern=OuterRef("pk"), at__lt=before)
    first_reply = messages.filter(kind=MessageKind.REPLY).order_by("at", "pk").values("at")[:1]
    state = Case(
        *[W(Exists(messages.filter(kind=kind)), then=Value(str(status))) for status, kind in _STATE_ORDER],
        default=Value(str(ConcernStatus.AWAITING_REPLY)),
        output_field=CharField(),
    )
    concerns = (
        Concern.objects.filter(
            _cohort_q(frame, "review__"),
            review__round__programme_id=frame.programme_id,
            created_at__gte=start,
            created_at__lt=end,
        )
        .annotate(first_reply=Subquery(first_reply), state=state)
        .annotate(reply_days=days_between("created_at", "first_reply"))
    )
    by_state = {
        r["state"]: r
        for r in concerns.values("state").annotate(n=Count("pk"), people=Count("raised_by", distinct=True)).order_by()
    }
    total = concerns.aggregate(
        raised=Count("pk"),
        people=Count("raised_by", distinct=True),
        replied=Count("pk", filter=Q(first_reply__isnull=False)),
        on_time=Count("pk", filter=Q(first_reply__date__lte=F("reply_due_on"))),
        median=Median("reply_days"),
        closed=Count("pk", filter=Q(state__in=[str(s) for s in CLOSED_CONCERN])),
    )
    people = total["people"]
    table = Table(
        key=f"{KEY}.concerns_by_status",
        label=gettext_noop("Concerns raised in the year, by status on the report's day"),
        columns=[Column("concerns", gettext_noop("Concerns"), unit="count")],
        rows=[
            Row(
                label=msgid(ConcernStatus(s).label),
                values=[by_state[s]["n"] if s in by_state else 0],
                people=[by_state[s]["people"] if s in by_state else 0],
                translate=True,
                key=str(s),
            )
            for s in _STATUS_ROWS
        ],
        chart="bar",
    )
    figures = [
        Figure(
            key=f"{KEY}.concerns_raised",
            label=gettext_noop("Concerns raised"),
            value=total["raised"],
            people=people,
            drill=drill("reviews:concerns", frame, year=True),
        ),
        Figure(
            key=f"{KEY}.concerns_open",
            label=gettext_noop("Concerns still open"),
            value=total["raised"] - total["closed"],
            people=people,
            better="lower",
            drill=drill("reviews:concerns", frame, year=True, status=CONCERN_OPEN),
        ),
        Figure(
            key=f"{KEY}.concerns_closed",
            label=gettext_noop("Concerns closed by the office"),
            value=total["closed"],
            people=people,
        ),
        Figure(
            key=f"{KEY}.concern_reply_days",
            label=gettext_noop("Median days to the first reply to a concern"),
            value=days(total["median"]),
            unit="days",
            people=people,
            better="lower",
        ),
        Figure(
            key=f"{KEY}.concerns_replied_on_time",
            label=gettext_noop("Concerns replied to by their reply day"),
            value=share(total["on_time"], total["raised"]),
            unit="share",
            people=people,
            better="higher",
        ),
    ]
    return figures, table


def _meetings(frame: Frame) -> tuple[list[Figure], Table, list[str]]:
    """Supervision meetings held in the year, and, for each of the programme's terms that ended in the
    year by ``frame.today``, how many of its students met the programme's minimum of meetings per term
    (four queries)."""
    end = by_today(frame)
    programme = (
        Programme.objects.filter(pk=frame.programme_id)
        .values("duration_months", "review_schedule__min_meetings_per_term")
        .first()
    ) or {"duration_months": 0, "review_schedule__min_meetings_per_term": None}
    minimum = programme["review_schedule__min_meetings_per_term"] or 0
    students = Student.objects.filter(programme_id=frame.programme_id)
    if frame.cohort_id is not None:
        students = students.filter(cohort_id=frame.cohort_id)
    held = Meeting.objects.filter(student__in=students.values("pk"), held_on__gte=frame.start, held_on__lte=frame.today)
    totals = held.aggregate(
        held=Count("pk"),
        students=Count("student", distinct=True),
        confirmed=Count("pk", filter=Q(minutes_status=MinutesStatus.CONFIRMED, answered_at__lt=end)),
    )
    terms = list(
        ReviewTerm.objects.filter(
            programme_id=frame.programme_id, end_date__gte=frame.start, end_date__lte=frame.today
        ).order_by("start_date")
    )
    counts: dict[str, Any] = {}
    # Students in their programme's years during the term, and not withdrawn or suspended now.
    current = students.filter(status__in=(StudentStatus.ENROLLED, StudentStatus.GRADUATED))
    for term in terms:
        earliest: datetime.date = add_months(term.start_date, -int(programme["duration_months"] or 0))
        in_term = Q(enrolled_on__lte=term.end_date, enrolled_on__gt=earliest)
        meetings = (
            Meeting.objects.filter(student=OuterRef("pk"), held_on__gte=term.start_date, held_on__lte=term.end_date)
            .values("student")
            .annotate(n=Count("pk"))
            .values("n")
        )
        current = current.annotate(**{f"m{term.pk}": Subquery(meetings)})
        counts[f"students{term.pk}"] = Count("pk", filter=in_term)
        counts[f"met{term.pk}"] = Count("pk", filter=in_term & Q(**{f"m{term.pk}__gte": minimum}))
        counts[f"held{term.pk}"] = Count("pk", filter=in_term & Q(**{f"m{term.pk}__gte": 1}))
    per_term = current.aggregate(**counts) if terms else {}
    rows = []
    pairs = met = 0
    for term in terms:
        n, ok = per_term[f"students{term.pk}"], per_term[f"met{term.pk}"]
        pairs, met = pairs + n, met + ok
        rows.append(
            Row(
                label=term.name,
                values=[share(ok, n), ok, n],
                people=[n, n, n],
                key=str(term.pk),
            )
        )
    table = Table(
        key=f"{KEY}.meetings_by_term",
        label=gettext_noop("Students who met the minimum of supervision meetings, by term"),
        columns=[
            Column("share", gettext_noop("Share meeting the minimum"), unit="share", better="higher"),
            Column("met", gettext_noop("Students meeting the minimum"), unit="count"),
            Column("students", gettext_noop("Students"), unit="count"),
        ],
        rows=rows if minimum else [],
        chart="bar",
        note=gettext_noop("Terms that ended in the year by the report's day."),
    )
    notes = []
    if not minimum:
        notes.append(gettext_noop("The programme sets no minimum number of supervision meetings per term."))
    meetings_page = drill("reviews:meetings", frame, year=True)
    figures = [
        Figure(
            key=f"{KEY}.meetings_held",
            label=gettext_noop("Supervision meetings held"),
            value=totals["held"],
            people=totals["students"],
            drill=meetings_page,
        ),
        Figure(
            key=f"{KEY}.students_met",
            label=gettext_noop("Students with a supervision meeting in the year"),
            value=totals["students"],
            people=totals["students"],
        ),
        Figure(
            key=f"{KEY}.minutes_confirmed",
            label=gettext_noop("Meeting minutes confirmed by the student"),
            value=share(totals["confirmed"], totals["held"]),
            unit="share",
            people=totals["students"],
            better="higher",
        ),
        Figure(
            key=f"{KEY}.meetings_minimum",
            label=gettext_noop("Minimum supervision meetings per term"),
            value=minimum or None,
        ),
        Figure(
            key=f"{KEY}.meetings_requirement_met",
            label=gettext_noop("Students meeting the minimum of supervision meetings (per term)"),
            value=share(met, pairs) if minimum else None,
            unit="share",
            people=pairs if minimum else None,
            better="higher",
        ),
    ]
    return figures, table, notes


def section(frame: Frame) -> Section:
    """The internal supervision figures for ``frame``."""
    completion_figures, completion = _completion(frame)
    score_figures, score_tables = _scores(frame)
    concern_figures, concerns = _concerns(frame)
    meeting_figures, meetings, meeting_notes = _meetings(frame)
    notes = [
        gettext_noop(
            "The year's reviews are those of the programme's rounds due in the year; for a cohort's report, those "
            "by or about its students (the office's yearly reviews of partners are left out)."
        ),
        gettext_noop("Scores are the means of the submitted reviews' answers, from 1 to 5; no comment is read."),
        *meeting_notes,
    ]
    return Section(
        key=KEY,
        title=gettext_noop("Internal supervision"),
        figures=completion_figures + score_figures + concern_figures + meeting_figures,
        tables=[completion, *score_tables, concerns, meetings],
        notes=notes,
    )
