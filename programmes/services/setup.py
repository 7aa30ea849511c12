"""Setting up a programme (the graduate office): the programme itself, its objectives, requirements,
activity categories, cohorts and participating partners; copying it to start next year's.

Every change is recorded with who and when: the programme, objectives, activity categories, cohorts and
participations keep their history (django-simple-history, with the office user), and the requirements
(credits by course category, hours by activity category, milestones with their offsets, project points)
are kept as numbered ``RequirementsVersion`` snapshots. A training plan approved under one version keeps
it (``students`` sets ``TrainingPlan.requirements_version`` on approval).

Rules that need a higher app's data (a duration that existing plans exceed) are asked of the checks that
app registers in ``PROGRAMME_DURATION_CHECKS`` (the students app does, from its ``ready()``): this module
imports nothing above programmes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from partners import access
from partners.models import Partner, PartnerKind, PartnerStatus
from programmes.models import (
    ActivityCategory,
    Cohort,
    CourseCategory,
    CreditRequirement,
    MilestoneKind,
    MilestoneTemplate,
    Objective,
    Participation,
    ParticipationRole,
    Programme,
    ProgrammeStatus,
    RequirementsVersion,
)

#: Checks a higher app registers: given a programme and a proposed duration in months, a message saying
#: why the duration is too short for what exists (``None`` when it is not). See the module docstring.
PROGRAMME_DURATION_CHECKS: list[Callable[[Programme, int], str | None]] = []


class ProgrammeFields(TypedDict, total=False):
    """A programme's own fields, as keyword arguments of ``programme_create`` and ``programme_update``."""

    name: str
    code: str
    degree_type: str
    duration_months: int
    lead_university: Partner
    status: str
    description: str
    first_intake_year: int | None
    last_intake_year: int | None


PROGRAMME_FIELDS = tuple(ProgrammeFields.__annotations__)


@dataclass(frozen=True)
class Requirements:
    """What every student of the programme must achieve: credits by course category, hours by activity
    category (by its code), milestones by kind with their months after enrolment, and project points."""

    credits: Mapping[str, Decimal] = field(default_factory=dict)
    hours: Mapping[str, int] = field(default_factory=dict)
    milestones: Mapping[str, int] = field(default_factory=dict)
    project_points: int = 0

    def snapshot(self) -> dict[str, Any]:
        """As plain data (credits as text, so JSON keeps their decimals), in a fixed order."""
        return {
            "credits": {k: str(Decimal(v).quantize(Decimal("0.1"))) for k, v in sorted(self.credits.items())},
            "hours": dict(sorted(self.hours.items())),
            "milestones": dict(sorted(self.milestones.items(), key=lambda kv: (kv[1], kv[0]))),
            "project_points": self.project_points,
        }


# --- Reading the requirements ---------------------------------------------------------------------------


def programme_requirements(programme: Programme) -> Requirements:
    """The programme's requirements as its rows say now."""
    return Requirements(
        credits={r.category: r.credits for r in CreditRequirement.objects.filter(programme=programme)},
        hours={
            c.code: c.required_hours
            for c in ActivityCategory.objects.filter(programme=programme)
            if c.required_hours > 0
        },
        milestones={m.kind: m.offset_months for m in MilestoneTemplate.objects.filter(programme=programme)},
        project_points=programme.min_project_points,
    )


def _record_requirements(programme: Programme, *, by: User | None, summary: str) -> RequirementsVersion:
    """A new version when the requirements differ from the latest one (the latest otherwise)."""
    snapshot = programme_requirements(programme).snapshot()
    latest = RequirementsVersion.objects.filter(programme=programme).order_by("-number").first()
    if latest is not None and latest.snapshot == snapshot:
        return latest
    number = (latest.number if latest is not None else 0) + 1
    return RequirementsVersion.objects.create(
        programme=programme, number=number, snapshot=snapshot, summary=summary[:300], created_by=by
    )


def requirements_version_current(programme: Programme, *, by: User | None = None) -> RequirementsVersion:
    """The version the programme's requirements are at now: the latest, or a first one written now for a
    programme set up before versions were kept."""
    return _record_requirements(programme, by=by, summary=_("Requirements as they stood."))


# --- The programme -----------------------------------------------------------------------------------------


def _set_fields(programme: Programme, fields: ProgrammeFields) -> None:
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"not a programme field: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(programme, name, value)


