"""Writes about grades: a teacher enters them one by one or in bulk (a file, or the API with idempotency
keys), submits them (then they are locked), and corrects a submitted grade with a reason, kept as a
``GradeCorrection`` beside the grade's own history. Each write that changes what a student has earned keeps
their credits earned in step (``credits.earned_credits_refresh``, ADR 0070)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import first_error, refuse
from curriculum.models import (
    PASS_MARK,
    Course,
    Enrolment,
    EnrolmentStatus,
    Grade,
    GradeCorrection,
    GradeStatus,
    GradingScheme,
    Offering,
)
from curriculum.services.credits import earned_credits_refresh
from partners import access


def grade_values(*, course: Course, percentage: Decimal | None, passed: bool | None) -> tuple[Decimal | None, bool]:
    """The stored percentage and pass of a grade, as the course grades (percentage or pass/fail)."""
    if course.grading == GradingScheme.PERCENTAGE:
        if percentage is None:
            raise refuse(
                "percentage", "percentage_required", _("%(code)s is graded as a percentage.") % {"code": course.code}
            )
        if not Decimal("0") <= percentage <= Decimal("100"):
            raise refuse("percentage", "percentage_range", _("A percentage is between 0 and 100."))
        return percentage.quantize(Decimal("0.1")), percentage >= PASS_MARK
    if percentage is not None or passed is None:
        raise refuse("passed", "pass_fail_required", _("%(code)s is graded pass or fail.") % {"code": course.code})
    return None, passed


def parse_grade(text: str, course: Course) -> tuple[Decimal | None, bool | None]:
    """A grade typed in a sheet or a file: a number for percentage courses; pass/fail (P/F, 通过/不通过) else."""
    value = text.strip().rstrip("%").strip()
    if course.grading == GradingScheme.PASS_FAIL:
        lowered = value.lower()
        if lowered in {"pass", "p", "passed", "通过", "合格"}:
            return None, True
        if lowered in {"fail", "f", "failed", "不通过", "不合格"}:
            return None, False
        raise refuse("grade", "pass_fail_required", _("Write pass or fail."))
    try:
        return Decimal(value), None
    except InvalidOperation:
        raise refuse("grade", "percentage_required", _("Write a percentage from 0 to 100.")) from None


@transaction.atomic
def grade_record(
    *,
    enrolment: Enrolment,
    by: User,
    percentage: Decimal | None = None,
    passed: bool | None = None,
    submit: bool = False,
    idempotency_key: str | None = None,
) -> Grade:
    """Enter (or change, while still a draft) an enrolment's grade; ``submit`` locks it. Only the offering's
    teachers; a submitted grade is refused (``grade_locked``): correct it instead."""
    enrolment = Enrolment.objects.select_related("offering__course").get(pk=enrolment.pk)
    access.require(by, "grade", enrolment.offering)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise refuse("enrolment", "not_enrolled", _("The student has withdrawn from this offering."))
    grade = Grade.objects.select_for_update().filter(enrolment=enrolment).first()
    if grade is not None and grade.is_locked:
        raise refuse("percentage", "grade_locked", _("This grade is submitted and locked: correct it with a reason."))
    value, did_pass = grade_values(course=enrolment.offering.course, percentage=percentage, passed=passed)
    now = timezone.now()
    if grade is None:
        grade = Grade(enrolment=enrolment, entered_by=by, idempotency_key=idempotency_key)
    grade.percentage, grade.passed, grade.entered_by, grade.entered_at = value, did_pass, by, now
    if submit:
        grade.status, grade.submitted_by, grade.submitted_at = GradeStatus.SUBMITTED, by, now
    grade._history_user = by  # type: ignore[attr-defined]
    grade.save()
    if grade.status == GradeStatus.SUBMITTED:  # a draft earns nothing yet
        earned_credits_refresh([enrolment.student_id])
    return grade


@transaction.atomic
def grades_submit(*, offering: Offering, by: User) -> int:
    """Submit (and so lock) every draft grade of an offering; returns how many."""
    access.require(by, "grade", offering)
    now, students = timezone.now(), []
    drafts = Grade.objects.select_for_update(of=("self",)).select_related("enrolment")
    for grade in drafts.filter(enrolment__offering=offering, status=GradeStatus.DRAFT):
        grade.status, grade.submitted_by, grade.submitted_at = GradeStatus.SUBMITTED, by, now
        grade._history_user = by  # type: ignore[attr-defined]
        grade.save(update_fields=["status", "submitted_by", "submitted_at"])
        students.append(grade.enrolment.student_id)
    earned_credits_refresh(students)
    return len(students)


@transaction.atomic
def grade_correct(
    *, grade: Grade, by: User, reason: str, percentage: Decimal | None = None, passed: bool | None = None
) -> Grade:
    """Change a submitted grade: the offering's teachers or the office, with a reason. The correction row
    keeps the value before and after; the grade's history keeps who and when."""
    access.require(by, "correct", grade)
    grade = Grade.objects.select_for_update(of=("self",)).select_related("enrolment__offering__course").get(pk=grade.pk)
    if not grade.is_locked:
        raise refuse("percentage", "grade_not_submitted", _("A draft grade is changed on the grade sheet."))
    if not reason.strip():
        raise refuse("reason", "reason_required", _("Say why the grade changes."))
    value, did_pass = grade_values(course=grade.enrolment.offering.course, percentage=percentage, passed=passed)
    if value == grade.percentage and did_pass == grade.passed:
        raise refuse("percentage", "no_change", _("The grade is that already."))
    GradeCorrection.objects.create(
        grade=grade,
        old_percentage=grade.percentage,
        old_passed=grade.passed,
        new_percentage=value,
        new_passed=did_pass,
        reason=reason.strip(),
        by=by,
    )
    grade.percentage, grade.passed = value, did_pass
    grade._history_user = by  # type: ignore[attr-defined]
    grade._change_reason = reason.strip()  # type: ignore[attr-defined]
    grade.save(update_fields=["percentage", "passed"])
    earned_credits_refresh([grade.enrolment.student_id])  # a pass may have become a fail, or the other way
    return grade


