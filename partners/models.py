"""Partners (the organisations of a joint programme), their sites, and who belongs to them.

Each model that is scoped to a partner names its path to the partner once, in ``access_partner_path``;
the access rules (``partners.access`` and each app's ``access.py``) build every filter from it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from core.models import EvidenceQuerySet


class PartnerKind(models.TextChoices):
    """The four training subjects and three supporting subjects of domain.md."""

    UNIVERSITY = "university", _("University")
    HOSPITAL = "hospital", _("Hospital")
    ENTERPRISE = "enterprise", _("Enterprise")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    GOVERNMENT = "government", _("Government body")
    SERVICE_INTERMEDIARY = "service_intermediary", _("Science and technology service intermediary")
    FINANCIAL_INSTITUTION = "financial_institution", _("Financial institution")


TRAINING_KINDS = frozenset(
    {PartnerKind.UNIVERSITY, PartnerKind.HOSPITAL, PartnerKind.ENTERPRISE, PartnerKind.RESEARCH_INSTITUTE}
)


class PartnerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("partner status", "Active")
    PROBATION = "probation", pgettext_lazy("partner status", "On probation")
    SUSPENDED = "suspended", pgettext_lazy("partner status", "Suspended")


class Partner(models.Model):
    """An organisation that trains students or supports the programme."""

    access_partner_path = "pk"

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=PartnerKind.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE, db_index=True
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    responsibilities = models.TextField(
        _("responsibilities"), blank=True, help_text=_("Prefilled from the partner's kind; edit as agreed.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PartnerKind.values), name="partner_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=PartnerStatus.values), name="partner_status_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="partner_name_not_blank"),
            models.CheckConstraint(condition=~Q(short_name=""), name="partner_short_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_training_subject(self) -> bool:
        return self.kind in TRAINING_KINDS


class PartnerStatusChange(models.Model):
    """One change of a partner's status, with its reason: the partner's status history.

    Rows are only ever added (by ``partners.services.partner_change_status``).
    """

    access_partner_path = "partner"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=16, choices=PartnerStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=PartnerStatus.choices)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner status change")
        verbose_name_plural = _("partner status changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["partner", "-changed_at"])]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="status_change_reason_required")]

    def __str__(self) -> str:
        return f"{self.partner}: {self.from_status or '-'} -> {self.to_status}"


class Site(models.Model):
    """A place inside a partner where students train, such as an imaging department or an R&D lab."""

    access_partner_path = "partner"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="sites", verbose_name=_("partner"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("How many students it can take at once."))
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["partner__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="site_name_unique_per_partner"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="site_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner.short_name})"

    def clean(self) -> None:
        # The check constraint says the same; this names the field, so forms and the API can show it there.
        if self.capacity is not None and self.capacity < 1:
            raise ValidationError({"capacity": _("A site takes at least one student.")})


class MembershipRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    SUPERVISOR = "supervisor", _("Supervisor")
    TUTOR = "tutor", _("Tutor")
    STAFF = "staff", _("Staff")
    FINANCE = "finance", _("Finance officer")


def in_force_q(
    on: datetime.date | None = None,
    prefix: str = "",
    *,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Q:
    """The condition for a membership in force on a day (today by default); ``prefix`` reaches it by a path.

    From today on, a membership ended with immediate effect (``ended_at`` reached) is no longer in force,
    although its last day, today, has not passed; on earlier days it was. ``today`` and ``now`` default to
    the clock's (given, by ``partners.access``, to compile the condition once with stand-in values).
    """
    today = today or timezone.localdate()
    day = on or today
    condition = Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )
    if day >= today:
        condition &= Q(**{f"{prefix}ended_at__isnull": True}) | Q(**{f"{prefix}ended_at__gt": now or timezone.now()})
    return condition


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: datetime.date | None = None) -> MembershipQuerySet:
        """Memberships in force on a day (today by default). An ended membership grants nothing."""
        return self.filter(in_force_q(on))


class Membership(models.Model):
    """A person's role at a partner for a period. Only memberships in force grant anything."""

    access_partner_path = "partner"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("partner")
    )
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices)
    start_date = models.DateField(_("start date"), default=timezone.localdate)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    ended_at = models.DateTimeField(
        _("ended at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When an ending took effect at once (ended on its last day): it grants nothing from then on."),
    )
    ended_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["partner__name", "role", "user__username"]
        indexes = [
            # The access layer's joins: "which partners does this user belong to, in which role, today".
            models.Index(fields=["user", "role", "partner", "start_date", "end_date"], name="membership_access_idx"),
            models.Index(fields=["partner", "role"], name="membership_partner_role_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
            models.CheckConstraint(condition=Q(role__in=MembershipRole.values), name="membership_role_valid"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(end_date__isnull=False), name="membership_ended_at_has_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.partner.short_name}"

    def clean(self) -> None:
        # The check constraint says the same; this names the field, so forms and the API can show it there.
        if self.end_date is not None and self.start_date is not None and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})

    @property
    def has_ended(self) -> bool:
        """Whether it grants nothing any more: ended with immediate effect, or its last day has passed."""
        if self.ended_at is not None and self.ended_at <= timezone.now():
            return True
        return self.end_date is not None and self.end_date < timezone.localdate()

    def is_active_on(self, day: datetime.date | None = None) -> bool:
        """Whether the membership is in force on a day (today by default), as ``in_force_q`` says."""
        today = timezone.localdate()
        day = day or today
        if day >= today and self.ended_at is not None and self.ended_at <= timezone.now():
            return False
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class PartnerUserObjectPermission(UserObjectPermissionBase):
    """A direct object grant on a partner (django-guardian's direct foreign-key model), with an end.

    Used for access that no membership explains, e.g. an inspector reading the partner it inspects.
    Only ``partners.access`` creates or reads these rows.
    """

    content_object = models.ForeignKey(Partner, on_delete=models.CASCADE)
    valid_until = models.DateTimeField(_("valid until"), db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("partner grant")
        verbose_name_plural = _("partner grants")
        indexes = [models.Index(fields=["user", "permission", "valid_until"], name="partner_grant_idx")]
