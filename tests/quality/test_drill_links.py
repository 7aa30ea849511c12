"""The dashboard's drill links land on lists showing what the figure counts: in a world with two programmes,
each with rows, the office follows a figure's link for programme 1 and sees programme 1's rows only (in the
figure's state and year), as many as the figure says where the list can show them exactly. A bad filter
value does not crash the list and never shows more than the reader's scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from funds.models import Flag, FlagRule, FlagStatus, Resolution
from integrity.models import Case, CaseDecision, CaseStatus
from programmes.models import Cohort, Programme
from projects.models import MemberRole, ProjectOutput
from projects.services import projects
from quality.figures import Figure, Frame, Section
from quality.indicators import funds as funds_section
from quality.indicators import integrity as integrity_section
from quality.indicators import internal as internal_section
from quality.indicators import projects as projects_section
from reviews.models import Concern, ConcernStatus, Direction, Meeting, MessageKind, ReviewRound
from students.models import Student
from tests.conftest import World, client_for
from tests.factories import funds as fund_factories
from tests.factories.integrity import student_case
from tests.factories.programmes import CohortFactory, ParticipationFactory, ProgrammeFactory
from tests.factories.projects import PointsSchemeFactory
from tests.factories.students import StudentFactory
from tests.quality.test_indicators_internal import at, concern, make_round, review


@dataclass
class Two:
    """Programme 1 (the world's) and programme 2, each with a student; the frame of programme 1 this year."""

    world: World
    office: User
    one: Programme
    two: Programme
    student_one: Student
    student_two: Student
    cohort_two: Cohort
    frame: Frame
    today: datetime.date


@pytest.fixture
def two(world: World) -> Two:
    today = timezone.localdate()
    other = ProgrammeFactory.create(lead_university=world.university, code="other")
    ParticipationFactory.create(programme=other, partner=world.partner_a)
    cohort_two = CohortFactory.create(programme=other, intake_year=today.year)
    student_two = StudentFactory.create(programme=other, cohort=cohort_two)
    office = world.users["office"]
    assert office is not None
    frame = Frame(programme_id=world.programme.pk, year=today.year, as_of=today)
    return Two(world, office, world.programme, other, world.student_a, student_two, cohort_two, frame, today)


def _figure(section: Section, key: str) -> Figure:
    figure = section.figure(key)
    assert figure is not None and figure.drill, key
    return figure


def _listed(user: User | None, path: str, name: str) -> list[Any]:
    response = client_for(user).get(path)
    assert response.status_code == 200, path
    return list(response.context[name])


# --- Internal supervision: rounds, concerns, meetings ---------------------------------------------------


def _reviews(two: Two) -> dict[str, Any]:
    """In each programme, a round due today with two reviews (one with a concern); in programme 1 also a
    round due last year, a concern resolved by the office and a concern raised last year."""
    world, today = two.world, two.today
    supervisor, student = world.users["supervisor_a"], world.users["student_a"]
    assert supervisor is not None and student is not None
    made: dict[str, Any] = {"rounds": {}, "concerns": {}}
    for key, programme, subject in (("one", two.one, two.student_one), ("two", two.two, two.student_two)):
        round_ = make_round(programme, today)
        made["rounds"][key] = round_
        by_student = review(round_, Direction.STUDENT_PLACEMENT, student, world.partner_a, author_student=subject)
        review(round_, Direction.SUPERVISOR_STUDENT, supervisor, world.partner_a, subject_student=subject)
        made["concerns"][key] = concern(by_student, at(today), (), ConcernStatus.AWAITING_REPLY)
    last_year = datetime.date(today.year - 1, 6, 1)
    made["old_round"] = make_round(two.one, last_year)
    old_review = review(made["old_round"], Direction.STUDENT_PLACEMENT, student, world.partner_a)
    made["old_concern"] = concern(old_review, at(last_year), (), ConcernStatus.AWAITING_REPLY)
    resolved_on = review(made["rounds"]["one"], Direction.STUDENT_TUTOR, student, world.partner_a)
    made["resolved"] = concern(
        resolved_on, at(today, 8), ((MessageKind.RESOLVED, at(today, 9)),), ConcernStatus.RESOLVED
    )
    return made


def test_reviews_due_links_to_the_programmes_rounds_of_the_year(two: Two) -> None:
    made = _reviews(two)
    figure = _figure(internal_section.section(two.frame), "internal.reviews_due")
    rounds: list[ReviewRound] = _listed(two.office, figure.drill, "rounds")
    assert rounds == [made["rounds"]["one"]]
    assert sum(r.total for r in rounds) == figure.value == 3  # type: ignore[attr-defined]


def test_concerns_raised_links_to_the_programmes_concerns_of_the_year(two: Two) -> None:
    made = _reviews(two)
    figure = _figure(internal_section.section(two.frame), "internal.concerns_raised")
    concerns: list[Concern] = _listed(two.office, figure.drill, "concerns")
    assert set(concerns) == {made["concerns"]["one"], made["resolved"]}
    assert len(concerns) == figure.value == 2


def test_concerns_still_open_links_to_the_programmes_open_concerns(two: Two) -> None:
    made = _reviews(two)
    figure = _figure(internal_section.section(two.frame), "internal.concerns_open")
    concerns: list[Concern] = _listed(two.office, figure.drill, "concerns")
    assert concerns == [made["concerns"]["one"]]
    assert len(concerns) == figure.value == 1


def test_a_cohorts_concerns_link_carries_the_cohort(two: Two) -> None:
    made = _reviews(two)
    other_cohort = CohortFactory.create(programme=two.one, intake_year=two.today.year - 1)
    frame = Frame(programme_id=two.one.pk, year=two.today.year, cohort_id=other_cohort.pk, as_of=two.today)
    figure = _figure(internal_section.section(frame), "internal.concerns_raised")
    assert f"cohort={other_cohort.pk}" in figure.drill
    assert _listed(two.office, figure.drill, "concerns") == [] and figure.value == 0
    cohort = two.student_one.cohort
    assert cohort is not None
    frame = Frame(programme_id=two.one.pk, year=two.today.year, cohort_id=cohort.pk, as_of=two.today)
    figure = _figure(internal_section.section(frame), "internal.concerns_raised")
    assert _listed(two.office, figure.drill, "concerns") == [made["concerns"]["one"]]
    assert figure.value == 1


def test_meetings_held_links_to_the_programmes_meetings_of_the_year(two: Two) -> None:
    today = two.today
    mine = Meeting.objects.create(student=two.student_one, held_on=today, minutes="m", recorded_by=two.office)
    Meeting.objects.create(
        student=two.student_one, held_on=datetime.date(today.year - 1, 5, 1), minutes="m", recorded_by=two.office
    )
    Meeting.objects.create(student=two.student_two, held_on=today, minutes="m", recorded_by=two.office)
    figure = _figure(internal_section.section(two.frame), "internal.meetings_held")
    meetings = _listed(two.office, figure.drill, "meetings")
    assert meetings == [mine]
    assert len(meetings) == figure.value == 1


# --- Integrity: cases awaiting a decision -----------------------------------------------------------------


def test_cases_awaiting_a_decision_links_to_the_programmes_undecided_cases(two: Two) -> None:
    awaiting = student_case(two.office, two.student_one)
    student_case(two.office, two.student_two)
    decided = student_case(two.office, two.world.student_b)
    Case.objects.filter(pk=decided.pk).update(
        status=CaseStatus.DECIDED, decision=CaseDecision.WARNING, decided_at=timezone.now()
    )
    figure = _figure(integrity_section.section(two.frame), "integrity.cases_awaiting")
    cases = _listed(two.office, figure.drill, "cases")
    assert cases == [awaiting]
    assert len(cases) == figure.value == 1


# --- Funds: open flags --------------------------------------------------------------------------------------


def _flag(allocation: Any, key: str, *, resolved_by: User | None = None) -> Flag:
    values: dict[str, Any] = {}
    if resolved_by is not None:
        values = {
            "status": FlagStatus.RESOLVED,
            "resolution": Resolution.ACCEPTED,
            "resolution_note": "Checked.",
            "resolved_by": resolved_by,
            "resolved_at": timezone.now(),
        }
    return Flag.objects.create(allocation=allocation, rule=FlagRule.RECEIPT_MISSING, key=key, message="m", **values)


def test_flags_open_links_to_the_programmes_open_flags(two: Two) -> None:
    world = two.world
    mine = fund_factories.allocation(world)
    theirs = fund_factories.allocation(world, the_fund=fund_factories.fund(world, programme=two.two, name="Other"))
    open_flag = _flag(mine, "a")
    _flag(mine, "b", resolved_by=two.office)
    _flag(theirs, "c")
    figure = _figure(funds_section.section(two.frame), "funds.flags_open")
    flags = _listed(two.office, figure.drill, "flags")
    assert flags == [open_flag]
    assert len(flags) == figure.value == 1


# --- Projects: outputs awaiting verification ----------------------------------------------------------------


def _output(two: Two, programme: Programme, student: Student, title: str) -> ProjectOutput:
    world, office = two.world, two.office
    tutor = world.users["tutor"]
    assert tutor is not None
    PointsSchemeFactory.create(programme=programme, created_by=office)
    project = projects.project_create(
        by=office,
        programme=programme,
        title_en=title,
        kind="research_government",
        lead_partner=world.university,
        leader=tutor,
        start_date=two.today - datetime.timedelta(days=30),
        end_date=two.today + datetime.timedelta(days=30),
        budget=Decimal("0"),
    )
    projects.project_member_add(project=project, user=student.user, role=MemberRole.CORE, by=office)
    projects.project_approve(project=project, by=office)
    projects.project_start(project=project, by=office)
    return projects.output_submit(
        project=project,
        output_type="paper",
        title=title,
        achieved_on=two.today,
        by=office,
        reference="DOI 10.1/x",
        contributors=[student.user],
    )


def test_outputs_awaiting_verification_links_to_the_programmes_queue(two: Two) -> None:
    mine = _output(two, two.one, two.student_one, "Ours")
    _output(two, two.two, two.student_two, "Theirs")
    figure = _figure(projects_section.section(two.frame), "projects.outputs_waiting")
    outputs = _listed(two.office, figure.drill, "outputs")
    assert outputs == [mine]
    assert len(outputs) == figure.value == 1


# --- Bad values -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "name"),
    [
        ("/reviews/rounds/", "rounds"),
        ("/reviews/concerns/", "concerns"),
        ("/reviews/meetings/", "meetings"),
        ("/integrity/cases/", "cases"),
        ("/funds/flags/", "flags"),
        ("/projects/outputs/", "outputs"),
    ],
)
def test_a_bad_filter_value_neither_crashes_nor_widens_the_list(two: Two, route: str, name: str) -> None:
    for query in ("programme=abc&cohort=x&year=twenty&status=nonsense", "programme=999999&year=1"):
        response = client_for(two.office).get(f"{route}?{query}")
        assert response.status_code == 200
        assert response.context["filter_form"].errors  # the bad value is shown as the field's error
    unfiltered = _listed(two.office, route, name)
    assert _listed(two.office, f"{route}?programme=abc", name) == unfiltered


