"""Training funds, their allocations to partners, the spending recorded against them, authority limits and flags.

Money is ``Decimal`` everywhere (``DecimalField``, two places), never a float. Spending is evidence: an
expenditure is never edited or deleted; a mistake is corrected by a reversal entry (the opposite amount,
pointing at the entry it reverses, with a reason), and both stay on the ledger. An allocation's budget is
versioned: a change adds a new ``AllocationVersion`` with its budget lines and a reason, and the allocation
points at its current version. Bulk ``update()``/``delete()`` of evidence is refused (``EvidenceQuerySet``).

Projects are built in a higher app: an expenditure or allocation names no project here. The extension point
is documented in ``docs/decisions/0021-funds-ledger.md``: the projects app adds its own link table
(expenditure -> project) without changing this one.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import EvidenceQuerySet
from partners.models import Partner, PartnerKind
from programmes.models import Programme
from students.models import Student

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def cents(value: object) -> Decimal:
    """An aggregated amount to the cent. PostgreSQL sums decimals exactly; SQLite sums them as floats, which
    rounding to the cent makes exact again for any amount a fund can hold (14 digits fit a double)."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT)


#: Partners that may be a fund's source: the supporting subjects, an enterprise sponsor, or the university.
SOURCE_KINDS = (
    PartnerKind.GOVERNMENT,
    PartnerKind.FINANCIAL_INSTITUTION,
    PartnerKind.SERVICE_INTERMEDIARY,
    PartnerKind.ENTERPRISE,
    PartnerKind.UNIVERSITY,
)


class Category(models.TextChoices):
    """What money is spent on; budgets and spending are kept by category."""

    EQUIPMENT = "equipment", _("Equipment")
    CONSUMABLES = "consumables", _("Consumables")
    STIPENDS = "stipends", _("Student stipends")
    SUPERVISION = "supervision", _("Supervision fees")
    TRAVEL = "travel", _("Travel")
    TRAINING = "training", _("Training")
    PUBLICATION = "publication", _("Publication and patents")
    OTHER = "other", pgettext_lazy("budget category", "Other")


class Fund(models.Model):
    """A special training fund: who gives it, for which programme, how much, for what and for how long."""

    name = models.CharField(_("name"), max_length=200)
    source = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="funds_given", verbose_name=_("source"))
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="funds", verbose_name=_("programme")
    )
    reference = models.CharField(_("reference"), max_length=80, blank=True, help_text=_("The grant's number."))
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    purpose = models.TextField(_("purpose"))
    conditions = models.TextField(_("conditions"), blank=True)
    #: category codes the fund may be spent on; empty: every category
    allowed_categories = models.JSONField(_("allowed categories"), default=list, blank=True)
    document = models.FileField(_("agreement or grant document"), upload_to="funds/documents/%Y/", blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="fund_total_positive"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="fund_dates_ordered"),
            models.CheckConstraint(condition=~Q(name=""), name="fund_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def allows(self, category: str) -> bool:
        """Whether the fund may be spent on ``category``."""
        return not self.allowed_categories or category in self.allowed_categories

    @property
    def allowed_category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels.get(code, code)) for code in self.allowed_categories]


class Allocation(models.Model):
    """A share of a fund given to a partner. Its period and budget are those of its current version."""

    access_partner_path = "partner"

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("fund"))
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="fund_allocations", verbose_name=_("partner")
    )
    current_version = models.OneToOneField(
        "AllocationVersion", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["fund", "partner__name"]
        constraints = [models.UniqueConstraint(fields=["fund", "partner"], name="allocation_unique_per_partner")]

    def __str__(self) -> str:
        return f"{self.fund} → {self.partner.short_name}"


class AllocationVersion(models.Model):
    """One version of an allocation's period and budget, with the reason for the change. Never edited."""

    access_partner_path = "allocation__partner"

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("allocation version")
        verbose_name_plural = _("allocation versions")
        ordering = ["allocation", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "number"], name="allocation_version_unique"),
            models.CheckConstraint(condition=Q(total__gte=0), name="allocation_total_not_negative"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="allocation_dates_ordered"),
            models.CheckConstraint(condition=~Q(reason=""), name="allocation_version_reason"),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class BudgetLine(models.Model):
    """The budget of one category in one version of an allocation."""

    version = models.ForeignKey(AllocationVersion, on_delete=models.PROTECT, related_name="lines")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["version", "category"]
        constraints = [
            models.UniqueConstraint(fields=["version", "category"], name="budget_line_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="budget_line_category_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.amount}"


class SpendingTotal(models.Model):
    """The ledger's running totals per allocation, category and month (of the entries' dates): *spent* (every
    entry, pending and approved, reversals netted), *approved*, and how many entries.

    Not evidence: the entries are. The ledger services add to these rows in the same transaction as each entry,
    approval and reversal, so pages read a few hundred rows instead of summing every entry; they can always be
    rebuilt from the entries (``funds.services.totals.spending_totals_rebuild``) and are checked against them
    (``funds.selectors.spending_totals_mismatches``, nightly). See docs/decisions/0031-fund-running-totals.md.
    """

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="spending_totals")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    month = models.DateField(_("month"))
    spent = models.DecimalField(_("spent"), max_digits=14, decimal_places=2, default=ZERO)
    approved = models.DecimalField(_("approved"), max_digits=14, decimal_places=2, default=ZERO)
    entries = models.PositiveIntegerField(_("entries"), default=0)

    class Meta:
        verbose_name = _("spending total")
        verbose_name_plural = _("spending totals")
        ordering = ["allocation", "month", "category"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "category", "month"], name="spending_total_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.allocation_id} {self.category} {self.month:%Y-%m} {self.spent}"


