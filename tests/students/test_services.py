"""Plan services: every placement rule with its bad input, the approval workflow, versions,
notifications and e-mails, and the milestone rules."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from core.models import Notification
from core.tasks import notification_email_send
from partners.models import MembershipRole, PartnerKind
from programmes.models import AgreementStatus
from students import services
from students.models import (
    Milestone,
    MilestoneStatus,
    Placement,
    PlacementStatus,
    PlanAction,
    PlanEvent,
    PlanStatus,
    PlanVersion,
    TrainingPlan,
)
from tests.conftest import World
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory, PartnerFactory, SiteFactory
from tests.factories.programmes import (
    ActivityCategoryFactory,
    AgreementFactory,
    AgreementPartyFactory,
    ObjectiveFactory,
    ParticipationFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db


def _u(world: World, persona: str) -> User:
    """A persona's user (never the anonymous one here)."""
    user = world.users[persona]
    assert user is not None
    return user


FREE_START = datetime.date(2027, 3, 1)  # after placement A (2026-10-01 to 2027-01-31), inside the programme
FREE_END = datetime.date(2027, 6, 30)


def _plan(world: World) -> TrainingPlan:
    return TrainingPlan.objects.get(student=world.student_a)


def _add(world: World, by: User | None = None, **overrides: Any) -> Placement:
    """Add a placement to student A's plan at partner A: valid unless ``overrides`` break a rule."""
    values: dict[str, Any] = {
        "partner": world.partner_a,
        "site": world.site_a,
        "supervisor": _u(world, "supervisor_a"),
        "start_date": FREE_START,
        "end_date": FREE_END,
    }
    values.update(overrides)
    return services.placement_create(plan=_plan(world), by=by or _u(world, "student_a"), **values)


def _refused_on(error: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    assert field in error.value.message_dict, error.value.message_dict
    return " ".join(error.value.message_dict[field])


def _approve_all(world: World) -> TrainingPlan:
    plan = _plan(world)
    services.plan_submit(plan=plan, by=_u(world, "student_a"))
    services.plan_tutor_approve(plan=plan, by=_u(world, "tutor"))
    return services.plan_approve(plan=plan, by=_u(world, "office"))


# --- Placement rules ---------------------------------------------------------------------------------


def test_valid_placement_is_added_with_a_new_version_by_its_author(world: World) -> None:
    objective = ObjectiveFactory.create(programme=world.programme, code="P1")
    category = ActivityCategoryFactory.create(programme=world.programme, name="CT operation")

    placement = _add(world, objectives=[objective], required_hours={category: 120})

    plan = _plan(world)
    version = PlanVersion.objects.get(plan=plan, number=plan.version)
    assert plan.version == 2
    assert version.created_by == _u(world, "student_a")
    assert "Hospital A" in version.summary
    added = next(p for p in version.snapshot["placements"] if p["id"] == placement.pk)
    assert added["objectives"] == ["P1"]
    assert added["required_hours"] == {"CT operation": 120}


def test_placement_overlapping_another_of_the_student_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _add(world, start_date=datetime.date(2027, 1, 15), end_date=datetime.date(2027, 3, 1))

    assert "overlap" in _refused_on(error, "start_date")
    assert Placement.objects.filter(student=world.student_a).count() == 1


def test_placement_overlapping_a_cancelled_one_is_allowed(world: World) -> None:
    services.placement_cancel(placement=world.placement_a, by=_u(world, "student_a"), reason="Moved.")

    placement = _add(world, start_date=world.placement_a.start_date, end_date=world.placement_a.end_date)

    assert placement.pk


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime.date(2026, 8, 1), datetime.date(2026, 9, 30)),  # before enrolment (2026-09-01)
        (datetime.date(2029, 6, 1), datetime.date(2029, 9, 30)),  # after the programme's end (2029-08-31)
    ],
)
def test_placement_outside_the_programme_is_refused(world: World, start: datetime.date, end: datetime.date) -> None:
    with pytest.raises(ValidationError) as error:
        _add(world, start_date=start, end_date=end)

    assert "within the programme" in _refused_on(error, "start_date")


