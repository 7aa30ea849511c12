"""The report's integrity section, against checks and cases built for the purpose: four students in two
cohorts with checks of known similarity, finished in 2025 and 2026, and cases about students, a supervisor
and a partner of the programme, beside another programme's that never count."""

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
from integrity.models import Case, CaseDecision, CaseSource, CaseStatus, CheckStatus, OriginalityReport, SubjectKind
from integrity.services import cases
from partners.models import MembershipRole, PartnerKind
from programmes.models import Cohort, Programme
from quality.figures import Frame, Section, section_from_json, section_to_json
from quality.indicators import integrity
from students.models import Student
from tests.factories.accounts import UserFactory
from tests.factories.integrity import submit
from tests.factories.partners import MembershipFactory, PartnerFactory
from tests.factories.programmes import CohortFactory, ParticipationFactory, ProgrammeFactory
from tests.factories.students import StudentFactory

D = datetime.date


@dataclass
class Register:
    programme: Programme
    first: Cohort
    students: list[Student]
    office: User


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))


def _check(student: Student, title: str, similarity: str | None, outcome: str, finished: datetime.date) -> None:
    """A submission through the service, its check's result written as the worker would leave it."""
    report = submit(student, f"{title}: a study of imaging quality.", title=title).report
    if similarity is None:
        return  # still queued
    OriginalityReport.objects.filter(pk=report.pk).update(
        status=CheckStatus.DONE, similarity=Decimal(similarity), outcome=outcome, finished_at=_at(finished)
    )


def _case(
    office: User,
    opened: datetime.date,
    *,
    kind: str = "plagiarism",
    decided: datetime.date | None = None,
    decision: str = "",
    **subject: Any,
) -> Case:
    case = cases.case_open(kind=kind, source=CaseSource.PERSON, evidence="Built for the report.", by=office, **subject)
    case.opened_at = _at(opened)
    if decided is not None:
        case.status, case.decision, case.decided_at, case.decided_by = (
            CaseStatus.DECIDED,
            decision,
            _at(decided),
            office,
        )
        if decision == CaseDecision.REMEDY:
            case.remedy = "resubmission"
    case.save()
    return case


def _build() -> Register:
    office = UserFactory.create(username="q-office")
    grant_platform_role(office, PlatformRole.OFFICE)
    university = PartnerFactory.create(name="Lead University", short_name="UNI", kind=PartnerKind.UNIVERSITY)
    hospital = PartnerFactory.create(name="Hospital A", short_name="HOSP-A", kind=PartnerKind.HOSPITAL)
    enterprise = PartnerFactory.create(name="Enterprise B", short_name="ENT-B", kind=PartnerKind.ENTERPRISE)
    elsewhere = PartnerFactory.create(name="Clinic X", short_name="CLIN-X", kind=PartnerKind.HOSPITAL)
    programme = ProgrammeFactory.create(lead_university=university)
    for partner in (university, hospital, enterprise):
        ParticipationFactory.create(programme=programme, partner=partner)
    first = CohortFactory.create(programme=programme, intake_year=2025)
    second = CohortFactory.create(programme=programme, intake_year=2026)
    s1, s2, s3 = (StudentFactory.create(programme=programme, cohort=first) for _ in range(3))
    s4 = StudentFactory.create(programme=programme, cohort=second)
    other = StudentFactory.create(programme=ProgrammeFactory.create(lead_university=university))

    _check(s1, "Proposal one", "3", "passed", D(2026, 3, 1))
    _check(s1, "Paper one", "12", "passed", D(2026, 4, 1))
    _check(s2, "Proposal two", "25", "review", D(2026, 5, 1))
    _check(s3, "Proposal three", "45", "referred", D(2026, 6, 1))
    _check(s4, "Proposal four", "100", "resubmit", D(2026, 7, 1))
    _check(s2, "Early draft", "8", "passed", D(2025, 11, 1))  # the year before
    _check(s1, "Still queued", None, "", D(2026, 8, 1))  # not run yet
    _check(other, "Elsewhere", "5", "passed", D(2026, 3, 1))  # another programme

    supervisor = UserFactory.create()
    MembershipFactory.create(user=supervisor, partner=hospital, role=MembershipRole.SUPERVISOR)
    stranger = UserFactory.create()
    MembershipFactory.create(user=stranger, partner=elsewhere, role=MembershipRole.SUPERVISOR)
    student = SubjectKind.STUDENT
    _case(office, D(2026, 2, 1), subject_kind=student, student=s1, decided=D(2026, 4, 1), decision="warning")
    _case(
        office,
        D(2026, 5, 1),
        kind="fabrication",
        subject_kind=student,
        student=s3,
        decided=D(2026, 6, 1),
        decision="dismissed",
    )
    _case(office, D(2025, 10, 1), subject_kind=student, student=s2, decided=D(2026, 1, 15), decision="remedy")
    _case(office, D(2026, 7, 1), kind="authority", subject_kind=SubjectKind.PERSON, person=supervisor)
    _case(office, D(2026, 8, 1), kind="breach", subject_kind=SubjectKind.PARTNER, partner=enterprise)
    _case(office, D(2026, 9, 1), subject_kind=student, student=s4, decided=D(2027, 1, 10), decision="warning")
    _case(office, D(2026, 3, 1), subject_kind=student, student=other)  # another programme
    _case(office, D(2026, 3, 1), kind="authority", subject_kind=SubjectKind.PERSON, person=stranger)  # not a partner
    return Register(programme, first, [s1, s2, s3, s4], office)


