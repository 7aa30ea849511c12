"""Every write about students, training plans, placements and milestones.

Rules that cross rows live here: a placement needs a site of its partner, a supervisor who is a member
of that partner, dates inside the programme and clear of the student's other placements, and a signed
agreement covering it. Every change of a plan's content writes a new ``PlanVersion``; every workflow
step writes a ``PlanEvent`` and tells the next person through ``core.services.notifications``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import PlatformRole
from core import hooks
from core.services import notifications
from partners import access
from partners.models import Membership, MembershipRole, Partner, PartnerKind, Site
from programmes.models import ActivityCategory, Agreement, AgreementStatus, Cohort, Objective, Programme
from students.models import (
    EDITABLE_PLAN_STATUSES,
    Milestone,
    MilestoneStatus,
    Placement,
    PlacementHours,
    PlacementStatus,
    PlanAction,
    PlanEvent,
    PlanStatus,
    PlanVersion,
    Student,
    TrainingPlan,
    add_months,
)


class StudentFields(TypedDict, total=False):
    """A student record's own fields, as keyword arguments of ``student_create`` and ``student_update``:
    typed, and only those given are set (an update leaves the others as they are; ``tutor=None`` clears)."""

    student_number: str
    programme: Programme
    cohort: Cohort | None
    status: str
    enrolled_on: datetime.date
    tutor: User | None
    practice_supervisor: User | None
    research_direction: str
    career_intention: str
    development_goals: str


STUDENT_FIELDS = tuple(StudentFields.__annotations__)


# --- Students ---------------------------------------------------------------------------------------


def _set_fields(student: Student, fields: StudentFields) -> None:
    unknown = set(fields) - set(STUDENT_FIELDS)
    if unknown:  # a caller unpacking a dict that carries more than the record's fields
        raise TypeError(f"not a student field: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(student, name, value)


def _validate_student(student: Student) -> None:
    errors: dict[str, list[str]] = {}
    if student.cohort_id and student.programme_id and student.cohort.programme_id != student.programme_id:
        errors["cohort"] = [_("This cohort belongs to another programme.")]
    if student.tutor_id is not None:
        is_tutor = Membership.objects.active().filter(
            user_id=student.tutor_id, role=MembershipRole.TUTOR, partner__kind=PartnerKind.UNIVERSITY
        )
        if not is_tutor.exists():
            errors["tutor"] = [_("The academic tutor must be a tutor member of the university.")]
    if student.practice_supervisor_id is not None:
        is_supervisor = Membership.objects.active().filter(
            user_id=student.practice_supervisor_id, role=MembershipRole.SUPERVISOR
        )
        if not is_supervisor.exists():
            errors["practice_supervisor"] = [_("The practice co-supervisor must be a supervisor member of a partner.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def student_create(*, by: User, user: User, **fields: Unpack[StudentFields]) -> Student:
    """Enrol a student (office): the record, an empty draft plan (v1) and the programme's milestones."""
    access.require(by, "create", Student)
    student = Student(user=user)
    _set_fields(student, fields)
    student.full_clean()
    _validate_student(student)
    student._history_user = by  # type: ignore[attr-defined]
    student.save()
    plan = TrainingPlan.objects.create(student=student)
    for template in student.programme.milestone_templates.all():
        Milestone.objects.create(
            student=student, kind=template.kind, due_date=add_months(student.enrolled_on, template.offset_months)
        )
    PlanVersion.objects.create(
        plan=plan, number=1, snapshot=plan_snapshot(plan), summary=_("Plan created."), created_by=by
    )
    return student


@transaction.atomic
def student_update(*, student: Student, by: User, **fields: Unpack[StudentFields]) -> Student:
    """Edit a student's record (office). Plan content changes go through the plan services."""
    access.require(by, "change", student)
    student = Student.objects.select_for_update().get(pk=student.pk)
    _set_fields(student, fields)
    student.full_clean()
    _validate_student(student)
    student._history_user = by  # type: ignore[attr-defined]
    student.save()
    return student


# --- Plan content and versions ----------------------------------------------------------------------


