"""The projects pages: scoped lists and detail (other partner: 404), joining from the board, verifying an
output, the points on the plan page, its PDF and the at-risk list, the start panels, the office's report
(page, XLSX, PDF read back) and constant query counts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import OutputStatus, PointAward, PointsScheme, ProjectMember, RequestStatus
from projects.services import board
from students.models import Student
from tests.conftest import World, client_for
from tests.pdfs import pdf_text
from tests.projects.helpers import output, project, user

pytestmark = pytest.mark.django_db


def _student_with_small_projects(world: World, count: int) -> None:
    for _ in range(count):
        small = project(world, budget="10000")
        services.project_member_add(
            project=small, user=user(world, "student_a"), role="participant", by=user(world, "office")
        )
        services.project_conclude(project=small, by=user(world, "office"), on=datetime.date(2026, 5, 1))


def test_project_pages_are_scoped_and_other_partner_gets_404(world: World) -> None:
    at_a = project(world, title_en="Imaging venture")
    detail = reverse("projects:detail", args=[at_a.pk])
    assert "Imaging venture" in client_for(user(world, "coordinator_a")).get(reverse("projects:list")).content.decode()
    assert (
        "Imaging venture" not in client_for(user(world, "coordinator_b")).get(reverse("projects:list")).content.decode()
    )
    assert client_for(user(world, "coordinator_a")).get(detail).status_code == 200
    assert client_for(user(world, "coordinator_b")).get(detail).status_code == 404
    assert client_for(user(world, "student_b")).get(detail).status_code == 404


def test_student_joins_from_the_board_and_the_leader_accepts(world: World) -> None:
    venture = project(world, lead="b", leader="supervisor_b", title_en="Ultrasound start-up")
    board.post_create(project=venture, places=2, skills_wanted="Signal processing", by=user(world, "coordinator_b"))
    student = client_for(user(world, "student_a"))
    page = student.get(reverse("projects:board")).content.decode()
    assert "Ultrasound start-up" in page and "Signal processing" in page
    post = venture.board_posts.get()
    response = student.post(reverse("projects:join", args=[post.pk]), {"message": "I built a beamformer."})
    assert response.status_code == 302
    assert 'data-testid="requested"' in student.get(reverse("projects:board")).content.decode()
    join = post.requests.get()
    leader = client_for(user(world, "supervisor_b"))
    assert "I built a beamformer." in leader.get(reverse("projects:detail", args=[venture.pk])).content.decode()
    assert (
        client_for(user(world, "supervisor_a"))
        .post(reverse("projects:request-answer", args=[join.pk]), {"accept": "yes"})
        .status_code
        == 404
    )
    leader.post(reverse("projects:request-answer", args=[join.pk]), {"accept": "yes", "answer": "Welcome"})
    join.refresh_from_db()
    assert join.status == RequestStatus.ACCEPTED
    assert ProjectMember.objects.filter(project=venture, user=user(world, "student_a"), role="participant").exists()
    assert student.get(reverse("projects:detail", args=[venture.pk])).status_code == 200


def test_office_verifies_an_output_on_the_page_and_points_follow(world: World) -> None:
    made = project(world)
    paper = output(world, made, by="supervisor_a")
    office = client_for(user(world, "office"))
    assert paper.title in office.get(reverse("projects:outputs")).content.decode()
    assert (
        client_for(user(world, "supervisor_a"))
        .post(reverse("projects:output-decide", args=[paper.pk]), {"decision": "verify"})
        .status_code
        == 404
    )
    office.post(reverse("projects:output-decide", args=[paper.pk]), {"decision": "verify", "next": "queue"})
    paper.refresh_from_db()
    assert paper.status == OutputStatus.VERIFIED
    assert PointAward.objects.filter(output=paper, person=user(world, "supervisor_a")).exists()
    page = client_for(user(world, "supervisor_a")).get(reverse("projects:points")).content.decode()
    assert paper.title in page


def test_points_on_the_plan_meet_the_programme_minimum_from_small_projects(world: World) -> None:
    world.programme.min_project_points = 10
    world.programme.save()
    plan_url = reverse("students:plan", args=[world.student_a.pk])
    student = client_for(user(world, "student_a"))
    page = student.get(plan_url).content.decode()
    assert 'data-testid="project-points"' not in page  # the built-in "not yet recorded" is replaced
    assert "0 of at least 10 points" in page and "not yet met" in page
    _student_with_small_projects(world, 5)
    page = student.get(plan_url).content.decode()
    assert "10.00 of at least 10 points" in page and "not yet met" not in page
    pdf = pdf_text(student.get(reverse("students:plan-pdf", args=[world.student_a.pk])).content)
    assert "10.00 of at least 10 points" in pdf and "Project 1" in pdf


def test_plan_shows_a_reader_only_the_rows_they_may_see(world: World) -> None:
    _student_with_small_projects(world, 1)
    at_b = project(world, lead="b", leader="supervisor_b", title_en="Enterprise venture")
    services.project_member_add(project=at_b, user=user(world, "student_a"), role="core", by=user(world, "office"))
    services.project_conclude(project=at_b, by=user(world, "office"), on=datetime.date(2026, 6, 1))
    plan_url = reverse("students:plan", args=[world.student_a.pk])
    coordinator_a = client_for(user(world, "coordinator_a")).get(plan_url).content.decode()
    assert "4.00 of at least" in coordinator_a  # the progress counts every project
    assert "Enterprise venture" not in coordinator_a and "1 more award from projects you do not see." in coordinator_a
    tutor = client_for(user(world, "tutor")).get(plan_url).content.decode()
    assert "Enterprise venture" in tutor


def test_behind_on_points_shows_on_the_at_risk_list(world: World) -> None:
    world.programme.min_project_points = 10
    world.programme.save()
    Student.objects.filter(pk=world.student_a.pk).update(
        enrolled_on=datetime.date.today() - datetime.timedelta(days=400)
    )
    Student.objects.filter(pk=world.student_b.pk).update(
        enrolled_on=datetime.date.today() - datetime.timedelta(days=400)
    )
    _student_with_small_projects(world, 3)  # student A: 6 of 10 after a year is not behind; B: 0 is
    page = client_for(user(world, "office")).get(reverse("students:at-risk")).content.decode()
    assert "Behind on project points" in page
    assert world.student_b.student_number in page
    from students.selectors.lists import student_list

    rows = {s.pk: s for s in student_list(user=user(world, "office"), filters={})}
    assert getattr(rows[world.student_b.pk], "risk_project_points") is True  # noqa: B009
    assert getattr(rows[world.student_a.pk], "risk_project_points") is False  # noqa: B009


@pytest.mark.parametrize(("minimum", "behind"), [(5, True), (4, False)])
def test_half_an_odd_minimum_is_not_rounded_down(world: World, minimum: int, behind: bool) -> None:
    world.programme.min_project_points = minimum
    world.programme.save()
    Student.objects.filter(pk=world.student_a.pk).update(
        enrolled_on=datetime.date.today() - datetime.timedelta(days=400)
    )
    _student_with_small_projects(world, 1)  # two points: less than half of 5 (2.5), half of 4
    from students.selectors.lists import student_list

    rows = {s.pk: s for s in student_list(user=user(world, "office"), filters={})}
    assert getattr(rows[world.student_a.pk], "risk_project_points") is behind  # noqa: B009


def test_start_page_asks_the_leader_to_answer_and_the_office_to_verify(world: World) -> None:
    venture = project(world, lead="b", leader="supervisor_b")
    post = board.post_create(project=venture, places=1, by=user(world, "supervisor_b"))
    board.join_request_create(post=post, by=user(world, "student_a"))
    output(world, venture, by="supervisor_b")
    leader = client_for(user(world, "supervisor_b")).get(reverse("core:start")).content.decode()
    assert "Requests to join your projects" in leader
    office = client_for(user(world, "office")).get(reverse("core:start")).content.decode()
    assert "Project outputs to verify" in office
    assert (
        "Requests to join your projects"
        not in client_for(user(world, "student_b")).get(reverse("core:start")).content.decode()
    )


def test_reward_report_ranks_people_and_teams_with_xlsx_and_pdf(world: World) -> None:
    _student_with_small_projects(world, 2)
    large = project(world, budget="2000000", title_en="Large government project", kind="research_government")
    services.project_member_add(
        project=large, user=user(world, "student_b"), role="participant", by=user(world, "office")
    )
    services.project_conclude(project=large, by=user(world, "office"), on=datetime.date(2026, 5, 1))
    office = client_for(user(world, "office"))
    page = office.get(reverse("projects:report"), {"year": "2026"}).content.decode()
    assert 'data-testid="scale-chart"' in page and "<svg" in page
    assert 'data-testid="ranking-tutors"' in page
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(office.get(reverse("projects:report-xlsx"), {"year": "2026"}).content))
    people = [row for row in book["People"].iter_rows(values_only=True)][1:]
    ranked = {row[1]: (row[0], row[2]) for row in people}
    student_b = user(world, "student_b")
    leader = user(world, "supervisor_a")  # led all three: 3 + 3 + 12
    assert ranked[leader.display_name] == (1, 18)
    assert ranked[student_b.display_name] == (2, 10)
    tutors = [row for row in book["Tutors' teams"].iter_rows(values_only=True)][1:]
    assert tutors and tutors[0][2] == 4.0  # the tutor's team: student A's two small projects
    breakdown = [row for row in book["Breakdown"].iter_rows(values_only=True)][1:]
    assert any(row[2] == "Large government project" for row in breakdown)
    text = pdf_text(office.get(reverse("projects:report-pdf"), {"year": "2026"}).content)
    assert "Performance reward report" in text and "Large government project" in text


def _list_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_list_pages_cost_the_same_at_two_sizes(world: World) -> None:
    office = client_for(user(world, "office"))
    urls = [
        reverse("projects:list"),
        reverse("projects:board"),
        reverse("projects:points") + f"?person={user(world, 'supervisor_a').pk}",
        reverse("projects:report") + "?year=all",
        reverse("projects:outputs"),
    ]

    def grow() -> None:
        made = project(world, status="concluded")
        board.post_create(project=project(world), places=1, by=user(world, "office"))
        output(world, made)

    grow()
    first = [_list_queries(office, url) for url in urls]
    for _ in range(3):
        grow()
    assert [_list_queries(office, url) for url in urls] == first


def test_scheme_page_adds_a_version_and_refuses_a_backdated_one(world: World) -> None:
    from tests.access.routes_projects import _scheme_body

    office = client_for(user(world, "office"))
    body = _scheme_body(world)
    assert office.post(reverse("projects:scheme-create"), body).status_code == 302
    body["valid_from"] = "2020-01-01"
    response = office.post(reverse("projects:scheme-create"), body)
    assert response.status_code == 200 and "applies from today or a later date" in response.content.decode()
    scheme = PointsScheme.objects.get(programme=world.programme)
    assert Decimal("2") == Decimal(scheme.project_points["small"]["leader"])
