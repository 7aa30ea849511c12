"""What funds plugs into the apps below it (``core.hooks``), registered from ``FundsConfig.ready()``:

* ``DRAW_FACTORS`` "fund_flags": open fund flags at a partner weigh in the spot-inspection draw
  (0.5 per open flag, at most 2.0);
* ``SCORECARD_SECTIONS`` "funds": budget use and open flags on each partner's scorecard;
* ``NAV_ITEMS`` "funds": the Funds link, for the office, coordinators, finance officers and inspectors;
* ``START_PANELS`` "funds": flags waiting for the office; spending awaiting approval at one's partner.

And what funds offers the apps above it (``core.hooks`` style; ``grep -r "ALLOCATION_SECTIONS.register"``
lists every plug): ``ALLOCATION_SECTIONS`` and ``EXPENDITURE_SECTIONS``, blocks on the allocation and the
expenditure pages, e.g. the projects an allocation pays for and the project an expenditure serves (filled by
``projects.hooks``: funds stands below projects and never imports it).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import hooks
from core.hooks import Hook
from funds.models import BudgetLine, Expenditure, ExpenditureStatus, Flag, FlagStatus, SpendingTotal, cents
from partners import access


@dataclass(frozen=True)
class FundsSection:
    """A block on a funds page written by an app above funds.

    ``build(user=..., obj=...)`` returns the template context for the block (``obj``: the ``Allocation``
    or the ``Expenditure`` of the page), or ``None`` to show nothing; it shows only what ``user`` may see
    and costs a fixed number of queries, however much data there is. ``template`` renders it, with the
    mapping as ``section``.
    """

    key: str
    build: Callable[..., Mapping[str, Any] | None]
    template: str
    order: int = 100


ALLOCATION_SECTIONS: Hook[FundsSection] = Hook("ALLOCATION_SECTIONS")
EXPENDITURE_SECTIONS: Hook[FundsSection] = Hook("EXPENDITURE_SECTIONS")


def sections(hook: Hook[FundsSection], *, user: Any, obj: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """The blocks to render on a page: (template, context) for each section that has something to show."""
    built = ((section.template, section.build(user=user, obj=obj)) for section in hook)
    return [(template, context) for template, context in built if context is not None]


FLAG_WEIGHT = Decimal("0.5")
FLAG_WEIGHT_CAP = Decimal("2.0")


def _draw_compute(candidates: Any, today: datetime.date) -> Mapping[int, Mapping[str, Any]]:
    """Open flags by partner, for the partners among ``candidates`` (a subquery) that have any; every
    other candidate counts 0 (``absent`` in ``register``)."""
    return {
        partner_id: {"open_fund_flags": n}
        for partner_id, n in Flag.objects.filter(status=FlagStatus.OPEN, allocation__partner_id__in=candidates)
        .order_by()
        .values("allocation__partner_id")
        .annotate(n=Count("pk"))
        .values_list("allocation__partner_id", "n")
    }


def _draw_weight(factors: Mapping[str, Any]) -> Decimal:
    return min(FLAG_WEIGHT * int(factors.get("open_fund_flags") or 0), FLAG_WEIGHT_CAP)


def _scorecard(*, partner_ids: list[int], user: Any, today: datetime.date) -> Mapping[int, Mapping[str, Any]]:
    """Budget use and open flags per partner, as far as the reader may see that partner's funds."""
    if user is None:
        visible = list(partner_ids)
    else:
        from partners.models import Partner

        visible = list(
            access.scope(Partner.objects.filter(pk__in=partner_ids), user, "view_funds").values_list("pk", flat=True)
        )
    if not visible:
        return {}
    budgets = dict(
        BudgetLine.objects.filter(
            version__allocation__partner_id__in=visible, version__allocation__current_version=F("version")
        )
        .order_by()
        .values("version__allocation__partner_id")
        .annotate(s=Sum("amount"))
        .values_list("version__allocation__partner_id", "s")
    )
    spent = dict(
        SpendingTotal.objects.filter(allocation__partner_id__in=visible)
        .order_by()
        .values("allocation__partner_id")
        .annotate(s=Sum("spent"))
        .values_list("allocation__partner_id", "s")
    )
    flags = dict(
        Flag.objects.filter(allocation__partner_id__in=visible, status=FlagStatus.OPEN)
        .order_by()
        .values("allocation__partner_id")
        .annotate(n=Count("pk"))
        .values_list("allocation__partner_id", "n")
    )
    result: dict[int, Mapping[str, Any]] = {}
    for pid in visible:
        budget, used = cents(budgets.get(pid)), cents(spent.get(pid))
        if not budget and not used:
            continue
        from funds.services import money

        percent = round(100 * used / budget) if budget else 0
        result[pid] = {
            "key": "funds",
            "title": _("Training funds"),
            "text": _("Spent %(spent)s of %(budget)s budgeted (%(percent)s%%).")
            % {"spent": money(used), "budget": money(budget), "percent": percent},
            "items": [
                {"label": _("Open fund flags"), "count": flags.get(pid, 0), "url": reverse("funds:partner", args=[pid])}
            ],
        }
    return result


def _nav_visible(user: Any) -> bool:
    if not user.is_authenticated:
        return False
    from funds.access import FUNDS_ROLES

    return access.is_office(user) or access.is_inspector(user) or access.is_active_member(user, FUNDS_ROLES)


def _start_panel(user: Any) -> Mapping[str, Any] | None:
    if not _nav_visible(user):
        return None
    flags = access.scope(Flag.objects.filter(status=FlagStatus.OPEN), user, "view").count()
    pending = (
        access.scope(
            Expenditure.objects.filter(
                status=ExpenditureStatus.PENDING, reverses__isnull=True, reversed_by__isnull=True
            ),
            user,
            "approve",
        )
        .exclude(Q(entered_by_id=user.pk))
        .count()
    )
    return {
        "key": "funds",
        "title": _("Training funds"),
        "items": [
            {"label": _("Open fund flags"), "count": flags, "url": reverse("funds:flags")},
            {"label": _("Spending awaiting approval"), "count": pending, "url": reverse("funds:dashboard")},
        ],
    }


def register() -> None:
    hooks.DRAW_FACTORS.register(
        hooks.DrawFactor(
            key="fund_flags",
            label=gettext_lazy("Open fund flags"),
            compute=_draw_compute,
            weight=_draw_weight,
            absent={"open_fund_flags": 0},
        )
    )
    hooks.SCORECARD_SECTIONS.register(
        hooks.ScorecardSection(key="funds", build=_scorecard, template="core/_panel.html", order=50)
    )
    hooks.NAV_ITEMS.register(
        hooks.NavItem(key="funds", label=gettext_lazy("Funds"), url_name="funds:dashboard", visible=_nav_visible)
    )
    hooks.START_PANELS.register(hooks.StartPanel(key="funds", build=_start_panel, template="core/_panel.html"))
