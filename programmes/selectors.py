"""Reads about programmes and agreements shared by pages and the API. Each starts from the user's scope."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import AnyUser
from partners import access
from partners.models import Partner, PartnerKind, PartnerStatus
from programmes.models import (
    EXPIRY_WARNING_DAYS,
    ActivityCategory,
    Agreement,
    AgreementParty,
    AgreementStatus,
    Cohort,
    CreditRequirement,
    MilestoneTemplate,
    Objective,
    ObjectiveKind,
    Participation,
    Programme,
    RequirementsVersion,
)
from students.models import Student


def _ending_soon_q(today: datetime.date) -> Q:
    """Signed and ending within ``EXPIRY_WARNING_DAYS`` days (``Agreement.ends_soon``, in SQL)."""
    return Q(
        status=AgreementStatus.SIGNED,
        end_date__gte=today,
        end_date__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS),
    )


def _count(qs: QuerySet[Any], key: str) -> Coalesce:
    """A correlated ``COUNT`` subquery over ``qs`` grouped by ``key`` (no row multiplication, no DISTINCT)."""
    counted = qs.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def programme_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet[Programme]:
    """Programmes the user may see, with their lead university, partner and student counts."""
    programmes = access.scope(Programme.objects.select_related("lead_university"), user, "view")
    if status := (filters or {}).get("status"):
        programmes = programmes.filter(status=status)
    return programmes.annotate(
        partner_count=_count(Participation.objects.filter(programme=OuterRef("pk")), "programme"),
        student_count=_count(Student.objects.filter(programme=OuterRef("pk")), "programme"),
    ).order_by("name")


def agreement_list(
    *, user: AnyUser, filters: Mapping[str, Any] | None = None, today: datetime.date | None = None
) -> QuerySet[Agreement]:
    """Agreements the user may see, those ending within 60 days first (``ending_soon``), then by end date.

    Filters: ``programme``, ``ending_soon`` (true: only those), ``status``.
    """
    filters = filters or {}
    today = today or timezone.localdate()
    agreements = access.scope(Agreement.objects.select_related("programme"), user, "view").prefetch_related(
        Prefetch("parties", queryset=AgreementParty.objects.select_related("partner").order_by("partner__name"))
    )
    if programme := filters.get("programme"):
        agreements = agreements.filter(programme=programme)
    if status := filters.get("status"):
        agreements = agreements.filter(status=status)
    if filters.get("ending_soon"):
        agreements = agreements.filter(_ending_soon_q(today))
    return agreements.annotate(
        ending_soon=Case(
            When(_ending_soon_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    ).order_by("-ending_soon", "end_date", "title")


def agreement_detail(*, user: AnyUser, pk: int) -> Agreement | None:
    """One agreement the user may see, with its programme and parties, or None."""
    return agreement_list(user=user).filter(pk=pk).first()


def agreement_termination(*, agreement: Agreement) -> Any:
    """How a terminated agreement ended: the history row that terminated it, with who did it (None when
    the agreement was not terminated). ``agreement`` is one the reader may see."""
    if agreement.status != AgreementStatus.TERMINATED:
        return None
    return (
        agreement.history.filter(status=AgreementStatus.TERMINATED)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("history_date")
        .first()
    )


def programme_participations(*, programme: Programme) -> list[Participation]:
    """The partners taking part in a programme the reader may see, with their roles, by role then name."""
    return list(
        Participation.objects.filter(programme=programme).select_related("partner").order_by("role", "partner__name")
    )


@dataclass
class ProgrammeOverview:
    """What a programme page shows: partners and their roles, objectives by kind, requirements, cohorts with
    their student counts, and the agreements the user may see."""

    programme: Programme
    participations: list[Participation]
    objectives_by_kind: list[tuple[str, list[Objective]]]
    credits: list[CreditRequirement]
    activity_categories: list[ActivityCategory]
    milestones: list[MilestoneTemplate]
    cohorts: list[Cohort]
    agreements: list[Agreement]

    @property
    def total_practice_hours(self) -> int:
        return sum(category.required_hours for category in self.activity_categories)


def programme_overview(*, user: AnyUser, programme: Programme) -> ProgrammeOverview:
    """The programme page's content in a fixed number of queries, whatever the programme's size."""
    objectives = list(Objective.objects.filter(programme=programme).order_by("code"))
    by_kind = [
        (str(label), [o for o in objectives if o.kind == kind])
        for kind, label in ObjectiveKind.choices
        if any(o.kind == kind for o in objectives)
    ]
    cohorts = Cohort.objects.filter(programme=programme).annotate(
        student_count=_count(Student.objects.filter(cohort=OuterRef("pk")), "cohort")
    )
    return ProgrammeOverview(
        programme=programme,
        participations=programme_participations(programme=programme),
        objectives_by_kind=by_kind,
        credits=list(CreditRequirement.objects.filter(programme=programme).order_by("category")),
        activity_categories=list(ActivityCategory.objects.filter(programme=programme).order_by("name")),
        milestones=list(MilestoneTemplate.objects.filter(programme=programme).order_by("offset_months")),
        cohorts=list(cohorts.order_by("-intake_year")),
        agreements=list(agreement_list(user=user, filters={"programme": programme})),
    )


# --- Programme set-up (office) ----------------------------------------------------------------------------


def programme_lead_choices(*, user: AnyUser) -> QuerySet[Partner]:
    """Universities the user may name as a programme's lead (suspended ones left out)."""
    universities = Partner.objects.filter(kind=PartnerKind.UNIVERSITY).exclude(status=PartnerStatus.SUSPENDED)
    return access.scope(universities, user, "view").order_by("name")


