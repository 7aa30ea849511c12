"""Student lists: who sees which students, the filters, at risk, the approval queue, the export, and the
navigation and start-page links that lead there."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from partners.models import MembershipRole, PartnerKind
from programmes.models import MilestoneKind
from students import selectors
from students.models import (
    Milestone,
    MilestoneStatus,
    PlacementStatus,
    PlanAction,
    PlanEvent,
    PlanStatus,
    Student,
    StudentStatus,
    TrainingPlan,
)
from tests.access.routes_lists import programme_a
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory, PartnerFactory
from tests.factories.programmes import CohortFactory, ProgrammeFactory
from tests.factories.students import MilestoneFactory, PlacementFactory, StudentFactory, TrainingPlanFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _numbers(response: Any) -> list[str]:
    return [student.student_number for student in response.context["students"]]


def _get(user: User | None, name: str = "students:list", **params: Any) -> Any:
    response = client_for(user).get(reverse(name), params)
    assert response.status_code == 200
    return response


def _on_track(student: Student) -> None:
    """Make a student not at risk: an approved plan and no late milestone."""
    TrainingPlan.objects.filter(student=student).update(status=PlanStatus.APPROVED, approved_version=1)
    Milestone.objects.filter(student=student).update(due_date=TODAY + datetime.timedelta(days=200))


# --- Who sees whom ----------------------------------------------------------------------------------


def test_office_sees_every_student_titled_students(office: User, world: World) -> None:
    response = _get(office)

    assert _numbers(response) == sorted([world.student_a.student_number, world.student_b.student_number])
    assert response.context["title"] == "Students"


def test_tutor_sees_only_tutees_titled_my_tutees(tutor: User, world: World) -> None:
    response = _get(tutor)

    assert _numbers(response) == [world.student_a.student_number]
    assert response.context["title"] == "My tutees"
    assert world.student_b.student_number not in response.content.decode()


def test_coordinator_sees_students_placed_at_own_partner_only(coordinator_a: User, world: World) -> None:
    response = _get(coordinator_a)

    assert _numbers(response) == [world.student_a.student_number]
    assert response.context["title"] == "Students placed with us"


def test_other_partner_coordinator_does_not_see_student(coordinator_b: User, world: World) -> None:
    response = _get(coordinator_b)

    assert world.student_a.student_number not in _numbers(response)
    assert world.student_a.student_number not in response.content.decode()


def test_supervisor_sees_own_supervisees_only(supervisor_b: User, world: World) -> None:
    assert _numbers(_get(supervisor_b)) == [world.student_b.student_number]


def test_student_sees_only_themself(student_a: User, world: World) -> None:
    assert _numbers(_get(student_a)) == [world.student_a.student_number]


def test_counsellor_gets_an_empty_list_that_explains_why(counsellor: User, world: World) -> None:
    response = _get(counsellor)

    assert _numbers(response) == []
    assert 'data-testid="empty"' in response.content.decode()


def test_cancelled_placement_takes_the_student_off_the_partner_list(coordinator_a: User, world: World) -> None:
    world.placement_a.status = PlacementStatus.CANCELLED
    world.placement_a.save()

    assert _numbers(_get(coordinator_a)) == []


def test_rows_link_to_the_plan(office: User, world: World) -> None:
    html = _get(office).content.decode()

    assert reverse("students:plan", args=[world.student_a.pk]) in html


def test_current_placement_shows_partner_placed_at_today(office: User, world: World) -> None:
    world.placement_a.start_date, world.placement_a.end_date = TODAY - datetime.timedelta(days=5), TODAY
    world.placement_a.save()
    world.placement_b.start_date = TODAY + datetime.timedelta(days=1)
    world.placement_b.end_date = TODAY + datetime.timedelta(days=30)
    world.placement_b.save()

    students = {s.student_number: s for s in _get(office).context["students"]}

    assert students[world.student_a.student_number].current_partner_name == "Hospital A"
    assert students[world.student_b.student_number].current_partner_name is None


def test_coordinator_does_not_see_where_else_their_student_is_placed(
    coordinator_a: User, office: User, world: World
) -> None:
    # Student A is placed at A (earlier) and, today, at B: coordinator A sees the student but not B.
    world.placement_a.start_date = TODAY - datetime.timedelta(days=90)
    world.placement_a.end_date = TODAY - datetime.timedelta(days=30)
    world.placement_a.save()
    PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=world.users["supervisor_b"],
        start_date=TODAY - datetime.timedelta(days=10),
        end_date=TODAY + datetime.timedelta(days=10),
    )

    coordinator_view = _get(coordinator_a)
    office_view = {s.student_number: s for s in _get(office).context["students"]}

    assert _numbers(coordinator_view) == [world.student_a.student_number]
    assert coordinator_view.context["students"][0].current_partner_name is None
    assert "Enterprise B" not in coordinator_view.content.decode().split('data-testid="students"')[1]
    assert office_view[world.student_a.student_number].current_partner_name == "Enterprise B"


# --- Filters ----------------------------------------------------------------------------------------


def test_filter_by_programme_and_cohort(office: User, world: World) -> None:
    other_programme = ProgrammeFactory.create(lead_university=world.university)
    other = StudentFactory.create(programme=other_programme)
    later_cohort = CohortFactory.create(programme=world.programme, intake_year=2027)
    later = StudentFactory.create(programme=world.programme, cohort=later_cohort)

    assert other.student_number not in _numbers(_get(office, programme=world.programme.pk))
    assert _numbers(_get(office, programme=other_programme.pk)) == [other.student_number]
    assert _numbers(_get(office, cohort=later_cohort.pk)) == [later.student_number]


def test_filter_by_status_tutor_and_plan_status(office: User, world: World) -> None:
    Student.objects.filter(pk=world.student_b.pk).update(status=StudentStatus.SUSPENDED)
    TrainingPlan.objects.filter(student=world.student_a).update(status=PlanStatus.SUBMITTED)

    assert _numbers(_get(office, status=StudentStatus.SUSPENDED)) == [world.student_b.student_number]
    assert _numbers(_get(office, tutor=world.student_a.tutor_id)) == [world.student_a.student_number]
    assert _numbers(_get(office, plan_status=PlanStatus.SUBMITTED)) == [world.student_a.student_number]


def test_filter_by_partner_ignores_cancelled_placements(office: User, world: World) -> None:
    assert _numbers(_get(office, partner=world.partner_b.pk)) == [world.student_b.student_number]

    world.placement_b.status = PlacementStatus.CANCELLED
    world.placement_b.save()

    assert _numbers(_get(office, partner=world.partner_b.pk)) == []


def test_partner_filter_does_not_reveal_placements_at_another_partner(coordinator_a: User, world: World) -> None:
    PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=world.users["supervisor_b"],
        start_date=datetime.date(2027, 3, 1),
        end_date=datetime.date(2027, 6, 30),
    )

    assert _numbers(_get(coordinator_a, partner=world.partner_b.pk)) == []


def test_filters_keep_their_values(office: User, world: World) -> None:
    html = _get(office, status=StudentStatus.ENROLLED, at_risk="yes", programme=world.programme.pk).content.decode()

    assert '<option value="enrolled" selected>' in html
    assert '<option value="yes" selected>' in html
    # One programme only: its filter is not shown (nothing to choose), but the chosen one is kept.
    assert f'<input type="hidden" name="programme" value="{world.programme.pk}">' in html


def test_filtered_empty_list_offers_to_clear(office: User, world: World) -> None:
    html = _get(office, status=StudentStatus.GRADUATED).content.decode()

    assert "No student matches these filters." in html


# --- At risk ----------------------------------------------------------------------------------------


def test_late_milestone_puts_student_at_risk(office: User, world: World) -> None:
    _on_track(world.student_a)
    _on_track(world.student_b)
    Milestone.objects.filter(student=world.student_a).update(due_date=TODAY - datetime.timedelta(days=3))

    students = {s.student_number: s for s in _get(office).context["students"]}

    a = students[world.student_a.student_number]
    assert (a.at_risk, a.risk_late, a.risk_no_plan, a.late_milestones) == (True, True, False, 1)
    assert students[world.student_b.student_number].at_risk is False
    assert _numbers(_get(office, at_risk="yes")) == [world.student_a.student_number]


def test_done_or_waived_milestone_is_not_late(office: User, world: World) -> None:
    _on_track(world.student_a)
    Milestone.objects.filter(student=world.student_a).update(
        due_date=TODAY - datetime.timedelta(days=3), status=MilestoneStatus.DONE, completed_on=TODAY
    )

    assert world.student_a.student_number not in _numbers(_get(office, "students:at-risk"))


def test_no_approved_plan_thirty_days_after_enrolment_is_at_risk(office: User, world: World) -> None:
    _on_track(world.student_a)
    _on_track(world.student_b)
    TrainingPlan.objects.filter(student=world.student_a).update(status=PlanStatus.DRAFT, approved_version=None)
    Student.objects.filter(pk=world.student_a.pk).update(enrolled_on=TODAY - datetime.timedelta(days=30))
    fresh = StudentFactory.create(programme=world.programme, enrolled_on=TODAY - datetime.timedelta(days=29))
    TrainingPlanFactory.create(student=fresh)

    response = _get(office, "students:at-risk")

    assert _numbers(response) == [world.student_a.student_number]
    assert "No approved plan 30 days after enrolment" in response.content.decode()


def test_amendment_in_progress_keeps_an_approved_plan_off_the_at_risk_list(office: User, world: World) -> None:
    _on_track(world.student_a)
    TrainingPlan.objects.filter(student=world.student_a).update(status=PlanStatus.DRAFT, is_amendment=True)

    assert world.student_a.student_number not in _numbers(_get(office, "students:at-risk"))


def test_withdrawn_student_is_never_at_risk(office: User, world: World) -> None:
    Student.objects.filter(pk=world.student_a.pk).update(status=StudentStatus.WITHDRAWN)
    Milestone.objects.filter(student=world.student_a).update(due_date=TODAY - datetime.timedelta(days=3))

    assert world.student_a.student_number not in _numbers(_get(office, "students:at-risk"))


def test_at_risk_page_gives_reasons_and_stays_in_scope(tutor: User, world: World) -> None:
    Milestone.objects.filter(student=world.student_a).update(due_date=TODAY - datetime.timedelta(days=3))
    Milestone.objects.filter(student=world.student_b).update(due_date=TODAY - datetime.timedelta(days=3))

    response = _get(tutor, "students:at-risk")

    assert _numbers(response) == [world.student_a.student_number]
    html = response.content.decode()
    assert "1 late milestone, due" in html
    assert world.student_b.student_number not in html


def test_at_risk_page_says_when_nobody_is_at_risk(office: User, world: World) -> None:
    _on_track(world.student_a)
    _on_track(world.student_b)

    assert "No student is at risk" in _get(office, "students:at-risk").content.decode()


def test_at_risk_is_computed_in_one_query(office: User, world: World) -> None:
    with CaptureQueriesContext(connection) as captured:
        students = list(selectors.student_at_risk_list(user=office))

    assert len(students) == 2
    assert len(captured.captured_queries) <= 2  # the list (platform roles are read once per user)


# --- Query counts -----------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _more_students(world: World, count: int) -> None:
    for _index in range(count):
        student = StudentFactory.create(programme=world.programme, tutor=world.users["tutor"])
        TrainingPlanFactory.create(student=student)
        MilestoneFactory.create(student=student, due_date=TODAY - datetime.timedelta(days=1))
        MilestoneFactory.create(student=student, kind=MilestoneKind.MIDTERM)
        PlacementFactory.create(
            student=student,
            partner=world.partner_a,
            site=world.site_a,
            supervisor=world.users["supervisor_a"],
            start_date=TODAY - datetime.timedelta(days=3),
            end_date=TODAY + datetime.timedelta(days=3),
        )


@pytest.mark.parametrize("persona", ["office", "tutor", "coordinator_a"])
@pytest.mark.parametrize("route", ["students:list", "students:at-risk"])
def test_student_list_query_count_does_not_grow(persona: str, route: str, world: World) -> None:
    client = client_for(world.users[persona])
    url = reverse(route)
    client.get(url)  # the first request sets the session's idle clock
    _more_students(world, 1)
    small = _queries(client, url)

    _more_students(world, 29)
    large = _queries(client, url)

    assert small == large


def test_approval_queue_query_count_does_not_grow(office: User, world: World) -> None:
    client = client_for(office)
    url = reverse("students:approvals")
    client.get(url)
    _more_students(world, 3)
    TrainingPlan.objects.update(status=PlanStatus.TUTOR_APPROVED)
    small = _queries(client, url)

    _more_students(world, 27)
    TrainingPlan.objects.update(status=PlanStatus.TUTOR_APPROVED)
    large = _queries(client, url)

    assert small == large


def test_list_paginates_by_25(office: User, world: World) -> None:
    _more_students(world, 30)

    first = _get(office)
    second = _get(office, page=2)

    assert len(first.context["students"]) == 25
    assert len(second.context["students"]) == 7


# --- Approval queue ---------------------------------------------------------------------------------


def _set_plan(student: Student, status: str, by: Any) -> TrainingPlan:
    plan = TrainingPlan.objects.get(student=student)
    plan.status = status
    plan.save()
    PlanEvent.objects.create(plan=plan, version=plan.version, action=status, by=by)
    return plan


def test_office_queue_shows_tutor_approved_plans_and_those_still_with_tutors(office: User, world: World) -> None:
    _set_plan(world.student_a, PlanAction.TUTOR_APPROVED, world.users["tutor"])
    _set_plan(world.student_b, PlanAction.SUBMITTED, world.users["student_b"])

    response = _get(office, "students:approvals")

    assert [p.student_id for p in response.context["for_office"]] == [world.student_a.pk]
    assert [p.student_id for p in response.context["for_tutors"]] == [world.student_b.pk]
    html = response.content.decode()
    assert reverse("students:plan", args=[world.student_a.pk]) in html
    assert reverse("students:plan", args=[world.student_b.pk]) in html


def test_tutor_queue_shows_own_tutees_submitted_plans_only(tutor: User, world: World) -> None:
    _set_plan(world.student_a, PlanAction.SUBMITTED, world.users["student_a"])
    _set_plan(world.student_b, PlanAction.SUBMITTED, world.users["student_b"])

    response = _get(tutor, "students:approvals")

    assert [p.student_id for p in response.context["for_me"]] == [world.student_a.pk]
    assert list(response.context["for_office"]) == []
    assert world.student_b.student_number not in response.content.decode()


def test_tutor_approved_plan_leaves_the_tutor_queue(tutor: User, world: World) -> None:
    _set_plan(world.student_a, PlanAction.TUTOR_APPROVED, tutor)

    response = _get(tutor, "students:approvals")

    assert list(response.context["for_me"]) == []
    assert 'data-testid="queue-mine-empty"' in response.content.decode()


def test_coordinator_queue_is_empty_and_says_why(coordinator_a: User, world: World) -> None:
    _set_plan(world.student_a, PlanAction.TUTOR_APPROVED, world.users["tutor"])

    response = _get(coordinator_a, "students:approvals")

    assert list(response.context["for_office"]) == []
    assert world.student_a.student_number not in response.content.decode()
    assert 'data-testid="queue-none"' in response.content.decode()


def test_office_queue_empty_states(office: User, world: World) -> None:
    html = _get(office, "students:approvals").content.decode()

    assert 'data-testid="queue-office-empty"' in html
    assert 'data-testid="queue-tutors-empty"' in html


# --- Buttons ----------------------------------------------------------------------------------------


def test_import_and_export_buttons_are_for_the_office(office: User, tutor: User, world: World) -> None:
    office_html = _get(office).content.decode()
    tutor_html = _get(tutor).content.decode()

    assert reverse("students:import") in office_html
    assert 'data-testid="export-xlsx"' in office_html
    assert reverse("students:import") not in tutor_html
    assert 'data-testid="export-csv"' not in tutor_html


def test_export_buttons_carry_the_current_filters(office: User, world: World) -> None:
    html = _get(office, status="enrolled").content.decode()

    assert f"{reverse('students:export')}?status=enrolled&amp;format=csv" in html


# --- Export -----------------------------------------------------------------------------------------


def _csv_rows(response: Any) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_export_csv_has_bom_import_columns_and_chinese_names(office: User, world: World) -> None:
    User.objects.filter(pk=world.student_a.user_id).update(full_name="李明")
    _on_track(world.student_b)

    response = client_for(office).get(reverse("students:export"), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="students-{TODAY:%Y%m%d}.csv"' in response["Content-Disposition"]
    rows = {row["student_number"]: row for row in _csv_rows(response)}
    a = rows[world.student_a.student_number]
    assert a["full_name"] == "李明"
    assert a["username"] == "student_a"
    assert a["programme_code"] == "mit"
    assert a["intake_year"] == "2026"
    assert a["enrolled_on"] == world.student_a.enrolled_on.isoformat()
    assert a["tutor_username"] == "tutor"
    assert a["plan_status"] == PlanStatus.DRAFT
    assert rows[world.student_b.student_number]["at_risk"] == "no"


def test_export_is_scoped_and_filtered(coordinator_a: User, office: User, world: World) -> None:
    coordinator_rows = _csv_rows(client_for(coordinator_a).get(reverse("students:export"), {"format": "csv"}))
    office_rows = _csv_rows(
        client_for(office).get(reverse("students:export"), {"format": "csv", "partner": str(world.partner_b.pk)})
    )

    assert [row["student_number"] for row in coordinator_rows] == [world.student_a.student_number]
    assert [row["student_number"] for row in office_rows] == [world.student_b.student_number]


def test_export_csv_neutralises_formulas(office: User, world: World) -> None:
    Student.objects.filter(pk=world.student_a.pk).update(research_direction='=HYPERLINK("http://evil")')

    rows = {r["student_number"]: r for r in _csv_rows(client_for(office).get(reverse("students:export")))}

    assert rows[world.student_a.student_number]["research_direction"].startswith("'=")


def test_export_xlsx_reads_back(office: User, world: World) -> None:
    User.objects.filter(pk=world.student_b.user_id).update(full_name="王芳")
    Student.objects.filter(pk=world.student_b.pk).update(research_direction="=1+1")

    response = client_for(office).get(reverse("students:export"), {"format": "xlsx"})

    assert response.status_code == 200
    assert f'filename="students-{TODAY:%Y%m%d}.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[:3] == ["student_number", "username", "full_name"]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    b = by_number[world.student_b.student_number]
    assert b["full_name"] == "王芳"
    assert b["research_direction"] == "=1+1"  # kept as text, not run as a formula
    assert b["intake_year"] == 2026


def test_export_refuses_unknown_format(office: User, world: World) -> None:
    assert client_for(office).get(reverse("students:export"), {"format": "pdf"}).status_code == 404


def test_counsellor_export_is_empty(counsellor: User, world: World) -> None:
    assert _csv_rows(client_for(counsellor).get(reverse("students:export"))) == []


# --- Navigation and start page ----------------------------------------------------------------------


def _nav(user: User) -> str:
    html = client_for(user).get(reverse("core:start")).content.decode()
    return html.split('id="main-nav"', 1)[1].split("</ul>", 1)[0]


def _href(name: str) -> str:
    return f'href="{reverse(name)}"'


def test_navigation_offers_students_to_office_and_members(office: User, tutor: User, world: World) -> None:
    assert _href("students:list") in _nav(office)
    assert _href("students:list") in _nav(tutor)
    assert _href("programmes:list") in _nav(tutor)


def test_navigation_offers_my_plan_to_students(student_a: User, world: World) -> None:
    nav = _nav(student_a)

    assert _href("students:plan-mine") in nav
    assert _href("students:list") not in nav
    assert _href("programmes:list") in nav


@pytest.mark.parametrize("persona", ["counsellor", "inspector"])
def test_navigation_hides_students_and_programmes_from_platform_only_roles(persona: str, world: World) -> None:
    nav = _nav(world.users[persona])  # type: ignore[arg-type]

    assert _href("students:list") not in nav
    assert _href("programmes:list") not in nav


def test_ended_membership_hides_students(world: World) -> None:
    former = UserFactory.create()
    MembershipFactory.create(
        user=former,
        partner=world.partner_a,
        role=MembershipRole.SUPERVISOR,
        start_date=TODAY - datetime.timedelta(days=100),
        end_date=TODAY - datetime.timedelta(days=1),
    )

    assert _href("students:list") not in _nav(former)


@pytest.mark.parametrize(
    ("persona", "links"),
    [
        ("office", ["students:list", "students:approvals", "students:at-risk", "programmes:list"]),
        ("tutor", ["students:list", "students:approvals"]),
        ("coordinator_a", ["students:list"]),
        ("supervisor_a", ["students:list"]),
        ("student_a", ["students:plan-mine"]),
    ],
)
def test_start_page_role_cards_link_to_the_lists(persona: str, links: list[str], world: World) -> None:
    html = client_for(world.users[persona]).get(reverse("core:start")).content.decode()
    cards = html.split('data-testid="role-sections"', 1)[1].split("Your partners and roles", 1)[0]

    for name in links:
        assert f'href="{reverse(name)}"' in cards


def test_university_partner_kind_is_used_for_tutor_filter(office: User, world: World) -> None:
    # A "tutor" membership at a hospital is not an academic tutor: the filter does not offer them.
    stray = UserFactory.create(full_name="Stray Tutor")
    hospital = PartnerFactory.create(kind=PartnerKind.HOSPITAL)
    MembershipFactory.create(user=stray, partner=hospital, role=MembershipRole.TUTOR)

    form = _get(office).context["filter_form"]

    tutors = list(form.fields["tutor"].queryset)
    assert world.users["tutor"] in tutors
    assert stray not in tutors


def test_out_of_scope_filter_matches_nobody_rather_than_everybody(coordinator_b: User, world: World) -> None:
    hidden = programme_a(world)  # coordinator B's partner does not take part in it
    client = client_for(coordinator_b)

    response = client.get(reverse("students:list"), {"programme": hidden.pk})
    exported = _csv_rows(client.get(reverse("students:export"), {"programme": hidden.pk}))

    assert _numbers(response) == []
    assert response.context["filter_form"].errors["programme"]
    assert exported == []


# --- Admin ------------------------------------------------------------------------------------------


def test_admin_shows_plans_with_read_only_versions_and_events(world: World) -> None:
    admin_user = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    plan = TrainingPlan.objects.get(student=world.student_a)
    PlanEvent.objects.create(plan=plan, version=1, action=PlanAction.SUBMITTED, by=world.student_a.user)
    client = client_for(admin_user)

    for url in (
        reverse("admin:students_trainingplan_changelist"),
        reverse("admin:students_trainingplan_change", args=[plan.pk]),
        reverse("admin:students_planversion_changelist"),
        reverse("admin:students_planevent_changelist"),
        reverse("admin:students_placement_changelist"),
        reverse("admin:students_milestone_changelist"),
        reverse("admin:students_student_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    event = PlanEvent.objects.get(plan=plan)
    assert client.get(reverse("admin:students_planevent_add")).status_code == 403
    assert client.post(reverse("admin:students_planevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert PlanEvent.objects.filter(pk=event.pk).exists()


def test_approval_queue_pages_each_list_on_its_own(office: User, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from students.views import lists

    monkeypatch.setattr(lists, "APPROVALS_PER_PAGE", 2)
    _more_students(world, 3)
    TrainingPlan.objects.update(status=PlanStatus.TUTOR_APPROVED)

    total = TrainingPlan.objects.count()
    pages = [_get(office, "students:approvals", for_office=n) for n in range(1, (total + 1) // 2 + 1)]

    assert [len(page.context["for_office"]) for page in pages] == [2] * (total // 2) + [1] * (total % 2)
    everyone = {plan.pk for page in pages for plan in page.context["for_office"]}
    assert everyone == set(TrainingPlan.objects.values_list("pk", flat=True))
    assert 'data-testid="queue-office-pages"' in pages[0].content.decode()
    assert "?for_office=2" in pages[0].content.decode()
