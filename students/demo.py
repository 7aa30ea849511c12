"""Demo students: ``student`` with an approved plan across the hospital, the enterprise and the
institute; ``student2`` with a submitted plan. Built through the services, as people would."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from partners.models import Partner, Site
from programmes.demo import PROGRAMME_CODE
from programmes.models import ActivityCategory, Objective, Programme
from students import services
from students.models import PlanEvent, PlanStatus, PlanVersion, Student, TrainingPlan


def _enrol(office: User, username: str, number: str, programme: Programme, enrolled_on: datetime.date) -> Student:
    existing = Student.objects.filter(user__username=username).first()
    if existing is not None:
        return existing
    return services.student_create(
        by=office,
        user=User.objects.get(username=username),
        student_number=number,
        programme=programme,
        cohort=services.cohort_for(programme, enrolled_on.year),
        enrolled_on=enrolled_on,
        tutor=User.objects.get(username="tutor"),
        practice_supervisor=User.objects.get(username="sup-hospital"),
        research_direction="Low-dose CT reconstruction",
        career_intention="hospital",
        development_goals="Operate CT and MR independently; publish one conference paper.",
    )


def _move_back(plan: TrainingPlan, *, before: datetime.date) -> None:
    """Date the plan's versions and workflow steps an hour apart, ending the day before ``before``.

    Demo preparation only: evidence tables refuse bulk updates through their own manager; the base
    manager moves the timestamps once, here, right after the services wrote them."""
    end = timezone.make_aware(datetime.datetime.combine(before - datetime.timedelta(days=1), datetime.time(17)))
    versions = list(PlanVersion._base_manager.filter(plan=plan).order_by("number"))
    events = list(PlanEvent._base_manager.filter(plan=plan).order_by("at", "pk"))
    steps = len(versions) + len(events)
    for index, version in enumerate(versions):
        PlanVersion._base_manager.filter(pk=version.pk).update(created_at=end - datetime.timedelta(hours=steps - index))
    for index, event in enumerate(events, start=len(versions)):
        PlanEvent._base_manager.filter(pk=event.pk).update(at=end - datetime.timedelta(hours=steps - index))


def seed_students() -> None:
    office = User.objects.get(username="office")
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    today = timezone.localdate()
    enrolled_on = datetime.date(today.year - 1, 9, 1)
    objectives = {o.code: o for o in Objective.objects.filter(programme=programme)}
    categories = {c.code: c for c in ActivityCategory.objects.filter(programme=programme)}
    partners = {p.short_name: p for p in Partner.objects.filter(short_name__in=["AH", "IMG-E", "BME-I"])}
    sites = {
        s.partner.short_name: s for s in Site.objects.select_related("partner").filter(partner__in=partners.values())
    }
    supervisors = {
        "AH": User.objects.get(username="sup-hospital"),
        "IMG-E": User.objects.get(username="sup-enterprise"),
        "BME-I": User.objects.get(username="sup-institute"),
    }
    # The hospital placement ends two weeks ago; the enterprise one runs now; the institute comes next.
    periods = {
        "AH": (today - datetime.timedelta(days=180), today - datetime.timedelta(days=14)),
        "IMG-E": (today - datetime.timedelta(days=13), today + datetime.timedelta(days=150)),
        "BME-I": (today + datetime.timedelta(days=151), today + datetime.timedelta(days=330)),
    }
    plan_content = {
        "AH": (["P1", "P2"], {"ct": 240, "mr": 200, "dr-dsa": 120, "ultrasound": 80}),
        "IMG-E": (["P2", "I1"], {"post-processing": 120, "qc": 80, "rnd": 240}),
        "BME-I": (["R1", "K1"], {"research": 160}),
    }

    student = _enrol(office, "student", "2025MI001", programme, enrolled_on)
    plan = student.plan
    if not student.placements.exists():
        for short_name, (start, end) in periods.items():
            codes, hours = plan_content[short_name]
            services.placement_create(
                plan=plan,
                by=student.user,
                partner=partners[short_name],
                site=sites[short_name],
                supervisor=supervisors[short_name],
                start_date=start,
                end_date=end,
                objectives=[objectives[c] for c in codes],
                required_hours={categories[c]: h for c, h in hours.items()},
            )
        plan.refresh_from_db()
    if plan.status == PlanStatus.DRAFT:
        services.plan_submit(plan=plan, by=student.user)
        services.plan_tutor_approve(plan=plan, by=User.objects.get(username="tutor"))
        services.plan_approve(plan=plan, by=office)
        # Planned before it started: the plan's versions and approval steps are moved to before the first
        # placement (the services wrote them a moment ago, at the demo's "now").
        _move_back(plan, before=periods["AH"][0])

    student2 = _enrol(office, "student2", "2025MI002", programme, enrolled_on)
    plan2 = student2.plan
    if not student2.placements.exists():
        start, end = today + datetime.timedelta(days=20), today + datetime.timedelta(days=200)
        services.placement_create(
            plan=plan2,
            by=student2.user,
            partner=partners["AH"],
            site=sites["AH"],
            supervisor=supervisors["AH"],
            start_date=start,
            end_date=end,
            objectives=[objectives["P1"]],
            required_hours={categories["ct"]: 200, categories["mr"]: 160},
        )
        plan2.refresh_from_db()
    if plan2.status == PlanStatus.DRAFT:
        services.plan_submit(plan=plan2, by=student2.user)
