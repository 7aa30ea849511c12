"""Inspectors' pages: the worklist, starting and closing an inspection, the checklist (made for a tablet),
findings, and verifying or reopening corrective actions.

Each write page asks ``access.scope`` for the write action itself, so a person who may see the
inspection but not act on it (a coordinator of the target, the office on the checklist) gets a 404,
as on the practice pages. Views are thin: they call one service, which holds every rule.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from core.views import apply_validation_error, request_user
from supervision import selectors, services
from supervision.forms import ChecklistItemForm, CloseForm, FindingForm, ReopenForm
from supervision.models import CorrectiveAction, Inspection, InspectionLead, InspectionStatus
from supervision.views.common import action_or_404, inspection_or_404


def _detail(inspection_id: int, anchor: str = "") -> str:
    return reverse("supervision:detail", args=[inspection_id]) + (f"#{anchor}" if anchor else "")


def _not_in_progress(request: HttpRequest, inspection: Inspection) -> HttpResponse | None:
    """Checklist and findings are for an inspection in progress: before or after, back to its page."""
    if inspection.status == InspectionStatus.IN_PROGRESS:
        return None
    messages.info(request, _("The inspection is not in progress: its checklist and findings cannot change."))
    return HttpResponseRedirect(_detail(inspection.pk))


class MyInspectionsView(LoginRequiredMixin, View):
    """The inspector's worklist: planned visits (today's and late ones first), inspections in progress,
    answers to verify. Anyone else signed in gets the page with an explanation (nothing is assigned)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        work = selectors.worklist(user=request.user, today=today)
        return render(request, "supervision/pages/mine.html", {"work": work, "today": today})