class ApproverRole(models.TextChoices):
    """Whose authority an approval was given under."""

    COORDINATOR = "coordinator", _("Coordinator")
    FINANCE = "finance", _("Finance officer")
    OFFICE = "office", _("Graduate office")


class AuthorityLimit(models.Model):
    """How much one role may approve at one partner (or at every partner, when ``partner`` is empty).

    Limits are never edited: setting one adds a row, and the newest row for a role and partner is in force
    (a partner's own row before the all-partners one). The office approves above every limit.
    """

    role = models.CharField(_("role"), max_length=16, choices=ApproverRole.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="authority_limits", null=True, blank=True
    )
    limit = models.DecimalField(_("limit"), max_digits=14, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("authority limit")
        verbose_name_plural = _("authority limits")
        ordering = ["-set_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(limit__gte=0), name="authority_limit_not_negative"),
            models.CheckConstraint(
                condition=Q(role__in=[ApproverRole.COORDINATOR, ApproverRole.FINANCE]), name="authority_limit_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.partner_id or '*'} {self.limit}"


class ExpenditureStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")


class Expenditure(models.Model):
    """Money spent from an allocation: one entry of the ledger. Never edited or deleted.

    A reversal is an entry of the opposite amount that ``reverses`` another, with a reason; an entry is
    reversed at most once, and a reversal is never reversed. Approval records who approved, when, and
    under which role and limit (``approval_limit`` empty: the office, above every limit).
    """

    access_partner_path = "allocation__partner"

    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, related_name="expenditures", verbose_name=_("allocation")
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    payee = models.CharField(_("payee"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    student = models.ForeignKey(
        Student,
        on_delete=models.PROTECT,
        related_name="stipend_payments",
        null=True,
        blank=True,
        verbose_name=_("student"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ExpenditureStatus.choices, default=ExpenditureStatus.PENDING
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    #: the entering person's own approval limit at entry (empty: the office's, unlimited); split purchases
    #: are judged against it
    entered_limit = models.DecimalField(
        _("limit of the person entering"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_role = models.CharField(_("approved as"), max_length=16, choices=ApproverRole.choices, blank=True)
    approval_limit = models.DecimalField(
        _("approved under the limit"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="reversed_by",
        null=True,
        blank=True,
        verbose_name=_("reverses"),
    )
    reversal_reason = models.TextField(_("reason for the reversal"), blank=True)
    #: the row's key in a partner's finance-system export: importing the same file twice adds nothing
    import_key = models.CharField(_("import key"), max_length=120, null=True, blank=True)

    objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["allocation", "category", "date"], name="expenditure_alloc_cat_idx"),
            models.Index(fields=["allocation", "date"], name="expenditure_alloc_date_idx"),
            models.Index(fields=["payee", "date"], name="expenditure_payee_date_idx"),
            models.Index(fields=["status", "entered_at"], name="expenditure_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "import_key"],
                condition=Q(import_key__isnull=False),
                name="expenditure_import_key_unique",
            ),
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0)) | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="expenditure_amount_sign",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reversal_reason=""), name="expenditure_reversal_reason"
            ),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="expenditure_category_valid"),
            models.CheckConstraint(
                condition=Q(status=ExpenditureStatus.PENDING) | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="expenditure_approval_recorded",
            ),
            models.CheckConstraint(condition=~Q(payee=""), name="expenditure_payee_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.payee}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class Receipt(models.Model):
    """A receipt file of an expenditure (PDF, JPEG or PNG, checked by content), with its SHA-256."""

    access_partner_path = "expenditure__allocation__partner"

    expenditure = models.ForeignKey(Expenditure, on_delete=models.PROTECT, related_name="receipts")
    file = models.FileField(_("file"), upload_to="funds/receipts/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.sha256[:12]


class ApprovalAttempt(models.Model):
    """A refused approval: who tried, on what, as whom and under which limit, and why it was refused."""

    access_partner_path = "expenditure__allocation__partner"

    expenditure = models.ForeignKey(Expenditure, on_delete=models.PROTECT, related_name="refused_attempts")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    rule = models.CharField(_("rule"), max_length=40)
    role = models.CharField(_("as"), max_length=16, choices=ApproverRole.choices, blank=True)
    limit = models.DecimalField(_("limit"), null=True, blank=True, max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("refused approval")
        verbose_name_plural = _("refused approvals")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.rule} {self.by_id} {self.expenditure_id}"


class FlagRule(models.TextChoices):
    """The rules spending is checked against; a flag names the rule it broke."""

    OVER_BUDGET_CATEGORY = "over_budget_category", _("Over budget (category)")
    OVER_BUDGET_TOTAL = "over_budget_total", _("Over budget (total)")
    CATEGORY_NOT_ALLOWED = "category_not_allowed", _("Category not allowed by the fund")
    OUTSIDE_PERIOD = "outside_period", _("Date outside the allocation's period")
    RECEIPT_MISSING = "receipt_missing", _("Receipt missing")
    DUPLICATE_RECEIPT = "duplicate_receipt", _("Same receipt twice")
    DUPLICATE_PAYMENT = "duplicate_payment", _("Same payee, amount and date twice")
    SPLIT_PURCHASE = "split_purchase", _("Split purchase")
    BEYOND_AUTHORITY = "beyond_authority", _("Approval attempted beyond authority")
    STIPEND_WITHOUT_PLACEMENT = "stipend_without_placement", _("Stipend without a placement")


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("flag status", "Open")
    RESOLVED = "resolved", pgettext_lazy("flag status", "Resolved")


class Resolution(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("flag resolution", "Accepted")
    CORRECTED = "corrected", pgettext_lazy("flag resolution", "Corrected")
    VIOLATION = "violation", pgettext_lazy("flag resolution", "Referred as a violation")


class Flag(models.Model):
    """Something about an allocation's spending that looks wrong, under a named rule, with its explanation.

    ``key`` identifies what the flag is about (the rule's subject: an expenditure, a category, a group of
    entries), so computing flags again (on entry and nightly) never raises the same flag twice. A resolved
    flag stays, with its resolution, note, who and when. If its condition goes away (``cleared_at``) and
    comes back, the next ``occurrence`` is raised as a new flag (docs/decisions/0031-fund-running-totals.md).
    """

    access_partner_path = "allocation__partner"

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="flags")
    expenditure = models.ForeignKey(Expenditure, on_delete=models.PROTECT, related_name="flags", null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=32, choices=FlagRule.choices)
    key = models.CharField(_("key"), max_length=200)
    #: the explanation's English source text and parameters, translated when shown
    message = models.CharField(_("explanation"), max_length=300)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    amount = models.DecimalField(_("amount"), null=True, blank=True, max_digits=14, decimal_places=2)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    resolution = models.CharField(_("resolution"), max_length=12, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(_("note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    #: 1 for the first flag about a subject; a condition that comes back after its flag was resolved (and
    #: had cleared) raises the next occurrence, the resolved one untouched
    occurrence = models.PositiveSmallIntegerField(_("occurrence"), default=1)
    #: when a check first found the condition gone after the flag was resolved
    cleared_at = models.DateTimeField(_("condition cleared at"), null=True, blank=True)

    objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "allocation"], name="flag_status_alloc_idx"),
            models.Index(fields=["allocation", "-raised_at"], name="flag_alloc_raised_idx"),
            # the queue and the dashboard's newest open flags: read in order, stopped at the page's end
            models.Index(fields=["status", "-raised_at", "-id"], name="flag_status_raised_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["rule", "key", "occurrence"], name="flag_unique_per_occurrence"),
            models.CheckConstraint(condition=Q(rule__in=FlagRule.values), name="flag_rule_valid"),
            models.CheckConstraint(
                condition=Q(status=FlagStatus.OPEN)
                | (~Q(resolution="") & ~Q(resolution_note="") & Q(resolved_by__isnull=False)),
                name="flag_resolution_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.key}"

    @property
    def text(self) -> str:
        """The explanation in the current language, with its parameters filled in."""
        params = dict(self.params or {})
        if "category" in params:
            params["category"] = str(dict(Category.choices).get(params["category"], params["category"]))
        if "role" in params:
            params["role"] = str(dict(ApproverRole.choices).get(params["role"], params["role"] or "-"))
        try:
            return gettext(self.message) % params if params else gettext(self.message)
        except (KeyError, TypeError, ValueError):
            return self.message