def programme_new_partner_choices(*, user: AnyUser, programme: Programme) -> QuerySet[Partner]:
    """Partners that could join the programme: not taking part yet, not suspended."""
    partners = Partner.objects.exclude(status=PartnerStatus.SUSPENDED).exclude(
        pk__in=Participation.objects.filter(programme=programme).values("partner_id")
    )
    return access.scope(partners, user, "view").order_by("name")


@dataclass
class ProgrammeChange:
    """One recorded change of a programme or its parts: what, who, when."""

    at: datetime.datetime
    by: str
    what: str
    change: str


def programme_changes(*, programme: Programme, limit: int = 100) -> list[ProgrammeChange]:
    """The programme's recorded changes, newest first: its own history, its objectives', categories',
    cohorts' and participations' histories, and its requirements versions (``programme`` is one the reader
    may see; the page is the office's)."""
    labels = {"+": _("added"), "~": _("changed"), "-": _("removed")}
    sources: list[tuple[Any, str, Callable[[Any], str]]] = [
        (Programme.history.filter(id=programme.pk), str(_("Programme")), lambda h: h.name),  # type: ignore[attr-defined]
        (Objective.history.filter(programme_id=programme.pk), str(_("Objective")), lambda h: h.code),  # type: ignore[attr-defined]
        (ActivityCategory.history.filter(programme_id=programme.pk), str(_("Activity category")), lambda h: h.name),  # type: ignore[attr-defined]
        (Cohort.history.filter(programme_id=programme.pk), str(_("Cohort")), lambda h: str(h.intake_year)),  # type: ignore[attr-defined]
        (
            Participation.history.filter(programme_id=programme.pk).select_related("partner"),  # type: ignore[attr-defined]
            str(_("Participating partner")),
            lambda h: h.partner.name,
        ),
    ]
    rows: list[ProgrammeChange] = []
    for history, kind, name in sources:
        for h in history.select_related("history_user").order_by("-history_date")[:limit]:
            who = h.history_user.display_name if h.history_user else "—"
            rows.append(ProgrammeChange(h.history_date, who, f"{kind}: {name(h)}", str(labels.get(h.history_type, ""))))
    versions = RequirementsVersion.objects.filter(programme=programme).select_related("created_by")
    for v in versions.order_by("-number")[:limit]:
        who = v.created_by.display_name if v.created_by else "—"
        rows.append(
            ProgrammeChange(v.created_at, who, str(_("Requirements v%(number)s") % {"number": v.number}), v.summary)
        )
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:limit]


def requirements_versions(*, user: AnyUser, programme: Programme) -> QuerySet[RequirementsVersion]:
    """The programme's requirements versions the user may see, newest first."""
    versions = access.scope(RequirementsVersion.objects.select_related("created_by"), user, "view")
    return versions.filter(programme=programme).order_by("-number")