def test_placement_ending_before_it_starts_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _add(world, start_date=FREE_END, end_date=FREE_START)

    _refused_on(error, "end_date")


def test_placement_at_a_site_of_another_partner_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _add(world, site=world.site_b)

    assert "another partner" in _refused_on(error, "site")
    assert not Placement.objects.filter(site=world.site_b, student=world.student_a).exists()


def test_placement_under_a_supervisor_of_another_partner_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _add(world, supervisor=_u(world, "supervisor_b"))

    assert "Hospital A" in _refused_on(error, "supervisor")


def test_placement_under_a_supervisor_whose_membership_ended_is_refused(world: World) -> None:
    former = UserFactory.create(username="former-supervisor")
    MembershipFactory.create(
        user=former,
        partner=world.partner_a,
        role=MembershipRole.SUPERVISOR,
        start_date=datetime.date(2020, 1, 1),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )

    with pytest.raises(ValidationError) as error:
        _add(world, supervisor=former)

    _refused_on(error, "supervisor")


def test_placement_under_a_member_who_is_not_a_supervisor_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _add(world, supervisor=_u(world, "coordinator_a"))

    _refused_on(error, "supervisor")


def _partner_c(world: World, *, agreement_end: datetime.date | None, status: str = AgreementStatus.SIGNED) -> Any:
    """Partner C takes part in the programme, with a site and a supervisor, and maybe an agreement."""
    partner = PartnerFactory.create(name="Institute C", kind=PartnerKind.RESEARCH_INSTITUTE)
    site = SiteFactory.create(partner=partner)
    supervisor = UserFactory.create(username="supervisor-c")
    MembershipFactory.create(user=supervisor, partner=partner, role=MembershipRole.SUPERVISOR)
    ParticipationFactory.create(programme=world.programme, partner=partner)
    if agreement_end is not None:
        agreement = AgreementFactory.create(
            programme=world.programme,
            start_date=datetime.date(2026, 1, 1),
            end_date=agreement_end,
            status=status,
        )
        AgreementPartyFactory.create(agreement=agreement, partner=partner)
    return partner, site, supervisor


def test_placement_at_a_partner_without_an_agreement_is_refused(world: World) -> None:
    partner, site, supervisor = _partner_c(world, agreement_end=None)

    with pytest.raises(ValidationError) as error:
        _add(world, partner=partner, site=site, supervisor=supervisor)

    assert "no signed agreement" in _refused_on(error, "partner")


def test_placement_beyond_the_end_of_the_agreement_is_refused(world: World) -> None:
    partner, site, supervisor = _partner_c(world, agreement_end=datetime.date(2027, 4, 30))

    with pytest.raises(ValidationError) as error:
        _add(world, partner=partner, site=site, supervisor=supervisor)

    _refused_on(error, "partner")


def test_placement_under_an_unsigned_agreement_is_refused(world: World) -> None:
    partner, site, supervisor = _partner_c(world, agreement_end=datetime.date(2030, 1, 1), status=AgreementStatus.DRAFT)

    with pytest.raises(ValidationError) as error:
        _add(world, partner=partner, site=site, supervisor=supervisor)

    _refused_on(error, "partner")


def test_placement_under_a_signed_covering_agreement_is_accepted(world: World) -> None:
    partner, site, supervisor = _partner_c(world, agreement_end=datetime.date(2030, 1, 1))

    assert _add(world, partner=partner, site=site, supervisor=supervisor).partner == partner


def test_placement_serving_objectives_of_another_programme_is_refused(world: World) -> None:
    foreign = ObjectiveFactory.create(programme=ProgrammeFactory.create())

    with pytest.raises(ValidationError) as error:
        _add(world, objectives=[foreign])

    _refused_on(error, "objectives")


