"""The violations register: steps, conflicts of interest, confidentiality, and the decisions' effects on
placements, the plan and the partner scorecard."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.roles import PlatformRole, grant_platform_role
from core.validation import refused_rule
from integrity import effects, selectors
from integrity.models import Case, CaseDecision, CaseEvent, CaseStatus, CaseStep, Sanction, SubjectKind
from integrity.services import cases
from partners import access
from students.selectors.plan import plan_sections
from students.services import enrolment
from tests.conftest import World
from tests.factories.accounts import UserFactory
from tests.factories.integrity import decided, student_case, to_hearing

TODAY = timezone.localdate()


def _u(world: World, name: str):  # type: ignore[no-untyped-def]
    return world.users[name]


def _rule(error: ValidationError) -> str:
    found = refused_rule(error)
    assert found is not None
    return found[0]


def _person_case(world: World, person: str = "supervisor_a") -> Case:
    return cases.case_open(
        subject_kind=SubjectKind.PERSON,
        kind="authority",
        source="inspection",
        source_reference="Finding 3 of the hospital inspection",
        evidence="Signed hours for days the student was abroad.",
        person=_u(world, person),
        by=_u(world, "office"),
    )


def test_office_opens_numbered_cases_and_nobody_else_can(world: World) -> None:
    first = student_case(_u(world, "office"), world.student_a)
    second = _person_case(world)
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"IC-{year}-0001", f"IC-{year}-0002")
    assert second.subject_partner == world.partner_a  # filed under the supervisor's partner
    assert list(first.events.values_list("step", flat=True)) == ["opened"]
    with pytest.raises(PermissionDenied):
        student_case(_u(world, "coordinator_a"), world.student_a)


def test_investigators_with_a_conflict_of_interest_are_refused(world: World) -> None:
    case = _person_case(world)
    colleague = UserFactory.create()
    grant_platform_role(colleague, PlatformRole.INSPECTOR)
    from tests.factories.partners import MembershipFactory

    MembershipFactory.create(user=colleague, partner=world.partner_a)
    with pytest.raises(ValidationError) as caught:
        cases.case_assign(case=case, investigators=[colleague], by=_u(world, "office"))
    assert _rule(caught.value) == "conflict_of_interest"
    student = student_case(_u(world, "office"), world.student_a)
    with pytest.raises(ValidationError) as caught:
        cases.case_assign(case=student, investigators=[_u(world, "tutor")], by=_u(world, "office"))
    assert _rule(caught.value) == "conflict_of_interest"
    assert cases.case_assign(case=case, investigators=[_u(world, "inspector")], by=_u(world, "office"))


def test_steps_in_order_with_the_hearing_deadline_and_an_appeal_decided_by_another_office_member(
    world: World,
) -> None:
    office, inspector, student = _u(world, "office"), _u(world, "inspector"), world.student_a.user
    case = student_case(office, world.student_a)
    with pytest.raises(ValidationError) as caught:
        cases.case_advance(case=case, step=CaseStep.INVESTIGATING, by=office)
    assert _rule(caught.value) == "no_investigator"
    to_hearing(case, office, inspector)
    with pytest.raises(ValidationError) as caught:
        cases.case_decide(case=case, decision=CaseDecision.WARNING, reasons="x", by=office)
    assert _rule(caught.value) == "hearing_open"
    cases.case_statement(case=case, text="I cited it in chapter 1.", by=student)
    cases.case_decide(
        case=case,
        decision=CaseDecision.SANCTION,
        sanction=Sanction.DELAY_DEFENCE,
        sanction_until=TODAY + datetime.timedelta(days=90),
        reasons="Three pages copied.",
        by=office,
    )
    cases.case_appeal(case=case, grounds="The pages are my own earlier paper.", by=student)
    with pytest.raises(ValidationError) as caught:
        cases.case_decide(case=case, decision=CaseDecision.WARNING, reasons="Same view.", by=office)
    assert _rule(caught.value) == "same_decider"
    second_office = UserFactory.create()
    grant_platform_role(second_office, PlatformRole.OFFICE)
    cases.case_decide(case=case, decision=CaseDecision.WARNING, reasons="Partly own work.", by=second_office)
    cases.case_advance(case=case, step=CaseStep.CLOSED, by=inspector)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.decision == CaseDecision.WARNING and not case.sanction
    steps = list(case.events.values_list("step", flat=True))
    assert steps == [
        "opened",
        "assigned",
        "investigating",
        "hearing",
        "statement",
        "decided",
        "appealed",
        "redecided",
        "closed",
    ]
    with pytest.raises(ValidationError) as caught:
        cases.case_appeal(case=case, grounds="again", by=student)
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).update(note="rewritten")


def test_statement_after_the_deadline_is_refused_and_only_the_subject_answers(world: World) -> None:
    office = _u(world, "office")
    case = to_hearing(student_case(office, world.student_a), office, _u(world, "inspector"), due=TODAY)
    with pytest.raises(PermissionDenied):
        cases.case_statement(case=case, text="Not mine to answer.", by=world.student_b.user)
    Case.objects.filter(pk=case.pk).update(statement_due=TODAY - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        cases.case_statement(case=case, text="Late.", by=world.student_a.user)
    assert _rule(caught.value) == "deadline_passed"
    # The deadline passed without a statement: the office may decide.
    assert cases.case_decide(case=case, decision=CaseDecision.DISMISSED, reasons="No case.", by=office).decision


def test_sanctions_fit_their_subject(world: World) -> None:
    office = _u(world, "office")
    case = to_hearing(student_case(office, world.student_a), office, _u(world, "inspector"))
    cases.case_statement(case=case, text="ok", by=world.student_a.user)
    with pytest.raises(ValidationError) as caught:
        cases.case_decide(
            case=case, decision=CaseDecision.SANCTION, sanction=Sanction.SUSPEND_SUPERVISION, reasons="x", by=office
        )
    assert _rule(caught.value) == "wrong_subject"


def test_who_sees_a_case_about_a_supervisor(world: World) -> None:
    case = decided(_person_case(world), _u(world, "office"), _u(world, "inspector"))
    seen = {
        name: access.can(_u(world, name), "view", case)
        for name in (
            "office",
            "inspector",
            "supervisor_a",
            "coordinator_a",
            "coordinator_b",
            "supervisor_b",
            "tutor",
            "student_a",
        )
    }
    assert seen == {
        "office": True,
        "inspector": True,
        "supervisor_a": True,
        "coordinator_a": True,
        "coordinator_b": False,
        "supervisor_b": False,
        "tutor": False,
        "student_a": False,
    }
    assert not access.can(_u(world, "coordinator_a"), "view_evidence", case)
    assert not selectors.case_timeline(user=_u(world, "coordinator_a"), case=case).exists()
    assert selectors.case_timeline(user=_u(world, "supervisor_a"), case=case).count() == case.events.count()


def test_suspended_supervisor_cannot_be_chosen_for_a_new_placement(world: World) -> None:
    office = _u(world, "office")
    decided(
        _person_case(world),
        office,
        _u(world, "inspector"),
        decision=CaseDecision.SANCTION,
        sanction=Sanction.SUSPEND_SUPERVISION,
    )
    plan = world.student_b.plan
    start = max(world.student_b.enrolled_on, TODAY) + datetime.timedelta(days=200)
    with pytest.raises(ValidationError) as caught:
        enrolment.placement_create(
            plan=plan,
            by=office,
            partner=world.partner_a,
            site=world.site_a,
            supervisor=_u(world, "supervisor_a"),
            start_date=start,
            end_date=start + datetime.timedelta(days=30),
        )
    messages = caught.value.message_dict["supervisor"]
    assert any("suspended from supervising" in m and "IC-" in m for m in messages)


def test_a_suspended_partner_is_left_to_the_students_rule(world: World) -> None:
    """The students app refuses a suspended partner itself (rule ``partner_suspended``, tested in
    tests/students/test_partner_rules.py): integrity's check adds no second message about it."""
    from partners.models import PartnerStatus

    world.partner_a.status = PartnerStatus.SUSPENDED
    errors = effects.placement_check(partner=world.partner_a, supervisor=_u(world, "supervisor_a"), start_date=TODAY)
    assert "partner" not in errors


