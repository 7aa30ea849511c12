"""Student lists: the students in the user's scope, the at-risk list, the plan approval queue, and the
office's import and export.

Views parse input, call one selector or service and render. Which students a person sees is decided by
``partners.access`` inside the selectors; a person outside a page's audience gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import User
from accounts.roles import AnyUser
from core.pagecache import kept_page
from core.paging import paged
from core.prepared import prepared_page
from core.views import (
    ScopedFormView,
    ScopedListView,
    apply_validation_error,
    not_found,
    request_user,
    require_or_404,
)
from partners import access
from partners import selectors as partner_selectors
from partners.models import MembershipRole
from students import exports, selectors
from students.list_forms import DestinationForm, StudentFilterForm, StudentImportConfirmForm, StudentImportForm
from students.models import Placement, Student, TrainingPlan
from students.selectors import filter_choices, list_keys
from students.services import destinations, imports

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_title(user: AnyUser) -> str:
    """The students list's title for the person reading it: their tutees, the students placed with their
    partner, or simply the students (office, or several roles at once)."""
    if access.is_office(user):
        return _("Students")
    roles = {membership.role for membership in access.user_partner_roles(user)}
    if roles == {MembershipRole.TUTOR}:
        return _("My tutees")
    if roles and roles <= {MembershipRole.COORDINATOR, MembershipRole.SUPERVISOR, MembershipRole.STAFF}:
        return _("Students placed with us")
    return _("Students")


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


class _FilteredStudentsView(ScopedListView):
    """A page of students in scope, filtered by the GET form that stays filled in."""

    model = Student
    context_object_name = "students"
    paginate_by = 25

    #: Which list it is (``list_keys.AT_RISK`` or ``list_keys.STUDENTS``), and so how the page's count comes
    #: with its keys (``CountedKeys``' ``total``).
    keys = list_keys.AT_RISK

    def students(self, filters: dict[str, Any]) -> QuerySet[Any]:
        """The keys of the list's students, in its order (the page's rows are fetched by key)."""
        raise NotImplementedError

    def get_queryset(self) -> Any:
        # The keys queryset is built only if the page's compiled statement does not answer (``list_keys``).
        self.filter_form = StudentFilterForm(self.request.GET or None, user=self.request.user)
        self.filters = self.filter_form.filters()
        filters = self.filters
        return (lambda: self.students(filters)) if filters is not None else (lambda: self.students({}).none())

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple[Any, Any, list[Student], bool]:
        # The count and the asked page's keys in one query, compiled once per shape of the reader's rule and
        # filters (``list_keys``, ADR 0067), or built for the call (``CountedKeys``); a page past the end or
        # an invalid number reads them again the usual way. The page's rows, with all a row shows, are one
        # statement compiled once per shape of the reader's rules (ADR 0060, 0063).
        number = self.request.GET.get(self.page_kwarg) or "1"
        start = (int(number) - 1) * page_size if number.isdigit() and int(number) > 0 else 0
        read = None
        if self.filters is not None:
            read = list_keys.page(
                self.keys,
                user=self.request.user,
                filters=self.filters,
                start=start,
                size=page_size,
                today=timezone.localdate(),
                using=Student.objects.db,
            )
        total = list_keys.TOTAL[self.keys]
        counted = selectors.CountedKeys(queryset, start=start, size=page_size, total=total, read=read)
        paginator, page, keys, is_paginated = super().paginate_queryset(counted, page_size)  # type: ignore[arg-type]
        rows = selectors.students_by_keys(user=self.request.user, keys=list(keys))
        page.object_list = rows
        return paginator, page, rows, is_paginated

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["query_string"] = _query_without_page(self.request)
        context["filtered"] = any(value for key, value in self.request.GET.items() if key != "page")
        context["today"] = timezone.localdate()
        return context


@method_decorator(kept_page, name="dispatch")
@method_decorator(prepared_page, name="get")
class StudentListView(_FilteredStudentsView):
    """The students in the user's scope: a tutor's tutees, the students placed at a coordinator's partner,
    a supervisor's supervisees, everyone for the office."""

    template_name = "students/list.html"
    # The students in number order, read from the index 25 at a time: the count as a subquery run once.
    keys = list_keys.STUDENTS

    def students(self, filters: dict[str, Any]) -> QuerySet[Any]:
        # Keys only (ADR 0063): building ``student_list``'s rows queryset, thirty-odd subqueries, for every
        # page was most of its Python; its page's rows are the at-risk list's compiled statement.
        return selectors.student_list_keys(user=self.request.user, filters=filters)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["title"] = _list_title(user)
        context["can_import"] = access.can(user, "create", Student)
        # The office's and tutors' buttons: the plans to approve and the at-risk list are theirs to follow.
        context["follows_plans"] = access.can(user, "approve", TrainingPlan) or access.is_tutor(user)
        return context


