"""Projects: research and entrepreneurial projects, their outputs, the project board and points.

A project belongs to a programme (whose points scheme prices it), is hosted by a lead partner and may
involve others. Its people are ``ProjectMember`` rows (students, tutors, supervisors, partner staff) with a
role. Outputs carry evidence and earn points only once the office has verified them.

Points are a ledger (``PointAward``): a row per person per earning event (a concluded project, a verified
output), naming the scheme version and the figures it was priced with. Rows are evidence: never edited or
deleted; a correction is a reversal row pointing at the award it cancels, with who, when and why. A
person's points are the plain sum of their rows: small projects accumulate without a cap.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import EvidenceQuerySet
from funds.models import Allocation, Expenditure
from partners.models import Partner
from programmes.models import Programme


class ProjectKind(models.TextChoices):
    RESEARCH_GOVERNMENT = "research_government", _("Research: government-funded")
    RESEARCH_COMMISSIONED = "research_commissioned", _("Research: commissioned by a partner")
    VENTURE = "venture", _("Entrepreneurial: venture")
    COMPETITION = "competition", _("Entrepreneurial: innovation competition entry")
    TECH_TRANSFER = "tech_transfer", _("Entrepreneurial: technology transfer")


RESEARCH_KINDS = frozenset({ProjectKind.RESEARCH_GOVERNMENT, ProjectKind.RESEARCH_COMMISSIONED})
ENTREPRENEURIAL_KINDS = frozenset({ProjectKind.VENTURE, ProjectKind.COMPETITION, ProjectKind.TECH_TRANSFER})


class Scale(models.TextChoices):
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", pgettext_lazy("project status", "Approved")
    RUNNING = "running", _("Running")
    CONCLUDED = "concluded", _("Concluded")
    ABANDONED = "abandoned", _("Abandoned")


class MemberKind(models.TextChoices):
    STUDENT = "student", _("Student")
    TUTOR = "tutor", _("Tutor")
    SUPERVISOR = "supervisor", _("Supervisor")
    PARTNER_STAFF = "partner_staff", _("Partner staff")


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    CORE = "core", _("Core member")
    PARTICIPANT = "participant", _("Participant")


class OutputType(models.TextChoices):
    PAPER = "paper", _("Paper")
    PATENT = "patent", _("Patent")
    SOFTWARE_COPYRIGHT = "software_copyright", _("Software copyright")
    PROTOTYPE = "prototype", _("Prototype")
    EVALUATION = "evaluation", _("Clinical or product evaluation")
    AWARD = "award", _("Competition award")
    VENTURE = "venture", _("Venture registered")
    TRANSFER_CONTRACT = "transfer_contract", _("Technology-transfer contract")


class OutputStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", pgettext_lazy("project output status", "Rejected")


class PointsScheme(models.Model):
    """A version of a programme's points scheme: how a project's scale follows from its budget and
    duration, points per project by scale and role, per verified output by type, and optional weights by
    the lead partner's kind.

    A scheme applies from ``valid_from`` until the next version's date. Once an award has been priced
    with it (``frozen_at``), it never changes: a new rule is a new version from a later date. The rates
    are kept as small JSON maps (``{"small": {"leader": "4", ...}}``), checked by the service that writes
    them (``projects.services.schemes``) and read only through the methods below.
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="points_schemes")
    version = models.PositiveSmallIntegerField(_("version"))
    valid_from = models.DateField(_("applies from"))
    medium_budget_from = models.DecimalField(
        _("medium from budget (CNY)"), max_digits=14, decimal_places=2, default=Decimal("100000")
    )
    large_budget_from = models.DecimalField(
        _("large from budget (CNY)"), max_digits=14, decimal_places=2, default=Decimal("1000000")
    )
    medium_months_from = models.PositiveSmallIntegerField(_("medium from duration (months)"), default=12)
    large_months_from = models.PositiveSmallIntegerField(_("large from duration (months)"), default=24)
    project_points = models.JSONField(_("points per project, by scale and role"), default=dict)
    output_points = models.JSONField(_("points per verified output, by type"), default=dict)
    partner_weights = models.JSONField(_("weights by the lead partner's kind"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    frozen_at = models.DateTimeField(_("in use since"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("points scheme")
        verbose_name_plural = _("points schemes")
        ordering = ["programme", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "version"], name="scheme_version_unique"),
            models.UniqueConstraint(fields=["programme", "valid_from"], name="scheme_date_unique"),
            models.CheckConstraint(
                condition=Q(large_budget_from__gte=models.F("medium_budget_from")), name="scheme_budget_order"
            ),
            models.CheckConstraint(
                condition=Q(large_months_from__gte=models.F("medium_months_from")), name="scheme_months_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} v{self.version}"

    @property
    def label(self) -> str:
        return f"v{self.version} ({self.valid_from:%Y-%m-%d})"

    def project_rate(self, scale: str, role: str) -> Decimal:
        """Points for one member of a concluded project of this scale in this role (0 when unpriced)."""
        by_role: dict[str, Any] = self.project_points.get(scale) or {}
        return Decimal(str(by_role.get(role) or 0))

    def output_rate(self, output_type: str) -> Decimal:
        """Points for one contributor to a verified output of this type (0 when unpriced)."""
        return Decimal(str(self.output_points.get(output_type) or 0))

    def project_rows(self) -> list[tuple[str, list[tuple[str, Decimal]]]]:
        """The per-project rates with their labels, for pages: [(scale, [(role, points)])]."""
        return [
            (
                str(scale_label),
                [(str(role_label), self.project_rate(scale, role)) for role, role_label in MemberRole.choices],
            )
            for scale, scale_label in Scale.choices
        ]

    def output_rows(self) -> list[tuple[str, Decimal]]:
        """The per-output rates with their labels, for pages."""
        return [(str(label), self.output_rate(kind)) for kind, label in OutputType.choices]

    def weight_rows(self) -> list[tuple[str, Decimal]]:
        """The weights other than 1, with the partner kinds' labels."""
        from partners.models import PartnerKind

        return [(str(label), self.weight(kind)) for kind, label in PartnerKind.choices if self.weight(kind) != 1]

    def weight(self, partner_kind: str) -> Decimal:
        """The weight for projects led by a partner of this kind (1 unless the scheme says otherwise)."""
        return Decimal(str(self.partner_weights.get(partner_kind) or 1))


class Project(models.Model):
    """A research or entrepreneurial project of a programme, hosted by a lead partner."""

    access_partner_path = "lead_partner"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="projects")
    title_en = models.CharField(_("title (English)"), max_length=250)
    title_zh = models.CharField(_("title (Chinese)"), max_length=250, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=ProjectKind.choices)
    description = models.TextField(_("description"), blank=True)
    lead_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="led_projects", verbose_name=_("lead partner")
    )
    partners = models.ManyToManyField(
        Partner, through="ProjectPartner", related_name="projects", verbose_name=_("partners involved")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_projects", verbose_name=_("leader")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    budget = models.DecimalField(_("budget (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    scale = models.CharField(_("scale"), max_length=8, choices=Scale.choices)
    scheme = models.ForeignKey(
        PointsScheme,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scale set by scheme"),
        help_text=_("The scheme version whose rule gave the scale."),
    )
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED)
    funding_reference = models.CharField(
        _("funding"), max_length=200, blank=True, help_text=_("Grant number, contract or fund allocation.")
    )
    #: the training-fund allocation that pays for the project (funds stands below projects); set through
    #: ``projects.services.project_allocation_set``, which checks it is the lead partner's or the university's
    #: (docs/decisions/0038-projects-and-fund-allocations.md)
    fund_allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        related_name="projects",
        null=True,
        blank=True,
        verbose_name=_("fund allocation"),
    )
    status_reason = models.TextField(_("reason for the last status change"), blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(fields=["status", "-start_date"], name="project_status_idx"),
            models.Index(fields=["programme", "status"], name="project_programme_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="project_period"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_positive"),
            models.CheckConstraint(condition=Q(kind__in=ProjectKind.values), name="project_kind_valid"),
            models.CheckConstraint(condition=Q(scale__in=Scale.values), name="project_scale_valid"),
            models.CheckConstraint(
                condition=~Q(status=ProjectStatus.CONCLUDED) | Q(concluded_on__isnull=False),
                name="project_concluded_on",
            ),
        ]

    def __str__(self) -> str:
        return self.title_en

    @property
    def is_entrepreneurial(self) -> bool:
        return self.kind in ENTREPRENEURIAL_KINDS


class ProjectPartner(models.Model):
    """A partner involved in a project (the lead partner is always one)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partner_links")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="project_links")

    class Meta:
        verbose_name = _("partner involved")
        verbose_name_plural = _("partners involved")
        constraints = [models.UniqueConstraint(fields=["project", "partner"], name="project_partner_unique")]
        indexes = [models.Index(fields=["partner", "project"], name="project_partner_idx")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.partner_id}"


class ProjectMember(models.Model):
    """A person on a project, with what they are (student, tutor, ...) and their role in it."""

    access_partner_path = "project__lead_partner"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="project_memberships")
    kind = models.CharField(_("member"), max_length=16, choices=MemberKind.choices)
    role = models.CharField(_("role"), max_length=12, choices=MemberRole.choices)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        ordering = ["project", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="project_member_unique")]
        indexes = [models.Index(fields=["user", "project"], name="project_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.role})"


class ProjectOutput(models.Model):
    """A result of a project, with its evidence; it earns points for its contributors once verified."""

    access_partner_path = "project__lead_partner"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="outputs")
    output_type = models.CharField(_("type"), max_length=24, choices=OutputType.choices)
    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(
        _("reference"), max_length=200, blank=True, help_text=_("DOI, patent or registration number, contract.")
    )
    evidence = models.FileField(_("evidence"), upload_to="projects/outputs/%Y/", blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True)
    achieved_on = models.DateField(_("achieved on"))
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="project_outputs", verbose_name=_("contributors")
    )
    status = models.CharField(_("status"), max_length=12, choices=OutputStatus.choices, default=OutputStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note on the evidence"), blank=True)

    objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project output")
        verbose_name_plural = _("project outputs")
        ordering = ["-achieved_on", "-pk"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="output_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(output_type__in=OutputType.values), name="output_type_valid"),
            models.CheckConstraint(
                condition=Q(status=OutputStatus.SUBMITTED) | Q(decided_at__isnull=False), name="output_decided_at"
            ),
            models.CheckConstraint(
                condition=~Q(status=OutputStatus.REJECTED) | ~Q(decision_note=""), name="output_rejection_note"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AwardSource(models.TextChoices):
    PROJECT = "project", _("Project")
    OUTPUT = "output", _("Output")


class PointAward(models.Model):
    """Points one person earned (or, as a reversal, lost) for one project or verified output.

    The row keeps what it was priced with (scheme version, scale, role, output type, base points and the
    partner weight), so a later scheme changes nothing already earned. ``year`` is the calendar year of
    ``awarded_on``. A reversal has negative points and names the award it cancels (at most once).
    """

    access_partner_path = "project__lead_partner"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="point_awards")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="awards")
    output = models.ForeignKey(ProjectOutput, on_delete=models.PROTECT, related_name="awards", null=True, blank=True)
    source = models.CharField(_("for"), max_length=8, choices=AwardSource.choices)
    scheme = models.ForeignKey(PointsScheme, on_delete=models.PROTECT, related_name="awards")
    scale = models.CharField(_("scale"), max_length=8, choices=Scale.choices)
    role = models.CharField(_("role"), max_length=12, choices=MemberRole.choices, blank=True)
    member_kind = models.CharField(_("member"), max_length=16, choices=MemberKind.choices, blank=True)
    output_type = models.CharField(_("output type"), max_length=24, choices=OutputType.choices, blank=True)
    base_points = models.DecimalField(_("base points"), max_digits=8, decimal_places=2)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=Decimal("1"))
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    year = models.PositiveSmallIntegerField(_("year"))
    awarded_on = models.DateField(_("awarded on"))
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="reversal", null=True, blank=True, verbose_name=_("reverses")
    )
    reason = models.TextField(_("reason"), blank=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("points award")
        verbose_name_plural = _("points awards")
        ordering = ["-awarded_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "year"], name="award_person_year_idx"),
            models.Index(fields=["year", "person"], name="award_year_idx"),
            models.Index(fields=["project", "source"], name="award_project_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(source=AwardSource.PROJECT, output__isnull=True)
                | Q(source=AwardSource.OUTPUT, output__isnull=False),
                name="award_source_matches",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, points__gte=0) | Q(reverses__isnull=False, points__lte=0),
                name="award_sign",
            ),
            models.CheckConstraint(condition=Q(reverses__isnull=True) | ~Q(reason=""), name="award_reversal_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.points} ({self.source})"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class BoardPost(models.Model):
    """A project offered on the project board: places open to students and the skills wanted."""

    access_partner_path = "project__lead_partner"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="board_posts")
    places = models.PositiveSmallIntegerField(_("places"))
    skills_wanted = models.CharField(_("skills wanted"), max_length=300, blank=True)
    pitch = models.TextField(_("what students will do"), blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(_("posted"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("board post")
        verbose_name_plural = _("board posts")
        ordering = ["-posted_at", "-pk"]
        indexes = [models.Index(fields=["is_open", "-posted_at"], name="board_open_idx")]
        constraints = [models.CheckConstraint(condition=Q(places__gte=1), name="board_places_min")]

    def __str__(self) -> str:
        return f"{self.project} ({self.places})"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("join request status", "Withdrawn")


class JoinRequest(models.Model):
    """A student's request to join a project from the board, and the leader's answer."""

    access_partner_path = "post__project__lead_partner"

    post = models.ForeignKey(BoardPost, on_delete=models.PROTECT, related_name="requests")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="join_requests")
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "student"], condition=Q(status="pending"), name="join_request_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "withdrawn"]) | Q(answered_at__isnull=False),
                name="join_request_answered_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} → {self.post_id} ({self.status})"


class ProjectExpenditure(models.Model):
    """The project an expenditure serves: a link recorded once, by whom and when, never edited; an expenditure
    serves at most one project, and only one paid from the project's allocation (the services check it).

    It lives here, not on ``funds.Expenditure``, because funds stands below projects (docs/architecture.md).
    """

    access_partner_path = "project__lead_partner"

    expenditure = models.OneToOneField(
        Expenditure, on_delete=models.PROTECT, related_name="project_link", verbose_name=_("expenditure")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="expenditure_links", verbose_name=_("project")
    )
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("project expenditure")
        verbose_name_plural = _("project expenditures")
        ordering = ["project", "-linked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project_id} ← {self.expenditure_id}"