def test_delayed_defence_shows_on_the_plan_to_the_student_not_to_a_supervisor(world: World) -> None:
    office = _u(world, "office")
    until = TODAY + datetime.timedelta(days=60)
    decided(
        student_case(office, world.student_a),
        office,
        _u(world, "inspector"),
        decision=CaseDecision.SANCTION,
        sanction=Sanction.DELAY_DEFENCE,
        sanction_until=until,
    )
    mine = plan_sections(user=world.student_a.user, student=world.student_a, today=TODAY)["sections"]
    block = next(b for b in mine if b.key == "integrity_defence")
    assert until.isoformat() in str(block.context["text"])
    theirs = plan_sections(user=_u(world, "supervisor_a"), student=world.student_a, today=TODAY)["sections"]
    assert all(b.key != "integrity_defence" for b in theirs)


def test_decided_cases_count_on_the_scorecard_and_propose_probation(world: World) -> None:
    from supervision.services import scorecard

    office = _u(world, "office")
    decided(_person_case(world), office, _u(world, "inspector"))
    decided(_person_case(world), office, _u(world, "inspector"), decision=CaseDecision.DISMISSED)
    card = scorecard.scorecard_of(user=office, partner=world.partner_a)
    block = next(b for b in card.sections if b.key == "integrity_cases")
    assert [item["count"] for item in block.context["items"]] == [1]
    assert "probation_reason" not in block.context
    decided(_person_case(world), office, _u(world, "inspector"))
    card = scorecard.scorecard_of(user=office, partner=world.partner_a)
    assert card.probation_proposed and "integrity" in card.probation_reason
    coordinator_card = scorecard.scorecard_of(user=_u(world, "coordinator_a"), partner=world.partner_a)
    block = next(b for b in coordinator_card.sections if b.key == "integrity_cases")
    assert sum(item["count"] for item in block.context["items"]) == 2
    assert "probation_reason" not in block.context


def test_public_counts_are_by_year_and_kind_without_names(world: World) -> None:
    office = _u(world, "office")
    decided(_person_case(world), office, _u(world, "inspector"))
    decided(student_case(office, world.student_a), office, _u(world, "inspector"), decision=CaseDecision.DISMISSED)
    rows = selectors.public_counts()
    assert len(rows) == 1 and rows[0]["total"] == 1