class FilterChoicesView(LoginRequiredMixin, View):
    """GET ``?q=`` (or ``?<kind>_name=``, the field's own name, as htmx sends it): the names among the
    reader's tutor, partner or supervisor choices that match, at most 20, as the suggestions under the
    students list's search-as-you-type filter. A kind the reader has no choice of is a 404, like any
    page they have no part in."""

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        text = (request.GET.get("q") or request.GET.get(f"{kind}_name") or "")[:200]
        found = filter_choices.search(user=request.user, kind=kind, text=text)
        if found is None:
            raise not_found(request, "search", f"{kind} choices")
        context = {"kind": kind, "found": found, "text": text, "limit": filter_choices.SEARCH_LIMIT}
        return render(request, "students/_filter_choices.html", context)


@method_decorator(kept_page, name="dispatch")
@method_decorator(prepared_page, name="get")
class StudentAtRiskView(_FilteredStudentsView):
    """Students in scope who are at risk (a late milestone, or no approved plan 30 days after enrolment),
    with the reasons."""

    template_name = "students/list_at_risk.html"
    # Every key of the list, in its order, kept between writes to what it weighs (ADR 0068); a page a slice.
    keys = list_keys.AT_RISK

    def students(self, filters: dict[str, Any]) -> QuerySet[Any]:
        # Keys only: the paginator counts and slices them; the page's rows are fetched by key.
        return selectors.student_at_risk_keys(user=self.request.user, filters=filters)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["plan_days"] = selectors.AT_RISK_PLAN_DAYS
        return context


#: Plans a list of the approval queue shows at once.
APPROVALS_PER_PAGE = 50


class ApprovalQueueView(LoginRequiredMixin, TemplateView):
    """The training plans waiting for the user: for the office, plans the tutors approved (and, to follow
    up, those still with the tutors); for a tutor, their tutees' submitted plans. Approving and returning
    happen on the plan page."""

    template_name = "students/list_approvals.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        queue = selectors.plan_approval_queue(user=user)
        # Each list is paged on its own (``?for_office=2``): a university's thousand plans are not one page.
        for name, plans in queue.items():
            section = paged(self.request, plans, per_page=APPROVALS_PER_PAGE, param=name)
            context[name], context[f"{name}_section"] = section.rows, section
        context["approves"] = access.can(user, "approve", TrainingPlan)
        context["is_tutor"] = access.is_tutor(user)
        return context


class PlacementsToMoveView(ScopedListView):
    """Placements at suspended partners that have not ended yet: the office moves each (cancel it with a
    reason on the plan, then add another elsewhere). Anyone else gets a 404."""

    model = Placement
    access_action = "move"
    template_name = "students/list_placements_to_move.html"
    context_object_name = "placements"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Placement]:
        require_or_404(self.request, "move", Placement)
        return selectors.placements_to_move(user=self.request.user)


class OutcomesView(LoginRequiredMixin, TemplateView):
    """Career intention against destination after graduation, by cohort and by partner (the office): the
    measure of whether entrepreneurship took root. Anyone else gets a 404."""

    template_name = "students/outcomes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        require_or_404(self.request, "record_destination", Student)
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["outcomes"] = selectors.outcome_comparison(user=user)
        context["missing"] = list(selectors.graduates_without_destination(user=user)[:100])
        return context