def plan_snapshot(plan: TrainingPlan) -> dict[str, Any]:
    """The plan's content as plain data: goals, placements and milestones (what versions compare)."""
    student = plan.student
    placements = (
        Placement.objects.filter(student=student)
        .exclude(status=PlacementStatus.CANCELLED)
        .select_related("partner", "site", "supervisor")
        .prefetch_related("objectives", "required_hours__category")
        .order_by("start_date", "pk")
    )
    return {
        "research_direction": student.research_direction,
        "career_intention": student.career_intention,
        "development_goals": student.development_goals,
        "placements": [
            {
                "id": p.pk,
                "partner": p.partner.name,
                "site": p.site.name,
                "supervisor": p.supervisor.display_name,
                "start_date": p.start_date.isoformat(),
                "end_date": p.end_date.isoformat(),
                "objectives": sorted(o.code for o in p.objectives.all()),
                "required_hours": {h.category.name: h.hours for h in p.required_hours.all()},
                "notes": p.notes,
            }
            for p in placements
        ],
        "milestones": [
            {"kind": m.kind, "due_date": m.due_date.isoformat()}
            for m in Milestone.objects.filter(student=student).order_by("due_date", "kind")
        ],
    }


def _record_change(plan: TrainingPlan, *, by: User, summary: str) -> PlanVersion:
    """A change of content: the plan moves to its next version, with a snapshot and who did it."""
    plan = TrainingPlan.objects.select_for_update().get(pk=plan.pk)
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    return PlanVersion.objects.create(
        plan=plan, number=plan.version, snapshot=plan_snapshot(plan), summary=summary[:300], created_by=by
    )


def _require_editable(plan: TrainingPlan) -> None:
    if plan.status not in EDITABLE_PLAN_STATUSES:
        if plan.status == PlanStatus.APPROVED:
            raise ValidationError(_("This plan is approved: start an amendment to change it."))
        raise ValidationError(_("This plan is waiting for approval and cannot be changed now."))


@transaction.atomic
def plan_update_goals(
    *,
    plan: TrainingPlan,
    by: User,
    research_direction: str | None = None,
    career_intention: str | None = None,
    development_goals: str | None = None,
) -> TrainingPlan:
    """Change the student's research direction, career intention and development goals in the plan; a
    goal left ``None`` keeps its value."""
    access.require(by, "edit", plan)
    _require_editable(plan)
    student = Student.objects.select_for_update().get(pk=plan.student_id)
    if research_direction is not None:
        student.research_direction = research_direction
    if career_intention is not None:
        student.career_intention = career_intention
    if development_goals is not None:
        student.development_goals = development_goals
    student.full_clean()
    student._history_user = by  # type: ignore[attr-defined]
    student.save()
    _record_change(plan, by=by, summary=_("Goals changed."))
    plan.refresh_from_db()
    return plan


