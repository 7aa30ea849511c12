"""Projects, their members and outputs: every write, each checked with the access engine first.

A project moves proposed → approved (the office) → running (its managers) → concluded (the office, which
awards every member their points), or to abandoned from any open state (its managers, with a reason).
An output is submitted with evidence by a member or manager and earns points only when the office
verifies it (``output_verify``); a rejection keeps the reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.services.notifications import notify
from core.validation import refuse
from funds.models import Allocation
from partners import access
from partners.models import Membership, MembershipRole, Partner
from programmes.models import Programme
from projects.models import (
    MemberKind,
    MemberRole,
    OutputStatus,
    Project,
    ProjectMember,
    ProjectOutput,
    ProjectPartner,
    ProjectStatus,
)
from projects.services.funding import check_allocation
from projects.services.points import awards_for_output, awards_for_project, scale_for, scheme_in_force
from students.models import Student
from supervision.uploads import validate_evidence

OPEN_STATUSES = (ProjectStatus.PROPOSED, ProjectStatus.APPROVED, ProjectStatus.RUNNING)


def member_kind_of(user: User) -> str:
    """What a person is on a project: a student, else a tutor, a supervisor, else partner staff."""
    if Student.objects.filter(user=user).exists():
        return MemberKind.STUDENT
    roles = set(Membership.objects.active().filter(user=user).values_list("role", flat=True))
    if MembershipRole.TUTOR in roles:
        return MemberKind.TUTOR
    if MembershipRole.SUPERVISOR in roles:
        return MemberKind.SUPERVISOR
    return MemberKind.PARTNER_STAFF


def current_status(project: Project) -> str:
    """The project's status as stored now (the caller's copy may be older than the last transition)."""
    return str(Project.objects.filter(pk=project.pk).values_list("status", flat=True).get())


def _check_student_programme(user: User, programme_id: int) -> None:
    student = Student.objects.filter(user=user).only("programme_id").first()
    if student is not None and student.programme_id != programme_id:
        raise refuse("user", "other_programme", _("This student is in another programme."))


def project_create(
    *,
    by: User,
    programme: Programme,
    title_en: str,
    kind: str,
    lead_partner: Partner,
    leader: User,
    start_date: datetime.date,
    end_date: datetime.date,
    budget: Decimal = Decimal("0"),
    title_zh: str = "",
    description: str = "",
    partners: Iterable[Partner] = (),
    funding_reference: str = "",
    fund_allocation: Allocation | None = None,
) -> Project:
    """Propose a project. Its scale follows from budget and duration by the programme's scheme in force on
    the start date; the lead partner is involved, and the leader is its first member."""
    access.require(by, "host_project", lead_partner)
    if end_date < start_date:
        raise refuse("end_date", "period_order", _("The end date is before the start date."))
    if budget < 0:
        raise refuse("budget", "budget_negative", _("The budget cannot be negative."))
    if not leader.is_active:
        raise refuse("leader", "inactive_user", _("The leader's account is not active."))
    _check_student_programme(leader, programme.pk)
    if fund_allocation is not None:
        check_allocation(by=by, lead_partner=lead_partner, allocation=fund_allocation)
    scheme = scheme_in_force(programme_id=programme.pk, on=start_date)
    if scheme is None:
        raise refuse("start_date", "no_scheme", _("The programme has no points scheme in force on the start date."))
    with transaction.atomic():
        project = Project.objects.create(
            programme=programme,
            title_en=title_en,
            title_zh=title_zh,
            kind=kind,
            description=description,
            lead_partner=lead_partner,
            leader=leader,
            start_date=start_date,
            end_date=end_date,
            budget=budget,
            scale=scale_for(scheme=scheme, budget=budget, start=start_date, end=end_date),
            scheme=scheme,
            funding_reference=funding_reference,
            fund_allocation=fund_allocation,
            created_by=by,
        )
        for partner in {lead_partner, *partners}:
            ProjectPartner.objects.create(project=project, partner=partner)
        ProjectMember.objects.create(
            project=project, user=leader, kind=member_kind_of(leader), role=MemberRole.LEADER, added_by=by
        )
    return project


def project_member_add(*, project: Project, user: User, role: str, by: User) -> ProjectMember:
    """Add a person to an open project in a role (not a second leader)."""
    access.require(by, "manage", project)
    if current_status(project) not in OPEN_STATUSES:
        raise refuse("user", "project_closed", _("The project is closed."))
    if role == MemberRole.LEADER:
        raise refuse("role", "one_leader", _("A project has one leader."))
    if role not in MemberRole.values:
        raise refuse("role", "invalid_role", _("Unknown role."))
    if not user.is_active:
        raise refuse("user", "inactive_user", _("This account is not active."))
    _check_student_programme(user, project.programme_id)
    with transaction.atomic():
        if ProjectMember.objects.filter(project=project, user=user).exists():
            raise refuse("user", "already_member", _("This person is already on the project."))
        return ProjectMember.objects.create(
            project=project, user=user, kind=member_kind_of(user), role=role, added_by=by
        )


def _transition(project: Project, *, allowed_from: Sequence[str], to: str, reason: str = "") -> Project:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status not in allowed_from:
        raise refuse(
            "status",
            "wrong_status",
            _("Not possible while the project is %(status)s.") % {"status": locked.get_status_display()},
        )
    locked.status = to
    locked.status_reason = reason
    locked._change_reason = reason or to  # type: ignore[attr-defined]
    return locked


def project_approve(*, project: Project, by: User) -> Project:
    """The office approves a proposed project."""
    access.require(by, "approve", project)
    with transaction.atomic():
        locked = _transition(project, allowed_from=[ProjectStatus.PROPOSED], to=ProjectStatus.APPROVED)
        locked.save()
    return locked


def project_start(*, project: Project, by: User) -> Project:
    """The project's managers start an approved project."""
    access.require(by, "manage", project)
    with transaction.atomic():
        locked = _transition(project, allowed_from=[ProjectStatus.APPROVED], to=ProjectStatus.RUNNING)
        locked.save()
    return locked