def _validate_programme(programme: Programme, *, creating: bool) -> None:
    errors: dict[str, list[str]] = {}
    try:
        programme.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors.update({k: list(v) for k, v in error.message_dict.items()})
    lead = programme.lead_university if programme.lead_university_id else None
    if lead is not None and lead.kind != PartnerKind.UNIVERSITY:
        errors.setdefault("lead_university", []).append(_("The lead must be a university."))
    first, last = programme.first_intake_year, programme.last_intake_year
    if first is not None and last is not None and last < first:
        errors.setdefault("last_intake_year", []).append(_("The last intake year cannot be before the first."))
    if not creating and "duration_months" not in errors:
        for check in PROGRAMME_DURATION_CHECKS:
            message = check(programme, programme.duration_months)
            if message:
                raise refuse("duration_months", "duration_exceeded", message)
    if not creating and (first is not None or last is not None):
        outside = Cohort.objects.filter(programme=programme)
        inside = outside
        if first is not None:
            inside = inside.filter(intake_year__gte=first)
        if last is not None:
            inside = inside.filter(intake_year__lte=last)
        stray = outside.exclude(pk__in=inside.values("pk")).order_by("intake_year").first()
        if stray is not None:
            raise refuse(
                "first_intake_year" if first is not None and stray.intake_year < first else "last_intake_year",
                "cohort_outside_programme",
                _("The cohort of %(year)s would fall outside these intake years.") % {"year": stray.intake_year},
            )
    if errors:
        raise ValidationError(errors)


def _unique_code(programme: Programme) -> None:
    if Programme.objects.filter(code=programme.code).exclude(pk=programme.pk).exists():
        raise refuse("code", "duplicate", _("Another programme has the code %(code)s.") % {"code": programme.code})


