"""The curriculum section of the quality report, against a small world with known answers: credits offered
and earned by category (an integrated course's I&E share counted twice, as ADR 0017 says), the I&E share,
and the teachers meeting the qualification rule on the report's day."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from curriculum.models import Course, GradeStatus, Offering, QualificationRule, TeacherExperience, TeacherProfile
from programmes.models import Cohort, CourseCategory, CreditRequirement, Programme
from quality.figures import Frame, Section, section_to_json
from quality.indicators import curriculum
from students.models import Student
from tests.factories.curriculum import (
    CourseFactory,
    CurriculumEntryFactory,
    EnrolmentFactory,
    GradeFactory,
    OfferingFactory,
    OfferingTeacherFactory,
    TeacherProfileFactory,
    TeacherTrainingFactory,
)
from tests.factories.partners import PartnerFactory, SiteFactory
from tests.factories.programmes import CohortFactory, ProgrammeFactory
from tests.factories.students import StudentFactory
from tests.quality.module_db import built_once

CORE, IE, INTEGRATED = CourseCategory.PROFESSIONAL_CORE, CourseCategory.INNOVATION, CourseCategory.INTEGRATED


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


@dataclass
class Built:
    programme: Programme
    cohort_2025: Cohort
    offering: Offering
    c1: Course


def build() -> Built:
    university = PartnerFactory.create(name="University U")
    hospital = PartnerFactory.create(name="Hospital H")
    site = SiteFactory.create(partner=university)
    programme = ProgrammeFactory.create(lead_university=university, first_intake_year=2024)
    other = ProgrammeFactory.create(lead_university=university)
    QualificationRule.objects.create(programme=programme, training_years=2, experience_years=Decimal("3"))
    for category, credits in ((CORE, "10"), (IE, "4"), (INTEGRATED, "2")):
        CreditRequirement.objects.create(programme=programme, category=category, credits=Decimal(credits))

    def course(category: str, credits: str, ie: str = "0") -> Course:
        return CourseFactory.create(
            category=category, credits=Decimal(credits), ie_credits=Decimal(ie), teaching_partner=university
        )

    c1, c2, c3 = course(CORE, "3"), course(CORE, "2"), course(IE, "2")
    c4, c5 = course(INTEGRATED, "2", ie="1"), course(CourseCategory.PROFESSIONAL_ELECTIVE, "1.5")
    for c, kind in ((c1, "compulsory"), (c2, "elective"), (c3, "compulsory"), (c4, "compulsory"), (c5, "elective")):
        CurriculumEntryFactory.create(programme=programme, course=c, kind=kind)
    CurriculumEntryFactory.create(programme=other, course=c1, kind="compulsory")

    def offer(c: Course, term: str, of: Programme = programme) -> Offering:
        return OfferingFactory.create(course=c, programme=of, term=term, site=site)

    # 2026's terms are 2025-2 (spring) and 2026-1 (autumn); 2024-2 is the spring of 2025.
    c1_spring, c1_autumn, c3_autumn, c4_spring = (
        offer(c1, "2025-2"),
        offer(c1, "2026-1"),
        offer(c3, "2026-1"),
        offer(c4, "2025-2"),
    )
    c2_2025 = offer(c2, "2024-2")
    offer(c2, "2024-1")  # autumn 2024: neither year
    c5_other = offer(c5, "2026-1", of=other)

    cohort_2025 = CohortFactory.create(programme=programme, intake_year=2025)
    cohort_2026 = CohortFactory.create(programme=programme, intake_year=2026)
    s1, s2 = (StudentFactory.create(programme=programme, cohort=cohort_2025) for _ in range(2))
    s3 = StudentFactory.create(programme=programme, cohort=cohort_2026)
    q1 = StudentFactory.create(programme=other)

    def grade(student: Student, offering: Offering, day: datetime.date, **extra: Any) -> None:
        enrolment = EnrolmentFactory.create(student=student, offering=offering)
        GradeFactory.create(enrolment=enrolment, submitted_at=at(day), **extra)

    grade(s1, c1_autumn, datetime.date(2026, 6, 10))
    grade(s1, c4_spring, datetime.date(2026, 7, 1))
    grade(s2, c1_spring, datetime.date(2026, 3, 1))
    grade(s2, c3_autumn, datetime.date(2026, 6, 1), passed=False, percentage=Decimal("40"))
    grade(s3, c3_autumn, datetime.date(2026, 12, 31))
    grade(s3, c1_autumn, datetime.date(2026, 6, 1), status=GradeStatus.DRAFT)
    grade(s1, c2_2025, datetime.date(2025, 6, 15))
    grade(q1, c5_other, datetime.date(2026, 6, 15))

    def teacher(partner: Any, trained: datetime.date | None = None, years: tuple[str, ...] = ()) -> TeacherProfile:
        profile = TeacherProfileFactory.create(partner=partner)
        if trained is not None:
            TeacherTrainingFactory.create(teacher=profile, taken_on=trained)
        for value in years:
            TeacherExperience.objects.create(
                teacher=profile, kind="industry", organisation="Imaging Co", role="Engineer", years=Decimal(value)
            )
        return profile

    t1 = teacher(university, trained=datetime.date(2025, 5, 1))
    t2 = teacher(university, trained=datetime.date(2024, 6, 1), years=("1", "1.5"))
    t3 = teacher(hospital, years=("3",))
    t4 = teacher(hospital, trained=datetime.date(2027, 1, 10))
    t5 = teacher(hospital, years=("9",))
    t6 = teacher(hospital, trained=datetime.date(2024, 3, 1))
    for offering, profile, hours, qualified, reason in (
        (c1_autumn, t1, 30, True, ""),
        (c1_autumn, t2, 10, False, ""),
        (c1_spring, t1, 30, True, ""),
        (c3_autumn, t3, 20, True, ""),
        (c3_autumn, t4, 12, False, "No one else this term."),
        (c4_spring, t2, 16, False, "Training booked."),
        (c5_other, t5, 20, True, ""),
        (c2_2025, t6, 20, True, ""),
    ):
        OfferingTeacherFactory.create(
            offering=offering, teacher=profile, hours=hours, qualified=qualified, override_reason=reason
        )
    return Built(programme=programme, cohort_2025=cohort_2025, offering=c1_autumn, c1=c1)


@pytest.fixture(scope="module")
def built(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Built]:
    yield from built_once(django_db_blocker, build)


def values(section: Section) -> dict[str, Any]:
    return {f.key: f.value for f in section.figures}


def rows(section: Section, key: str) -> dict[str, list[Any]]:
    table = section.table(key)
    assert table is not None
    return {row.key: row.values for row in table.rows}


def test_credits_offered_and_earned_by_category(built: Built, db: None) -> None:
    section = curriculum.section(Frame(programme_id=built.programme.pk, year=2026))
    figures = values(section)
    assert section.key == "curriculum"
    assert figures["curriculum.offerings"] == 4
    # Each course offered in the year once: C1 3 + C3 2 + C4 2; the I&E part is C3 and C4's share.
    assert figures["curriculum.credits_offered"] == 7.0
    assert figures["curriculum.ie_share_offered"] == round(3 / 7, 4)
    # Earned: s1 C1 3 + C4 2, s2 C1 3, s3 C3 2 (a failed grade, a draft and the other programme's: none).
    assert figures["curriculum.credits_earned"] == 10.0
    assert figures["curriculum.students_earning"] == 3
    assert figures["curriculum.credits_per_student"] == 3.33
    assert figures["curriculum.ie_share_earned"] == 0.3
    assert section.figure("curriculum.credits_earned").people == 3  # type: ignore[union-attr]

    # required, compulsory, elective, offered
    assert rows(section, "curriculum.credits_by_category") == {
        CORE: [10.0, 3.0, 2.0, 3.0],
        CourseCategory.PROFESSIONAL_ELECTIVE: [None, 0.0, 1.5, 0.0],
        IE: [4.0, 3.0, 0.0, 3.0],
        INTEGRATED: [2.0, 2.0, 0.0, 2.0],
    }
    earned = section.table("curriculum.earned_by_category")
    assert earned is not None and earned.chart == "bar"
    assert {r.key: (r.values, r.people) for r in earned.rows} == {
        CORE: ([6.0, 2], [2, 2]),
        IE: ([3.0, 2], [2, 2]),
        INTEGRATED: ([2.0, 1], [1, 1]),
    }
    assert all(r.translate for r in earned.rows)
    assert earned.rows[0].label == "Professional core"


def test_teachers_meeting_the_qualification_rule(built: Built, db: None) -> None:
    section = curriculum.section(Frame(programme_id=built.programme.pk, year=2026))
    figures = values(section)
    # T1 trained within 2 years, T3 3 years' experience; T2 lapsed with 2.5 years, T4 trained after the day.
    assert figures["curriculum.teachers"] == 4
    assert figures["curriculum.teachers_qualified_share"] == 0.5
    drill = section.figure("curriculum.teachers_qualified_share").drill  # type: ignore[union-attr]
    assert drill == f"/curriculum/faculty/?programme={built.programme.pk}&year=2026"
    # I&E hours: C3 (T3 20 qualified, T4 12) and C4 (T2 16): 20 of 48; two overrides.
    assert figures["curriculum.ie_hours_qualified_share"] == round(20 / 48, 4)
    assert figures["curriculum.qualification_overrides"] == 2
    by_partner = section.table("curriculum.teachers_by_partner")
    assert by_partner is not None
    assert [(r.label, r.values, r.people) for r in by_partner.rows] == [
        ("Hospital H", [0.5, 1, 2], [2, 2, 2]),
        ("University U", [0.5, 1, 2], [2, 2, 2]),
    ]
    assert not any(r.translate for r in by_partner.rows)
    # With the experience bar lowered to 2.5 years, T2 qualifies too.
    QualificationRule.objects.filter(programme=built.programme).update(experience_years=Decimal("2.5"))
    assert (
        values(curriculum.section(Frame(programme_id=built.programme.pk, year=2026)))[
            "curriculum.teachers_qualified_share"
        ]
        == 0.75
    )


def test_cohort_and_previous_year(built: Built, db: None) -> None:
    cohort = curriculum.section(Frame(programme_id=built.programme.pk, year=2026, cohort_id=built.cohort_2025.pk))
    figures = values(cohort)
    assert figures["curriculum.credits_earned"] == 8.0
    assert figures["curriculum.students_earning"] == 2
    assert figures["curriculum.offerings"] == 4  # offerings are the programme's
    previous = curriculum.section(Frame(programme_id=built.programme.pk, year=2026).previous())
    figures = values(previous)
    assert figures["curriculum.offerings"] == 1
    assert figures["curriculum.credits_earned"] == 2.0
    assert figures["curriculum.teachers"] == 1
    assert figures["curriculum.teachers_qualified_share"] == 1.0  # T6's 2024 training counts at the end of 2025


def test_queries_do_not_grow_with_the_data(built: Built, db: None) -> None:
    frame = Frame(programme_id=built.programme.pk, year=2026)
    with CaptureQueriesContext(connection) as small:
        curriculum.section(frame)
    for _ in range(5):
        student = StudentFactory.create(programme=built.programme, cohort=built.cohort_2025)
        enrolment = EnrolmentFactory.create(student=student, offering=built.offering)
        GradeFactory.create(enrolment=enrolment, submitted_at=at(datetime.date(2026, 5, 5)))
        OfferingTeacherFactory.create(offering=built.offering, teacher=TeacherProfileFactory.create())
    with CaptureQueriesContext(connection) as large:
        section = curriculum.section(frame)
    assert values(section)["curriculum.students_earning"] == 8
    assert len(small) == len(large) <= 15
    # What a report freezes: plain JSON (no Decimal, no lazy string).
    assert json.loads(json.dumps(section_to_json(section)))["key"] == section.key


def test_a_programme_with_nothing_yet(db: None) -> None:
    programme = ProgrammeFactory.create()
    section = curriculum.section(Frame(programme_id=programme.pk, year=2026))
    assert section.figures and all(f.value in (0, None) for f in section.figures)
    assert all(not t.rows or all(v in (0, None) for r in t.rows for v in r.values) for t in section.tables)
