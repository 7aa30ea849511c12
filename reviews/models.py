"""Internal supervision: review rounds, mutual reviews, concerns and replies, supervision meetings.

* A programme's **review schedule** (``ReviewSchedule``) and its **terms** (``ReviewTerm``), which the office
  edits on its pages (``reviews.services.schedules``, with history), say when rounds open: mid-term and end of
  term, halfway through and at the end of each placement, and once a year the office's review of each
  partner. ``reviews.services.rounds.rounds_open_due`` (beat) opens each due round
  once: a round's ``key`` is unique, so a second run creates nothing.
* A **form** (``ReviewForm``) is a versioned template of criteria (1 to 5, with anchors) for one direction;
  it is frozen once a round uses it (``in_use``): a change is a new version, used by later rounds.
* A **review** (``Review``) is one reviewer's task in a round and, once submitted, their answers
  (``ReviewAnswer``). A submitted review is evidence: never edited.
* Who sees a student's review of a tutor or placement is the heart of the app (``reviews.access`` and
  ``reviews.selectors.results``): the person reviewed only ever gets aggregates of groups of at least
  ``ANONYMITY_THRESHOLD`` responses, without names.
* A **concern** raised in a review has a thread of messages (``ConcernMessage``) that is only ever added to.
* A **meeting** of a student with their tutor and supervisors has minutes the student confirms or disputes,
  and agreed actions (``MeetingAction``) with owners and due dates.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import EvidenceQuerySet
from partners.models import Partner, Site
from programmes.models import Programme
from students.models import Placement, Student

#: A group of student responses about a person or a placement is shown to them only from this size on.
ANONYMITY_THRESHOLD = 3
#: Days the person or partner concerned has to reply to a concern before it goes to the office.
CONCERN_REPLY_DAYS = 14


class Direction(models.TextChoices):
    TUTOR_STUDENT = "tutor_student", _("Tutor reviews student")
    SUPERVISOR_STUDENT = "supervisor_student", _("Placement supervisor reviews student")
    STUDENT_TUTOR = "student_tutor", _("Student reviews tutor")
    STUDENT_PLACEMENT = "student_placement", _("Student reviews placement")
    OFFICE_PARTNER = "office_partner", _("Office reviews partner's training")


#: Directions in which a student reviews someone: shown to the reviewed only as anonymous aggregates.
STUDENT_WRITTEN = (Direction.STUDENT_TUTOR, Direction.STUDENT_PLACEMENT)
#: Directions in which someone reviews a student: shown to the student, with names, once the round closes.
ABOUT_STUDENT = (Direction.TUTOR_STUDENT, Direction.SUPERVISOR_STUDENT)


class ReviewTerm(models.Model):
    """A term of a programme (a semester): rounds open at its middle and at its end."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="review_terms")
    name = models.CharField(_("name"), max_length=80)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    #: who changed a term's name or dates, and when (the office edits them on ``reviews:term-edit``)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["programme", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="review_term_dates"),
            models.UniqueConstraint(fields=["programme", "name"], name="review_term_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def midpoint(self) -> datetime.date:
        return self.start_date + (self.end_date - self.start_date) / 2


class ReviewSchedule(models.Model):
    """A programme's review schedule and the thresholds its reviews are judged by."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="review_schedule")
    term_rounds = models.BooleanField(_("rounds at mid-term and end of term"), default=True)
    placement_rounds = models.BooleanField(_("rounds halfway through and at the end of placements"), default=True)
    yearly_partner_review = models.BooleanField(_("yearly review of each partner's training"), default=True)
    yearly_review_month = models.PositiveSmallIntegerField(
        _("month of the yearly partner review"), default=12, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    window_days = models.PositiveSmallIntegerField(_("days to answer a review"), default=14)
    grace_days = models.PositiveSmallIntegerField(_("days after the deadline before the round closes"), default=7)
    remind_days_before = models.PositiveSmallIntegerField(_("remind this many days before the deadline"), default=3)
    min_meetings_per_term = models.PositiveSmallIntegerField(_("minimum supervision meetings per term"), default=0)
    low_score_threshold = models.DecimalField(
        _("low score threshold (spot draw)"), max_digits=3, decimal_places=2, default=Decimal("2.50")
    )

    #: who changed the schedule and when: its thresholds weigh in the spot draw and the at-risk lists
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review schedule")
        verbose_name_plural = _("review schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(yearly_review_month__gte=1) & Q(yearly_review_month__lte=12), name="review_yearly_month"
            ),
            models.CheckConstraint(
                condition=Q(low_score_threshold__gte=1) & Q(low_score_threshold__lte=5), name="review_low_threshold"
            ),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="review_window_positive"),
        ]

    def __str__(self) -> str:
        return str(self.programme)


class ReviewForm(models.Model):
    """A versioned form for one direction: its criteria. Frozen once a round uses it."""

    direction = models.CharField(_("direction"), max_length=24, choices=Direction.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("review form")
        verbose_name_plural = _("review forms")
        ordering = ["direction", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["direction", "version"], name="review_form_version_unique"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="review_form_direction_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def in_use(self) -> bool:
        """Frozen: a round has reviews on it."""
        return self.reviews.exists()


class Criterion(models.Model):
    """One question of a form: a score from 1 to 5, with what 1 and 5 mean."""

    form = models.ForeignKey(ReviewForm, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("criterion"), max_length=200)
    anchor_low = models.CharField(_("what 1 means"), max_length=200)
    anchor_high = models.CharField(_("what 5 means"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["form", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="criterion_code_unique")]

    def __str__(self) -> str:
        return self.label


class RoundKind(models.TextChoices):
    MID_TERM = "mid_term", _("Mid-term")
    END_TERM = "end_term", _("End of term")
    PLACEMENT_HALF = "placement_half", _("Placement halfway")
    PLACEMENT_END = "placement_end", _("Placement end")
    YEARLY = "yearly", _("Yearly partner review")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ReviewRound(models.Model):
    """A round of reviews of a programme, opened once (``key`` is unique) and closed after its deadline."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="review_rounds")
    key = models.CharField(_("key"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RoundKind.choices)
    term = models.ForeignKey(
        ReviewTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="rounds", verbose_name=_("term")
    )
    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="review_rounds"
    )
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(_("status"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RoundKind.values), name="review_round_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=RoundStatus.values), name="review_round_status_valid"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("opens_on")), name="review_round_dates"),
            models.CheckConstraint(
                condition=Q(status=RoundStatus.OPEN) | Q(closed_at__isnull=False), name="review_round_closed_at"
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_on"], name="review_round_status_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status == RoundStatus.CLOSED


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("To do")
    SUBMITTED = "submitted", _("Submitted")


class Review(models.Model):
    """One review task of a round and, once submitted, its answers. Never edited after submission.

    The subject is a student (``subject_student``), a person (``subject_user``: the tutor reviewed), a
    placement (``subject_placement``, grouped by its ``subject_site``) or a partner (``subject_partner``).
    ``partner`` is the partner the review concerns, for scoping coordinators (the placement's partner, the
    tutor's university, the partner reviewed). ``reviewer`` is empty for the office's yearly review until an
    office member submits it.
    """

    access_partner_path = "partner"

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="reviews")
    direction = models.CharField(_("direction"), max_length=24, choices=Direction.choices)
    form = models.ForeignKey(ReviewForm, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews_written"
    )
    subject_student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews_about"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews_about"
    )
    subject_placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews_about"
    )
    subject_site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews")
    subject_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews_about"
    )
    #: the student a student-written review comes from (office only ever sees it; scoping their own)
    author_student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews_written"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="reviews")
    task_key = models.CharField(_("task key"), max_length=120)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    comment = models.TextField(_("comments"), blank=True)
    may_share = models.BooleanField(_("my comments may be shared, without my name"), default=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "task_key"], name="review_task_unique"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="review_direction_valid"),
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.PENDING) | (Q(submitted_at__isnull=False) & Q(reviewer__isnull=False)),
                name="review_submitted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status"], name="review_reviewer_idx"),
            models.Index(fields=["direction", "subject_site"], name="review_site_idx"),
            models.Index(fields=["direction", "subject_user"], name="review_subject_user_idx"),
            models.Index(fields=["partner", "status"], name="review_partner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} · {self.subject_label}"

    @property
    def subject_label(self) -> str:
        """What the review is about, in words."""
        if self.subject_student_id:
            return str(self.subject_student.user.display_name)  # type: ignore[union-attr]
        if self.subject_placement_id:
            placement = self.subject_placement
            return f"{placement.partner.name} · {placement.site.name}"  # type: ignore[union-attr]
        if self.subject_user_id:
            return str(self.subject_user.display_name)  # type: ignore[union-attr]
        return str(self.subject_partner.name) if self.subject_partner_id else ""  # type: ignore[union-attr]

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status == ReviewStatus.PENDING and self.due_on < (today or timezone.localdate())


class ReviewAnswer(models.Model):
    """One criterion's score in a submitted review."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="review_answer_unique"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="review_answer_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class ConcernCategory(models.TextChoices):
    SUPERVISION = "supervision", _("Supervision")
    SAFETY = "safety", _("Safety")
    WORKLOAD = "workload", _("Workload")
    CONDUCT = "conduct", _("Conduct")
    RESOURCES = "resources", _("Resources")


class ConcernStatus(models.TextChoices):
    AWAITING_REPLY = "awaiting_reply", _("Awaiting a reply")
    REPLIED = "replied", _("Replied")
    ESCALATED = "escalated", _("With the office")
    RESOLVED = "resolved", _("Resolved")
    REFERRED = "referred", _("Referred to an inspection")
    VIOLATION = "violation", _("Violation opened")


#: Concerns still waiting for the office or the person concerned.
OPEN_CONCERN = (ConcernStatus.AWAITING_REPLY, ConcernStatus.REPLIED, ConcernStatus.ESCALATED)
#: How the office closes a concern.
CLOSED_CONCERN = (ConcernStatus.RESOLVED, ConcernStatus.REFERRED, ConcernStatus.VIOLATION)


class Concern(models.Model):
    """A criticism raised in a review, which the person or partner concerned must answer within
    ``CONCERN_REPLY_DAYS``. A student who raises one stays anonymous to those concerned."""

    access_partner_path = "partner"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="concerns")
    category = models.CharField(_("category"), max_length=16, choices=ConcernCategory.choices)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_raised")
    #: the person concerned (a tutor or supervisor); empty when the partner as a whole answers
    addressed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns_addressed",
        verbose_name=_("addressed to"),
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="concerns")
    status = models.CharField(
        _("status"), max_length=16, choices=ConcernStatus.choices, default=ConcernStatus.AWAITING_REPLY
    )
    reply_due_on = models.DateField(_("reply due on"))
    created_at = models.DateTimeField(_("raised"), default=timezone.now)
    #: where the office took it (an inspection plan note, a violation case): text and link, if any
    outcome_reference = models.CharField(_("reference"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=ConcernCategory.values), name="concern_category_valid"),
            models.CheckConstraint(condition=Q(status__in=ConcernStatus.values), name="concern_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "reply_due_on"], name="concern_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.partner.short_name}"


class MessageKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    REPLY = "reply", _("Reply")
    ESCALATED = "escalated", _("Escalated to the office")
    NOTE = "note", _("Note")
    RESOLVED = "resolved", _("Closed as resolved")
    REFERRED = "referred", _("Referred to an inspection")
    VIOLATION = "violation", _("Violation opened")


class ConcernMessage(models.Model):
    """One message of a concern's thread. Never edited or deleted; the thread only grows."""

    access_partner_path = "concern__partner"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(_("kind"), max_length=12, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("concern message")
        verbose_name_plural = _("concern messages")
        ordering = ["concern", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class MinutesStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting the student's confirmation")
    CONFIRMED = "confirmed", _("Confirmed by the student")
    DISPUTED = "disputed", _("Disputed by the student")


class Meeting(models.Model):
    """A supervision meeting of a student with their tutor and practice supervisors: the minutes are kept
    as recorded; the student confirms them or disputes them with a comment."""

    access_student_path = "student"

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("date"))
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="meetings_attended", blank=True)
    minutes = models.TextField(_("minutes"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    minutes_status = models.CharField(
        _("minutes"), max_length=12, choices=MinutesStatus.choices, default=MinutesStatus.AWAITING
    )
    student_comment = models.TextField(_("student's comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision meeting")
        verbose_name_plural = _("supervision meetings")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes_status__in=MinutesStatus.values), name="meeting_status_valid"),
            models.CheckConstraint(
                condition=~Q(minutes_status=MinutesStatus.DISPUTED) | ~Q(student_comment=""),
                name="meeting_dispute_has_comment",
            ),
        ]
        indexes = [models.Index(fields=["student", "held_on"], name="meeting_student_idx")]

    def __str__(self) -> str:
        return f"{self.student.student_number} {self.held_on}"


class MeetingAction(models.Model):
    """An action agreed at a meeting, with its owner and due date; the owner marks it done."""

    access_student_path = "meeting__student"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    text = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_actions")
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_at", "due_on"], name="meeting_action_owner_idx")]

    def __str__(self) -> str:
        return self.text
