"""Review forms and rounds: the versioned forms, opening due rounds with their review tasks (beat), closing.

``rounds_open_due`` is driven by the clock (daily beat): it acts for nobody. Each round has a unique
``key`` (``term:<id>:mid_term``, ``placement:<id>:placement_end``, ``yearly:<programme>:<year>``), taken with
``get_or_create``, and its tasks are created only by the run that created the round: a second run, or two at
once, create nothing more. A round whose date is further back than its window and grace is not opened late
(a schedule set up in March does not open last year's rounds).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from partners import access
from programmes.models import Participation, Programme
from reviews.models import (
    Criterion,
    Direction,
    Review,
    ReviewForm,
    ReviewRound,
    ReviewSchedule,
    ReviewTerm,
    RoundKind,
    RoundStatus,
)
from students.models import Placement, PlacementStatus, Student, StudentStatus

# --- Forms ----------------------------------------------------------------------------------------------

#: The default criteria of each direction's first form: (code, label, what 1 means, what 5 means).
DEFAULT_CRITERIA: dict[str, tuple[str, list[tuple[str, str, str, str]]]] = {
    Direction.TUTOR_STUDENT: (
        "Tutor's review of a student",
        [
            ("progress", "Progress against the plan", "Far behind", "Ahead of plan"),
            ("theory", "Theoretical grounding", "Weak", "Excellent"),
            ("initiative", "Initiative and independence", "Needs constant direction", "Fully independent"),
        ],
    ),
    Direction.SUPERVISOR_STUDENT: (
        "Placement supervisor's review of a student",
        [
            ("practical", "Practical and operational ability", "Cannot yet work unsupervised", "Works to staff level"),
            ("professionalism", "Professional conduct", "Serious concerns", "Exemplary"),
            ("learning", "Turning knowledge into results", "Rarely", "Consistently"),
        ],
    ),
    Direction.STUDENT_TUTOR: (
        "Student's review of the tutor",
        [
            ("availability", "Availability and responsiveness", "Hard to reach", "Always available"),
            ("guidance", "Quality of guidance", "Unhelpful", "Very helpful"),
            ("respect", "Respectful communication", "Not respectful", "Always respectful"),
        ],
    ),
    Direction.STUDENT_PLACEMENT: (
        "Student's review of the placement",
        [
            ("site", "The site: equipment and working conditions", "Inadequate", "Excellent"),
            ("supervision", "Supervision at the placement", "Absent", "Close and helpful"),
            ("learning", "Learning opportunities", "None", "Many and varied"),
            ("safety", "Safety", "Unsafe", "Fully safe"),
        ],
    ),
    Direction.OFFICE_PARTNER: (
        "Office's yearly review of a partner's training",
        [
            ("feasibility", "Feasibility: resources and arrangements", "Not feasible", "Fully in place"),
            ("quality", "Quality of the training given", "Poor", "Excellent"),
            ("results", "Results: what students achieved", "Poor", "Excellent"),
        ],
    ),
}


def current_form(direction: str) -> ReviewForm:
    """The latest version of a direction's form; version 1 with the default criteria if none exists."""
    form = ReviewForm.objects.filter(direction=direction).order_by("-version").first()
    if form is not None:
        return form
    title, criteria = DEFAULT_CRITERIA[direction]
    with transaction.atomic():
        form, created = ReviewForm.objects.get_or_create(direction=direction, version=1, defaults={"title": title})
        if created:
            Criterion.objects.bulk_create(
                Criterion(form=form, code=code, label=label, anchor_low=low, anchor_high=high, order=i)
                for i, (code, label, low, high) in enumerate(criteria)
            )
    return form


def review_form_new_version(*, form: ReviewForm, by: User) -> ReviewForm:
    """A new version of a form, with a copy of its criteria, for later rounds (the office); the form in use
    stays as it is."""
    access.require(by, "change", form)
    with transaction.atomic():
        latest = ReviewForm.objects.filter(direction=form.direction).aggregate(v=Max("version"))["v"] or 0
        new = ReviewForm.objects.create(direction=form.direction, version=latest + 1, title=form.title)
        Criterion.objects.bulk_create(
            Criterion(
                form=new, code=c.code, label=c.label, anchor_low=c.anchor_low, anchor_high=c.anchor_high, order=c.order
            )
            for c in form.criteria.all()
        )
    return new


