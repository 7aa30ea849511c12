"""The plan page's rights in one query, and the at-risk list's keys paged before its rows (issue #19).

``plan_rights`` must answer exactly what ``access.can`` answers, button by button, for every persona; the
at-risk list's keys must come in the order ``student_at_risk_list`` gives, from a query whose order is a
join on an aggregate (no subquery per student) and that joins no table the rows show.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.roles import platform_roles
from partners import access
from programmes.models import MilestoneKind
from students import selectors
from students.models import Milestone, MilestoneStatus, PlanStatus, Student, StudentStatus, TrainingPlan
from students.selectors import filter_choices
from students.selectors.plan import MILESTONE_ACTIONS, PLAN_ACTIONS
from tests.conftest import PERSONAS, World, client_for
from tests.factories.students import MilestoneFactory, StudentFactory, TrainingPlanFactory

pytestmark = pytest.mark.django_db


# --- The plan page's rights ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.TUTOR_APPROVED])
def test_plan_rights_answer_what_access_can_answers_for_every_persona_in_one_query(world: World, status: str) -> None:
    plan = TrainingPlan.objects.get(student=world.student_a)
    TrainingPlan.objects.filter(pk=plan.pk).update(status=status)
    milestone = Milestone.objects.filter(student=world.student_a).first()
    assert milestone is not None
    answers = {}
    for persona in PERSONAS:
        user = world.users[persona]
        if user is None:
            continue
        platform_roles(user)  # read once per user object (accounts.roles): not the selector's cost
        with CaptureQueriesContext(connection) as captured:
            rights = selectors.plan_rights(user=user, plan=plan, milestone=milestone)
        assert len(captured.captured_queries) <= 1, persona
        expected = {action: access.can(user, action, plan) for action in PLAN_ACTIONS}
        expected |= {action: access.can(user, action, milestone) for action in MILESTONE_ACTIONS}
        assert rights == expected, persona
        answers[persona] = rights
    # Known answers, so the comparison above cannot pass on two empty dicts.
    assert answers["office"]["approve"] and answers["office"]["waive"]
    assert answers["tutor"]["tutor_approve"] and answers["tutor"]["decide"] and not answers["tutor"]["approve"]
    assert answers["student_a"]["submit"] and answers["student_a"]["attach_evidence"]
    assert not answers["student_a"]["decide"] and not any(answers["supervisor_a"].values())


def test_plan_rights_without_a_milestone_grant_no_milestone_action(world: World) -> None:
    plan = TrainingPlan.objects.get(student=world.student_a)
    office = world.users["office"]
    assert office is not None

    rights = selectors.plan_rights(user=office, plan=plan, milestone=None)

    assert rights["approve"] and not any(rights[a] for a in MILESTONE_ACTIONS)


def test_plan_page_asks_for_its_rights_once(world: World) -> None:
    """The page's EXISTS checks of the plan's and milestone's rights come in one statement."""
    client = client_for(world.users["tutor"])
    TrainingPlan.objects.filter(student=world.student_a).update(status=PlanStatus.SUBMITTED)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("students:plan", args=[world.student_a.pk]))

    assert response.status_code == 200
    assert response.context["actions"]["tutor_approve"] and response.context["actions"]["decide"]
    rights = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT EXISTS(")]
    assert len(rights) == 1, rights


# --- The at-risk list's keys ------------------------------------------------------------------------------


TODAY = datetime.date(2026, 11, 20)


def _at_risk_world(world: World, extra: int) -> list[Student]:
    """``extra`` more students with late milestones due on known days (newest first), plus world's two."""
    made = []
    for n in range(extra):
        student = StudentFactory.create(programme=world.programme, enrolled_on=TODAY - datetime.timedelta(days=400))
        TrainingPlanFactory.create(student=student)
        TrainingPlan.objects.filter(student=student).update(status=PlanStatus.APPROVED, approved_version=1)
        for kind, days in ((MilestoneKind.PROPOSAL, 10 + n), (MilestoneKind.MIDTERM, 5 + n)):
            MilestoneFactory.create(student=student, kind=kind, due_date=TODAY - datetime.timedelta(days=days))
        made.append(student)
    # One done late milestone and one withdrawn student: neither puts anyone on the list by itself.
    MilestoneFactory.create(
        student=made[0],
        kind=MilestoneKind.THESIS,
        due_date=TODAY - datetime.timedelta(days=900),
        status=MilestoneStatus.DONE,
        completed_on=TODAY,
    )
    Student.objects.filter(pk=made[-1].pk).update(status=StudentStatus.WITHDRAWN)
    return made


def test_at_risk_keys_come_in_the_lists_order_from_an_aggregate_join(world: World) -> None:
    office = world.users["office"]
    assert office is not None
    made = _at_risk_world(world, 5)

    keys = list(selectors.student_at_risk_keys(user=office, today=TODAY))
    rows = list(selectors.student_at_risk_list(user=office, today=TODAY).values_list("pk", flat=True))

    assert keys == rows
    # Oldest late milestone first: the last made (due 14 days ago) is withdrawn, so the fourth leads.
    assert keys[:4] == [made[3].pk, made[2].pk, made[1].pk, made[0].pk]
    assert made[4].pk not in keys
    sql = str(selectors.student_at_risk_keys(user=office, today=TODAY).query)
    order = sql[sql.rindex("ORDER BY") :]
    assert "GROUP BY" in sql and "SELECT" not in order  # the sort key is an aggregate, not a subquery
    joined = sql[sql.index(" FROM ") : sql.index(" WHERE ")]  # the outer query's own tables
    # The late milestones (the order), the plan (no approved plan) and the programme (its minimum of project
    # points, a reason of the projects app): one row each per student; none of the display columns' tables.
    assert joined.count("JOIN") == 3, joined
    assert '"students_trainingplan"' in joined and "late" in joined and '"programmes_programme"' in joined, joined


def test_at_risk_keys_follow_the_scope_and_the_filters(world: World) -> None:
    _at_risk_world(world, 3)
    late = TODAY - datetime.timedelta(days=3)
    MilestoneFactory.create(student=world.student_a, kind=MilestoneKind.MIDTERM, due_date=late)
    tutor = world.users["tutor"]
    assert tutor is not None

    mine = list(selectors.student_at_risk_keys(user=tutor, today=TODAY))
    listed = list(selectors.student_at_risk_list(user=tutor, today=TODAY).values_list("pk", flat=True))
    filtered = list(selectors.student_at_risk_keys(user=tutor, filters={"status": "enrolled"}, today=TODAY))

    assert mine == listed == filtered == [world.student_a.pk]
    assert not list(selectors.student_at_risk_keys(user=tutor, filters={"status": "withdrawn"}, today=TODAY))


def test_at_risk_page_shows_the_keys_rows_in_order_at_a_constant_query_count(world: World) -> None:
    office = world.users["office"]
    assert office is not None

    def page() -> tuple[list[str], int]:
        client = client_for(office)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("students:at-risk"))
        assert response.status_code == 200
        return [s.student_number for s in response.context["students"]], len(captured.captured_queries)

    _at_risk_world(world, 2)
    small_rows, small = page()
    _at_risk_world(world, 6)
    large_rows, large = page()

    expected = list(selectors.student_at_risk_list(user=office).values_list("student_number", flat=True)[:25])
    assert large_rows == expected and len(large_rows) > len(small_rows)
    assert large == small


