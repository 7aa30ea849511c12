"""Funds pages: the dashboard (funds, allocations, budget use, flags), an allocation's and a partner's spending
with charts, recording spending with a receipt, approving and reversing it, receipts, and the flags queue.

Every object comes through the scoped base (``core.views``): out of scope is a 404.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.pdf import render_pdf
from core.views import (
    FilteredListMixin,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    apply_validation_error,
    request_user,
    scoped_object,
)
from funds import charts, exports, selectors, services
from funds import hooks as funds_hooks
from funds.forms import (
    AllocationForm,
    ExpenditureForm,
    FlagFilterForm,
    FundForm,
    ImportConfirmForm,
    ImportForm,
    LimitForm,
    ResolveForm,
    ReverseForm,
)
from funds.models import Allocation, AuthorityLimit, Expenditure, Flag, FlagStatus, Fund, Receipt
from funds.services import imports
from partners import access
from partners.models import Partner
from students.models import Student
from supervision.uploads import CONTENT_TYPES

logger = logging.getLogger(__name__)


def _chart_context(summaries: list[selectors.AllocationSummary], allocations: list[Allocation]) -> dict[str, Any]:
    lines = selectors.merge_lines(summaries)
    budget = sum((s.budget for s in summaries), selectors.ZERO)
    return {
        "lines": lines,
        "bars": charts.bars(lines),
        "bar_width": charts.BAR_WIDTH,
        "line_chart": charts.spending_line(selectors.spending_by_month(allocations), budget),
        "budget": budget,
        "spent": sum((s.spent for s in summaries), selectors.ZERO),
    }


class FundsDashboardView(LoginRequiredMixin, TemplateView):
    """The funds and allocations in the reader's scope with budget use and open flags (a fixed number of
    queries however much is spent), and the flags still open."""

    template_name = "funds/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        allocations = list(selectors.allocation_list(user=user).order_by("fund__name", "partner__name"))
        summaries = selectors.summaries(allocations)
        funds: dict[int, dict[str, Any]] = {}
        for summary in summaries:
            fund = summary.allocation.fund
            row = funds.setdefault(
                fund.pk,
                {"fund": fund, "allocations": [], "budget": selectors.ZERO, "spent": selectors.ZERO, "open_flags": 0},
            )
            row["allocations"].append(summary)
            row["budget"] += summary.budget
            row["spent"] += summary.spent
            row["open_flags"] += summary.open_flags
        context.update(
            funds=list(funds.values()),
            open_flags=list(selectors.flag_list(user=user)[:10]),
            own_stipends=list(
                access.scope(
                    Expenditure.objects.filter(student__user__pk=request_user(self.request).pk), user, "view"
                ).order_by("-date")[:20]
            ),
            is_office=access.is_office(user),
            **_chart_context(summaries, allocations),
        )
        return context


class AllocationDetailView(ScopedDetailView):
    """An allocation: budget against spending by category (bars), spending over time (a line against the
    budget), its versions, its spending and its flags."""

    model = Allocation
    template_name = "funds/allocation.html"
    context_object_name = "allocation"

    def get_queryset(self) -> QuerySet[Allocation]:
        return super().get_queryset().select_related("fund__source", "partner", "current_version")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        allocation = self.object
        summaries = selectors.summaries([allocation])
        user = self.request.user
        rows = selectors.expenditure_list(user=user, filters={"allocation": allocation.pk}).prefetch_related("receipts")
        page = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        context.update(
            summary=summaries[0],
            page=page,
            expenditures=page.object_list,
            flags=selectors.flag_list(user=user, status=None).filter(allocation=allocation),
            versions=allocation.versions.order_by("-number").prefetch_related("lines"),
            can_record=access.can(user, "record", allocation),
            can_revise=access.can(user, "revise", allocation),
            sections=funds_hooks.sections(funds_hooks.ALLOCATION_SECTIONS, user=user, obj=allocation),
            **_chart_context(summaries, [allocation]),
        )
        return context


class PartnerSpendingView(LoginRequiredMixin, View):
    """A partner's spending across its allocations: budget against actual by category, over time."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = scoped_object(request, Partner, "view_funds", pk=pk)
        allocations = list(selectors.allocation_list(user=request.user).filter(partner=partner).order_by("fund__name"))
        summaries = selectors.summaries(allocations)
        return render(
            request,
            "funds/partner.html",
            {
                "partner": partner,
                "summaries": summaries,
                "flags": selectors.flag_list(user=request.user).filter(allocation__partner=partner)[:50],
                "can_resolve": access.is_office(request.user),
                **_chart_context(summaries, allocations),
            },
        )


