"""What funds plugs into the apps below it (``core.hooks``), registered from ``FundsConfig.ready()``:

* ``DRAW_FACTORS`` "fund_flags": open fund flags at a partner weigh in the spot-inspection draw
  (0.5 per open flag, at most 2.0);
* ``SCORECARD_SECTIONS`` "funds": budget use and open flags on each partner's scorecard;
* ``NAV_ITEMS`` "funds": the Funds link, for the office, coordinators, finance officers and inspectors;
* ``START_PANELS`` "funds": flags waiting for the office; spending awaiting approval at one's partner.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import hooks
from funds.models import BudgetLine, Expenditure, ExpenditureStatus, Flag, FlagStatus, SpendingTotal, cents
from partners import access

FLAG_WEIGHT = Decimal("0.5")
FLAG_WEIGHT_CAP = Decimal("2.0")


def _draw_compute(partner_ids: list[int], today: datetime.date) -> Mapping[int, Mapping[str, Any]]:
    counts = dict(
        Flag.objects.filter(status=FlagStatus.OPEN, allocation__partner_id__in=partner_ids)
        .order_by()
        .values("allocation__partner_id")
        .annotate(n=Count("pk"))
        .values_list("allocation__partner_id", "n")
    )
    return {pid: {"open_fund_flags": counts.get(pid, 0)} for pid in partner_ids}


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
            key="fund_flags", label=gettext_lazy("Open fund flags"), compute=_draw_compute, weight=_draw_weight
        )
    )
    hooks.SCORECARD_SECTIONS.register(
        hooks.ScorecardSection(key="funds", build=_scorecard, template="core/_panel.html", order=50)
    )
    hooks.NAV_ITEMS.register(
        hooks.NavItem(key="funds", label=gettext_lazy("Funds"), url_name="funds:dashboard", visible=_nav_visible)
    )
    hooks.START_PANELS.register(hooks.StartPanel(key="funds", build=_start_panel, template="core/_panel.html"))
