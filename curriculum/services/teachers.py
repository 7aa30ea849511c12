"""Writes about teachers: profiles, their I&E training and experience, and assigning them to offerings
(an unqualified teacher of an I&E or integrated course needs the office's override with a reason)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.uploads import validate_pdf
from core.validation import refuse
from curriculum.models import (
    ExperienceKind,
    Offering,
    OfferingTeacher,
    QualificationRule,
    TeacherExperience,
    TeacherProfile,
    TeacherTraining,
)
from partners import access
from partners.models import Partner
from programmes.models import Programme
from students.models import add_months

CERTIFICATE_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Qualification:
    """Whether a teacher is qualified for I&E teaching under a rule, and why."""

    qualified: bool
    by_training: bool
    by_experience: bool
    #: the day the latest I&E training stops counting (None: no training)
    training_valid_until: datetime.date | None
    experience_years: Decimal


def rule_for(programme: Programme | None) -> QualificationRule:
    """The programme's rule, or the defaults (I&E training within 3 years, or 2 years' experience)."""
    if programme is not None:
        rule = QualificationRule.objects.filter(programme=programme).first()
        if rule is not None:
            return rule
    return QualificationRule(programme=programme)


def qualification_of(
    *,
    trainings: Iterable[TeacherTraining],
    experience: Iterable[TeacherExperience],
    rule: QualificationRule,
    today: datetime.date,
) -> Qualification:
    """A teacher's qualification from rows already read (no query)."""
    latest = max((t.taken_on for t in trainings), default=None)
    valid_until = add_months(latest, 12 * rule.training_years) if latest is not None else None
    by_training = valid_until is not None and valid_until >= today
    years = sum((e.years for e in experience), Decimal("0"))
    by_experience = years >= rule.experience_years
    return Qualification(
        qualified=by_training or by_experience,
        by_training=by_training,
        by_experience=by_experience,
        training_valid_until=valid_until,
        experience_years=years,
    )


def teacher_qualification(
    *, teacher: TeacherProfile, programme: Programme | None, today: datetime.date | None = None
) -> Qualification:
    """A teacher's qualification under a programme's rule, as of today (three queries)."""
    return qualification_of(
        trainings=list(teacher.trainings.all()),
        experience=list(teacher.experience.all()),
        rule=rule_for(programme),
        today=today or timezone.localdate(),
    )


@transaction.atomic
def teacher_profile_create(
    *, user: User, partner: Partner, by: User, position: str = "", research_fields: str = ""
) -> TeacherProfile:
    """Make someone a teacher (the office). Their I&E training and experience are added afterwards
    (``teacher_training_add``, ``teacher_experience_add``): the qualification is worked out from those."""
    access.require(by, "create", TeacherProfile)
    if TeacherProfile.objects.filter(user=user).exists():
        raise refuse("user", "teacher_exists", _("This person is a teacher already."))
    if not user.is_active:
        raise refuse("user", "inactive_user", _("This account is closed: choose an active one."))
    profile = TeacherProfile(
        user=user, partner=partner, position=position.strip(), research_fields=research_fields.strip()
    )
    profile.full_clean()
    profile._history_user = by  # type: ignore[attr-defined]
    profile.save()
    return profile


@transaction.atomic
def teacher_profile_update(
    *, teacher: TeacherProfile, by: User, partner: Partner, position: str = "", research_fields: str = ""
) -> TeacherProfile:
    """Change a teacher's profile: the office; the coordinators of the teacher's partner; the teacher.
    Only the office moves a teacher to another partner. Offerings they were assigned to keep the
    qualification (and override) they were assigned with; the profile keeps its history."""
    access.require(by, "change", teacher)
    if partner.pk != teacher.partner_id and not access.is_office(by):
        raise refuse("partner", "partner_office_only", _("Only the office moves a teacher to another partner."))
    teacher.partner = partner
    teacher.position, teacher.research_fields = position.strip(), research_fields.strip()
    teacher.full_clean()
    teacher._history_user = by  # type: ignore[attr-defined]
    teacher.save()
    return teacher