@pytest.fixture(scope="module")
def register(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Register]:
    """Built once for the module inside a transaction rolled back at its end (each test runs in a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


def _figures(section: Section) -> dict[str, tuple[Any, int | None]]:
    return {f.key: (f.value, f.people) for f in section.figures}


def _rows(section: Section, key: str) -> dict[str, tuple[list[Any], list[int | None]]]:
    table = section.table(key)
    assert table is not None, key
    return {row.label: (row.values, row.people) for row in table.rows}


def test_checks_in_the_year_their_similarity_bands_and_outcomes(register: Register, db: None) -> None:
    with translation.override("zh-hans"):  # labels stay message ids, whatever the language
        section = integrity.section(Frame(programme_id=register.programme.pk, year=2026))
    assert section_from_json(json.loads(json.dumps(section_to_json(section)))) == section
    figures = _figures(section)
    assert figures["integrity.checks"] == (5, 4)  # five checks of four students
    assert figures["integrity.similarity_mean"] == (0.37, 4)  # (3 + 12 + 25 + 45 + 100) / 5 %
    assert figures["integrity.passed_share"] == (0.4, 4)
    bands = _rows(section, "integrity.similarity")
    assert list(bands) == [f"{low}-{low + 10} %" for low in range(0, 100, 10)]
    assert [values[0] for values, _people in bands.values()] == [1, 1, 1, 0, 1, 0, 0, 0, 0, 1]
    assert bands["0-10 %"] == ([1], [1]) and bands["30-40 %"] == ([0], [0])
    assert _rows(section, "integrity.outcomes") == {
        "Passed": ([2], [1]),
        "Awaiting the tutor's review": ([1], [1]),
        "Referred to the office": ([1], [1]),
        "Resubmission required": ([1], [1]),
    }
    similarity = section.table("integrity.similarity")
    assert similarity is not None and similarity.chart == "bar"


def test_cases_by_kind_and_outcome_with_the_people_they_are_about(register: Register, db: None) -> None:
    section = integrity.section(Frame(programme_id=register.programme.pk, year=2026))
    figures = _figures(section)
    # opened in 2026: s1's, s3's, the supervisor's, the partner's, s4's (five cases, four people)
    assert figures["integrity.cases_opened"] == (5, 4)
    assert figures["integrity.cases_decided"] == (3, 3)  # s1's, s3's and s2's (opened in 2025)
    assert figures["integrity.cases_upheld"] == (2, 2)  # the warning and the remedy
    assert figures["integrity.cases_awaiting"] == (3, 2)  # supervisor's, partner's, s4's (decided in 2027)
    awaiting = section.figure("integrity.cases_awaiting")
    assert (
        awaiting is not None
        and awaiting.drill == f"/integrity/cases/?programme={register.programme.pk}&status=awaiting"
        and awaiting.better == "lower"
    )
    assert _rows(section, "integrity.cases_by_kind") == {
        "Plagiarism": ([2, 2, 2, 1], [2, 2, 2, 1]),
        "Fabrication": ([1, 1, 0, 0], [1, 1, 0, 0]),
        "Acting beyond authority": ([1, 0, 0, 1], [1, 0, 0, 1]),
        "Breach of rules or agreement": ([1, 0, 0, 1], [0, 0, 0, 0]),  # about a partner: no person
    }
    assert _rows(section, "integrity.cases_by_outcome") == {
        "Dismissed": ([1], [1]),
        "Warning": ([1], [1]),
        "Remedy": ([1], [1]),
    }


def test_a_cohort_counts_its_students_only(register: Register, db: None) -> None:
    section = integrity.section(Frame(programme_id=register.programme.pk, year=2026, cohort_id=register.first.pk))
    figures = _figures(section)
    assert figures["integrity.checks"] == (4, 3)
    assert figures["integrity.similarity_mean"] == (0.2125, 3)
    assert figures["integrity.cases_opened"] == (2, 2)  # s1's and s3's: no staff or partner case
    assert figures["integrity.cases_awaiting"] == (0, 0)


def test_the_previous_year(register: Register, db: None) -> None:
    earlier = _figures(integrity.section(Frame(programme_id=register.programme.pk, year=2026).previous()))
    assert earlier["integrity.checks"] == (1, 1)
    assert earlier["integrity.similarity_mean"] == (0.08, 1)
    assert earlier["integrity.cases_opened"] == (1, 1)  # s2's
    assert earlier["integrity.cases_decided"] == (0, 0)
    assert earlier["integrity.cases_awaiting"] == (1, 1)  # s2's, decided only in January 2026


def test_the_section_costs_the_same_queries_at_two_sizes(register: Register, db: None) -> None:
    frame = Frame(programme_id=register.programme.pk, year=2026)
    with CaptureQueriesContext(connection) as small:
        integrity.section(frame)
    s1 = register.students[0]
    for n in range(6):
        _check(s1, f"More work {n}", str(10 * n + 5), "passed", D(2026, 10, 1))
        _case(register.office, D(2026, 10, 1), subject_kind=SubjectKind.STUDENT, student=s1)
    with CaptureQueriesContext(connection) as large:
        section = integrity.section(frame)
    assert _figures(section)["integrity.checks"] == (11, 4)
    assert len(large) == len(small) <= 8