class ExpenditureCreateView(ScopedFormView):
    """Record spending at an allocation, with a receipt (finance officers and coordinators of its partner,
    and the office). A refusal lands on its field with what was typed kept."""

    model = Allocation
    access_action = "record"
    form_class = ExpenditureForm
    template_name = "funds/expenditure_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        allocation = self.object
        kwargs["students"] = (
            Student.objects.filter(programme_id=allocation.fund.programme_id, placements__partner=allocation.partner)
            .select_related("user")
            .distinct()
            .order_by("student_number")
        )
        kwargs.setdefault("initial", {})["date"] = timezone.localdate()
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "allocation": self.object}

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        receipt = data.get("receipt")
        expenditure = self.run_service(
            form,
            lambda: services.expenditure_create(
                entry=services.ExpenditureInput(
                    allocation=self.object,
                    category=data["category"],
                    date=data["date"],
                    amount=data["amount"],
                    payee=data["payee"],
                    description=data.get("description") or "",
                    student=data.get("student"),
                ),
                receipts=[receipt] if receipt else [],
                by=request_user(self.request),
            ),
        )
        if expenditure is None:
            return self.form_invalid(form)
        raised = expenditure.flags.count()
        messages.success(self.request, _("Spending recorded; it awaits approval."))
        if raised:
            messages.warning(self.request, _("This entry raised %(count)s flag(s).") % {"count": raised})
        return HttpResponseRedirect(reverse("funds:expenditure", args=[expenditure.pk]))