def _placement_errors(
    *,
    student: Student,
    partner: Partner,
    site: Site,
    supervisor: User,
    start_date: datetime.date,
    end_date: datetime.date,
    objectives: Iterable[Objective],
    required_hours: Mapping[ActivityCategory, int],
    exclude_pk: int | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if end_date < start_date:
        errors["end_date"] = [_("The end date cannot be before the start date.")]
        return errors
    if site.partner_id != partner.pk:
        errors["site"] = [_("This site belongs to another partner.")]
    if (
        not Membership.objects.active()
        .filter(user=supervisor, partner=partner, role=MembershipRole.SUPERVISOR)
        .exists()
    ):
        errors["supervisor"] = [
            _("The supervisor must be an active supervisor member of %(partner)s.") % {"partner": partner.name}
        ]
    programme_end = student.programme_end
    if start_date < student.enrolled_on or end_date > programme_end:
        errors["start_date"] = [
            _("The placement must fall within the programme: %(start)s to %(end)s.")
            % {"start": student.enrolled_on.isoformat(), "end": programme_end.isoformat()}
        ]
    others = Placement.objects.filter(student=student, start_date__lte=end_date, end_date__gte=start_date)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    overlapping = others.exclude(status=PlacementStatus.CANCELLED).select_related("partner").first()
    if overlapping is not None:
        errors.setdefault("start_date", []).append(
            _("These dates overlap the placement at %(partner)s from %(start)s to %(end)s.")
            % {
                "partner": overlapping.partner.name,
                "start": overlapping.start_date.isoformat(),
                "end": overlapping.end_date.isoformat(),
            }
        )
    if not agreement_covering(programme=student.programme, partner=partner, start=start_date, end=end_date):
        errors["partner"] = [
            _("%(partner)s has no signed agreement for this programme covering %(start)s to %(end)s.")
            % {"partner": partner.name, "start": start_date.isoformat(), "end": end_date.isoformat()}
        ]
    for check in hooks.PLACEMENT_CHECKS:
        found = check.check(
            student=student,
            partner=partner,
            site=site,
            supervisor=supervisor,
            start_date=start_date,
            end_date=end_date,
            exclude_pk=exclude_pk,
        )
        for name, messages in found.items():
            errors.setdefault(name, []).extend(messages)
    if any(o.programme_id != student.programme_id for o in objectives):
        errors["objectives"] = [_("Choose objectives of the student's programme.")]
    for category, hours in required_hours.items():
        if category.programme_id != student.programme_id:
            errors["required_hours"] = [_("Choose activity categories of the student's programme.")]
        elif hours <= 0:
            errors["required_hours"] = [_("Required hours must be above zero.")]
    return errors


def agreement_covering(
    *, programme: Programme, partner: Partner, start: datetime.date, end: datetime.date
) -> Agreement | None:
    """A signed agreement of the programme naming the partner, valid over the whole period."""
    return (
        Agreement.objects.filter(
            programme=programme,
            status=AgreementStatus.SIGNED,
            parties__partner=partner,
            start_date__lte=start,
            end_date__gte=end,
        )
        .order_by("-end_date")
        .first()
    )


@transaction.atomic
def placement_create(
    *,
    plan: TrainingPlan,
    by: User,
    partner: Partner,
    site: Site,
    supervisor: User,
    start_date: datetime.date,
    end_date: datetime.date,
    objectives: Iterable[Objective] = (),
    required_hours: Mapping[ActivityCategory, int] | None = None,
    notes: str = "",
) -> Placement:
    """Add a placement to a plan that is a draft or returned; refused with the rule it breaks."""
    access.require(by, "edit", plan)
    _require_editable(plan)
    student = plan.student
    objectives = list(objectives)
    hours = dict(required_hours or {})
    errors = _placement_errors(
        student=student,
        partner=partner,
        site=site,
        supervisor=supervisor,
        start_date=start_date,
        end_date=end_date,
        objectives=objectives,
        required_hours=hours,
    )
    if errors:
        raise ValidationError(errors)
    placement = Placement(
        student=student,
        partner=partner,
        site=site,
        supervisor=supervisor,
        start_date=start_date,
        end_date=end_date,
        notes=notes,
    )
    placement.full_clean()
    placement._history_user = by  # type: ignore[attr-defined]
    placement.save()
    placement.objectives.set(objectives)
    PlacementHours.objects.bulk_create(
        PlacementHours(placement=placement, category=category, hours=h) for category, h in hours.items()
    )
    _record_change(
        plan,
        by=by,
        summary=_("Placement added at %(partner)s (%(start)s to %(end)s).")
        % {"partner": partner.name, "start": start_date.isoformat(), "end": end_date.isoformat()},
    )
    return placement


@transaction.atomic
def placement_update(
    *,
    placement: Placement,
    by: User,
    site: Site,
    supervisor: User,
    start_date: datetime.date,
    end_date: datetime.date,
    objectives: Iterable[Objective] = (),
    required_hours: Mapping[ActivityCategory, int] | None = None,
    notes: str = "",
) -> Placement:
    """Change a placement of an editable plan. Its partner stays; to move, cancel and add another."""
    # Re-read: a caller's placement may carry a stale cached plan, and a cancelled one stays cancelled.
    placement = Placement.objects.select_related("student__plan", "partner").get(pk=placement.pk)
    plan = placement.student.plan
    access.require(by, "edit", plan)
    if placement.status == PlacementStatus.CANCELLED:
        raise ValidationError(_("This placement was cancelled; add a new one instead."))
    _require_editable(plan)
    objectives = list(objectives)
    hours = dict(required_hours or {})
    errors = _placement_errors(
        student=placement.student,
        partner=placement.partner,
        site=site,
        supervisor=supervisor,
        start_date=start_date,
        end_date=end_date,
        objectives=objectives,
        required_hours=hours,
        exclude_pk=placement.pk,
    )
    if errors:
        raise ValidationError(errors)
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    placement.site, placement.supervisor = site, supervisor
    placement.start_date, placement.end_date, placement.notes = start_date, end_date, notes
    placement.full_clean()
    placement._history_user = by  # type: ignore[attr-defined]
    placement.save()
    placement.objectives.set(objectives)
    placement.required_hours.all().delete()
    PlacementHours.objects.bulk_create(
        PlacementHours(placement=placement, category=category, hours=h) for category, h in hours.items()
    )
    _record_change(plan, by=by, summary=_("Placement at %(partner)s changed.") % {"partner": placement.partner.name})
    return placement


@transaction.atomic
def placement_cancel(*, placement: Placement, by: User, reason: str) -> Placement:
    """Cancel a placement of an editable plan. It stays on record, marked cancelled, with the reason."""
    # Re-read: a caller's placement may carry a stale cached plan, and a cancelled one stays cancelled.
    placement = Placement.objects.select_related("student__plan", "partner").get(pk=placement.pk)
    plan = placement.student.plan
    access.require(by, "edit", plan)
    if placement.status == PlacementStatus.CANCELLED:
        raise ValidationError(_("This placement was cancelled; add a new one instead."))
    _require_editable(plan)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason for cancelling.")]})
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    placement.status = PlacementStatus.CANCELLED
    placement.notes = f"{placement.notes}\n{_('Cancelled')}: {reason.strip()}".strip()
    placement._history_user = by  # type: ignore[attr-defined]
    placement._change_reason = reason.strip()  # type: ignore[attr-defined]
    placement.save(update_fields=["status", "notes"])
    _record_change(plan, by=by, summary=_("Placement at %(partner)s cancelled.") % {"partner": placement.partner.name})
    return placement


# --- Workflow ---------------------------------------------------------------------------------------


def _event(plan: TrainingPlan, *, action: str, by: User, reason: str = "") -> PlanEvent:
    return PlanEvent.objects.create(plan=plan, version=plan.version, action=action, by=by, reason=reason)


def _move(plan: TrainingPlan, *, allowed_from: tuple[str, ...], to: str, message: str) -> TrainingPlan:
    # Lock the plan row only: PostgreSQL cannot lock the nullable side of the outer join to the tutor.
    plan = (
        TrainingPlan.objects.select_for_update(of=("self",))
        .select_related("student__user", "student__tutor")
        .get(pk=plan.pk)
    )
    if plan.status not in allowed_from:
        raise ValidationError(message)
    plan.status = to
    return plan


def _plan_link(plan: TrainingPlan) -> str:
    return reverse("students:plan", args=[plan.student_id])


@transaction.atomic
def plan_submit(*, plan: TrainingPlan, by: User) -> TrainingPlan:
    """The student or the tutor submits a draft or returned plan for the tutor's approval."""
    access.require(by, "submit", plan)
    plan = _move(
        plan,
        allowed_from=EDITABLE_PLAN_STATUSES,
        to=PlanStatus.SUBMITTED,
        message=_("Only a draft or returned plan can be submitted."),
    )
    if not Placement.objects.filter(student_id=plan.student_id).exclude(status=PlacementStatus.CANCELLED).exists():
        raise ValidationError(_("Add at least one placement before submitting the plan."))
    plan.save(update_fields=["status", "updated_at"])
    _event(plan, action=PlanAction.SUBMITTED, by=by)
    tutor = plan.student.tutor
    if tutor is not None and tutor.pk != by.pk:
        notifications.notify(
            users=[tutor],
            kind="plan_submitted",
            subject=gettext_noop("Training plan submitted: %(student)s"),
            params={"student": plan.student.user.display_name},
            link=_plan_link(plan),
        )
    elif tutor is not None:
        # The tutor submitted on the student's behalf: the plan goes straight to them to approve.
        pass
    return plan


@transaction.atomic
def plan_tutor_approve(*, plan: TrainingPlan, by: User) -> TrainingPlan:
    """The student's tutor approves a submitted plan; it goes to the office."""
    access.require(by, "tutor_approve", plan)
    plan = _move(
        plan,
        allowed_from=(PlanStatus.SUBMITTED,),
        to=PlanStatus.TUTOR_APPROVED,
        message=_("Only a submitted plan can be approved by the tutor."),
    )
    plan.save(update_fields=["status", "updated_at"])
    _event(plan, action=PlanAction.TUTOR_APPROVED, by=by)
    notifications.notify(
        users=access.users_with_platform_role(PlatformRole.OFFICE),
        kind="plan_tutor_approved",
        subject=gettext_noop("Training plan ready for approval: %(student)s"),
        params={"student": plan.student.user.display_name},
        link=_plan_link(plan),
    )
    return plan


@transaction.atomic
def plan_approve(*, plan: TrainingPlan, by: User) -> TrainingPlan:
    """The office approves a plan the tutor approved. From now on it changes only by amendment."""
    access.require(by, "approve", plan)
    plan = _move(
        plan,
        allowed_from=(PlanStatus.TUTOR_APPROVED,),
        to=PlanStatus.APPROVED,
        message=_("Only a plan approved by the tutor can be approved by the office."),
    )
    plan.approved_version = plan.version
    plan.is_amendment = False
    plan.save(update_fields=["status", "approved_version", "is_amendment", "updated_at"])
    _event(plan, action=PlanAction.APPROVED, by=by)
    notifications.notify(
        users=[plan.student.user],
        kind="plan_approved",
        subject=gettext_noop("Your training plan is approved (version %(version)s)"),
        params={"version": plan.version},
        link=_plan_link(plan),
    )
    return plan


@transaction.atomic
def plan_return(*, plan: TrainingPlan, by: User, reason: str) -> TrainingPlan:
    """Send a submitted plan back to the student with a reason (the tutor, or the office at any step)."""
    access.require(by, "return", plan)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the plan is returned.")]})
    is_office = access.can(by, "approve", plan)
    allowed = (PlanStatus.SUBMITTED, PlanStatus.TUTOR_APPROVED) if is_office else (PlanStatus.SUBMITTED,)
    plan = _move(plan, allowed_from=allowed, to=PlanStatus.RETURNED, message=_("This plan is not waiting for you."))
    plan.save(update_fields=["status", "updated_at"])
    _event(plan, action=PlanAction.RETURNED, by=by, reason=reason.strip())
    notifications.notify(
        users=[plan.student.user],
        kind="plan_returned",
        subject=gettext_noop("Your training plan was returned"),
        params={},
        body=reason.strip(),
        link=_plan_link(plan),
    )
    return plan


@transaction.atomic
def plan_amend(*, plan: TrainingPlan, by: User, reason: str) -> TrainingPlan:
    """Open an approved plan for changes. The approved version stays on record until the amendment
    itself is approved."""
    access.require(by, "edit", plan)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the plan needs an amendment.")]})
    plan = _move(
        plan,
        allowed_from=(PlanStatus.APPROVED,),
        to=PlanStatus.DRAFT,
        message=_("Only an approved plan can be amended; a draft can be edited directly."),
    )
    plan.is_amendment = True
    plan.save(update_fields=["status", "is_amendment", "updated_at"])
    _event(plan, action=PlanAction.AMENDMENT_STARTED, by=by, reason=reason.strip())
    return plan


# --- Milestones -------------------------------------------------------------------------------------


@transaction.atomic
def milestone_complete(*, milestone: Milestone, by: User, completed_on: datetime.date | None = None) -> Milestone:
    """Mark a milestone done (the tutor or the office)."""
    access.require(by, "decide", milestone)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    day = completed_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"completed_on": [_("The completion date cannot be in the future.")]})
    if milestone.status != MilestoneStatus.PENDING:
        raise ValidationError(_("Only a pending milestone can be marked done."))
    milestone.status, milestone.completed_on = MilestoneStatus.DONE, day
    milestone._history_user = by  # type: ignore[attr-defined]
    milestone.save(update_fields=["status", "completed_on"])
    return milestone