def criterion_change(
    *,
    criterion: Criterion,
    by: User,
    label: str | None = None,
    anchor_low: str | None = None,
    anchor_high: str | None = None,
) -> Criterion:
    """Reword a criterion (the office). A form in use is frozen: refused with ``form_in_use``."""
    access.require(by, "change", criterion)
    with transaction.atomic():
        form = ReviewForm.objects.select_for_update().get(pk=criterion.form_id)
        if form.in_use:
            raise refuse(
                "label", "form_in_use", _("This form is in use and frozen: make a new version for later rounds.")
            )
        for field, value in (("label", label), ("anchor_low", anchor_low), ("anchor_high", anchor_high)):
            if value is not None:
                setattr(criterion, field, value)
        criterion.full_clean()
        criterion.save()
    return criterion


# --- Opening rounds -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Due:
    key: str
    kind: str
    on: datetime.date
    title: str
    term: ReviewTerm | None = None
    placement: Placement | None = None


def _term_of(terms: Sequence[ReviewTerm], day: datetime.date) -> ReviewTerm | None:
    return next((t for t in terms if t.start_date <= day <= t.end_date), None)


def _due_rounds(schedule: ReviewSchedule, today: datetime.date) -> list[_Due]:
    """The rounds of a programme whose date has come and whose window has not passed."""
    programme = schedule.programme
    late = datetime.timedelta(days=schedule.window_days + schedule.grace_days)
    terms = list(ReviewTerm.objects.filter(programme=programme).order_by("start_date"))
    due: list[_Due] = []
    if schedule.term_rounds:
        for term in terms:
            for kind, on in ((RoundKind.MID_TERM, term.midpoint), (RoundKind.END_TERM, term.end_date)):
                label = RoundKind(kind).label
                due.append(_Due(f"term:{term.pk}:{kind}", kind, on, f"{term.name} · {label}", term=term))
    if schedule.placement_rounds:
        placements = (
            Placement.objects.filter(student__programme=programme, student__status=StudentStatus.ENROLLED)
            .exclude(status=PlacementStatus.CANCELLED)
            .select_related("partner", "student__user")
        )
        for placement in placements:
            half = placement.start_date + (placement.end_date - placement.start_date) / 2
            for kind, on in ((RoundKind.PLACEMENT_HALF, half), (RoundKind.PLACEMENT_END, placement.end_date)):
                title = (
                    f"{placement.student.user.display_name} @ {placement.partner.short_name} · {RoundKind(kind).label}"
                )
                due.append(
                    _Due(
                        f"placement:{placement.pk}:{kind}",
                        kind,
                        on,
                        title,
                        term=_term_of(terms, on),
                        placement=placement,
                    )
                )
    if schedule.yearly_partner_review:
        for year in (today.year - 1, today.year):
            on = datetime.date(year, schedule.yearly_review_month, 1)
            title = f"{programme.code} {year} · {RoundKind.YEARLY.label}"
            due.append(_Due(f"yearly:{programme.pk}:{year}", RoundKind.YEARLY, on, title, term=_term_of(terms, on)))
    return [d for d in due if d.on <= today < d.on + late]


