"""Inspection pages everybody signed in may open, each showing only the rows in the reader's scope: the
list of inspections, one inspection, the corrective actions, and evidence downloads.

A planned inspection is outside the target partner's people's scope, so for them it is a 404 here and a
missing row in the lists, exactly like an inspection that does not exist.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View

from core.pagecache import kept_page
from core.prepared import prepared_page
from core.views import ScopedListView, not_found, request_user, scoped_object
from partners import access
from supervision import selectors
from supervision.forms import ActionFilterForm, CloseForm, InspectionFilterForm
from supervision.models import (
    ChecklistResult,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionStatus,
)
from supervision.uploads import CONTENT_TYPES


def _query_string(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class _FilteredListView(ScopedListView):
    """A scoped, filtered, paginated list: the office may filter by partner, everyone else sees only the
    partners in their scope, so the partner filter is left out for them."""

    paginate_by = 25
    filter_form_class: type[Any]

    def select(self, filters: Any) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        self.is_office = access.is_office(self.request.user)
        partners = selectors.partner_filter_choices(user=self.request.user)
        self.filter_form = self.filter_form_class(self.request.GET or None, partners=partners)
        if not self.is_office:
            del self.filter_form.fields["partner"]
        return self.select(self.filter_form.filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form,
            filtered=any(v for k, v in self.request.GET.items() if k != "page"),
            query_string=_query_string(self.request),
            is_office=self.is_office,
        )
        return context


@method_decorator(kept_page, name="dispatch")
@method_decorator(prepared_page, name="get")
class InspectionListView(_FilteredListView):
    """Inspections the user may see: the office all (filters, "Plan an inspection"), an inspector those
    assigned, a coordinator their partner's once started; anyone else an explanation, not an error."""

    model = Inspection
    template_name = "supervision/pages/list.html"
    context_object_name = "inspections"
    filter_form_class = InspectionFilterForm

    def select(self, filters: Any) -> QuerySet[Any]:
        # Keys only: the paginator counts and slices them; the page's rows are fetched by key below.
        return selectors.inspection_ids_for(user=self.request.user, filters=filters)

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple[Any, Any, list[Inspection], bool]:
        paginator, page, keys, is_paginated = super().paginate_queryset(queryset, page_size)
        rows = selectors.inspections_by_ids(user=self.request.user, ids=list(keys))
        page.object_list = rows
        return paginator, page, rows, is_paginated

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            is_inspector=access.is_inspector(self.request.user),
            can_plan=self.is_office,
        )
        return context


class InspectionDetailView(LoginRequiredMixin, View):
    """One inspection: facts, inspectors, checklist progress and results by aspect, findings with their
    corrective actions, the status history, and the buttons the reader may press."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = selectors.inspection_detail(user=request.user, pk=pk)
        if inspection is None:
            raise not_found(request, "view", f"Inspection:{pk}")
        user = request_user(request)
        checklist = selectors.checklist_rows(inspection)
        findings = selectors.findings_of(user=user, inspection=inspection)
        actions = [a for a in (getattr(f, "corrective_action", None) for f in findings) if a is not None]
        trails = selectors.action_trails(actions)
        for action in actions:
            action.trail = trails.get(action.pk, [])  # type: ignore[attr-defined]
        planned = inspection.status == InspectionStatus.PLANNED
        in_progress = inspection.status == InspectionStatus.IN_PROGRESS
        context = {
            "inspection": inspection,
            "target": selectors.describe_target(inspection),
            "inspectors": [assignment.inspector for assignment in inspection.assignments.all()],
            "checklist": checklist,
            "findings": findings,
            # Points referred from student reviews: the office and the inspection's inspectors only.
            "leads": selectors.leads_of(user=user, inspection=inspection),
            "is_office": access.is_office(user),
            "action_ids": selectors.action_ids_for(user=user, actions=actions),
            "history": selectors.status_history(inspection),
            "can_start": planned and access.can(user, "start", inspection),
            "can_record": in_progress and access.can(user, "record", inspection),
            "can_close": in_progress and access.can(user, "close", inspection),
            "close_form": CloseForm(),
            # The report panel: the versions this reader may open (none before closing), and publishing.
            "reports": list(selectors.inspection_reports(user=user, inspection_id=inspection.pk)),
            "can_publish": inspection.status == InspectionStatus.CLOSED and access.can(user, "publish", inspection),
            "can_retry_report": access.can(user, "retry_report", inspection),
        }
        return render(request, "supervision/pages/detail.html", context)


class ActionListView(_FilteredListView):
    """Corrective actions the user may see, those waiting for the user first (a coordinator's to answer,
    an inspector's to verify), overdue ones flagged; the office's overview of every partner's, with an
    "overdue only" filter."""

    model = CorrectiveAction
    template_name = "supervision/pages/actions.html"
    context_object_name = "actions"
    filter_form_class = ActionFilterForm

    def select(self, filters: Any) -> QuerySet[Any]:
        return selectors.actions_for(user=self.request.user, filters=filters)


#: The evidence a download may name: the model, its file field, and the name part of the download.
EVIDENCE: dict[str, tuple[type[Any], str]] = {
    "result": (ChecklistResult, "evidence"),
    "finding": (Finding, "evidence"),
    "action": (CorrectiveAction, "answer_evidence"),
}


class EvidenceDownloadView(LoginRequiredMixin, View):
    """A checklist result's, finding's or answer's evidence, for whoever may see the inspection it
    belongs to. The download's name is ours (the stored name is random), never the uploader's."""

    def get(self, request: HttpRequest, kind: str, pk: int) -> FileResponse:
        if kind not in EVIDENCE:
            raise Http404
        model, field_name = EVIDENCE[kind]
        row = scoped_object(request, model, "view", pk=pk)
        stored = getattr(row, field_name)
        if not stored:
            raise Http404
        extension = stored.name.rsplit(".", 1)[-1].lower() if "." in stored.name else ""
        extension = re.sub(r"[^a-z0-9]", "", extension)
        try:
            handle = stored.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"inspection-evidence-{kind}-{row.pk}.{extension or 'bin'}",
            content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        )
