"""The psychological service's records: check-ins, counselling cases, slots and appointments, notes, consent,
sharing, the access log, hotlines and the anonymous events the statistics count.

These are health records. The texts (note bodies, request topics and preferred times, questionnaire
answers, shared messages) are encrypted at rest (``wellbeing.crypto``); only the counsellors assigned to a
case read it (``wellbeing/access.py``), every read of a person's record is kept in ``AccessLogEntry`` and
shown to that person, and closed cases are destroyed after ``settings.WELLBEING_RETENTION_DAYS``
(``wellbeing.services.retention``), leaving only ``WellbeingEvent`` rows, which name nobody. None of these
models is registered in the admin.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import Partner
from wellbeing.crypto import EncryptedJSONField, EncryptedTextField


class Service(models.Model):
    """A counselling service: the university's, or a partner's own. Counsellors belong to one."""

    name = models.CharField(_("name"), max_length=200)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner"))

    class Meta:
        verbose_name = _("counselling service")
        verbose_name_plural = _("counselling services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Counsellor(models.Model):
    """A counsellor's place in a service (the person also holds the counsellor platform role)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="counsellor", verbose_name=_("person")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="counsellors", verbose_name=_("service")
    )
    languages = models.CharField(_("languages"), max_length=100, blank=True)
    on_duty = models.BooleanField(_("on duty"), default=False, help_text=_("Told at once of urgent requests."))

    class Meta:
        verbose_name = _("counsellor")
        verbose_name_plural = _("counsellors")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Hotline(models.Model):
    """A crisis line shown at once to anyone whose answer signals a crisis; kept by the office."""

    name = models.CharField(_("name"), max_length=200)
    number = models.CharField(_("number"), max_length=60)
    hours = models.CharField(_("hours"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class CheckIn(models.Model):
    """A person's private check-in: mood and stress (1 to 5), optionally PHQ-9 and GAD-7.

    The answers to the questionnaires are encrypted; their totals and bands are kept beside them so that
    the person and their counsellor can follow them over time (the chart) without decrypting every row."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    mood = models.PositiveSmallIntegerField(_("mood"))
    stress = models.PositiveSmallIntegerField(_("stress"))
    answers = EncryptedJSONField(_("questionnaire answers"), null=True, blank=True)
    phq9_score = models.PositiveSmallIntegerField(_("PHQ-9 score"), null=True, blank=True)
    gad7_score = models.PositiveSmallIntegerField(_("GAD-7 score"), null=True, blank=True)
    crisis = models.BooleanField(_("crisis answer"), default=False)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "-created_at"], name="checkin_person_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(mood__gte=1, mood__lte=5), name="checkin_mood_range"),
            models.CheckConstraint(condition=Q(stress__gte=1, stress__lte=5), name="checkin_stress_range"),
            models.CheckConstraint(
                condition=Q(phq9_score__isnull=True) | Q(phq9_score__lte=27), name="checkin_phq9_range"
            ),
            models.CheckConstraint(
                condition=Q(gad7_score__isnull=True) | Q(gad7_score__lte=21), name="checkin_gad7_range"
            ),
        ]

    def __str__(self) -> str:
        return f"C{self.pk}"


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("When a time is free")
    SOON = "soon", _("Within a few days")
    URGENT = "urgent", _("Urgent: I need help now")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class CaseStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a counsellor")
    OPEN = "open", pgettext_lazy("case status", "Open")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("case status", "Withdrawn")


class Case(models.Model):
    """A request for counselling and, once a counsellor takes it, the case it becomes.

    The topic and preferred times are encrypted. ``partner`` and ``role`` are the anonymous dimensions the
    statistics count by (where the person trains or works, and as what), fixed when the request is made."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service"))
    topic = EncryptedTextField(_("what it is about"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    language = models.CharField(_("preferred language"), max_length=40, blank=True)
    preferred_times = EncryptedTextField(_("preferred times"), blank=True)
    mode = models.CharField(_("in person or online"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.WAITING)
    partner = models.ForeignKey(Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    role = models.CharField(_("role"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    first_appointment_at = models.DateTimeField(_("first appointment"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    referred_to = EncryptedTextField(_("referred to"), blank=True)

    class Meta:
        verbose_name = _("counselling case")
        verbose_name_plural = _("counselling cases")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["service", "status"], name="case_service_status_idx"),
            models.Index(fields=["status", "closed_at"], name="case_retention_idx"),
            models.Index(fields=["person"], name="case_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="wellbeing_case_status_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=[CaseStatus.CLOSED, CaseStatus.WITHDRAWN]) | Q(closed_at__isnull=False),
                name="case_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (CaseStatus.WAITING, CaseStatus.OPEN, CaseStatus.REFERRED)


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def in_force(self) -> AssignmentQuerySet:
        """Assignments not ended (a break-glass one ends by itself after a day)."""
        now = timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))


class Assignment(models.Model):
    """A counsellor assigned to a case: the only way to read it. A break-glass assignment (a counsellor of
    the service reading a case that is not theirs, in an emergency) carries its reason and ends by itself."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    counsellor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    break_glass_reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["counsellor", "case"], name="assignment_access_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.counsellor_id}"


class Slot(models.Model):
    """A time a counsellor offers; free while no booked appointment holds it."""

    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("counsellor")
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="slots", verbose_name=_("service"))
    starts_at = models.DateTimeField(_("starts"))
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=50)
    mode = models.CharField(_("in person or online"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    place = models.CharField(_("where"), max_length=200, blank=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at", "counsellor"], name="slot_time_idx")]
        constraints = [
            models.UniqueConstraint(fields=["counsellor", "starts_at"], name="slot_unique_per_counsellor"),
            models.CheckConstraint(condition=Q(minutes__gte=10, minutes__lte=240), name="slot_minutes_range"),
        ]

    def __str__(self) -> str:
        return f"S{self.pk}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    MOVED = "moved", _("Moved")


class Appointment(models.Model):
    """A person's appointment in a slot, within a case. Moving cancels it as "moved" and books another
    that points back at it; a slot holds one booked appointment at most (a database constraint)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appointments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    status = models.CharField(
        _("status"), max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    booked_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moved_from = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="moved_to")

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["slot__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status="booked"), name="appointment_one_booking_per_slot"
            ),
            models.CheckConstraint(condition=Q(status__in=AppointmentStatus.values), name="appointment_status_valid"),
        ]

    def __str__(self) -> str:
        return f"A{self.pk}"


class NoteKind(models.TextChoices):
    NOTE = "note", _("Note")
    REFERRAL = "referral", _("Referral")
    CLOSING = "closing", _("Closing summary")


class CaseNote(models.Model):
    """A counsellor's note on a case (encrypted). Never edited: a correction is a new note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=NoteKind.choices, default=NoteKind.NOTE)
    body = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"N{self.pk}"


class ConsentKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("First contact: what is kept, who sees it, for how long")
    SHARING = "sharing", _("Sharing with someone named")


class Consent(models.Model):
    """Consent given by the person: at first contact, and separately for each sharing (with whom, what
    for). Withdrawing keeps the row and its date; nothing is shared under a withdrawn consent."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="consents")
    kind = models.CharField(_("kind"), max_length=16, choices=ConsentKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = EncryptedTextField(_("what may be shared, and why"), blank=True)
    wording_version = models.CharField(max_length=20, default="2026-1")
    given_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["given_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="first_contact") | (Q(recipient__isnull=False) & Q(case__isnull=False)),
                name="consent_sharing_names_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"K{self.pk}"


class Sharing(models.Model):
    """Something a counsellor shared, under a consent, with the person it names (e.g. a tutor told that a
    student needs a lighter schedule). The message is encrypted; the recipient reads it on its page."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sharings")
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="sharings")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = EncryptedTextField(_("message"))
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sharing")
        verbose_name_plural = _("sharings")
        ordering = ["-shared_at", "-pk"]

    def __str__(self) -> str:
        return f"H{self.pk}"


#: What a read was of, as the access log shows it (``AccessLogEntry.what`` keeps the English key).
READ_LABELS = {
    "case": _("case"),
    "my history": _("my history"),
    "shared message": _("a message shared with your consent"),
    "request": _("request"),
    "check-in": _("check-in"),
    "appointment": _("appointment"),
}


class AccessLogEntry(models.Model):
    """One read of a person's record: who, when, what, and why (for a break-glass read). The person reads
    their own log; nobody else does."""

    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    what = models.CharField(max_length=200)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject", "-at"], name="accesslog_subject_idx")]

    def __str__(self) -> str:
        return f"L{self.pk}"

    @property
    def what_display(self) -> str:
        """``what`` in the reader's language (the row keeps the English label it was written with)."""
        match = re.fullmatch(r"(.+?)(?: #(\d+))?( list)?( \(break-glass\))?", self.what)
        if match is None:  # pragma: no cover - the pattern matches any text
            return self.what
        name, pk, listed, glass = match.groups()
        label = str(READ_LABELS.get(name.removesuffix(" (API)"), name))
        if pk:
            label = f"{label} #{pk}"
        if name.endswith(" (API)"):
            label = _("%(record)s, through the API") % {"record": label}
        if listed:
            label = _("%(record)s (a list)") % {"record": label}
        if glass:
            label = _("%(record)s, emergency opening") % {"record": label}
        return str(label)


class EventKind(models.TextChoices):
    REQUEST = "request", _("Requests")
    APPOINTMENT = "appointment", _("Appointments")
    CHECK_IN = "check_in", _("Check-ins")


class WellbeingEvent(models.Model):
    """An anonymous fact the statistics count: a request, an appointment or a check-in, by month, partner
    and role. ``person_key`` is a keyed hash that lets a cell count people rather than rows; it is blanked
    when the records it came from are destroyed, so what stays names nobody. ``wait_days`` is, on a
    request, the days until its first appointment (the service's performance figure); ``band`` a check-in's
    mood (1 to 5)."""

    kind = models.CharField(max_length=12, choices=EventKind.choices)
    month = models.DateField()
    partner = models.ForeignKey(Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=20, blank=True)
    person_key = models.CharField(max_length=64, blank=True)
    source_key = models.CharField(max_length=40, blank=True, db_index=True)
    wait_days = models.PositiveIntegerField(null=True, blank=True)
    band = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("wellbeing event")
        verbose_name_plural = _("wellbeing events")
        indexes = [models.Index(fields=["kind", "month"], name="event_kind_month_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m}"