def test_placement_hours_in_a_category_of_another_programme_are_refused(world: World) -> None:
    foreign = ActivityCategoryFactory.create(programme=ProgrammeFactory.create())

    with pytest.raises(ValidationError) as error:
        _add(world, required_hours={foreign: 40})

    _refused_on(error, "required_hours")


def test_placement_with_zero_required_hours_is_refused(world: World) -> None:
    category = ActivityCategoryFactory.create(programme=world.programme)

    with pytest.raises(ValidationError) as error:
        _add(world, required_hours={category: 0})

    _refused_on(error, "required_hours")


def test_supervisor_cannot_add_a_placement_to_a_plan(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _add(world, by=_u(world, "supervisor_a"))


def test_placement_update_checks_the_rules_but_not_against_itself(world: World) -> None:
    placement = world.placement_a
    by = _u(world, "tutor")

    moved = services.placement_update(
        placement=placement,
        by=by,
        site=world.site_a,
        supervisor=_u(world, "supervisor_a"),
        start_date=placement.start_date + datetime.timedelta(days=7),
        end_date=placement.end_date,
    )
    with pytest.raises(ValidationError) as error:
        services.placement_update(
            placement=placement,
            by=by,
            site=world.site_b,
            supervisor=_u(world, "supervisor_a"),
            start_date=placement.start_date,
            end_date=placement.end_date,
        )

    assert moved.start_date == datetime.date(2026, 10, 8)
    _refused_on(error, "site")
    version = PlanVersion.objects.get(plan=_plan(world), number=_plan(world).version)
    assert version.created_by == by
    assert version.snapshot["placements"][0]["start_date"] == "2026-10-08"


def test_placement_cancel_needs_a_reason_and_keeps_the_placement_on_record(world: World) -> None:
    student = _u(world, "student_a")
    with pytest.raises(ValidationError) as error:
        services.placement_cancel(placement=world.placement_a, by=student, reason="  ")
    _refused_on(error, "reason")

    services.placement_cancel(placement=world.placement_a, by=student, reason="Department closed.")

    world.placement_a.refresh_from_db()
    assert world.placement_a.status == PlacementStatus.CANCELLED
    assert "Department closed." in world.placement_a.notes
    latest = PlanVersion.objects.get(plan=_plan(world), number=_plan(world).version)
    assert latest.snapshot["placements"] == []
    assert "cancelled" in latest.summary


# --- Goals and versions --------------------------------------------------------------------------------


def test_goal_change_writes_a_version_with_author_and_summary(world: World) -> None:
    plan = services.plan_update_goals(
        plan=_plan(world),
        by=_u(world, "tutor"),
        research_direction="Photon-counting CT",
        development_goals="Publish one paper.",
    )

    version = PlanVersion.objects.get(plan=plan, number=plan.version)
    assert version.created_by == _u(world, "tutor")
    assert version.summary == "Goals changed."
    assert version.snapshot["research_direction"] == "Photon-counting CT"


def test_goal_change_with_an_unknown_career_intention_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        services.plan_update_goals(plan=_plan(world), by=_u(world, "student_a"), career_intention="astronaut")

    assert _plan(world).version == 1


# --- Workflow ----------------------------------------------------------------------------------------


def test_submitting_a_plan_without_placements_is_refused(world: World) -> None:
    student = _u(world, "student_a")
    services.placement_cancel(placement=world.placement_a, by=student, reason="Moved.")

    with pytest.raises(ValidationError) as error:
        services.plan_submit(plan=_plan(world), by=student)

    assert "at least one placement" in " ".join(error.value.messages)
    assert _plan(world).status == PlanStatus.DRAFT
    assert not PlanEvent.objects.filter(plan=_plan(world)).exists()


def test_student_submits_and_the_tutor_is_told(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        plan = services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))

    assert plan.status == PlanStatus.SUBMITTED
    event = PlanEvent.objects.get(plan=plan)
    assert (event.action, event.by, event.version) == (PlanAction.SUBMITTED, _u(world, "student_a"), plan.version)
    notification = Notification.objects.get(kind="plan_submitted")
    assert notification.user == _u(world, "tutor")
    assert notification.link == f"/students/{world.student_a.pk}/"
    assert len(callbacks) == 1  # the e-mail goes out after commit