def _tasks(round_: ReviewRound, placement: Placement | None, term: ReviewTerm | None) -> list[Review]:
    """The review tasks of a new round (unsaved)."""
    programme = round_.programme
    university = programme.lead_university
    forms = {direction: current_form(direction) for direction in Direction.values}
    due = round_.due_on
    tasks: list[Review] = []

    def add(direction: str, reviewer: User | None, key: str, **subject: object) -> None:
        tasks.append(
            Review(
                round=round_,
                direction=direction,
                form=forms[direction],
                reviewer=reviewer,
                task_key=f"{direction}:{reviewer.pk if reviewer else 'office'}:{key}",
                due_on=due,
                **subject,  # type: ignore[arg-type]
            )
        )

    def placement_tasks(p: Placement) -> None:
        student = p.student
        add(Direction.SUPERVISOR_STUDENT, p.supervisor, f"s{student.pk}", subject_student=student, partner=p.partner)
        add(
            Direction.STUDENT_PLACEMENT,
            student.user,
            f"p{p.pk}",
            subject_placement=p,
            subject_site=p.site,
            subject_user=p.supervisor,
            author_student=student,
            partner=p.partner,
        )

    if round_.kind == RoundKind.YEARLY:
        partners = Participation.objects.filter(programme=programme).select_related("partner")
        for participation in partners:
            partner = participation.partner
            add(Direction.OFFICE_PARTNER, None, f"partner{partner.pk}", subject_partner=partner, partner=partner)
        return tasks
    if placement is not None:
        placement_tasks(placement)
        return tasks
    students = Student.objects.filter(programme=programme, status=StudentStatus.ENROLLED).select_related(
        "user", "tutor"
    )
    for student in students:
        if student.tutor is not None:
            add(Direction.TUTOR_STUDENT, student.tutor, f"s{student.pk}", subject_student=student, partner=university)
            add(
                Direction.STUDENT_TUTOR,
                student.user,
                f"t{student.tutor.pk}",
                subject_user=student.tutor,
                author_student=student,
                partner=university,
            )
    if term is not None:
        placements = (
            Placement.objects.filter(
                student__programme=programme,
                student__status=StudentStatus.ENROLLED,
                start_date__lte=term.end_date,
                end_date__gte=term.start_date,
            )
            .exclude(status=PlacementStatus.CANCELLED)
            .select_related("student__user", "supervisor", "partner", "site")
        )
        for p in placements:
            placement_tasks(p)
    return tasks


def review_round_open(
    *,
    programme: Programme,
    key: str,
    kind: str,
    opens_on: datetime.date,
    title: str,
    term: ReviewTerm | None = None,
    placement: Placement | None = None,
) -> tuple[ReviewRound, bool]:
    """Open the round ``key`` with its tasks, once: ``(round, created)``; an existing round is returned as is."""
    schedule, _created = ReviewSchedule.objects.get_or_create(programme=programme)
    due_on = opens_on + datetime.timedelta(days=schedule.window_days)
    with transaction.atomic():
        round_, created = ReviewRound.objects.get_or_create(
            key=key,
            defaults={
                "programme": programme,
                "kind": kind,
                "title": title[:200],
                "term": term,
                "placement": placement,
                "opens_on": opens_on,
                "due_on": due_on,
                "closes_on": due_on + datetime.timedelta(days=schedule.grace_days),
            },
        )
        if created:
            Review.objects.bulk_create(_tasks(round_, placement, term))
    return round_, created


@dataclass(frozen=True)
class OpenedCounts:
    rounds: int
    reviews: int
    closed: int


def rounds_open_due(*, today: datetime.date | None = None) -> OpenedCounts:
    """The daily job: open every due round once (with its tasks) and close the rounds past their closing day."""
    day = today or timezone.localdate()
    rounds = reviews = 0
    for schedule in ReviewSchedule.objects.select_related("programme__lead_university"):
        for due in _due_rounds(schedule, day):
            round_, created = review_round_open(
                programme=schedule.programme,
                key=due.key,
                kind=due.kind,
                opens_on=due.on,
                title=due.title,
                term=due.term,
                placement=due.placement,
            )
            if created:
                rounds += 1
                reviews += round_.reviews.count()
    closed = rounds_close_due(today=day)
    return OpenedCounts(rounds=rounds, reviews=reviews, closed=closed)


def rounds_close_due(*, today: datetime.date) -> int:
    """Close the open rounds whose closing day has passed (a conditional update: safe to run twice)."""
    return ReviewRound.objects.filter(status=RoundStatus.OPEN, closes_on__lt=today).update(
        status=RoundStatus.CLOSED, closed_at=timezone.now()
    )


def review_round_close(*, round: ReviewRound, by: User) -> ReviewRound:
    """Close a round now (the office): results about students become visible to them; pending reviews can no
    longer be submitted."""
    access.require(by, "manage", round)
    if round.is_closed:
        raise refuse("status", "round_closed", _("This round is already closed."))
    ReviewRound.objects.filter(pk=round.pk, status=RoundStatus.OPEN).update(
        status=RoundStatus.CLOSED, closed_at=timezone.now()
    )
    round.refresh_from_db()
    return round


def programmes_with_schedule(programmes: Iterable[Programme]) -> None:
    """Give each programme the default schedule if it has none (demo and set-up)."""
    for programme in programmes:
        ReviewSchedule.objects.get_or_create(programme=programme)
