"""The report's projects section, against projects built through the services with known points: a small
research project concluded in 2026 (a tutor and two students of the first cohort), a large venture running
2025-2027 with a verified paper and a patent waiting (a student of the second cohort), a small project
concluded in 2025, and another programme's project that never counts."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from partners.models import MembershipRole, Partner, PartnerKind
from programmes.models import Cohort, Programme
from projects.models import AwardSource, MemberRole, PointAward, Project, ProjectOutput
from projects.services import points, projects
from quality.figures import Frame, Section, section_from_json, section_to_json
from quality.indicators import projects as indicators
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory, PartnerFactory
from tests.factories.programmes import CohortFactory, ProgrammeFactory
from tests.factories.projects import PointsSchemeFactory
from tests.factories.students import StudentFactory

D = datetime.date


@dataclass
class Board:
    programme: Programme
    first: Cohort
    office: User
    tutor: User
    university: Partner
    students: list[User]


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))


def _project(
    board: Board, kind: str, start: datetime.date, end: datetime.date, members: list[User], budget: str = "0"
) -> Project:
    project = projects.project_create(
        by=board.office,
        programme=board.programme,
        title_en=f"{kind} project",
        kind=kind,
        lead_partner=board.university,
        leader=board.tutor,
        start_date=start,
        end_date=end,
        budget=Decimal(budget),
    )
    for index, member in enumerate(members):
        role = MemberRole.CORE if index == 0 else MemberRole.PARTICIPANT
        projects.project_member_add(project=project, user=member, role=role, by=board.office)
    projects.project_approve(project=project, by=board.office)
    return projects.project_start(project=project, by=board.office)


def _output(
    board: Board, project: Project, output_type: str, submitted: datetime.date, verified: datetime.date | None
) -> ProjectOutput:
    output = projects.output_submit(
        project=project,
        output_type=output_type,
        title=f"A {output_type}",
        achieved_on=submitted,
        by=board.office,
        reference="DOI 10.1/x",
        today=D(2026, 12, 31),
    )
    output.submitted_at = _at(submitted)
    output.save()
    if verified is not None:
        output = projects.output_verify(output=output, by=board.office, on=verified)
        output.decided_at = _at(verified)
        output.save()
    return output


def _build() -> Board:
    office = UserFactory.create(username="q-office")
    grant_platform_role(office, PlatformRole.OFFICE)
    university = PartnerFactory.create(name="Lead University", short_name="UNI", kind=PartnerKind.UNIVERSITY)
    tutor = UserFactory.create()
    MembershipFactory.create(user=tutor, partner=university, role=MembershipRole.TUTOR)
    programme = ProgrammeFactory.create(lead_university=university)
    PointsSchemeFactory.create(programme=programme, created_by=office)
    first = CohortFactory.create(programme=programme, intake_year=2025)
    second = CohortFactory.create(programme=programme, intake_year=2026)
    s1, s2 = (StudentFactory.create(programme=programme, cohort=first).user for _ in range(2))
    s3 = StudentFactory.create(programme=programme, cohort=second).user
    board = Board(programme, first, office, tutor, university, [s1, s2, s3])

    small = _project(board, "research_government", D(2026, 1, 1), D(2026, 6, 30), [s1, s2])
    projects.project_conclude(project=small, by=office, on=D(2026, 7, 1))  # tutor 3, s1 2, s2 2
    tutor_award = PointAward.objects.get(project=small, person=tutor)
    points.award_reverse(award=tutor_award, reason="Counted twice.", by=office, today=D(2026, 8, 1))  # tutor -3
    large = _project(board, "venture", D(2025, 3, 1), D(2027, 2, 28), [s3], budget="1000000")
    _output(board, large, "paper", D(2026, 4, 20), D(2026, 5, 1))  # s3 3, tutor 3 (large)
    _output(board, large, "patent", D(2026, 11, 1), None)  # waiting
    earlier = _project(board, "research_commissioned", D(2025, 9, 1), D(2025, 12, 31), [s2])
    projects.project_conclude(project=earlier, by=office, on=D(2025, 12, 31))  # 2025: tutor 3, s2 2

    # another programme's project, concluded in 2026: never counted
    other = ProgrammeFactory.create(lead_university=university)
    PointsSchemeFactory.create(programme=other, created_by=office)
    stranger = StudentFactory.create(programme=other).user
    elsewhere = Board(other, first, office, tutor, university, [stranger])
    projects.project_conclude(
        project=_project(elsewhere, "venture", D(2026, 1, 1), D(2026, 3, 31), [stranger]), by=office, on=D(2026, 4, 1)
    )
    return board


@pytest.fixture(scope="module")
def board(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Board]:
    """Built once for the module inside a transaction rolled back at its end (each test runs in a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


def _figures(section: Section) -> dict[str, Any]:
    return {f.key: f.value for f in section.figures}


def _people(section: Section) -> dict[str, int | None]:
    return {f.key: f.people for f in section.figures}


def _rows(section: Section, key: str) -> dict[str, list[Any]]:
    table = section.table(key)
    assert table is not None, key
    return {row.label: row.values for row in table.rows}


def test_projects_by_kind_scale_and_status_and_their_outputs(board: Board, db: None) -> None:
    with translation.override("zh-hans"):  # labels stay message ids, whatever the language
        section = indicators.section(Frame(programme_id=board.programme.pk, year=2026))
    assert section_from_json(json.loads(json.dumps(section_to_json(section)))) == section
    figures = _figures(section)
    assert figures["projects.projects"] == 2  # the small one and the venture
    assert figures["projects.research"] == 1 and figures["projects.entrepreneurial"] == 1
    assert figures["projects.started"] == 1 and figures["projects.concluded"] == 1
    assert figures["projects.students_on_projects"] == 3
    assert _rows(section, "projects.by_kind") == {
        "Research: government-funded": [1, 0, 0],
        "Entrepreneurial: venture": [0, 0, 1],
    }
    assert _rows(section, "projects.by_status") == {"Running": [1], "Concluded": [1]}
    assert figures["projects.outputs_verified"] == 1
    assert figures["projects.outputs_waiting"] == 1
    assert _rows(section, "projects.outputs") == {"Paper": [1, 1], "Patent": [0, 1]}
    waiting = section.figure("projects.outputs_waiting")
    assert (
        waiting is not None
        and waiting.drill == f"/projects/outputs/?programme={board.programme.pk}"
        and waiting.better == "lower"
    )
    by_kind = section.table("projects.by_kind")
    assert by_kind is not None and by_kind.chart == "stacked"


def test_points_by_scale_and_per_student_name_nobody(board: Board, db: None) -> None:
    section = indicators.section(Frame(programme_id=board.programme.pk, year=2026))
    figures, people = _figures(section), _people(section)
    assert figures["projects.points"] == 10.0  # 3 + 2 + 2 - 3 (the reversal) + 3 + 3
    assert people["projects.points"] == 4
    assert figures["projects.points_small"] == 4.0 and people["projects.points_small"] == 3
    assert figures["projects.points_medium"] == 0.0 and people["projects.points_medium"] == 0
    assert figures["projects.points_large"] == 6.0 and people["projects.points_large"] == 2
    assert figures["projects.students_awarded"] == 3
    assert figures["projects.points_per_student"] == 2.33  # (2 + 2 + 3) / 3
    table = section.table("projects.points_by_scale")
    assert table is not None and not table.personal
    assert {row.key: (row.values, row.people) for row in table.rows} == {
        "small": ([4.0, 0.0], [3, 0]),
        "medium": ([0.0, 0.0], [0, 0]),
        "large": ([0.0, 6.0], [0, 2]),
    }
    assert [c.key for c in table.columns] == [AwardSource.PROJECT, AwardSource.OUTPUT]
    assert not any(f.personal for f in section.figures)


def test_a_cohort_counts_its_students_projects_outputs_and_points(board: Board, db: None) -> None:
    section = indicators.section(Frame(programme_id=board.programme.pk, year=2026, cohort_id=board.first.pk))
    figures = _figures(section)
    assert figures["projects.projects"] == 1  # the venture has no student of the first cohort
    assert figures["projects.students_on_projects"] == 2
    assert figures["projects.outputs_verified"] == 0
    assert figures["projects.points"] == 4.0
    assert figures["projects.points_per_student"] == 2.0


def test_the_previous_year(board: Board, db: None) -> None:
    earlier = _figures(indicators.section(Frame(programme_id=board.programme.pk, year=2026).previous()))
    assert earlier["projects.projects"] == 2  # the venture (from March 2025) and the one concluded in 2025
    assert earlier["projects.concluded"] == 1
    assert earlier["projects.points"] == 5.0
    assert earlier["projects.points_per_student"] == 2.0
    assert earlier["projects.outputs_verified"] == 0


def test_the_section_costs_the_same_queries_at_two_sizes(board: Board, db: None) -> None:
    frame = Frame(programme_id=board.programme.pk, year=2026)
    with CaptureQueriesContext(connection) as small:
        indicators.section(frame)
    for month in range(1, 6):
        project = _project(board, "competition", D(2026, month, 1), D(2026, month, 28), board.students[:2])
        projects.project_conclude(project=project, by=board.office, on=D(2026, month, 28))
        _output(board, project, "award", D(2026, month, 20), D(2026, month, 28))
    with CaptureQueriesContext(connection) as large:
        section = indicators.section(frame)
    assert _figures(section)["projects.projects"] == 7
    assert len(large) == len(small) <= 8