class DestinationView(ScopedFormView):
    """Record a graduate's destination (the office), beside the plan's career intention."""

    model = Student
    access_action = "record_destination"
    form_class = DestinationForm
    template_name = "students/destination_form.html"

    def get_queryset(self) -> QuerySet[Student]:
        return super().get_queryset().select_related("user", "cohort")

    def get_form_kwargs(self) -> dict[str, Any]:
        partners = partner_selectors.partner_list(user=self.request.user)
        return super().get_form_kwargs() | {"partners": partners}

    def get_initial(self) -> dict[str, Any]:
        existing = getattr(self.object, "destination", None) if self.object is not None else None
        if existing is None:
            return {}
        return {
            "kind": existing.kind,
            "employer_partner": existing.employer_partner_id,
            "employer": "" if existing.employer_partner_id else existing.employer,
            "notes": existing.notes,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"student": self.object}

    def form_valid(self, form: DestinationForm) -> HttpResponse:
        by, student = request_user(self.request), self.object
        saved = self.run_service(
            form, lambda: destinations.destination_record(student=student, by=by, **form.cleaned_data)
        )
        if saved is None:
            return self.form_invalid(form)
        messages.success(
            self.request, _("Destination of %(student)s recorded.") % {"student": student.user.display_name}
        )
        return HttpResponseRedirect(reverse("students:outcomes"))


class StudentImportView(LoginRequiredMixin, View):
    """Import students from a CSV or XLSX file (the office): upload, preview every row, then confirm.

    POST with ``file``: read and check the file, write nothing, show the preview (and keep the file for
    the confirmation). POST with ``token``: import the previewed file, all rows or none.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not access.can(request.user, "create", Student):
            raise not_found(request, "import", Student)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._upload_page(StudentImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        if "token" in request.POST:
            return self._confirm(request, user)
        form = StudentImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._upload_page(form)
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is too large: at most 2 MB."))
            return self._upload_page(form)
        data = upload.read()
        try:
            preview = imports.import_preview(data=data, by=user)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self._upload_page(form)
        token = imports.stash_upload(data=data, by=user) if preview.is_valid and preview.has_changes else ""
        return self._preview_page(preview, token=token, filename=upload.name)

    def _confirm(self, request: HttpRequest, user: User) -> HttpResponse:
        confirm = StudentImportConfirmForm(request.POST)
        expired = _("This preview has expired or is not yours: upload the file again.")
        if not confirm.is_valid():
            return self._upload_page(StudentImportForm(), errors=[expired])
        try:
            name, data = imports.load_stash(token=confirm.cleaned_data["token"], by=user)
        except ValidationError as error:
            return self._upload_page(StudentImportForm(), errors=error.messages)
        try:
            outcome = imports.student_import(data=data, by=user)
        except imports.ImportRefused as refused:
            messages.error(
                request, _("The data changed since the preview and some rows now have errors: nothing was imported.")
            )
            return self._preview_page(refused.preview, token="", filename="")
        except ValidationError as error:
            return self._upload_page(StudentImportForm(), errors=error.messages)
        imports.discard_stash(name)
        messages.success(
            request,
            _("Import done: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged},
        )
        return HttpResponseRedirect(reverse("students:list"))

    def _upload_page(self, form: StudentImportForm, errors: list[str] | None = None) -> HttpResponse:
        context = {
            "form": form,
            "errors": errors or [],
            "required_columns": imports.REQUIRED_COLUMNS,
            "optional_columns": imports.OPTIONAL_COLUMNS,
            "career_intentions": Student._meta.get_field("career_intention").choices,
            "max_rows": imports.MAX_ROWS,
        }
        return render(self.request, "students/import.html", context)

    def _preview_page(self, preview: imports.ImportPreview, *, token: str, filename: str) -> HttpResponse:
        context = {
            "preview": preview,
            "counts": preview.counts,
            "confirm_form": StudentImportConfirmForm(initial={"token": token}) if token else None,
            "filename": filename,
        }
        return render(self.request, "students/import_preview.html", context)


class StudentExportView(LoginRequiredMixin, View):
    """The students list as the user sees it (scope and filters), as CSV (streamed) or XLSX. The columns
    are the import's, so an exported file can be edited and imported again."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        kind = request.GET.get("format", "csv")
        if kind not in ("csv", "xlsx"):
            raise Http404
        filters = StudentFilterForm(request.GET or None, user=request.user).filters()
        students = selectors.student_list(user=request.user, filters=filters or {})
        if filters is None:
            students = students.none()
        filename = f"students-{timezone.localdate():%Y%m%d}.{kind}"
        response: HttpResponseBase
        if kind == "csv":
            response = StreamingHttpResponse(exports.export_csv(students), content_type="text/csv; charset=utf-8")
        else:
            body = exports.export_xlsx(students.iterator(chunk_size=500))
            response = HttpResponse(body, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
