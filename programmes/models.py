"""Programmes: what a joint programme is, what it requires, who takes part, and under which agreements.

A programme is led by a university; partners take part in it with a role and responsibilities. Its
requirements (credits per course category, practice hours per activity category, milestones, project
points) are what every student's training plan is measured against.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import EvidenceQuerySet
from partners.models import Partner


class DegreeType(models.TextChoices):
    ACADEMIC = "academic", _("Academic master")
    PROFESSIONAL = "professional", _("Professional master")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Programme(models.Model):
    """A joint Master's programme led by a university."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    degree_type = models.CharField(_("degree type"), max_length=16, choices=DegreeType.choices)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), validators=[MinValueValidator(6)], help_text=_("From enrolment to the end.")
    )
    lead_university = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="led_programmes", verbose_name=_("lead university")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.ACTIVE
    )
    description = models.TextField(_("description"), blank=True)
    min_project_points = models.PositiveSmallIntegerField(_("minimum project points"), default=0)
    first_intake_year = models.PositiveSmallIntegerField(
        _("first intake year"), null=True, blank=True, help_text=_("The first year a cohort enrols.")
    )
    last_intake_year = models.PositiveSmallIntegerField(
        _("last intake year"),
        null=True,
        blank=True,
        help_text=_("The last year a cohort enrols; leave empty while the programme keeps taking students."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_months__gte=6), name="programme_duration_min"),
            models.CheckConstraint(condition=Q(degree_type__in=DegreeType.values), name="programme_degree_valid"),
            models.CheckConstraint(
                condition=Q(first_intake_year__isnull=True)
                | Q(last_intake_year__isnull=True)
                | Q(last_intake_year__gte=models.F("first_intake_year")),
                name="programme_intake_years_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ParticipationRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    TRAINING = "training", _("Training partner")
    SUPPORTING = "supporting", _("Supporting partner")


class Participation(models.Model):
    """A partner's part in a programme: its role and what it is responsible for there."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participations")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(_("role"), max_length=16, choices=ParticipationRole.choices)
    responsibilities = models.TextField(_("responsibilities"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participating partner")
        verbose_name_plural = _("participating partners")
        ordering = ["programme", "role", "partner__name"]
        constraints = [models.UniqueConstraint(fields=["programme", "partner"], name="participation_unique")]
        indexes = [models.Index(fields=["partner", "programme"], name="participation_partner_idx")]

    def __str__(self) -> str:
        return f"{self.partner} in {self.programme.code}"


class ObjectiveKind(models.TextChoices):
    KNOWLEDGE = "knowledge", _("Knowledge")
    PRACTICAL = "practical", _("Practical ability")
    RESEARCH = "research", _("Research and innovation")
    INNOVATION = "innovation", _("Innovation and entrepreneurship")


class Objective(models.Model):
    """A training objective of a programme, which placements address."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="objectives")
    kind = models.CharField(_("kind"), max_length=16, choices=ObjectiveKind.choices)
    code = models.CharField(_("code"), max_length=20)
    description = models.TextField(_("description"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["programme", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="objective_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:60]}"


class CourseCategory(models.TextChoices):
    """The course categories of domain.md."""

    PROFESSIONAL_CORE = "professional_core", _("Professional core")
    PROFESSIONAL_ELECTIVE = "professional_elective", _("Professional elective")
    INNOVATION = "innovation", _("Innovation and entrepreneurship")
    INTEGRATED = "integrated", _("Integrated")
    RESEARCH_METHODS = "research_methods", _("Research methods")
    PRACTICE = "practice", _("Practice")


class CreditRequirement(models.Model):
    """Credits a student must earn in one course category."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="credit_requirements")
    category = models.CharField(_("course category"), max_length=24, choices=CourseCategory.choices)
    credits = models.DecimalField(
        _("credits"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )

    class Meta:
        verbose_name = _("credit requirement")
        verbose_name_plural = _("credit requirements")
        ordering = ["programme", "category"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "category"], name="credit_requirement_unique"),
            models.CheckConstraint(condition=Q(credits__gt=0), name="credit_requirement_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.credits}"


class RequiredCredits(models.Model):
    """The credits a programme requires in all: its requirements summed by the database, a view
    (``programmes_requiredcredits``, migration 0004), not a table. A programme without requirements has no
    row. Read only: the requirements are what is written.

    Why a view: a statement that weighs every student against their programme's total ("behind on
    credits", ``curriculum.selectors.credit_shortfall_over_all``) joins this once, and the database sums the
    few requirement rows once per statement; written as a subquery per student it summed them 10,000 times
    at a university's scale, a third of the at-risk keys statement (ADR 0071). Nothing is kept in step: the
    sum is always the requirements' own."""

    #: What the view is worked out from: a kept read that names the view depends on these tables' writes
    #: (``core.navcache``).
    view_of: ClassVar[tuple[type[models.Model], ...]] = (CreditRequirement,)

    programme = models.OneToOneField(
        Programme, primary_key=True, on_delete=models.DO_NOTHING, related_name="required_credits", db_constraint=False
    )
    total = models.DecimalField(_("credits required"), max_digits=7, decimal_places=1)

    class Meta:
        managed = False
        db_table = "programmes_requiredcredits"
        verbose_name = _("credits required")
        verbose_name_plural = _("credits required")

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.total}"


class ActivityCategory(models.Model):
    """One category of the programme's practice catalogue, with the hours the programme requires in it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="activity_categories")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    required_hours = models.PositiveIntegerField(_("required hours"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity category")
        verbose_name_plural = _("activity categories")
        ordering = ["programme", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="activity_category_unique")]

    def __str__(self) -> str:
        return self.name


class MilestoneKind(models.TextChoices):
    PROPOSAL = "proposal", _("Thesis proposal")
    MIDTERM = "midterm", _("Mid-term review")
    THESIS = "thesis", _("Thesis submission")
    DEFENCE = "defence", _("Defence")


class MilestoneTemplate(models.Model):
    """A milestone every student of the programme must pass, due a number of months after enrolment."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestone_templates")
    kind = models.CharField(_("milestone"), max_length=16, choices=MilestoneKind.choices)
    offset_months = models.PositiveSmallIntegerField(_("months after enrolment"))

    class Meta:
        verbose_name = _("required milestone")
        verbose_name_plural = _("required milestones")
        ordering = ["programme", "offset_months"]
        constraints = [models.UniqueConstraint(fields=["programme", "kind"], name="milestone_template_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (+{self.offset_months})"


class Cohort(models.Model):
    """The students of a programme who enrolled in one year."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    intake_year = models.PositiveSmallIntegerField(_("intake year"))
    name = models.CharField(_("name"), max_length=80, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["programme", "-intake_year"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "intake_year"], name="cohort_unique"),
            models.CheckConstraint(condition=Q(intake_year__gte=2000) & Q(intake_year__lte=2100), name="cohort_year"),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.programme.code} {self.intake_year}"


class RequirementsVersion(models.Model):
    """The programme's requirements as they stood after one change: credits by course category, hours by
    activity category, milestones with their offsets, project points. Never edited; a change writes the
    next number. A training plan approved under one version keeps it (``TrainingPlan.requirements_version``).
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="requirements_versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("requirements"))
    summary = models.CharField(_("change"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("changed by"),
        help_text=_("Empty for the first version of a programme set up before versions were kept."),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("requirements version")
        verbose_name_plural = _("requirements versions")
        ordering = ["programme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="requirements_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} requirements v{self.number}"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    TERMINATED = "terminated", _("Terminated")


EXPIRY_WARNING_DAYS = 60


class Agreement(models.Model):
    """A cooperation agreement between the lead university and partners, for one programme.

    Placements at a partner need a signed agreement naming that partner that covers their dates.
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    document = models.FileField(_("signed document (PDF)"), upload_to="agreements/%Y/", blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-end_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="agreement_dates_ordered"),
        ]
        indexes = [models.Index(fields=["status", "end_date"], name="agreement_status_end_idx")]

    def __str__(self) -> str:
        return self.title

    def ends_soon(self, today: datetime.date | None = None) -> bool:
        """Signed and ending within 60 days: the office should renew it."""
        today = today or timezone.localdate()
        return self.status == AgreementStatus.SIGNED and today <= self.end_date <= today + datetime.timedelta(
            days=EXPIRY_WARNING_DAYS
        )


class AgreementParty(models.Model):
    """One partner's side of an agreement: what it is responsible for and obliged to do."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreement_parties")
    responsibilities = models.TextField(_("responsibilities"), blank=True)
    obligations = models.TextField(_("obligations"), blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [models.UniqueConstraint(fields=["agreement", "partner"], name="agreement_party_unique")]
        indexes = [models.Index(fields=["partner", "agreement"], name="agreement_party_partner_idx")]

    def __str__(self) -> str:
        return f"{self.partner} — {self.agreement}"