def test_students_by_keys_keeps_the_keys_order_and_the_scope(world: World) -> None:
    tutor = world.users["tutor"]
    assert isinstance(tutor, User)
    keys = [world.student_b.pk, world.student_a.pk]

    rows = selectors.students_by_keys(user=tutor, keys=keys)

    assert [s.pk for s in rows] == [world.student_a.pk]  # student B is not the tutor's
    office = world.users["office"]
    assert office is not None
    assert [s.pk for s in selectors.students_by_keys(user=office, keys=keys)] == keys


# --- The at-risk list's count and page in one query ---------------------------------------------------------


def test_counted_keys_answer_the_count_and_any_slice_as_the_keys_query_does(world: World) -> None:
    office = world.users["office"]
    assert office is not None
    _at_risk_world(world, 7)
    keys = selectors.student_at_risk_keys(user=office, today=TODAY)
    every = list(keys)
    assert len(every) >= 7

    for start in (0, 3, 6):
        counted = selectors.CountedKeys(keys, start=start, size=3)
        with CaptureQueriesContext(connection) as captured:
            total = counted.count()
            page = counted[start : start + 3]
        assert len(captured.captured_queries) == 1  # the count came with the page
        assert total == len(every) and page == every[start : start + 3]
    other = selectors.CountedKeys(keys, start=0, size=3)
    other.count()
    assert other[3:6] == every[3:6]  # a slice other than the one read is read as asked
    past = selectors.CountedKeys(keys, start=300, size=3)
    assert past.count() == len(every) and past[300:303] == []  # nothing there: counted the usual way
    assert selectors.CountedKeys(keys.none(), start=0, size=3).count() == 0


def test_at_risk_pages_keep_their_rows_and_numbers_with_the_count_in_the_keys_query(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from students.views.lists import StudentAtRiskView

    office = world.users["office"]
    assert office is not None
    _at_risk_world(world, 6)
    monkeypatch.setattr(StudentAtRiskView, "paginate_by", 2)
    expected = list(selectors.student_at_risk_list(user=office).values_list("student_number", flat=True))
    client = client_for(office)

    seen = []
    for number in range(1, (len(expected) + 1) // 2 + 1):
        response = client.get(reverse("students:at-risk") + f"?page={number}")
        assert response.status_code == 200
        assert response.context["paginator"].count == len(expected)
        seen += [s.student_number for s in response.context["students"]]
    assert seen == expected
    assert client.get(reverse("students:at-risk") + "?page=99").status_code == 404
    assert client.get(reverse("students:at-risk") + "?page=last").status_code == 200
    assert client.get(reverse("students:at-risk") + "?page=x").status_code == 404


# --- The lists' filters: "none, one or several" in one query -----------------------------------------------


def test_up_to_two_counts_each_set_to_two_in_one_query(world: World) -> None:
    office = world.users["office"]
    assert office is not None
    sets = {
        "none": Student.objects.none(),
        "empty": Student.objects.filter(pk=-1),
        "one": Student.objects.filter(pk=world.student_a.pk),
        "many": Student.objects.all(),
        "scoped": access.scope(Student.objects.all(), office, "view"),
    }
    with CaptureQueriesContext(connection) as captured:
        found = filter_choices.up_to_two(sets)
    assert len(captured.captured_queries) == 1
    assert found == {"none": 0, "empty": 0, "one": 1, "many": 2, "scoped": 2}
    assert filter_choices.up_to_two({}) == {}