@transaction.atomic
def milestone_waive(*, milestone: Milestone, by: User, reason: str) -> Milestone:
    """Waive a milestone with a reason (the office)."""
    access.require(by, "waive", milestone)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason for waiving the milestone.")]})
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.status != MilestoneStatus.PENDING:
        raise ValidationError(_("Only a pending milestone can be waived."))
    milestone.status, milestone.waived_reason = MilestoneStatus.WAIVED, reason.strip()
    milestone._history_user = by  # type: ignore[attr-defined]
    milestone.save(update_fields=["status", "waived_reason"])
    return milestone


MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


@transaction.atomic
def milestone_attach_evidence(*, milestone: Milestone, by: User, upload: Any) -> Milestone:
    """Attach evidence (a PDF, at most 10 MB, checked by content) to a milestone (the student or tutor)."""
    from core.uploads import validate_pdf

    access.require(by, "attach_evidence", milestone)
    validate_pdf(upload, field="evidence", max_bytes=MAX_EVIDENCE_BYTES)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    milestone.evidence.save(upload.name, upload, save=False)
    milestone._history_user = by  # type: ignore[attr-defined]
    milestone.save(update_fields=["evidence"])
    return milestone


def cohort_for(programme: Programme, year: int) -> Cohort:
    """The programme's cohort of an intake year (created on first use)."""
    cohort, _created = Cohort.objects.get_or_create(programme=programme, intake_year=year)
    return cohort


# --- Enrolment with a new account (API) -------------------------------------------------------------


@transaction.atomic
def student_create_with_user(
    *, by: User, username: str, full_name: str = "", email: str = "", **fields: Unpack[StudentFields]
) -> Student:
    """Open an account and enrol it as a student in one step (office). The account has no password: the
    student sets one through the password reset e-mail. Nothing is kept when the enrolment is refused."""
    access.require(by, "create", Student)
    user = User(username=username, full_name=full_name, email=email)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return student_create(by=by, user=user, **fields)