def project_conclude(*, project: Project, by: User, on: datetime.date | None = None) -> Project:
    """The office concludes a running project: every member earns their points by scale and role, priced
    by the scheme in force on the day (which is frozen from then on)."""
    access.require(by, "conclude", project)
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _transition(project, allowed_from=[ProjectStatus.RUNNING], to=ProjectStatus.CONCLUDED)
        locked.concluded_on = on
        locked.save()
        awards_for_project(project=locked, on=on, by=by)
    return locked


def project_abandon(*, project: Project, reason: str, by: User) -> Project:
    """The project's managers abandon an open project, saying why. Nothing is awarded for it."""
    access.require(by, "manage", project)
    if not reason.strip():
        raise refuse("reason", "reason_required", _("Say why the project is abandoned."))
    with transaction.atomic():
        locked = _transition(project, allowed_from=OPEN_STATUSES, to=ProjectStatus.ABANDONED, reason=reason.strip())
        locked.save()
    return locked


def output_submit(
    *,
    project: Project,
    output_type: str,
    title: str,
    achieved_on: datetime.date,
    by: User,
    reference: str = "",
    evidence: UploadedFile | None = None,
    evidence_url: str = "",
    contributors: Iterable[User] | None = None,
    today: datetime.date | None = None,
) -> ProjectOutput:
    """A member or manager records an output with its evidence (a file, a link or a reference); it waits
    for the office's verification. Contributors are project members (all of them when none are named)."""
    access.require(by, "submit_output", project)
    today = today or timezone.localdate()
    if current_status(project) not in (ProjectStatus.RUNNING, ProjectStatus.CONCLUDED):
        raise refuse("project", "project_not_running", _("Outputs are recorded for running or concluded projects."))
    if not (evidence or evidence_url.strip() or reference.strip()):
        raise refuse("evidence", "evidence_required", _("Give the evidence: a file, a link or a reference."))
    if achieved_on > today:
        raise refuse("achieved_on", "future_date", _("The date is in the future."))
    member_ids = set(ProjectMember.objects.filter(project=project).values_list("user_id", flat=True))
    people = list(contributors) if contributors is not None else []
    if any(person.pk not in member_ids for person in people):
        raise refuse("contributors", "not_member", _("Contributors must be members of the project."))
    with transaction.atomic():
        output = ProjectOutput(
            project=project,
            output_type=output_type,
            title=title,
            reference=reference.strip(),
            evidence_url=evidence_url.strip(),
            achieved_on=achieved_on,
            submitted_by=by,
        )
        if evidence is not None:
            validate_evidence(evidence, field="evidence")
            output.evidence = evidence
        output.save()
        output.contributors.set([p.pk for p in people] if people else member_ids)
    return output


def _decide(output: ProjectOutput, *, status: str, note: str, by: User) -> ProjectOutput:
    locked = (
        ProjectOutput.objects.select_for_update(of=("self",)).select_related("project__lead_partner").get(pk=output.pk)
    )
    if locked.status != OutputStatus.SUBMITTED:
        raise refuse("status", "already_decided", _("This output was already decided."))
    locked.status = status
    locked.decision_note = note.strip()
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.save()
    return locked


def output_verify(*, output: ProjectOutput, by: User, note: str = "", on: datetime.date | None = None) -> ProjectOutput:
    """The office checked the evidence: the output is verified and its contributors earn their points,
    priced by the scheme in force on the day."""
    access.require(by, "verify", output)
    on = on or timezone.localdate()
    with transaction.atomic():
        if current_status(output.project) == ProjectStatus.ABANDONED:
            raise refuse("project", "project_abandoned", _("The project was abandoned."))
        locked = _decide(output, status=OutputStatus.VERIFIED, note=note, by=by)
        awards = awards_for_output(output=locked, on=on, by=by)
        _tell(
            users=[award.person for award in awards],
            subject=gettext_noop("Points for a verified output: %(title)s"),
            output=locked,
        )
    return locked


def output_reject(*, output: ProjectOutput, note: str, by: User) -> ProjectOutput:
    """The office found the evidence wanting: the output is rejected, with the reason; no points."""
    access.require(by, "verify", output)
    if not note.strip():
        raise refuse("note", "reason_required", _("Say what is wrong with the evidence."))
    with transaction.atomic():
        locked = _decide(output, status=OutputStatus.REJECTED, note=note, by=by)
        _tell(users=[locked.submitted_by], subject=gettext_noop("Output not verified: %(title)s"), output=locked)
    return locked


def _tell(*, users: list[User], subject: str, output: ProjectOutput) -> None:
    from django.urls import reverse

    notify(
        users=users,
        kind="project_output",
        subject=subject,
        params={"title": output.title},
        link=reverse("projects:detail", args=[output.project_id]),
    )