@transaction.atomic
def teacher_training_add(
    *,
    teacher: TeacherProfile,
    title: str,
    provider: str,
    hours: int,
    taken_on: datetime.date,
    by: User,
    certificate: Any = None,
) -> TeacherTraining:
    """Record an I&E training a teacher took, with its certificate (a PDF), if any."""
    access.require(by, "change", teacher)
    if taken_on > timezone.localdate():
        raise refuse("taken_on", "training_in_future", _("A training is recorded once it has taken place."))
    if certificate is not None:
        validate_pdf(certificate, field="certificate", max_bytes=CERTIFICATE_MAX_BYTES)
    training = TeacherTraining(teacher=teacher, title=title.strip(), provider=provider.strip(), hours=hours)
    training.taken_on = taken_on
    if certificate is not None:
        training.certificate = certificate
    training.full_clean()
    training._history_user = by  # type: ignore[attr-defined]
    training.save()
    return training


@transaction.atomic
def teacher_experience_add(
    *, teacher: TeacherProfile, kind: str, organisation: str, role: str, years: Decimal, by: User
) -> TeacherExperience:
    """Record industry experience, or a venture the teacher founded or worked in."""
    access.require(by, "change", teacher)
    if kind not in ExperienceKind.values:
        raise refuse("kind", "invalid_kind", _("Choose industry or entrepreneurship."))
    row = TeacherExperience(
        teacher=teacher, kind=kind, organisation=organisation.strip(), role=role.strip(), years=years
    )
    row.full_clean()
    row._history_user = by  # type: ignore[attr-defined]
    row.save()
    return row


@transaction.atomic
def offering_teacher_assign(
    *,
    offering: Offering,
    teacher: TeacherProfile,
    by: User,
    hours: int | None = None,
    override_reason: str = "",
    today: datetime.date | None = None,
) -> OfferingTeacher:
    """Assign a teacher to an offering (the office; coordinators of the offering's partner). For an I&E or
    integrated course the teacher must be qualified under the programme's rule; otherwise only the office
    may assign them, with a reason: the assignment is flagged as an override."""
    access.require(by, "change", offering)
    if OfferingTeacher.objects.filter(offering=offering, teacher=teacher).exists():
        raise refuse("teacher", "teacher_assigned", _("This teacher already teaches this offering."))
    course = offering.course
    reason = override_reason.strip()
    qualified = True
    if course.is_ie:
        qualification = teacher_qualification(teacher=teacher, programme=offering.programme, today=today)
        qualified = qualification.qualified
        if not qualified and not reason:
            raise refuse(
                "teacher",
                "teacher_unqualified",
                _(
                    "%(teacher)s is not qualified to teach an I&E course under the programme's rule (I&E training "
                    "within the last years, or enough industry or entrepreneurship experience). Only the office "
                    "may assign them, with a reason."
                )
                % {"teacher": teacher.user.display_name},
            )
        if not qualified and not access.can(by, "override", offering):
            raise refuse("override_reason", "override_office_only", _("Only the office may override the rule."))
    assignment = OfferingTeacher(
        offering=offering,
        teacher=teacher,
        hours=hours if hours is not None else course.hours,
        qualified=qualified,
        override_reason="" if qualified else reason,
        assigned_by=by,
    )
    assignment._history_user = by  # type: ignore[attr-defined]
    assignment.save()
    return assignment


@transaction.atomic
def qualification_rule_set(
    *, programme: Programme, training_years: int, experience_years: Decimal, by: User
) -> QualificationRule:
    """Set a programme's qualification rule for I&E teaching (the office). Assignments already made keep
    the qualification they were made with."""
    access.require(by, "manage_curriculum", programme)
    if training_years < 1 or experience_years < 0:
        raise refuse("training_years", "invalid_rule", _("Give at least one year of training validity."))
    rule = QualificationRule.objects.filter(programme=programme).first() or QualificationRule(programme=programme)
    rule.training_years, rule.experience_years = training_years, experience_years
    rule._history_user = by  # type: ignore[attr-defined]
    rule.save()
    return rule
