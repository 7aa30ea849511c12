"""Writes about offerings and enrolments: making an offering, and enrolling a student in one (refused with a
clear rule: prerequisites not passed, full, outside the window, already passed, a timetable clash)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from curriculum.models import (
    CourseLink,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    EnrolmentWithdrawal,
    Grade,
    GradeStatus,
    LinkKind,
    Offering,
)
from partners import access
from students.models import Student

OFFERING_FIELDS = (
    "course",
    "programme",
    "term",
    "site",
    "capacity",
    "weekday",
    "starts_at",
    "ends_at",
    "enrol_opens",
    "enrol_closes",
)


@transaction.atomic
def offering_create(*, data: dict[str, Any], by: User) -> Offering:
    """Offer a course in a term at a site, for a programme's students (the office)."""
    access.require(by, "create", Offering)
    offering = Offering(**{name: data[name] for name in OFFERING_FIELDS if name in data})
    if offering.course.status != CourseStatus.ACTIVE:
        raise refuse("course", "course_retired", _("A retired course is not offered any more."))
    offering.full_clean()
    offering._history_user = by  # type: ignore[attr-defined]
    offering.save()
    return offering


def passed_course_ids(student: Student) -> set[int]:
    """The courses the student has passed (a submitted, passing grade): one query."""
    return set(
        Grade.objects.filter(enrolment__student=student, status=GradeStatus.SUBMITTED, passed=True).values_list(
            "enrolment__offering__course_id", flat=True
        )
    )


def enrolment_refusal(*, offering: Offering, student: Student, today: datetime.date) -> Exception | None:
    """Why ``student`` cannot enrol in ``offering`` today (a refusal naming its rule), or None. Read only:
    the service calls it with the offering locked; pages call it to explain a disabled button."""
    course = offering.course
    if student.programme_id != offering.programme_id:
        return refuse("offering", "other_programme", _("This offering is for another programme's students."))
    if course.status != CourseStatus.ACTIVE:
        return refuse("offering", "course_retired", _("This course is retired."))
    if Enrolment.objects.filter(offering=offering, student=student, status=EnrolmentStatus.ENROLLED).exists():
        return refuse("offering", "already_enrolled", _("Already enrolled in this offering."))
    if not offering.window_open(today):
        return refuse(
            "offering",
            "outside_window",
            _("Enrolment is open from %(opens)s to %(closes)s.")
            % {"opens": offering.enrol_opens.isoformat(), "closes": offering.enrol_closes.isoformat()},
        )
    passed = passed_course_ids(student)
    if course.pk in passed:
        return refuse("offering", "already_passed", _("%(code)s is passed already.") % {"code": course.code})
    required = CourseLink.objects.filter(course=course, kind=LinkKind.PREREQUISITE).select_related("other")
    missing = sorted(link.other.code for link in required if link.other_id not in passed)
    if missing:
        return refuse(
            "offering",
            "prerequisites_not_passed",
            _("Pass the prerequisites first: %(courses)s.") % {"courses": ", ".join(missing)},
        )
    clash = (
        Enrolment.objects.filter(
            student=student,
            status=EnrolmentStatus.ENROLLED,
            offering__term=offering.term,
            offering__weekday=offering.weekday,
            offering__starts_at__lt=offering.ends_at,
            offering__ends_at__gt=offering.starts_at,
        )
        .exclude(offering=offering)
        .select_related("offering__course")
        .first()
    )
    if clash is not None:
        return refuse(
            "offering",
            "timetable_clash",
            _("This clashes with %(code)s (%(day)s %(start)s-%(end)s), which you are enrolled in.")
            % {
                "code": clash.offering.course.code,
                "day": clash.offering.get_weekday_display(),
                "start": clash.offering.starts_at.strftime("%H:%M"),
                "end": clash.offering.ends_at.strftime("%H:%M"),
            },
        )
    taken = Enrolment.objects.filter(offering=offering, status=EnrolmentStatus.ENROLLED).count()
    if taken >= offering.capacity:
        return refuse(
            "offering", "offering_full", _("This offering is full (%(n)s places).") % {"n": offering.capacity}
        )
    return None


@transaction.atomic
def enrolment_create(
    *, offering: Offering, student: Student, by: User, today: datetime.date | None = None
) -> Enrolment:
    """Enrol a student in an offering: the student themself, or the office for them."""
    today = today or timezone.localdate()
    access.require(by, "enrol", offering)
    if student.user_id != by.pk and not access.is_office(by):
        raise refuse("student", "not_yours", _("You may enrol only yourself."))
    # Lock the offering so two students cannot both take its last place.
    offering = Offering.objects.select_for_update(of=("self",)).select_related("course").get(pk=offering.pk)
    refusal = enrolment_refusal(offering=offering, student=student, today=today)
    if refusal is not None:
        raise refusal
    enrolment = Enrolment.objects.filter(offering=offering, student=student).first()
    if enrolment is None:
        enrolment = Enrolment(offering=offering, student=student, enrolled_by=by)
    enrolment.status = EnrolmentStatus.ENROLLED
    enrolment.enrolled_by, enrolment.enrolled_at = by, timezone.now()
    enrolment._history_user = by  # type: ignore[attr-defined]
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, by: User, reason: str) -> Enrolment:
    """Withdraw a student from an offering before it is graded: the student themself, or the office.
    The withdrawal is kept as evidence (``EnrolmentWithdrawal``: who, when, why); the enrolment's history
    records the change of status too."""
    access.require(by, "withdraw", enrolment)
    reason = reason.strip()
    if not reason:
        raise refuse("reason", "reason_required", _("Say why the student withdraws."))
    # Lock the enrolment so a grade entered at the same moment cannot slip past the check below.
    enrolment = Enrolment.objects.select_for_update(of=("self",)).get(pk=enrolment.pk)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise refuse("enrolment", "not_enrolled", _("The student has withdrawn from this offering already."))
    grade = Grade.objects.filter(enrolment=enrolment).first()
    if grade is not None and grade.is_locked:
        raise refuse(
            "enrolment",
            "already_graded",
            _("The grade is submitted and locked: a graded enrolment stays on the transcript and cannot be withdrawn."),
        )
    if grade is not None:
        raise refuse(
            "enrolment",
            "already_graded",
            _("A teacher has started grading this enrolment: it cannot be withdrawn. Ask the teacher."),
        )
    EnrolmentWithdrawal.objects.create(enrolment=enrolment, reason=reason, by=by)
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment._history_user = by  # type: ignore[attr-defined]
    enrolment._change_reason = reason[:100]  # type: ignore[attr-defined]
    enrolment.save(update_fields=["status"])
    return enrolment