def test_a_coordinator_naming_a_programme_out_of_scope_sees_no_more_than_before(two: Two) -> None:
    _reviews(two)
    hidden = ProgrammeFactory.create(lead_university=two.world.university, code="hidden")
    coordinator = two.world.users["coordinator_b"]
    before = _listed(coordinator, "/reviews/concerns/", "concerns")
    after = _listed(coordinator, f"/reviews/concerns/?programme={hidden.pk}&status=open", "concerns")
    assert set(after) <= set(before)
    response = client_for(coordinator).get(f"/reviews/concerns/?programme={hidden.pk}")
    assert "programme" in response.context["filter_form"].errors


# --- Curriculum: the faculty page --------------------------------------------------------------------------


def test_teacher_figures_link_to_the_faculty_page_of_the_programme_and_year(two: Two) -> None:
    """An I&E course with an override in each programme this year, and one in programme 1 last year: the
    overrides figure of programme 1 this year is 1, and its link lists that one assignment."""
    from curriculum.selectors import terms_in_year
    from programmes.models import CourseCategory
    from quality.indicators import curriculum as curriculum_section
    from tests.factories.curriculum import CourseFactory, OfferingFactory, OfferingTeacherFactory

    this_year, last_year = terms_in_year(two.today.year)[1], terms_in_year(two.today.year - 1)[1]
    made = {}
    for key, programme, term in (("one", two.one, this_year), ("two", two.two, this_year), ("old", two.one, last_year)):
        course = CourseFactory.create(category=CourseCategory.INNOVATION)
        offering = OfferingFactory.create(course=course, programme=programme, term=term)
        made[key] = OfferingTeacherFactory.create(offering=offering, qualified=False, override_reason=f"Override {key}")

    figure = _figure(curriculum_section.section(two.frame), "curriculum.qualification_overrides")
    listed = client_for(two.office).get(figure.drill).context["faculty"].overrides

    assert figure.value == 1
    assert [a.pk for a in listed] == [made["one"].pk]
    everything = client_for(two.office).get("/curriculum/faculty/").context["faculty"].overrides
    assert {a.pk for a in everything} == {a.pk for a in made.values()}
    for query in ("programme=abc&year=twenty", "programme=999999&year=1"):
        response = client_for(two.office).get(f"/curriculum/faculty/?{query}")
        assert response.status_code == 200 and response.context["filter_form"].errors
        assert {a.pk for a in response.context["faculty"].overrides} == {a.pk for a in made.values()}
