"""The office's live dashboard (this year's indicators of one programme, cached, drilling down to the lists
behind them) and the comparison page (built reports side by side, across programmes and across partners).

Both are the office's alone: anyone else signed in gets a 404 (``quality.access``: a quality report is
office-only), the anonymous the login page. The reads are in ``quality.dashboard``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.views import not_found, require_or_404, scoped_queryset
from programmes.models import Cohort, Programme, ProgrammeStatus
from quality import dashboard
from quality.models import QualityReport


def _reports_url() -> str:
    """The office's reports page (where reports are built), by its name where the reports pages have one."""
    for name in ("quality:reports", "quality:report-list"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/quality/reports/"


def _report_url(pk: int) -> str:
    """The page of one built report, or "" where the reports pages offer none."""
    try:
        return reverse("quality:report", args=[pk])
    except NoReverseMatch:
        return ""


def _int(value: str | None) -> int | None:
    """A query parameter as a number; None when absent; -1 (matches nothing) when not a number."""
    if not value:
        return None
    return int(value) if value.isdigit() else -1


class OfficeOnlyMixin(LoginRequiredMixin):
    """A 404 for everyone signed in but the office (the anonymous go to the login page first)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            require_or_404(request, "view", QualityReport)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]


class DashboardView(OfficeOnlyMixin, View):
    """This year's figures of one programme (``?programme=``, and ``?cohort=``), as of today: a card per
    section, last year's frozen value beside each figure, a link from each figure to the list behind it.
    The figures come from the cache (ten minutes); POST (the "Refresh" button) computes them again."""

    template_name = "quality/dashboard/dashboard.html"

    def _choice(
        self, request: HttpRequest, data: Any
    ) -> tuple[list[Programme], Programme | None, list[Cohort], Cohort | None]:
        programmes = list(
            scoped_queryset(request, Programme).only("id", "name", "code", "status").order_by("name", "pk")
        )
        wanted = _int(data.get("programme"))
        programme: Programme | None
        if wanted is None:
            active = [p for p in programmes if p.status == ProgrammeStatus.ACTIVE]
            programme = (active or programmes)[0] if programmes else None
        else:
            programme = next((p for p in programmes if p.pk == wanted), None)
            if programme is None:
                raise not_found(request, "view", f"Programme:{data.get('programme')}")
        if programme is None:
            return programmes, None, [], None
        cohorts = list(Cohort.objects.filter(programme=programme).select_related("programme").order_by("-intake_year"))
        wanted_cohort = _int(data.get("cohort"))
        cohort = None
        if wanted_cohort is not None:
            cohort = next((c for c in cohorts if c.pk == wanted_cohort), None)
            if cohort is None:
                raise not_found(request, "view", f"Cohort:{data.get('cohort')}")
        return programmes, programme, cohorts, cohort

    def get(self, request: HttpRequest) -> HttpResponse:
        programmes, programme, cohorts, cohort = self._choice(request, request.GET)
        context: dict[str, Any] = {
            "programmes": programmes,
            "programme": programme,
            "cohorts": cohorts,
            "cohort": cohort,
            "reports_url": _reports_url(),
            "year": timezone.localdate().year,
        }
        if programme is not None:
            live = dashboard.live_figures(programme_id=programme.pk, cohort_id=cohort.pk if cohort else None)
            previous = dashboard.latest_ready_report(
                programme_id=programme.pk, year=live.frame.year - 1, cohort_id=cohort.pk if cohort else None
            )
            cards = dashboard.section_cards(live.sections, dashboard.report_values(previous))
            context.update(
                live=live,
                previous_report=previous,
                cards=cards,
                year=live.frame.year,
                all_empty=all(card.empty for card in cards),
                cache_minutes=dashboard.CACHE_SECONDS // 60,
            )
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        _programmes, programme, _cohorts, cohort = self._choice(request, request.POST)
        query: dict[str, int] = {}
        if programme is not None:
            dashboard.live_figures(programme_id=programme.pk, cohort_id=cohort.pk if cohort else None, refresh=True)
            messages.success(request, _("The figures have been computed again."))
            query["programme"] = programme.pk
            if cohort is not None:
                query["cohort"] = cohort.pk
        url = reverse("quality:dashboard")
        return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)


class CompareView(OfficeOnlyMixin, View):
    """Built reports side by side: every programme's latest READY report of a year (``?year=``), and the
    partners of one of them (``?programme=``, by default the first with by-partner tables) from its
    by-partner tables; best and worst marked."""

    template_name = "quality/dashboard/compare.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        years = dashboard.comparison_years()
        wanted_year = _int(request.GET.get("year"))
        year = wanted_year if wanted_year is not None else (years[0] if years else timezone.localdate().year - 1)
        reports = dashboard.latest_reports(year) if year > 0 else []
        wanted = _int(request.GET.get("programme"))
        chosen = next((r for r in reports if r.programme_id == wanted), None) if wanted is not None else None
        if chosen is None and reports:
            # By default the first programme whose report breaks figures down by partner.
            chosen = next((r for r in reports if dashboard.has_partner_tables(r)), reports[0])
        programmes = dashboard.compare_programmes(reports)
        for column, built in zip(programmes.columns, reports, strict=True):
            column.url = _report_url(built.pk)
        partners = dashboard.compare_partners(chosen)
        context = {
            "years": sorted({*years, year} if year > 0 else set(years), reverse=True),
            "year": year,
            "reports": reports,
            "chosen": chosen,
            "chosen_detail": dashboard.version_detail(chosen) if chosen else "",
            "chosen_url": _report_url(chosen.pk) if chosen else "",
            "programmes_grid": programmes,
            "partners_grid": partners,
            "reports_url": _reports_url(),
        }
        return render(request, self.template_name, context)


urlpatterns: list[URLPattern] = [
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("compare/", CompareView.as_view(), name="compare"),
]
