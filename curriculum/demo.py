"""Demo curriculum: the demo programme's courses (every category, two integrated, a prerequisite chain),
its curriculum by term with shortfalls to show, objective coverage with an objective nothing masters and
an I&E objective only electives cover, teachers (a university lecturer whose I&E training lapses soon, an
enterprise engineer, a hospital physicist not qualified for I&E teaching, assigned by the office's
override), offerings over three terms, and ``student``'s grades, which show on the plan.

Everything goes through ``curriculum.services`` as it would have happened (enrolments on a day inside
their window). Idempotent: rows are looked up by natural keys first; nothing is graded twice.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from core.demo import DemoLogin, demo_user
from curriculum.models import (
    Course,
    CourseLink,
    CourseObjective,
    CurriculumEntry,
    Enrolment,
    ExperienceKind,
    Grade,
    LinkKind,
    Offering,
    OfferingTeacher,
    PlacementObjective,
    TeacherProfile,
)
from curriculum.services import courses, grades, offerings, teachers
from partners.models import Partner, Site
from programmes.models import CourseCategory, Objective, Programme
from students.models import Placement, Student

PROGRAMME_CODE = "mit-pm"

DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("teacher", "Qian Hui 钱慧", "teacher, university (enters grades)"),
    DemoLogin("engineer", "Ma Jun 马骏", "teacher, enterprise engineer"),
    DemoLogin("teacher-hospital", "Deng Ping 邓平", "teacher, hospital physicist (not qualified for I&E)"),
)

C = CourseCategory
# code, English title, Chinese title, category, credits, I&E credits, hours, partner, grading
COURSES = (
    ("MI501", "Medical Imaging Physics", "医学影像物理学", C.PROFESSIONAL_CORE, "3", "0", 48, "LMU", "percentage"),
    ("MI502", "CT Imaging Technology", "CT成像技术", C.PROFESSIONAL_CORE, "3", "0", 48, "LMU", "percentage"),
    ("MI503", "MR Imaging Technology", "磁共振成像技术", C.PROFESSIONAL_CORE, "3", "0", 48, "LMU", "percentage"),
    ("MI504", "Advanced Image Reconstruction", "高级图像重建", C.PROFESSIONAL_CORE, "2", "0", 32, "LMU", "percentage"),
    ("MI521", "Ultrasound Imaging", "超声成像", C.PROFESSIONAL_ELECTIVE, "2", "0", 32, "AH", "percentage"),
    (
        "MI522",
        "Deep Learning for Medical Images",
        "医学图像深度学习",
        C.PROFESSIONAL_ELECTIVE,
        "2",
        "0",
        32,
        "IMG-E",
        "percentage",
    ),
    ("MI523", "Radiation Protection", "辐射防护", C.PROFESSIONAL_ELECTIVE, "2", "0", 32, "AH", "pass_fail"),
    (
        "IE601",
        "Innovation and Entrepreneurship Foundations",
        "创新创业基础",
        C.INNOVATION,
        "2",
        "0",
        32,
        "LMU",
        "percentage",
    ),
    ("IE602", "Medical Device Product Design", "医疗器械产品设计", C.INNOVATION, "2", "0", 32, "AH", "percentage"),
    (
        "IE603",
        "Intellectual Property and Technology Transfer",
        "知识产权与技术转移",
        C.INNOVATION,
        "1",
        "0",
        16,
        "LMU",
        "pass_fail",
    ),
    ("IN611", "Imaging Equipment R&D Practice", "影像设备研发实践", C.INTEGRATED, "3", "1", 48, "IMG-E", "percentage"),
    ("IN612", "Clinical Innovation Workshop", "临床创新工作坊", C.INTEGRATED, "2", "1", 32, "AH", "percentage"),
    (
        "RM701",
        "Research Methods and Statistics",
        "科研方法与统计",
        C.RESEARCH_METHODS,
        "2",
        "0",
        32,
        "LMU",
        "percentage",
    ),
    ("RM702", "Scientific Writing", "科技论文写作", C.RESEARCH_METHODS, "1", "0", 16, "LMU", "pass_fail"),
    ("PR801", "Clinical Imaging Practice", "临床影像实践", C.PRACTICE, "4", "0", 64, "AH", "pass_fail"),
    ("PR802", "Enterprise Engineering Practice", "企业工程实践", C.PRACTICE, "2", "0", 32, "IMG-E", "pass_fail"),
    ("MI509", "Film-Screen Radiography", "屏片摄影", C.PROFESSIONAL_ELECTIVE, "1", "0", 16, "LMU", "percentage"),
)
RETIRED = {"MI509"}
# A prerequisite chain (MI501 -> MI502 -> MI504), MI503 on MI501; I&E modules integrated into courses.
LINKS = (
    ("MI502", "MI501", LinkKind.PREREQUISITE),
    ("MI503", "MI501", LinkKind.PREREQUISITE),
    ("MI504", "MI502", LinkKind.PREREQUISITE),
    ("IE602", "IE601", LinkKind.PREREQUISITE),
    ("IN611", "MI502", LinkKind.INTEGRATES),
    ("IN612", "IE601", LinkKind.INTEGRATES),
)
# course, compulsory?, term
CURRICULUM = (
    ("MI501", True, 1), ("IE601", True, 1), ("RM701", True, 1), ("MI521", False, 1),
    ("MI502", True, 2), ("MI503", True, 2), ("IN611", True, 2), ("MI522", False, 2), ("IE603", False, 2),
    ("MI504", True, 3), ("IE602", False, 3), ("IN612", False, 3), ("MI523", False, 3), ("RM702", False, 3),
    ("PR801", True, 4), ("PR802", False, 4),
)  # fmt: skip
# R1 is introduced and reinforced but nothing masters it; I1 (I&E) is covered only by electives.
COVERAGE = (
    ("MI501", "K1", 1), ("MI502", "K1", 2), ("MI504", "K1", 3), ("MI503", "K1", 2),
    ("MI502", "P1", 1), ("PR801", "P1", 3), ("MI522", "P2", 2), ("PR802", "P2", 2),
    ("RM701", "R1", 1), ("RM702", "R1", 2),
    ("IE602", "I1", 2), ("IE603", "I1", 1), ("IN612", "I1", 3),
)  # fmt: skip
PLACEMENT_COVERAGE = (("AH", "P1", 3), ("IMG-E", "P2", 3), ("BME-I", "K1", 2))


def _courses() -> dict[str, Course]:
    partners = {p.short_name: p for p in Partner.objects.filter(short_name__in=["LMU", "AH", "IMG-E", "BME-I"])}
    office = User.objects.get(username="office")
    found = {c.code: c for c in Course.objects.all()}
    for code, title_en, title_zh, category, credits, ie, hours, partner, grading in COURSES:
        if code in found:
            continue
        found[code] = courses.course_create(
            data={
                "code": code,
                "title_en": title_en,
                "title_zh": title_zh,
                "category": category,
                "credits": Decimal(credits),
                "ie_credits": Decimal(ie),
                "hours": hours,
                "teaching_partner": partners[partner],
                "grading": grading,
                "assessment": "Written examination and project report"
                if grading == "percentage"
                else "Practical assessment",
                "description": f"{title_en} for the joint Master's programme in medical imaging technology.",
                "status": "retired" if code in RETIRED else "active",
            },
            by=office,
        )
    return found


def _catalogue(programme: Programme, found: dict[str, Course], office: User) -> None:
    for code, other, kind in LINKS:
        if not CourseLink.objects.filter(course=found[code], other=found[other], kind=kind).exists():
            courses.course_link_add(course=found[code], other=found[other], kind=kind, by=office)
    for code, compulsory, term in CURRICULUM:
        if not CurriculumEntry.objects.filter(programme=programme, course=found[code]).exists():
            courses.curriculum_entry_set(
                programme=programme,
                course=found[code],
                kind="compulsory" if compulsory else "elective",
                term=term,
                by=office,
            )
    objectives = {o.code: o for o in Objective.objects.filter(programme=programme)}
    for code, objective, level in COVERAGE:
        if not CourseObjective.objects.filter(course=found[code], objective=objectives[objective]).exists():
            courses.course_objective_set(course=found[code], objective=objectives[objective], level=level, by=office)
    placements = Placement.objects.filter(student__user__username="student").select_related(
        "partner", "student__programme"
    )
    by_partner = {p.partner.short_name: p for p in placements}
    for short, objective, level in PLACEMENT_COVERAGE:
        placement = by_partner.get(short)
        if (
            placement is not None
            and not PlacementObjective.objects.filter(placement=placement, objective=objectives[objective]).exists()
        ):
            courses.placement_objective_set(
                placement=placement, objective=objectives[objective], level=level, by=office
            )


def _teachers(office: User, today: datetime.date) -> dict[str, TeacherProfile]:
    users = {login.username: demo_user(login) for login in DEMO_LOGINS}
    users["tutor"] = User.objects.get(username="tutor")
    partners = {p.short_name: p for p in Partner.objects.filter(short_name__in=["LMU", "AH", "IMG-E"])}
    specs = {
        "teacher": ("LMU", "Associate professor", "CT reconstruction; imaging physics"),
        "engineer": ("IMG-E", "Senior R&D engineer", "CT detector design; product development"),
        "teacher-hospital": ("AH", "Medical physicist", "Radiation dosimetry"),
        "tutor": ("LMU", "Professor", "MR physics; research methods"),
    }
    profiles = {}
    for username, (partner, position, fields) in specs.items():
        profile = TeacherProfile.objects.filter(user=users[username]).first()
        if profile is None:
            profile = teachers.teacher_profile_create(
                user=users[username], partner=partners[partner], position=position, research_fields=fields, by=office
            )
            if username == "teacher":
                # Trained nearly three years ago: qualified, but due for training soon.
                teachers.teacher_training_add(
                    teacher=profile,
                    title="Teaching Innovation and Entrepreneurship",
                    provider="Provincial Teacher Development Centre",
                    hours=40,
                    taken_on=today - datetime.timedelta(days=3 * 365 - 90),
                    by=office,
                )
            elif username == "engineer":
                teachers.teacher_experience_add(
                    teacher=profile, kind=ExperienceKind.INDUSTRY, organisation="Huaxin Imaging Equipment Co.",
                    role="Senior R&D engineer", years=Decimal("8"), by=office,
                )  # fmt: skip
                teachers.teacher_experience_add(
                    teacher=profile, kind=ExperienceKind.ENTREPRENEURSHIP, organisation="DetectX (start-up)",
                    role="Co-founder", years=Decimal("2"), by=office,
                )  # fmt: skip
            elif username == "teacher-hospital":
                teachers.teacher_experience_add(
                    teacher=profile, kind=ExperienceKind.INDUSTRY, organisation="Regional Radiation Monitoring Station",
                    role="Technician", years=Decimal("1"), by=office,
                )  # fmt: skip
        profiles[username] = profile
    return profiles


def seed() -> None:
    """The demo curriculum (see the module's docstring)."""
    office = User.objects.get(username="office")
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    today = timezone.localdate()
    found = _courses()
    _catalogue(programme, found, office)
    profiles = _teachers(office, today)
    student = Student.objects.get(user__username="student")
    student2 = Student.objects.get(user__username="student2")
    year = student.enrolled_on.year
    sites = {
        s.partner.short_name: s
        for s in Site.objects.select_related("partner").filter(partner__short_name__in=["LMU", "AH", "IMG-E"])
    }
    # code, term, site, weekday, start hour, teacher, opens (days from the term's start), grades (student, student2)
    term1, term2, term3 = f"{year}-1", f"{year}-2", f"{year + 1}-1"
    start1 = datetime.date(year, 9, 1)
    start2 = datetime.date(year + 1, 2, 20)
    plan = (
        ("MI501", term1, "LMU", 0, 8, "teacher", start1, ("88", "70")),
        ("IE601", term1, "LMU", 1, 8, "teacher", start1, ("91", None)),
        ("RM701", term1, "LMU", 2, 14, "tutor", start1, ("75", None)),
        ("MI502", term2, "LMU", 0, 8, "teacher", start2, ("82", "45")),
        ("IN611", term2, "IMG-E", 3, 9, "engineer", start2, ("85", None)),
        ("PR801", term2, "AH", 4, 8, "teacher-hospital", start2, ("pass", None)),
        ("MI503", term2, "LMU", 1, 14, "teacher", start2, (None, None)),
        ("MI504", term3, "LMU", 0, 8, "teacher", today - datetime.timedelta(days=7), None),
        ("IE602", term3, "AH", 2, 14, "teacher-hospital", today - datetime.timedelta(days=7), None),
    )
    for code, term, site, weekday, hour, teacher, opens, marks in plan:
        offering = Offering.objects.filter(course=found[code], programme=programme, term=term).first()
        if offering is None:
            offering = offerings.offering_create(
                data={
                    "course": found[code],
                    "programme": programme,
                    "term": term,
                    "site": sites[site],
                    "capacity": 30,
                    "weekday": weekday,
                    "starts_at": datetime.time(hour, 0),
                    "ends_at": datetime.time(hour + 2, 0),
                    "enrol_opens": opens,
                    "enrol_closes": opens + datetime.timedelta(days=21),
                },
                by=office,
            )
        if not OfferingTeacher.objects.filter(offering=offering).exists():
            reason = ""
            if code == "IE602":
                reason = "No qualified teacher at the hospital this term; training booked for next spring."
            teachers.offering_teacher_assign(
                offering=offering, teacher=profiles[teacher], override_reason=reason, by=office, today=today
            )
        if marks is None:
            continue
        for who, mark in zip((student, student2), marks, strict=True):
            if mark is None and not (code == "MI503" and who == student):
                continue
            if not Enrolment.objects.filter(offering=offering, student=who).exists():
                offerings.enrolment_create(offering=offering, student=who, by=office, today=opens)
            enrolment = Enrolment.objects.get(offering=offering, student=who)
            if mark is None or Grade.objects.filter(enrolment=enrolment).exists():
                continue
            grades.grade_record(
                enrolment=enrolment,
                by=profiles[teacher].user,
                percentage=None if mark == "pass" else Decimal(mark),
                passed=True if mark == "pass" else None,
                submit=True,
            )