# --- Bulk entry through the API ---------------------------------------------------------------------


class BulkRowStatus:
    CREATED = "created"
    DUPLICATE = "duplicate"
    REFUSED = "refused"


@dataclass(frozen=True)
class BulkGrade:
    """One row of a bulk submission."""

    index: int
    enrolment_id: int
    idempotency_key: str
    percentage: Decimal | None = None
    passed: bool | None = None
    submit: bool = True


@dataclass(frozen=True)
class BulkOutcome:
    index: int
    idempotency_key: str | None
    status: str
    id: int | None
    rule: str | None = None
    field: str | None = None
    message: str | None = None


def grades_bulk_record(*, rows: list[BulkGrade], by: User) -> list[BulkOutcome]:
    """Record many grades, each row on its own (a refused row stops nothing). A row whose key ``by`` used
    before answers ``duplicate`` with the grade made then, and changes nothing."""
    outcomes = []
    for row in rows:
        earlier = Grade.objects.filter(entered_by=by, idempotency_key=row.idempotency_key).first()
        if earlier is not None:
            outcomes.append(BulkOutcome(row.index, row.idempotency_key, BulkRowStatus.DUPLICATE, earlier.pk))
            continue
        enrolment = access.scope(Enrolment.objects.all(), by, "view").filter(pk=row.enrolment_id).first()
        if enrolment is None:
            outcomes.append(
                BulkOutcome(
                    row.index,
                    row.idempotency_key,
                    BulkRowStatus.REFUSED,
                    None,
                    "not_found",
                    "enrolment",
                    _("No such enrolment."),
                )
            )
            continue
        try:
            with transaction.atomic():
                if not access.can(by, "grade", enrolment.offering):
                    raise refuse("enrolment", "not_your_offering", _("You do not teach this offering."))
                grade = grade_record(
                    enrolment=enrolment,
                    by=by,
                    percentage=row.percentage,
                    passed=row.passed,
                    submit=row.submit,
                    idempotency_key=row.idempotency_key,
                )
        except ValidationError as error:
            field, rule, message = first_error(error)
            outcomes.append(
                BulkOutcome(
                    row.index, row.idempotency_key, BulkRowStatus.REFUSED, None, rule or "invalid", field, message
                )
            )
            continue
        except IntegrityError:
            # The same key in flight twice at once: the first made the grade.
            earlier = Grade.objects.filter(entered_by=by, idempotency_key=row.idempotency_key).first()
            if earlier is None:
                raise
            outcomes.append(BulkOutcome(row.index, row.idempotency_key, BulkRowStatus.DUPLICATE, earlier.pk))
            continue
        outcomes.append(BulkOutcome(row.index, row.idempotency_key, BulkRowStatus.CREATED, grade.pk))
    return outcomes