def test_submitted_notification_is_emailed_to_the_tutor(world: World) -> None:
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))
    notification = Notification.objects.get(kind="plan_submitted")

    assert notification_email_send(notification.pk) is True
    assert notification_email_send(notification.pk) is False  # claimed: never sent twice

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [_u(world, "tutor").email]
    assert _u(world, "student_a").display_name in message.subject
    assert f"/students/{world.student_a.pk}/" in message.body


def test_tutor_submits_on_behalf_of_the_student_without_telling_themself(world: World) -> None:
    plan = services.plan_submit(plan=_plan(world), by=_u(world, "tutor"))

    assert plan.status == PlanStatus.SUBMITTED
    assert not Notification.objects.filter(kind="plan_submitted").exists()


@pytest.mark.parametrize("persona", ["office", "supervisor_a", "coordinator_a", "student_b"])
def test_only_the_student_or_tutor_may_submit(world: World, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        services.plan_submit(plan=_plan(world), by=_u(world, persona))

    assert _plan(world).status == PlanStatus.DRAFT


def test_submitting_a_submitted_plan_is_refused(world: World) -> None:
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))

    with pytest.raises(ValidationError):
        services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))


def test_tutor_approval_comes_only_from_the_students_tutor(world: World) -> None:
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))
    other_tutor = UserFactory.create(username="other-tutor")
    MembershipFactory.create(user=other_tutor, partner=world.university, role=MembershipRole.TUTOR)

    for someone in (other_tutor, _u(world, "office"), _u(world, "student_a"), _u(world, "supervisor_a")):
        with pytest.raises(PermissionDenied):
            services.plan_tutor_approve(plan=_plan(world), by=someone)
    assert _plan(world).status == PlanStatus.SUBMITTED

    plan = services.plan_tutor_approve(plan=_plan(world), by=_u(world, "tutor"))
    assert plan.status == PlanStatus.TUTOR_APPROVED


def test_tutor_cannot_approve_a_draft(world: World) -> None:
    with pytest.raises(ValidationError):
        services.plan_tutor_approve(plan=_plan(world), by=_u(world, "tutor"))

    assert _plan(world).status == PlanStatus.DRAFT


def test_tutor_approval_tells_every_office_user(world: World) -> None:
    second_office = UserFactory.create(username="office-2")
    grant_platform_role(second_office, PlatformRole.OFFICE)
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))

    services.plan_tutor_approve(plan=_plan(world), by=_u(world, "tutor"))

    told = set(Notification.objects.filter(kind="plan_tutor_approved").values_list("user__username", flat=True))
    assert told == {"office", "office-2"}


def test_office_approves_only_after_the_tutor(world: World) -> None:
    office = _u(world, "office")
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))

    with pytest.raises(ValidationError) as error:
        services.plan_approve(plan=_plan(world), by=office)
    assert "approved by the tutor" in " ".join(error.value.messages)
    assert _plan(world).status == PlanStatus.SUBMITTED

    services.plan_tutor_approve(plan=_plan(world), by=_u(world, "tutor"))
    plan = services.plan_approve(plan=_plan(world), by=office)

    assert plan.status == PlanStatus.APPROVED
    assert plan.approved_version == plan.version
    notification = Notification.objects.get(kind="plan_approved")
    assert notification.user == _u(world, "student_a")
    notification_email_send(notification.pk)
    assert mail.outbox[-1].to == [_u(world, "student_a").email]


def test_tutor_cannot_give_the_office_approval(world: World) -> None:
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))
    services.plan_tutor_approve(plan=_plan(world), by=_u(world, "tutor"))

    with pytest.raises(PermissionDenied):
        services.plan_approve(plan=_plan(world), by=_u(world, "tutor"))