@transaction.atomic
def programme_create(*, by: User, **fields: Unpack[ProgrammeFields]) -> Programme:
    """Set up a programme (office). Its lead university takes part in it as the lead, and its (empty)
    requirements are version 1."""
    access.require(by, "create", Programme)
    programme = Programme()
    _set_fields(programme, fields)
    _validate_programme(programme, creating=True)
    _unique_code(programme)
    programme._history_user = by  # type: ignore[attr-defined]
    programme.save()
    lead = programme.lead_university
    participation = Participation(
        programme=programme, partner=lead, role=ParticipationRole.LEAD, responsibilities=lead.responsibilities
    )
    participation._history_user = by  # type: ignore[attr-defined]
    participation.save()
    _record_requirements(programme, by=by, summary=_("Programme set up."))
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, by: User, **fields: Unpack[ProgrammeFields]) -> Programme:
    """Change a programme's own fields (office); only those given change. A shorter duration is refused
    while existing plans run past it; intake years are refused when a cohort would fall outside them."""
    access.require(by, "change", programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _set_fields(programme, fields)
    _validate_programme(programme, creating=False)
    _unique_code(programme)
    programme._history_user = by  # type: ignore[attr-defined]
    programme.save()
    if (
        programme.lead_university_id
        and not Participation.objects.filter(programme=programme, partner_id=programme.lead_university_id).exists()
    ):
        lead = Participation(programme=programme, partner=programme.lead_university, role=ParticipationRole.LEAD)
        lead._history_user = by  # type: ignore[attr-defined]
        lead.save()
    return programme


@transaction.atomic
def programme_requirements_set(
    *, programme: Programme, by: User, requirements: Requirements, summary: str = ""
) -> RequirementsVersion:
    """Replace the programme's requirements (office) and keep them as the next version. Plans approved
    earlier keep the version they were approved under.

    Refused: a course category that does not exist, hours for an activity category the programme does not
    have, a milestone kind that does not exist or due after the programme's end, credits or hours below
    zero."""
    access.require(by, "change", programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    categories = {c.code: c for c in ActivityCategory.objects.filter(programme=programme)}
    for category, credits in requirements.credits.items():
        if category not in CourseCategory.values:
            raise refuse(
                "credits", "unknown_category", _("%(category)s is not a course category.") % {"category": category}
            )
        if Decimal(credits) < 0:
            raise refuse("credits", "invalid", _("Credits cannot be below zero."))
    for code, hours in requirements.hours.items():
        if code not in categories:
            raise refuse(
                "hours",
                "category_not_in_programme",
                _("The programme has no activity category “%(code)s”: add the category first.") % {"code": code},
            )
        if hours < 0:
            raise refuse("hours", "invalid", _("Hours cannot be below zero."))
    for kind, offset in requirements.milestones.items():
        if kind not in MilestoneKind.values:
            raise refuse("milestones", "unknown_category", _("%(kind)s is not a milestone.") % {"kind": kind})
        if not 0 < offset <= programme.duration_months:
            raise refuse(
                "milestones",
                "milestone_outside_programme",
                _("A milestone is due between 1 and %(months)s months after enrolment (the programme's duration).")
                % {"months": programme.duration_months},
            )
    if requirements.project_points < 0:
        raise refuse("project_points", "invalid", _("Project points cannot be below zero."))

    CreditRequirement.objects.filter(programme=programme).delete()
    CreditRequirement.objects.bulk_create(
        CreditRequirement(programme=programme, category=course, credits=Decimal(credits))
        for course, credits in requirements.credits.items()
        if Decimal(credits) > 0
    )
    for code, activity in categories.items():
        hours = requirements.hours.get(code, 0)
        if activity.required_hours != hours:
            activity.required_hours = hours
            activity._history_user = by  # type: ignore[attr-defined]
            activity.save(update_fields=["required_hours"])
    MilestoneTemplate.objects.filter(programme=programme).delete()
    MilestoneTemplate.objects.bulk_create(
        MilestoneTemplate(programme=programme, kind=kind, offset_months=offset)
        for kind, offset in requirements.milestones.items()
    )
    if programme.min_project_points != requirements.project_points:
        programme.min_project_points = requirements.project_points
        programme._history_user = by  # type: ignore[attr-defined]
        programme.save(update_fields=["min_project_points"])
    return _record_requirements(programme, by=by, summary=summary.strip() or _("Requirements changed."))


@transaction.atomic
def programme_copy(
    *,
    programme: Programme,
    by: User,
    name: str,
    code: str,
    first_intake_year: int | None = None,
    last_intake_year: int | None = None,
) -> Programme:
    """Start next year's programme from this one (office): a draft with the same degree, duration, lead,
    objectives, activity categories, requirements and participating partners (suspended ones left out);
    no cohorts, students or agreements. Its requirements start at version 1."""
    access.require(by, "view", programme)
    access.require(by, "create", Programme)
    copy = programme_create(
        by=by,
        name=name,
        code=code,
        degree_type=programme.degree_type,
        duration_months=programme.duration_months,
        lead_university=programme.lead_university,
        status=ProgrammeStatus.DRAFT,
        description=programme.description,
        first_intake_year=first_intake_year,
        last_intake_year=last_intake_year,
    )
    for objective in Objective.objects.filter(programme=programme).order_by("code"):
        row = Objective(programme=copy, kind=objective.kind, code=objective.code, description=objective.description)
        row._history_user = by  # type: ignore[attr-defined]
        row.save()
    for category in ActivityCategory.objects.filter(programme=programme).order_by("code"):
        row_c = ActivityCategory(programme=copy, code=category.code, name=category.name)
        row_c._history_user = by  # type: ignore[attr-defined]
        row_c.save()
    participations = Participation.objects.filter(programme=programme).exclude(partner_id=programme.lead_university_id)
    for participation in participations.select_related("partner").exclude(partner__status=PartnerStatus.SUSPENDED):
        row_p = Participation(
            programme=copy,
            partner=participation.partner,
            role=participation.role,
            responsibilities=participation.responsibilities,
        )
        row_p._history_user = by  # type: ignore[attr-defined]
        row_p.save()
    lead = Participation.objects.filter(programme=programme, partner_id=programme.lead_university_id).first()
    new_lead = Participation.objects.filter(programme=copy, partner_id=programme.lead_university_id).first()
    if lead is not None and new_lead is not None and new_lead.responsibilities != lead.responsibilities:
        new_lead.responsibilities = lead.responsibilities
        new_lead._history_user = by  # type: ignore[attr-defined]
        new_lead.save(update_fields=["responsibilities"])
    programme_requirements_set(
        programme=copy,
        by=by,
        requirements=programme_requirements(programme),
        summary=_("Copied from %(code)s.") % {"code": programme.code},
    )
    return copy


# --- Objectives, activity categories, cohorts, participations -------------------------------------------


def _save(row: Any, by: User, unique_message: str, unique_field: str) -> None:
    try:
        row.full_clean(validate_constraints=False, exclude=["programme"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    row._history_user = by
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise refuse(unique_field, "duplicate", unique_message) from None


@transaction.atomic
def objective_create(*, programme: Programme, by: User, kind: str, code: str, description: str) -> Objective:
    """Add a training objective to a programme (office); its code is unique in the programme."""
    access.require(by, "change", programme)
    objective = Objective(programme=programme, kind=kind, code=code.strip(), description=description.strip())
    _save(objective, by, _("The programme already has an objective %(code)s.") % {"code": code}, "code")
    return objective


@transaction.atomic
def objective_update(*, objective: Objective, by: User, kind: str, code: str, description: str) -> Objective:
    """Change an objective (office); placements that address it keep addressing it."""
    access.require(by, "change", objective.programme)
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    objective.kind, objective.code, objective.description = kind, code.strip(), description.strip()
    _save(objective, by, _("The programme already has an objective %(code)s.") % {"code": code}, "code")
    return objective


@transaction.atomic
def activity_category_create(
    *, programme: Programme, by: User, code: str, name: str, required_hours: int = 0
) -> ActivityCategory:
    """Add an activity category to the programme's practice catalogue (office); hours it requires there
    make a new requirements version."""
    access.require(by, "change", programme)
    category = ActivityCategory(
        programme=programme, code=code.strip(), name=name.strip(), required_hours=required_hours
    )
    _save(category, by, _("The programme already has a category %(code)s.") % {"code": code}, "code")
    if required_hours:
        _record_requirements(programme, by=by, summary=_("Category %(name)s added.") % {"name": category.name})
    return category


@transaction.atomic
def activity_category_update(*, category: ActivityCategory, by: User, code: str, name: str) -> ActivityCategory:
    """Rename an activity category or change its code (office). Its required hours are part of the
    requirements (``programme_requirements_set``)."""
    access.require(by, "change", category.programme)
    category = ActivityCategory.objects.select_for_update().get(pk=category.pk)
    category.code, category.name = code.strip(), name.strip()
    _save(category, by, _("The programme already has a category %(code)s.") % {"code": code}, "code")
    _record_requirements(category.programme, by=by, summary=_("Category %(name)s changed.") % {"name": category.name})
    return category


def _check_cohort(programme: Programme, intake_year: int) -> None:
    if programme.status == ProgrammeStatus.CLOSED:
        raise refuse("intake_year", "programme_closed", _("The programme is closed: it takes no new cohort."))
    first, last = programme.first_intake_year, programme.last_intake_year
    if (first is not None and intake_year < first) or (last is not None and intake_year > last):
        raise refuse(
            "intake_year",
            "cohort_outside_programme",
            _("%(year)s is outside the programme's intake years (%(first)s to %(last)s).")
            % {"year": intake_year, "first": first or "…", "last": last or "…"},
        )


@transaction.atomic
def cohort_create(*, programme: Programme, by: User, intake_year: int, name: str = "") -> Cohort:
    """Open a programme's cohort of an intake year (office), inside the programme's intake years."""
    access.require(by, "change", programme)
    _check_cohort(programme, intake_year)
    cohort = Cohort(programme=programme, intake_year=intake_year, name=name.strip())
    _save(
        cohort,
        by,
        _("The programme already has a cohort of %(year)s.") % {"year": intake_year},
        "intake_year",
    )
    return cohort


@transaction.atomic
def cohort_update(*, cohort: Cohort, by: User, name: str) -> Cohort:
    """Rename a cohort (office); its intake year stays (its students enrolled then)."""
    access.require(by, "change", cohort.programme)
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    cohort.name = name.strip()
    _save(cohort, by, "", NON_FIELD_ERRORS)
    return cohort


def _check_participation(programme: Programme, partner: Partner, role: str) -> None:
    if role == ParticipationRole.LEAD and partner.pk != programme.lead_university_id:
        raise refuse("role", "invalid", _("Only the lead university takes part as the lead."))
    if partner.pk == programme.lead_university_id and role != ParticipationRole.LEAD:
        raise refuse("role", "invalid", _("The lead university takes part as the lead."))


@transaction.atomic
def participation_create(
    *, programme: Programme, by: User, partner: Partner, role: str, responsibilities: str = ""
) -> Participation:
    """Let a partner take part in a programme with a role and responsibilities (office). A suspended
    partner joins no programme."""
    access.require(by, "change", programme)
    if partner.status == PartnerStatus.SUSPENDED:
        raise refuse(
            "partner",
            "partner_suspended",
            _("%(partner)s is suspended and joins no programme.") % {"partner": partner.name},
        )
    _check_participation(programme, partner, role)
    participation = Participation(
        programme=programme,
        partner=partner,
        role=role,
        responsibilities=responsibilities.strip() or partner.responsibilities,
    )
    _save(
        participation,
        by,
        _("%(partner)s already takes part in this programme.") % {"partner": partner.name},
        "partner",
    )
    return participation


@transaction.atomic
def participation_update(*, participation: Participation, by: User, role: str, responsibilities: str) -> Participation:
    """Change a participating partner's role or responsibilities (office)."""
    access.require(by, "change", participation.programme)
    participation = (
        Participation.objects.select_for_update(of=("self",))
        .select_related("programme", "partner")
        .get(pk=participation.pk)
    )
    _check_participation(participation.programme, participation.partner, role)
    participation.role, participation.responsibilities = role, responsibilities.strip()
    _save(participation, by, "", NON_FIELD_ERRORS)
    return participation
