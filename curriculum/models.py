"""The curriculum: courses and how they link, what they cover, programmes' curricula, teachers and their
I&E qualifications, offerings, enrolments, grades and the credits they earn.

A course belongs to the catalogue, taught by one partner; a programme's curriculum says which courses are
compulsory or elective for it and in which term. An offering is a course taught in one term at a site;
students enrol in it, and its teachers grade them. A submitted grade is evidence: it is never edited in
place; a change is a ``GradeCorrection`` row with who, when and why, and the grade keeps its history.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import EvidenceQuerySet
from partners.models import Partner, Site
from programmes.models import CourseCategory, Objective, Programme
from students.models import Placement, Student

#: Courses whose teachers must be qualified for I&E teaching (the programme's qualification rule).
IE_CATEGORIES = (CourseCategory.INNOVATION, CourseCategory.INTEGRATED)
#: A percentage grade at or above this passes.
PASS_MARK = Decimal("60")
TERM_PATTERN = r"^\d{4}-[12]$"


class CourseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class CourseLanguage(models.TextChoices):
    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    BILINGUAL = "bilingual", _("Bilingual")


class GradingScheme(models.TextChoices):
    PERCENTAGE = "percentage", _("Percentage")
    PASS_FAIL = "pass_fail", _("Pass or fail")


class Course(models.Model):
    """A course of the catalogue, taught by one partner. A retired course is offered no more but stays in
    transcripts. An integrated course declares how many of its credits count as I&E (``ie_credits``)."""

    access_partner_path = "teaching_partner"

    code = models.CharField(_("code"), max_length=20, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=24, choices=CourseCategory.choices)
    credits = models.DecimalField(
        _("credits"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    ie_credits = models.DecimalField(
        _("I&E credits"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        help_text=_("For an integrated course: how many of its credits count as innovation and entrepreneurship."),
    )
    hours = models.PositiveSmallIntegerField(_("teaching hours"))
    teaching_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="courses", verbose_name=_("teaching partner")
    )
    language = models.CharField(
        _("language"), max_length=12, choices=CourseLanguage.choices, default=CourseLanguage.CHINESE
    )
    description = models.TextField(_("description"), blank=True)
    assessment = models.CharField(_("assessment method"), max_length=200, blank=True)
    grading = models.CharField(
        _("grading"), max_length=12, choices=GradingScheme.choices, default=GradingScheme.PERCENTAGE
    )
    status = models.CharField(_("status"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.ACTIVE)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(credits__gt=0), name="course_credits_positive"),
            models.CheckConstraint(
                condition=Q(ie_credits__gte=0) & Q(ie_credits__lte=F("credits")), name="course_ie_credits_range"
            ),
            models.CheckConstraint(
                condition=Q(ie_credits=0) | Q(category=CourseCategory.INTEGRATED), name="course_ie_credits_integrated"
            ),
            models.CheckConstraint(condition=Q(category__in=CourseCategory.values), name="course_category_valid"),
        ]
        indexes = [models.Index(fields=["category", "status"], name="course_category_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title_en}"

    @property
    def is_ie(self) -> bool:
        """An I&E or integrated course: its teachers need the I&E qualification."""
        return self.category in IE_CATEGORIES


class LinkKind(models.TextChoices):
    PREREQUISITE = "prerequisite", _("Prerequisite")
    INTEGRATES = "integrates", _("Integrates")


class CourseLink(models.Model):
    """A link between two courses: ``course`` requires ``other`` first (prerequisite), or ``course``
    integrates with ``other`` (an I&E module taught inside a professional course, or a pair)."""

    access_partner_path = "course__teaching_partner"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="linked_from", verbose_name=_("course"))
    kind = models.CharField(_("link"), max_length=16, choices=LinkKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("course link")
        verbose_name_plural = _("course links")
        ordering = ["course", "kind", "other"]
        constraints = [
            models.UniqueConstraint(fields=["course", "other", "kind"], name="course_link_unique"),
            models.CheckConstraint(condition=~Q(course=F("other")), name="course_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.kind} {self.other_id}"


class CoverageLevel(models.IntegerChoices):
    INTRODUCES = 1, _("Introduces")
    REINFORCES = 2, _("Reinforces")
    MASTERS = 3, _("Masters")


class CourseObjective(models.Model):
    """A course addressing a programme objective at a level."""

    access_partner_path = "course__teaching_partner"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="coverage")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="course_coverage")
    level = models.PositiveSmallIntegerField(_("level"), choices=CoverageLevel.choices)

    class Meta:
        verbose_name = _("course objective")
        verbose_name_plural = _("course objectives")
        constraints = [
            models.UniqueConstraint(fields=["course", "objective"], name="course_objective_unique"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=3), name="course_objective_level"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.objective_id}={self.level}"


class PlacementObjective(models.Model):
    """A placement addressing a programme objective at a level."""

    access_partner_path = "placement__partner"

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="coverage")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="placement_coverage")
    level = models.PositiveSmallIntegerField(_("level"), choices=CoverageLevel.choices)

    class Meta:
        verbose_name = _("placement objective")
        verbose_name_plural = _("placement objectives")
        constraints = [
            models.UniqueConstraint(fields=["placement", "objective"], name="placement_objective_unique"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=3), name="placement_objective_level"),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id}:{self.objective_id}={self.level}"


class EntryKind(models.TextChoices):
    COMPULSORY = "compulsory", _("Compulsory")
    ELECTIVE = "elective", _("Elective")


class CurriculumEntry(models.Model):
    """A course in a programme's curriculum: compulsory or elective, in a term (1 is the first)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="curriculum")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="curriculum_entries")
    kind = models.CharField(_("compulsory or elective"), max_length=12, choices=EntryKind.choices)
    term = models.PositiveSmallIntegerField(_("term"), validators=[MinValueValidator(1), MaxValueValidator(12)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("curriculum entry")
        verbose_name_plural = _("curriculum entries")
        ordering = ["programme", "term", "course__code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "course"], name="curriculum_entry_unique"),
            models.CheckConstraint(condition=Q(term__gte=1) & Q(term__lte=12), name="curriculum_entry_term"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} T{self.term} {self.course_id}"


# --- Teachers -------------------------------------------------------------------------------------------


DEFAULT_TRAINING_YEARS = 3
DEFAULT_EXPERIENCE_YEARS = Decimal("2")


class QualificationRule(models.Model):
    """Who is qualified to teach a programme's I&E or integrated courses: I&E training within the last
    ``training_years`` years, or at least ``experience_years`` years of industry or entrepreneurship."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="qualification_rule")
    training_years = models.PositiveSmallIntegerField(
        _("I&E training within (years)"), default=DEFAULT_TRAINING_YEARS, validators=[MinValueValidator(1)]
    )
    experience_years = models.DecimalField(
        _("or industry/entrepreneurship experience of at least (years)"),
        max_digits=4,
        decimal_places=1,
        default=DEFAULT_EXPERIENCE_YEARS,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("qualification rule")
        verbose_name_plural = _("qualification rules")
        constraints = [models.CheckConstraint(condition=Q(training_years__gte=1), name="qualification_years")]

    def __str__(self) -> str:
        return f"{self.training_years}y / {self.experience_years}y"


class TeacherProfile(models.Model):
    """Anyone who teaches: university staff, enterprise engineers, hospital staff."""

    access_partner_path = "partner"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="teacher_profile", verbose_name=_("person")
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="teachers", verbose_name=_("works at"))
    position = models.CharField(_("position"), max_length=120, blank=True)
    research_fields = models.CharField(_("research fields"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["user__full_name", "user__username"]

    def __str__(self) -> str:
        return self.user.display_name


class TeacherTraining(models.Model):
    """An I&E training the teacher took, with its certificate."""

    access_partner_path = "teacher__partner"

    teacher = models.ForeignKey(TeacherProfile, on_delete=models.CASCADE, related_name="trainings")
    title = models.CharField(_("title"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200)
    hours = models.PositiveSmallIntegerField(_("hours"))
    taken_on = models.DateField(_("date"))
    certificate = models.FileField(_("certificate (PDF)"), upload_to="certificates/%Y/", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("I&E training")
        verbose_name_plural = _("I&E trainings")
        ordering = ["teacher", "-taken_on"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="teacher_training_hours")]

    def __str__(self) -> str:
        return f"{self.title} ({self.taken_on})"


class ExperienceKind(models.TextChoices):
    INDUSTRY = "industry", _("Industry")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship")


class TeacherExperience(models.Model):
    """Industry experience (employer, role, years) or a venture founded or worked in."""

    access_partner_path = "teacher__partner"

    teacher = models.ForeignKey(TeacherProfile, on_delete=models.CASCADE, related_name="experience")
    kind = models.CharField(_("kind"), max_length=20, choices=ExperienceKind.choices)
    organisation = models.CharField(_("employer or venture"), max_length=200)
    role = models.CharField(_("role"), max_length=120)
    years = models.DecimalField(_("years"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("experience")
        verbose_name_plural = _("experience")
        ordering = ["teacher", "kind"]
        constraints = [models.CheckConstraint(condition=Q(years__gte=0), name="teacher_experience_years")]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.years}y)"


# --- Offerings, enrolments, grades ----------------------------------------------------------------------


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Offering(models.Model):
    """A course taught in one term at a partner's site, for one programme's students: its weekly slot
    (for timetable clashes), capacity and enrolment window."""

    access_partner_path = "site__partner"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="offerings")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="offerings")
    term = models.CharField(
        _("term"),
        max_length=7,
        validators=[RegexValidator(TERM_PATTERN, _("Write the term as YYYY-1 or YYYY-2."))],
        help_text=_("Year and semester, e.g. 2026-1."),
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("site"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    enrol_opens = models.DateField(_("enrolment opens"))
    enrol_closes = models.DateField(_("enrolment closes"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        ordering = ["-term", "course__code"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="offering_times_ordered"),
            models.CheckConstraint(condition=Q(enrol_closes__gte=F("enrol_opens")), name="offering_window_ordered"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="offering_capacity_positive"),
            models.UniqueConstraint(fields=["course", "programme", "term", "site"], name="offering_unique"),
        ]
        indexes = [models.Index(fields=["term", "weekday"], name="offering_term_idx")]

    def __str__(self) -> str:
        return f"{self.course.code} {self.term}"

    def window_open(self, today: datetime.date | None = None) -> bool:
        day = today or timezone.localdate()
        return self.enrol_opens <= day <= self.enrol_closes


class OfferingTeacher(models.Model):
    """A teacher of an offering with their teaching hours. Whether they were qualified is decided when
    they are assigned; an unqualified teacher of an I&E or integrated course needs the office's override
    with a reason (``overridden``), which is flagged and counted."""

    access_partner_path = "offering__site__partner"

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="teachers")
    teacher = models.ForeignKey(TeacherProfile, on_delete=models.PROTECT, related_name="assignments")
    hours = models.PositiveSmallIntegerField(_("teaching hours"))
    qualified = models.BooleanField(_("qualified for I&E teaching"))
    override_reason = models.TextField(_("reason for the override"), blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offering teacher")
        verbose_name_plural = _("offering teachers")
        ordering = ["offering", "teacher"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "teacher"], name="offering_teacher_unique"),
        ]
        indexes = [models.Index(fields=["teacher"], name="offering_teacher_idx")]

    def __str__(self) -> str:
        return f"{self.teacher} @ {self.offering}"

    @property
    def overridden(self) -> bool:
        return bool(self.override_reason)


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", pgettext_lazy("enrolment status", "Withdrawn")


class Enrolment(models.Model):
    """A student enrolled in an offering (by themself or by the office)."""

    access_partner_path = "offering__site__partner"

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="enrolments")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(
        _("status"), max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["offering", "student__student_number"]
        constraints = [models.UniqueConstraint(fields=["offering", "student"], name="enrolment_unique")]
        indexes = [models.Index(fields=["student", "status"], name="enrolment_student_idx")]

    def __str__(self) -> str:
        return f"{self.student_id} in {self.offering_id}"


class EnrolmentWithdrawal(models.Model):
    """A withdrawal from an offering: who withdrew the student, when and why. Evidence, never edited: a
    student who enrols again keeps the withdrawals before (the enrolment's status alone changes back)."""

    access_partner_path = "enrolment__offering__site__partner"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="withdrawals")
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["enrolment", "-at"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="enrolment_withdrawal_reason")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.at:%Y-%m-%d}"


class GradeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Grade(models.Model):
    """An enrolment's grade: a percentage or pass/fail, as the course grades. A draft is the teacher's to
    change; a submitted grade is locked and changes only by a ``GradeCorrection``."""

    access_partner_path = "enrolment__offering__site__partner"

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="grade")
    percentage = models.DecimalField(
        _("percentage"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    passed = models.BooleanField(_("passed"))
    status = models.CharField(_("status"), max_length=10, choices=GradeStatus.choices, default=GradeStatus.DRAFT)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=80, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["enrolment"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage__isnull=True) | (Q(percentage__gte=0) & Q(percentage__lte=100)),
                name="grade_percentage_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False), name="grade_submitted_has_time"
            ),
            models.UniqueConstraint(
                fields=["entered_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="grade_idempotency_unique",
            ),
        ]
        indexes = [models.Index(fields=["status", "passed"], name="grade_status_idx")]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        if self.percentage is not None:
            text = f"{self.percentage:f}"
            return text.rstrip("0").rstrip(".") if "." in text else text
        return str(_("Pass") if self.passed else _("Fail"))

    @property
    def is_locked(self) -> bool:
        return self.status == GradeStatus.SUBMITTED


class GradeCorrection(models.Model):
    """A change to a submitted grade: the value before and after, who, when and why. Never edited."""

    access_partner_path = "grade__enrolment__offering__site__partner"

    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="corrections")
    old_percentage = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    old_passed = models.BooleanField()
    new_percentage = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    new_passed = models.BooleanField()
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("grade correction")
        verbose_name_plural = _("grade corrections")
        ordering = ["grade", "-at"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="grade_correction_reason")]

    def __str__(self) -> str:
        return f"{self.grade_id} {self.at:%Y-%m-%d}"


class EarnedCredits(models.Model):
    """The credits a student has earned: the sum of the credits of the courses of their submitted, passing
    grades, kept beside the grades (ADR 0070). The grades stay the evidence; this row is derived from them,
    rewritten by the grade and course services in the transaction of the write (``curriculum.services.credits``)
    and checked against them (``manage.py earned_credits``). The at-risk lists weigh every student's credits
    with it: summed from the grades, that was most of their heaviest statement (issue #19). A student with no
    row has earned nothing yet."""

    student = models.OneToOneField(
        Student, on_delete=models.CASCADE, primary_key=True, related_name="earned_credits", verbose_name=_("student")
    )
    credits = models.DecimalField(_("credits earned"), max_digits=7, decimal_places=1)

    class Meta:
        verbose_name = _("credits earned")
        verbose_name_plural = _("credits earned")

    def __str__(self) -> str:
        return f"{self.student_id}: {self.credits}"