def test_return_needs_a_reason(world: World) -> None:
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))

    with pytest.raises(ValidationError) as error:
        services.plan_return(plan=_plan(world), by=_u(world, "tutor"), reason="   ")

    _refused_on(error, "reason")
    assert _plan(world).status == PlanStatus.SUBMITTED


def test_returned_plan_is_editable_again_and_the_student_is_told_why(world: World) -> None:
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))

    plan = services.plan_return(plan=_plan(world), by=_u(world, "tutor"), reason="Add a research placement.")

    assert plan.status == PlanStatus.RETURNED
    event = PlanEvent.objects.get(plan=plan, action=PlanAction.RETURNED)
    assert (event.by, event.reason) == (_u(world, "tutor"), "Add a research placement.")
    notification = Notification.objects.get(kind="plan_returned")
    assert notification.user == _u(world, "student_a")
    notification_email_send(notification.pk)
    assert "Add a research placement." in mail.outbox[-1].body
    assert _add(world).pk  # editable again
    assert services.plan_submit(plan=_plan(world), by=_u(world, "student_a")).status == PlanStatus.SUBMITTED


def test_tutor_cannot_return_a_plan_waiting_for_the_office_but_the_office_can(world: World) -> None:
    services.plan_submit(plan=_plan(world), by=_u(world, "student_a"))
    services.plan_tutor_approve(plan=_plan(world), by=_u(world, "tutor"))

    with pytest.raises(ValidationError):
        services.plan_return(plan=_plan(world), by=_u(world, "tutor"), reason="Too late.")
    plan = services.plan_return(plan=_plan(world), by=_u(world, "office"), reason="Hours are short.")

    assert plan.status == PlanStatus.RETURNED


def test_approved_plan_refuses_every_edit_until_an_amendment(world: World) -> None:
    plan = _approve_all(world)
    student = _u(world, "student_a")
    version = plan.version
    # Read afresh, as a page would: the fixture's placement caches the plan as it was (a draft).
    placement = Placement.objects.get(pk=world.placement_a.pk)
    edits = [
        lambda: services.plan_update_goals(plan=plan, by=student, research_direction="x"),
        lambda: _add(world),
        lambda: services.placement_update(
            placement=placement,
            by=student,
            site=world.site_a,
            supervisor=_u(world, "supervisor_a"),
            start_date=placement.start_date,
            end_date=placement.end_date,
        ),
        lambda: services.placement_cancel(placement=placement, by=student, reason="No."),
    ]

    for edit in edits:
        with pytest.raises(ValidationError) as error:
            edit()
        assert "start an amendment" in " ".join(error.value.messages)

    assert _plan(world).version == version
    assert _plan(world).status == PlanStatus.APPROVED


def test_amendment_needs_a_reason_and_an_approved_plan(world: World) -> None:
    student = _u(world, "student_a")
    with pytest.raises(ValidationError):
        services.plan_amend(plan=_plan(world), by=student, reason="Move the placement.")
    _approve_all(world)

    with pytest.raises(ValidationError) as error:
        services.plan_amend(plan=_plan(world), by=student, reason="")

    _refused_on(error, "reason")
    assert _plan(world).status == PlanStatus.APPROVED


def test_amendment_makes_new_versions_and_its_approval_moves_the_approved_version(world: World) -> None:
    approved = _approve_all(world)
    first_approved = approved.approved_version
    student = _u(world, "student_a")

    plan = services.plan_amend(plan=_plan(world), by=student, reason="The institute offers a lab.")
    assert (plan.status, plan.is_amendment, plan.approved_version) == (PlanStatus.DRAFT, True, first_approved)
    assert PlanEvent.objects.get(plan=plan, action=PlanAction.AMENDMENT_STARTED).reason == "The institute offers a lab."

    _add(world)
    amended = _plan(world)
    assert amended.version == first_approved + 1  # type: ignore[operator]
    assert amended.approved_version == first_approved  # the approved version stays until the amendment is

    plan = _approve_all(world)
    assert plan.approved_version == plan.version == first_approved + 1  # type: ignore[operator]
    assert plan.is_amendment is False