class ExpenditureDetailView(ScopedDetailView):
    """One entry of the ledger: its receipts, approval (who, when, under which limit), refused attempts,
    reversal, and flags; approve and reverse where the reader may."""

    model = Expenditure
    template_name = "funds/expenditure.html"
    context_object_name = "expenditure"

    def get_queryset(self) -> QuerySet[Expenditure]:
        return (
            super()
            .get_queryset()
            .select_related(
                "allocation__partner", "allocation__fund", "entered_by", "approved_by", "student__user", "reverses"
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        expenditure, user = self.object, self.request.user
        reversal = Expenditure.objects.filter(reverses=expenditure).first()
        context.update(
            receipts=access.scope(expenditure.receipts.all(), user, "view"),
            attempts=access.scope(expenditure.refused_attempts.select_related("by"), user, "view"),
            flags=access.scope(expenditure.flags.all(), user, "view"),
            reversal=reversal,
            # segregation of duties: one's own entry offers no approval (the service refuses it anyway)
            can_approve=access.can(user, "approve", expenditure)
            and expenditure.entered_by_id != user.pk
            and expenditure.status == "pending"
            and not expenditure.is_reversal
            and reversal is None,
            can_reverse=access.can(user, "reverse", expenditure) and not expenditure.is_reversal and reversal is None,
            reverse_form=ReverseForm(),
            sections=funds_hooks.sections(funds_hooks.EXPENDITURE_SECTIONS, user=user, obj=expenditure),
        )
        return context


class ExpenditureApproveView(LoginRequiredMixin, View):
    """POST: approve under one's authority; a refusal (beyond authority, one's own entry) is shown, and kept."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        expenditure = scoped_object(request, Expenditure, "approve", pk=pk)
        try:
            services.expenditure_approve(expenditure=expenditure, by=request_user(request))
            messages.success(request, _("Approved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("funds:expenditure", args=[pk]))


class ExpenditureReverseView(ScopedFormView):
    """Reverse an entry with a reason: a new entry of the opposite amount; both stay."""

    model = Expenditure
    access_action = "reverse"
    form_class = ReverseForm
    template_name = "funds/reverse.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "expenditure": self.object}

    def form_valid(self, form: Any) -> HttpResponse:
        reversal = self.run_service(
            form,
            lambda: services.expenditure_reverse(
                expenditure=self.object, reason=form.cleaned_data["reason"], by=request_user(self.request)
            ),
        )
        if reversal is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Reversed."))
        return HttpResponseRedirect(reverse("funds:expenditure", args=[self.object.pk]))


class ReceiptDownloadView(LoginRequiredMixin, View):
    """A receipt file, for those who may see its expenditure's partner's spending."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        receipt = scoped_object(request, Receipt, "view", pk=pk)
        extension = (receipt.file.name or "").rsplit(".", 1)[-1]
        return FileResponse(
            receipt.file.open("rb"),
            content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
            filename=f"receipt-{receipt.expenditure_id}-{receipt.pk}.{extension}",
        )


class FundDocumentView(LoginRequiredMixin, View):
    """The fund's agreement or grant document (a PDF, checked by content on upload), for those who may see the
    fund; a fund without one is a 404 like a fund out of scope. The file is checked against the SHA-256 taken
    on upload before it is served (a changed file is refused and logged, never handed out as the agreement);
    the hash goes out as the ETag and ``X-Content-SHA256``, as inspection reports do."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        fund = scoped_object(request, Fund, "view", pk=pk)
        if not fund.document:
            raise Http404("This fund has no document.")
        digest = hashlib.sha256()
        with fund.document.open("rb") as stored:
            for chunk in stored.chunks():
                digest.update(chunk)
        if fund.document_sha256 and digest.hexdigest() != fund.document_sha256:
            logger.error("Fund %s: the stored document's SHA-256 differs from the one taken on upload", fund.pk)
            return HttpResponse(
                _("The stored document does not match the SHA-256 recorded when it was uploaded."),
                status=409,
                content_type="text/plain; charset=utf-8",
            )
        etag = f'"{digest.hexdigest()}"'
        if request.headers.get("If-None-Match") == etag:
            response: HttpResponseBase = HttpResponse(status=304)
        else:
            response = FileResponse(
                fund.document.open("rb"),
                as_attachment=True,
                filename=document_name(fund),
                content_type="application/pdf",
            )
        response["ETag"] = etag
        response["X-Content-SHA256"] = digest.hexdigest()
        return response


def document_name(fund: Fund) -> str:
    """The download's name: ``fund-<id>-<reference>.pdf`` in plain ASCII (nothing of the uploaded name, which
    may carry paths or quotes), ``fund-<id>-agreement.pdf`` when the reference has no letters or digits."""
    label = slugify(fund.reference)[:60] or "agreement"
    return f"fund-{fund.pk}-{label}.pdf"


class FlagListView(FilteredListMixin, ScopedListView):
    """The flags queue: open flags (or resolved ones, which stay visible), newest first, of one programme's
    funds when filtered."""

    model = Flag
    template_name = "funds/flags.html"
    context_object_name = "flags"
    paginate_by = 50
    filter_form_class = FlagFilterForm

    def get_queryset(self) -> QuerySet[Flag]:
        status = self.request.GET.get("status", FlagStatus.OPEN)
        if status not in FlagStatus.values:
            status = FlagStatus.OPEN
        return selectors.flag_list(user=self.request.user, status=status, filters=self.list_filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["status"] = self.request.GET.get("status", FlagStatus.OPEN)
        context["can_resolve"] = access.is_office(self.request.user)
        # The open/resolved switch keeps the other filters (the programme).
        others = self.request.GET.copy()
        for name in ("status", "page"):
            others.pop(name, None)
        context["other_filters"] = others.urlencode()
        return context


class FlagResolveView(ScopedFormView):
    """The office resolves a flag with a note: accepted, corrected, or referred as a violation."""

    model = Flag
    access_action = "resolve"
    form_class = ResolveForm
    template_name = "funds/flag_resolve.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "flag": self.object}

    def form_valid(self, form: Any) -> HttpResponse:
        flag = self.run_service(
            form,
            lambda: services.flag_resolve(
                flag=self.object,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
                by=request_user(self.request),
            ),
        )
        if flag is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Flag resolved."))
        return HttpResponseRedirect(reverse("funds:flags"))


class FundStatementView(LoginRequiredMixin, View):
    """The fund statement for auditors as a PDF: totals by category, every expenditure, the flags and their
    resolution, as far as the reader's scope goes."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        fund = scoped_object(request, Fund.objects.select_related("source", "programme"), "view", pk=pk)
        pdf = render_pdf("funds/pdf/statement.html", exports.statement_context(fund=fund, user=request.user))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="fund-statement-{fund.pk}.pdf"'
        return response


class FundExportView(LoginRequiredMixin, View):
    """The fund's ledger and flags (in the reader's scope) as an XLSX workbook."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        fund = scoped_object(request, Fund, "view", pk=pk)
        return FileResponse(
            exports.export_xlsx(fund=fund, user=request.user),
            as_attachment=True,
            filename=f"fund-{fund.pk}-{timezone.localdate():%Y%m%d}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class ExpenditureImportView(LoginRequiredMixin, View):
    """Import expenditures into an allocation from a finance-system export: upload, preview every row (new,
    already imported, or why not), then confirm: all new rows or none."""

    template_name = "funds/import.html"

    def _allocation(self, request: HttpRequest, pk: int) -> Allocation:
        return scoped_object(request, Allocation.objects.select_related("fund", "partner"), "import", pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        allocation = self._allocation(request, pk)
        return render(request, self.template_name, {"allocation": allocation, "form": ImportForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from students.services.imports import discard_stash, load_stash, stash_upload

        allocation = self._allocation(request, pk)
        user = request_user(request)
        if "token" in request.POST:
            confirm = ImportConfirmForm(request.POST)
            try:
                if not confirm.is_valid():
                    raise ValidationError(_("This preview has expired or is not yours: upload the file again."))
                name, data = load_stash(token=confirm.cleaned_data["token"], by=user)
                created = imports.expenditures_import(allocation=allocation, data=data, by=user)
            except ValidationError as error:
                form = ImportForm()
                form.add_error(None, error.messages)
                return render(request, self.template_name, {"allocation": allocation, "form": form})
            discard_stash(name)
            messages.success(request, _("%(count)s expenditures imported.") % {"count": len(created)})
            return HttpResponseRedirect(reverse("funds:allocation", args=[allocation.pk]))
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"allocation": allocation, "form": form})
        data = form.cleaned_data["file"].read()
        try:
            preview = imports.expenditures_import_preview(allocation=allocation, data=data, by=user)
        except ValidationError as error:
            apply_validation_error(form, error)
            return render(request, self.template_name, {"allocation": allocation, "form": form})
        token = stash_upload(data=data, by=user) if preview.is_valid and preview.new_count else ""
        return render(
            request, self.template_name, {"allocation": allocation, "form": form, "preview": preview, "token": token}
        )


class FundCreateView(ScopedFormView):
    """The office records a training fund: source, programme, total, period, purpose, conditions, document."""

    model = Fund
    access_action = "create"
    form_class = FundForm
    template_name = "funds/form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        from funds.models import SOURCE_KINDS
        from programmes.models import Programme

        kwargs = super().get_form_kwargs()
        kwargs["sources"] = Partner.objects.filter(kind__in=SOURCE_KINDS).order_by("name")
        kwargs["programmes"] = Programme.objects.order_by("name")
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": _("New training fund"), "multipart": True}

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        fund = self.run_service(
            form,
            lambda: services.fund_create(
                name=data["name"],
                source=data["source"],
                programme=data["programme"],
                total=data["total"],
                currency=data["currency"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                purpose=data["purpose"],
                conditions=data.get("conditions") or "",
                reference=data.get("reference") or "",
                allowed_categories=data.get("allowed_categories") or [],
                document=data.get("document"),
                by=request_user(self.request),
            ),
        )
        if fund is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Fund recorded: now allocate it to partners."))
        return HttpResponseRedirect(reverse("funds:allocation-create", args=[fund.pk]))


class AllocationCreateView(ScopedFormView):
    """The office allocates a share of a fund to a partner: a budget per category and a period."""

    model = Fund
    access_action = "allocate"
    form_class = AllocationForm
    template_name = "funds/form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        from partners.models import TRAINING_KINDS

        kwargs = super().get_form_kwargs()
        kwargs["partners"] = Partner.objects.filter(kind__in=TRAINING_KINDS).order_by("name")
        kwargs.setdefault("initial", {}).update(start_date=self.object.start_date, end_date=self.object.end_date)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        title = _("Allocate %(fund)s") % {"fund": self.object.name}
        return {**super().get_context_data(**kwargs), "title": title}

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        allocation = self.run_service(
            form,
            lambda: services.allocation_create(
                fund=self.object,
                partner=data["partner"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                budget=form.budget(),
                reason=data.get("reason") or "",
                by=request_user(self.request),
            ),
        )
        if allocation is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Allocated."))
        return HttpResponseRedirect(reverse("funds:allocation", args=[allocation.pk]))


class AllocationReviseView(ScopedFormView):
    """The office changes an allocation's period or budget: a new version with the reason."""

    model = Allocation
    access_action = "revise"
    form_class = AllocationForm
    template_name = "funds/form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        version = self.object.current_version
        initial = kwargs.setdefault("initial", {})
        if version is not None:
            initial.update(start_date=version.start_date, end_date=version.end_date)
            initial.update({f"budget_{line.category}": line.amount for line in version.lines.all()})
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        title = _("Revise the allocation to %(partner)s") % {"partner": self.object.partner.name}
        return {**super().get_context_data(**kwargs), "title": title}

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        version = self.run_service(
            form,
            lambda: services.allocation_revise(
                allocation=self.object,
                start_date=data["start_date"],
                end_date=data["end_date"],
                budget=form.budget(),
                reason=data.get("reason") or "",
                by=request_user(self.request),
            ),
        )
        if version is None:
            return self.form_invalid(form)
        messages.success(self.request, _("New version saved."))
        return HttpResponseRedirect(reverse("funds:allocation", args=[self.object.pk]))


class AuthorityLimitsView(ScopedFormView):
    """The office sets approval limits per role and partner; every earlier limit stays listed."""

    model = AuthorityLimit
    access_action = "set"
    form_class = LimitForm
    template_name = "funds/limits.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        from partners.models import TRAINING_KINDS

        kwargs = super().get_form_kwargs()
        kwargs["partners"] = Partner.objects.filter(kind__in=TRAINING_KINDS).order_by("name")
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        limits = access.scope(AuthorityLimit.objects.select_related("partner", "set_by"), self.request.user, "view")
        return {**super().get_context_data(**kwargs), "limits": limits[:200], "defaults": services.DEFAULT_LIMITS}

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        limit = self.run_service(
            form,
            lambda: services.authority_limit_set(
                role=data["role"], partner=data.get("partner"), limit=data["limit"], by=request_user(self.request)
            ),
        )
        if limit is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Limit set."))
        return HttpResponseRedirect(reverse("funds:limits"))