class InspectionStartView(LoginRequiredMixin, View):
    """POST: an assigned inspector (or the office) starts a planned inspection. From now on the target
    partner's coordinators see it and are told."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = inspection_or_404(request, pk, "start")
        try:
            services.inspection_start(inspection=inspection, by=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Inspection started. The partner's coordinators have been told."))
        return HttpResponseRedirect(_detail(inspection.pk))


class InspectionCloseView(LoginRequiredMixin, View):
    """Close an inspection in progress. With items still unrated, it asks first (how many) and closes only
    when that is confirmed."""

    template_name = "supervision/pages/close.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = inspection_or_404(request, pk, "close")
        return self._render(request, inspection, CloseForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = inspection_or_404(request, pk, "close")
        form = CloseForm(request.POST)
        checklist = selectors.checklist_rows(inspection)
        if form.is_valid():
            if checklist.unrated and not form.cleaned_data["confirm_unrated"]:
                form.add_error(
                    "confirm_unrated",
                    ngettext(
                        "%(count)d item is not rated yet. Rate it, or tick the box to close anyway.",
                        "%(count)d items are not rated yet. Rate them, or tick the box to close anyway.",
                        checklist.unrated,
                    )
                    % {"count": checklist.unrated},
                )
            else:
                try:
                    services.inspection_close(inspection=inspection, by=request_user(request))
                except ValidationError as error:
                    apply_validation_error(form, error)
                else:
                    messages.success(request, _("Inspection closed. The inspectors' access to the partner has ended."))
                    return HttpResponseRedirect(_detail(inspection.pk))
        return self._render(request, inspection, form, checklist)

    def _render(
        self,
        request: HttpRequest,
        inspection: Inspection,
        form: CloseForm,
        checklist: selectors.Checklist | None = None,
    ) -> HttpResponse:
        context = {
            "inspection": inspection,
            "form": form,
            "checklist": checklist or selectors.checklist_rows(inspection),
            "target": selectors.describe_target(inspection),
        }
        return render(request, self.template_name, context)


class ChecklistView(LoginRequiredMixin, View):
    """The checklist, made for a tablet: one card per item grouped by aspect, four big rating buttons, a
    note (required for a gap) and evidence (a photo or a PDF). Each card saves its own item; what was
    typed in the other cards is kept on the page until it is saved too. Works without JavaScript."""

    template_name = "supervision/pages/checklist.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = inspection_or_404(request, pk, "record")
        redirect = _not_in_progress(request, inspection)
        if redirect is not None:
            return redirect
        checklist = selectors.checklist_rows(inspection)
        return self._render(request, inspection, checklist, self._forms(checklist))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = inspection_or_404(request, pk, "record")
        redirect = _not_in_progress(request, inspection)
        if redirect is not None:
            return redirect
        checklist = selectors.checklist_rows(inspection)
        rows = {str(row.item.pk): row for group in checklist.groups for row in group.rows}
        forms = self._forms(checklist, request)
        wanted = request.POST.get("item", "")
        if wanted not in rows:
            messages.error(request, _("Choose the item to save with its own Save button."))
            return self._render(request, inspection, checklist, forms, status=400)
        form = forms[wanted]
        if not form.is_valid():
            return self._render(request, inspection, checklist, forms, error_item=wanted)
        try:
            services.checklist_record(
                inspection=inspection,
                item=rows[wanted].item,
                rating=form.cleaned_data["rating"] or "",
                note=form.cleaned_data["note"] or "",
                evidence=form.cleaned_data["evidence"] or None,
                by=request_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self._render(request, inspection, checklist, forms, error_item=wanted)
        messages.success(request, _("Saved: %(code)s.") % {"code": rows[wanted].item.code})
        checklist = selectors.checklist_rows(inspection)
        unsaved = self._unsaved(checklist, forms, saved=wanted)
        if not unsaved:
            url = reverse("supervision:checklist", args=[inspection.pk])
            return HttpResponseRedirect(f"{url}#item-{wanted}")
        # Other cards hold typed, unsaved ratings or notes: show them again as typed, the saved one fresh.
        forms = {**forms, wanted: self._forms(checklist)[wanted]}
        return self._render(request, inspection, checklist, forms, unsaved=unsaved)

    @staticmethod
    def _forms(checklist: selectors.Checklist, request: HttpRequest | None = None) -> dict[str, ChecklistItemForm]:
        forms = {}
        for group in checklist.groups:
            for row in group.rows:
                initial = {"rating": row.result.rating, "note": row.result.note} if row.result else {}
                key = str(row.item.pk)
                if request is None:
                    forms[key] = ChecklistItemForm(prefix=f"i{key}", initial=initial)
                else:
                    forms[key] = ChecklistItemForm(request.POST, request.FILES, prefix=f"i{key}", initial=initial)
        return forms

    @staticmethod
    def _unsaved(checklist: selectors.Checklist, forms: dict[str, ChecklistItemForm], saved: str) -> set[str]:
        unsaved = set()
        for group in checklist.groups:
            for row in group.rows:
                key = str(row.item.pk)
                if key == saved:
                    continue
                rating, note = (row.result.rating, row.result.note) if row.result else ("", "")
                if forms[key].changed_from(rating, note):
                    unsaved.add(key)
        return unsaved

    def _render(
        self,
        request: HttpRequest,
        inspection: Inspection,
        checklist: selectors.Checklist,
        forms: dict[str, ChecklistItemForm],
        *,
        error_item: str = "",
        unsaved: set[str] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        groups = [
            {
                "group": group,
                "cards": [{"row": row, "form": forms[str(row.item.pk)]} for row in group.rows],
            }
            for group in checklist.groups
        ]
        context: dict[str, Any] = {
            "inspection": inspection,
            "target": selectors.describe_target(inspection),
            "checklist": checklist,
            "groups": groups,
            "error_item": error_item,
            "unsaved": unsaved or set(),
        }
        return render(request, self.template_name, context, status=status)


class FindingAddView(LoginRequiredMixin, View):
    """Record a finding while the inspection is in progress (an assigned inspector). A minor, major or
    critical one opens a corrective action for the partner's coordinator, who is told."""

    template_name = "supervision/pages/finding_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = inspection_or_404(request, pk, "record")
        redirect = _not_in_progress(request, inspection)
        if redirect is not None:
            return redirect
        form = FindingForm(user=request.user, inspection=inspection)
        lead = self._lead(request, form)
        if lead is not None:
            form = FindingForm(
                initial={"lead": lead.pk, "description": lead.summary}, user=request.user, inspection=inspection
            )
        return self._render(request, inspection, form)

    @staticmethod
    def _lead(request: HttpRequest, form: FindingForm) -> InspectionLead | None:
        """``?lead=<pk>``: the finding is recorded from a point referred from student reviews (prefilled), one
        of the form's choices (this inspection's, still open, that the inspector may see)."""
        wanted = request.GET.get("lead", "")
        if "lead" not in form.fields or not wanted.isdigit():
            return None
        leads: Any = form.fields["lead"].queryset  # type: ignore[attr-defined]
        found: InspectionLead | None = leads.filter(pk=int(wanted)).first()
        return found

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = inspection_or_404(request, pk, "record")
        redirect = _not_in_progress(request, inspection)
        if redirect is not None:
            return redirect
        form = FindingForm(request.POST, request.FILES, user=request.user, inspection=inspection)
        if form.is_valid():
            data = form.cleaned_data
            try:
                finding = services.finding_add(
                    inspection=inspection,
                    severity=data["severity"] or "",
                    description=data["description"] or "",
                    placement=data["placement"],
                    supervisor=data["supervisor"],
                    practice_logs=list(data["practice_logs"]),
                    evidence=data["evidence"] or None,
                    lead_id=data["lead"].pk if data.get("lead") else None,
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                action = selectors.finding_action(user=request.user, finding=finding)
                if action is not None:
                    messages.success(
                        request,
                        _("Finding recorded. A corrective action is due by %(due)s; the coordinator has been told.")
                        % {"due": action.due_date.isoformat()},
                    )
                else:
                    messages.success(request, _("Finding recorded."))
                return HttpResponseRedirect(_detail(inspection.pk, f"finding-{finding.pk}"))
        return self._render(request, inspection, form)

    def _render(self, request: HttpRequest, inspection: Inspection, form: FindingForm) -> HttpResponse:
        context = {"inspection": inspection, "form": form, "target": selectors.describe_target(inspection)}
        return render(request, self.template_name, context)


class ActionVerifyView(LoginRequiredMixin, View):
    """POST: an assigned inspector accepts the coordinator's answer; the owner is told."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = action_or_404(request, pk, "verify")
        try:
            services.corrective_action_verify(action=action, by=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Corrective action verified; the coordinator has been told."))
        return HttpResponseRedirect(_detail(action.finding.inspection_id, f"action-{action.pk}"))


class ActionReopenView(LoginRequiredMixin, View):
    """An assigned inspector refuses the answer with a reason; the owner is told and answers again."""

    template_name = "supervision/pages/action_reopen.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = action_or_404(request, pk, "verify")
        return self._render(request, action, ReopenForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = action_or_404(request, pk, "verify")
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                services.corrective_action_reopen(
                    action=action, reason=form.cleaned_data["reason"], by=request_user(request)
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Corrective action reopened; the coordinator has been told why."))
                return HttpResponseRedirect(_detail(action.finding.inspection_id, f"action-{action.pk}"))
        return self._render(request, action, form)

    def _render(self, request: HttpRequest, action: CorrectiveAction, form: ReopenForm) -> HttpResponse:
        return render(request, self.template_name, {"action": action, "form": form})