# --- Milestones --------------------------------------------------------------------------------------


def _milestone(world: World) -> Milestone:
    return Milestone.objects.get(student=world.student_a)


def test_tutor_marks_a_milestone_done(world: World) -> None:
    day = timezone.localdate() - datetime.timedelta(days=3)

    milestone = services.milestone_complete(milestone=_milestone(world), by=_u(world, "tutor"), completed_on=day)

    assert (milestone.status, milestone.completed_on) == (MilestoneStatus.DONE, day)


def test_milestone_done_in_the_future_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.milestone_complete(
            milestone=_milestone(world),
            by=_u(world, "office"),
            completed_on=timezone.localdate() + datetime.timedelta(days=1),
        )

    _refused_on(error, "completed_on")
    assert _milestone(world).status == MilestoneStatus.PENDING


def test_milestone_done_twice_is_refused(world: World) -> None:
    services.milestone_complete(milestone=_milestone(world), by=_u(world, "tutor"))

    with pytest.raises(ValidationError):
        services.milestone_complete(milestone=_milestone(world), by=_u(world, "tutor"))


@pytest.mark.parametrize("persona", ["student_a", "supervisor_a", "coordinator_a"])
def test_only_tutor_or_office_mark_milestones_done(world: World, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        services.milestone_complete(milestone=_milestone(world), by=_u(world, persona))


def test_office_waives_a_milestone_with_a_reason(world: World) -> None:
    office = _u(world, "office")
    with pytest.raises(ValidationError) as error:
        services.milestone_waive(milestone=_milestone(world), by=office, reason=" ")
    _refused_on(error, "reason")

    milestone = services.milestone_waive(milestone=_milestone(world), by=office, reason="Recognised prior work.")

    assert (milestone.status, milestone.waived_reason) == (MilestoneStatus.WAIVED, "Recognised prior work.")


def test_tutor_cannot_waive_a_milestone(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.milestone_waive(milestone=_milestone(world), by=_u(world, "tutor"), reason="Please.")


def test_a_done_milestone_cannot_be_waived(world: World) -> None:
    services.milestone_complete(milestone=_milestone(world), by=_u(world, "tutor"))

    with pytest.raises(ValidationError):
        services.milestone_waive(milestone=_milestone(world), by=_u(world, "office"), reason="Late idea.")

    assert _milestone(world).status == MilestoneStatus.DONE


def test_student_attaches_a_pdf_as_evidence(world: World, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("proposal.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", content_type="application/pdf")

    milestone = services.milestone_attach_evidence(
        milestone=_milestone(world), by=_u(world, "student_a"), upload=upload
    )

    assert str(milestone.evidence.name).endswith(".pdf")
    assert milestone.evidence.read().startswith(b"%PDF-")


def test_evidence_that_is_not_a_pdf_by_content_is_refused(world: World, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    disguised = SimpleUploadedFile("proposal.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")

    with pytest.raises(ValidationError) as error:
        services.milestone_attach_evidence(milestone=_milestone(world), by=_u(world, "student_a"), upload=disguised)

    assert "not a PDF" in _refused_on(error, "evidence")
    assert not _milestone(world).evidence


def test_evidence_larger_than_the_limit_is_refused(world: World, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    huge = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * services.MAX_EVIDENCE_BYTES)

    with pytest.raises(ValidationError) as error:
        services.milestone_attach_evidence(milestone=_milestone(world), by=_u(world, "tutor"), upload=huge)

    assert "too large" in _refused_on(error, "evidence")


def test_another_student_cannot_attach_evidence(world: World) -> None:
    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.7\n")

    with pytest.raises(PermissionDenied):
        services.milestone_attach_evidence(milestone=_milestone(world), by=_u(world, "student_b"), upload=upload)


def test_snapshot_lists_milestones_with_their_due_dates(world: World) -> None:
    snapshot = services.plan_snapshot(_plan(world))

    assert snapshot["milestones"] == [{"kind": "proposal", "due_date": "2027-06-01"}]
