"""Demo programme: Medical Imaging Technology (professional master), its partners, requirements and
agreements. Idempotent: rows are looked up by their natural keys."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from partners.models import Partner
from programmes.models import (
    ActivityCategory,
    Agreement,
    AgreementParty,
    AgreementStatus,
    Cohort,
    CourseCategory,
    CreditRequirement,
    DegreeType,
    MilestoneKind,
    MilestoneTemplate,
    Objective,
    ObjectiveKind,
    Participation,
    ParticipationRole,
    Programme,
)

PROGRAMME_CODE = "mit-pm"

OBJECTIVES = (
    (ObjectiveKind.KNOWLEDGE, "K1", "Master the physics and engineering of CT, MR, DR/DSA and ultrasound imaging."),
    (ObjectiveKind.PRACTICAL, "P1", "Operate imaging equipment and run clinical protocols safely and independently."),
    (ObjectiveKind.PRACTICAL, "P2", "Perform image post-processing and equipment quality control."),
    (ObjectiveKind.RESEARCH, "R1", "Design and carry out a research experiment in medical imaging."),
    (ObjectiveKind.INNOVATION, "I1", "Turn a clinical need into a product idea and a development plan."),
)
CREDITS = (
    (CourseCategory.PROFESSIONAL_CORE, "12"),
    (CourseCategory.PROFESSIONAL_ELECTIVE, "6"),
    (CourseCategory.INNOVATION, "4"),
    (CourseCategory.INTEGRATED, "2"),
    (CourseCategory.RESEARCH_METHODS, "2"),
    (CourseCategory.PRACTICE, "6"),
)
ACTIVITY_CATEGORIES = (
    ("ct", "CT operation", 240),
    ("mr", "MR operation", 200),
    ("dr-dsa", "DR/DSA", 120),
    ("ultrasound", "Ultrasound", 80),
    ("post-processing", "Image post-processing", 120),
    ("qc", "Equipment quality control", 80),
    ("rnd", "R&D project work", 240),
    ("research", "Research experiment", 160),
)
MILESTONES = (
    (MilestoneKind.PROPOSAL, 9),
    (MilestoneKind.MIDTERM, 18),
    (MilestoneKind.THESIS, 32),
    (MilestoneKind.DEFENCE, 35),
)


def seed_programme() -> Programme:
    partners = {p.short_name: p for p in Partner.objects.filter(short_name__in=["LMU", "AH", "IMG-E", "BME-I"])}
    office = User.objects.get(username="office")
    programme, _created = Programme.objects.get_or_create(
        code=PROGRAMME_CODE,
        defaults={
            "name": "Medical Imaging Technology (Professional Master)",
            "degree_type": DegreeType.PROFESSIONAL,
            "duration_months": 36,
            "lead_university": partners["LMU"],
            "min_project_points": 10,
            "description": "A joint programme of the university, its affiliated hospital, an imaging-equipment "
            "enterprise and a biomedical-engineering institute.",
        },
    )
    roles = {"LMU": ParticipationRole.LEAD, "AH": ParticipationRole.TRAINING}
    roles |= {"IMG-E": ParticipationRole.TRAINING, "BME-I": ParticipationRole.TRAINING}
    for short_name, role in roles.items():
        Participation.objects.get_or_create(
            programme=programme,
            partner=partners[short_name],
            defaults={"role": role, "responsibilities": partners[short_name].responsibilities},
        )
    for kind, code, description in OBJECTIVES:
        Objective.objects.get_or_create(
            programme=programme, code=code, defaults={"kind": kind, "description": description}
        )
    for category, credits in CREDITS:
        CreditRequirement.objects.get_or_create(programme=programme, category=category, defaults={"credits": credits})
    for code, name, hours in ACTIVITY_CATEGORIES:
        ActivityCategory.objects.get_or_create(
            programme=programme, code=code, defaults={"name": name, "required_hours": hours}
        )
    for milestone_kind, offset in MILESTONES:
        MilestoneTemplate.objects.get_or_create(
            programme=programme, kind=milestone_kind, defaults={"offset_months": offset}
        )
    year = timezone.localdate().year
    for intake in (year - 1, year):
        Cohort.objects.get_or_create(programme=programme, intake_year=intake, defaults={"name": f"MIT {intake}"})
    start = datetime.date(year - 1, 1, 1)
    for short_name, years in (("AH", 5), ("IMG-E", 4), ("BME-I", 5)):
        title = f"Joint training agreement LMU-{short_name}"
        agreement, created = Agreement.objects.get_or_create(
            programme=programme,
            title=title,
            defaults={
                "start_date": start,
                "end_date": datetime.date(start.year + years, 12, 31),
                "status": AgreementStatus.SIGNED,
                "reference": f"LMU-{short_name}-{start.year}",
                "created_by": office,
            },
        )
        if created:
            AgreementParty.objects.create(
                agreement=agreement,
                partner=partners["LMU"],
                responsibilities="Curriculum, tutoring and the degree.",
                obligations="Assign an academic tutor to every student.",
            )
            AgreementParty.objects.create(
                agreement=agreement,
                partner=partners[short_name],
                responsibilities=partners[short_name].responsibilities,
                obligations="Provide a qualified supervisor and a place at the site for every placement.",
            )
    return programme
