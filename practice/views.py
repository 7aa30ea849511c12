"""Practice-hour pages: logging hours (made for a phone), the student's entries, the supervisor's sign-off
queue, a student's progress, and the office's and coordinators' months and rules.

Views are thin: each fetches its objects through the scoped base (``core.views``; out of scope: a 404,
with the denial recorded), calls one service and renders. The services hold every rule; a refusal names its rule and
lands on the field it is about, with what was typed kept.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from core.pagecache import kept_page
from core.paging import paged
from core.prepared import prepared_page
from core.views import (
    ScopedListView,
    ScopedObjectMixin,
    apply_validation_error,
    not_found,
    request_user,
    require_or_404,
    scoped_object,
)
from partners import access
from practice import selectors, services
from practice.forms import CorrectionForm, EntryFilterForm, EntryForm, RejectForm, ReopenForm, RulesForm
from practice.models import EntryStatus, PracticeLog
from programmes.models import Programme
from students.models import Placement, Student
from students.selectors import own_student


def _hours(value: Decimal) -> str:
    """Hours as people write them: 3, 2.5, 1.25."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- Logging hours -------------------------------------------------------------------------------------------


class EntryCreateView(LoginRequiredMixin, View):
    """Log hours. A student logs at their own placements (today's preselected); a supervisor logs for a
    supervisee (``?placement=<id>`` among the placements they supervise), approved on entry. After
    saving, the same form again, with the day's entries and total below it."""

    template_name = "practice/log.html"

    def setup_choices(self, request: HttpRequest) -> None:
        self.today = timezone.localdate()
        self.placements: list[Placement] = list(selectors.loggable_placements(user=request.user, today=self.today))
        self.for_supervisor = any(p.supervisor_id == request.user.pk for p in self.placements)
        self.categories = selectors.activity_category_choices(placements=self.placements)

    def _form(self, *args: Any, **kwargs: Any) -> EntryForm:
        return EntryForm(
            *args,
            placements=self.placements,
            categories=self.categories,
            for_supervisor=self.for_supervisor,
            **kwargs,
        )

    def _chosen(self, request: HttpRequest) -> Placement | None:
        """The placement asked for in ``?placement=``: one of the user's choices, else 404."""
        wanted = request.GET.get("placement")
        if not wanted:
            return None
        for placement in self.placements:
            if str(placement.pk) == wanted:
                return placement
        raise not_found(request, "log", f"Placement:{wanted}")

    def _default_placement(self) -> Placement | None:
        """The placement running today (the latest one to start), else the most recent one."""
        running = [p for p in self.placements if p.start_date <= self.today <= p.end_date]
        pool = running or self.placements
        return max(pool, key=lambda p: (p.start_date, p.pk)) if pool else None

    def get(self, request: HttpRequest) -> HttpResponse:
        self.setup_choices(request)
        placement = self._chosen(request) or self._default_placement()
        initial: dict[str, Any] = {"date": self.today, "token": uuid.uuid4().hex}
        if placement is not None:
            initial["placement"] = placement.pk
            initial["category"] = selectors.last_category_id(user=request.user, placement=placement)
        answered = self._answered(request)
        if answered is not None:
            placement = answered.placement
            initial.update(
                placement=answered.placement_id,
                date=answered.date,
                hours=None if answered.start_time else answered.hours,
                start_time=answered.start_time,
                end_time=answered.end_time,
                category=answered.category_id,
                cases=answered.cases,
                description=answered.description,
            )
        day = self._day(request)
        return self.render_page(request, self._form(initial=initial), placement, day, answered=answered)

    def _answered(self, request: HttpRequest) -> PracticeLog | None:
        """``?answer=<id>``: a rejected entry of the user's own, whose content fills in the form."""
        wanted = request.GET.get("answer")
        if not wanted:
            return None
        answered = selectors.rejected_entry(user=request.user, placements=self.placements, pk=wanted)
        if answered is None:
            raise not_found(request, "view", f"PracticeLog:{wanted}")
        return answered

    def _day(self, request: HttpRequest) -> datetime.date:
        """``?day=``: the day whose entries are listed under the form (the one just logged), else today."""
        try:
            return datetime.date.fromisoformat(request.GET.get("day", ""))
        except ValueError:
            return self.today

    def post(self, request: HttpRequest) -> HttpResponse:
        self.setup_choices(request)
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            placement: Placement = data["placement"]
            entry = services.EntryInput(
                placement=placement,
                date=data["date"],
                category=data["category"],
                hours=data["hours"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                cases=data["cases"],
                description=data["description"] or "",
            )
            try:
                key = data["token"] or None
                log = services.practice_log_create(entry=entry, by=request_user(request), idempotency_key=key)
            except services.DuplicateEntry as duplicate:
                log = duplicate.existing
            except ValidationError as error:
                apply_validation_error(form, error)
                log = None
            if log is not None:
                self._saved_message(request, log)
                query = urlencode({"placement": str(log.placement_id), "day": log.date.isoformat()})
                return HttpResponseRedirect(f"{reverse('practice:log')}?{query}")
        chosen = next((p for p in self.placements if str(p.pk) == str(request.POST.get("placement"))), None)
        return self.render_page(request, form, chosen or self._default_placement(), self.today)

    @staticmethod
    def _saved_message(request: HttpRequest, log: PracticeLog) -> None:
        values = {"hours": _hours(log.hours), "day": log.date.isoformat()}
        if log.status == EntryStatus.APPROVED:
            messages.success(request, _("Saved: %(hours)s h on %(day)s, approved on entry.") % values)
        else:
            messages.success(request, _("Saved: %(hours)s h on %(day)s, waiting for your supervisor.") % values)

    def render_page(
        self,
        request: HttpRequest,
        form: EntryForm,
        placement: Placement | None,
        day: datetime.date,
        answered: PracticeLog | None = None,
    ) -> HttpResponse:
        entries = (
            selectors.day_entries(user=request.user, student_id=placement.student_id, day=day) if placement else []
        )
        context = {
            "form": form,
            "placement": placement,
            "placements": self.placements,
            "for_supervisor": self.for_supervisor,
            "day": day,
            "today": self.today,
            "entries": entries,
            "day_total": selectors.day_total(entries),
            "answered": answered,
        }
        return render(request, self.template_name, context)


# --- The student's entries -----------------------------------------------------------------------------------


class EntryListView(ScopedListView):
    """The student's own entries, newest first, with status, rejection reasons and corrections."""

    model = PracticeLog
    template_name = "practice/mine.html"
    context_object_name = "entries"
    paginate_by = 20

    def get_queryset(self) -> QuerySet[PracticeLog]:
        self.filter_form = EntryFilterForm(self.request.GET or None)
        return selectors.entry_list(user=self.request.user, filters=self.filter_form.filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=self.filter_form,
            query_string=query.urlencode(),
            filtered=any(v for k, v in self.request.GET.items() if k != "page"),
            is_student=own_student(user=self.request.user) is not None,
            statuses=EntryStatus,
        )
        return context


class EntryWithdrawView(ScopedObjectMixin, View):
    """POST: the student withdraws a pending entry of their own."""

    model = PracticeLog
    access_action = "withdraw"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        log = self.get_object()
        try:
            services.practice_log_withdraw(log=log, by=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Entry withdrawn."))
        return HttpResponseRedirect(reverse("practice:mine"))


class EntryCorrectView(LoginRequiredMixin, View):
    """Correct an approved entry with a new entry (the change in hours and why); both stay in the history."""

    template_name = "practice/correct.html"

    def _original(self, request: HttpRequest, pk: int) -> PracticeLog:
        logs = PracticeLog.objects.select_related(
            "student__user", "placement__student__user", "placement__partner", "category"
        )
        log = scoped_object(request, logs, "view", pk=pk)
        if not access.can(request.user, "log", log.placement):
            raise not_found(request, "log", f"PracticeLog:{pk}")
        return log

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        original = self._original(request, pk)
        return self._render(request, CorrectionForm(), original)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        original = self._original(request, pk)
        form = CorrectionForm(request.POST)
        if form.is_valid():
            try:
                log = services.practice_log_correct(
                    original=original,
                    by=request_user(request),
                    hours=form.cleaned_data["hours"],
                    reason=form.cleaned_data["correction_reason"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                if log.status == EntryStatus.APPROVED:
                    messages.success(request, _("Correction saved and approved on entry."))
                else:
                    messages.success(request, _("Correction saved: it waits for the supervisor's sign-off."))
                if original.placement.student.user_id == request.user.pk:
                    return HttpResponseRedirect(reverse("practice:mine"))
                return HttpResponseRedirect(reverse("practice:progress", args=[original.student_id]))
        return self._render(request, form, original)

    def _render(self, request: HttpRequest, form: CorrectionForm, original: PracticeLog) -> HttpResponse:
        corrections = list(original.corrections.order_by("entered_at", "pk"))
        net = original.hours + sum(
            (c.hours for c in corrections if c.status in (EntryStatus.PENDING, EntryStatus.APPROVED)), Decimal("0")
        )
        context = {"form": form, "original": original, "corrections": corrections, "net": net}
        return render(request, self.template_name, context)


# --- The supervisor's sign-off queue -------------------------------------------------------------------------


def _queue_groups(entries: Sequence[PracticeLog]) -> list[dict[str, Any]]:
    """Pending entries grouped by student (the selector orders them by student, then day)."""
    groups = []
    for _student_id, rows in itertools.groupby(entries, key=lambda entry: entry.student_id):
        items = list(rows)
        groups.append(
            {
                "student": items[0].student,
                "entries": items,
                "hours": sum((entry.hours for entry in items), Decimal("0")),
            }
        )
    return groups


#: Pending entries the sign-off queue shows at once (a page never lists a whole university's queue).
QUEUE_PER_PAGE = 100


def _render_queue(request: HttpRequest, *, selected: set[int] | None = None, error: str = "") -> HttpResponse:
    """One page of the queue, in its order (student, then day). A student's card may run over two pages;
    its "Approve all" button then approves the entries shown and says how many (the others wait on the
    next page): a supervisor never approves an entry they have not seen. Every entry it reads is one of a
    student the supervisor decides on: kept, it outlives other students' entries (ADR 0069)."""
    with selectors.reading_decisions(request.user):
        return _queue_page(request, selected=selected, error=error)


def _queue_page(request: HttpRequest, *, selected: set[int] | None, error: str) -> HttpResponse:
    queue = selectors.supervisor_queue(user=request.user)
    section = paged(request, queue, per_page=QUEUE_PER_PAGE)
    groups = _queue_groups(section.rows)
    # The queue runs in student order, so only the page's first card (when a page comes before) and its
    # last (when one follows) can have entries on another page: the others show all of theirs, and only
    # those two are counted (no query at all on a queue of one page).
    page = section.page
    spanning = [g["student"].pk for g in groups[:1] if page.has_previous()]
    spanning += [g["student"].pk for g in groups[-1:] if page.has_next()]
    pending = selectors.pending_by_student(user=request.user, student_ids=spanning) if spanning else {}
    for group in groups:
        group["pending"] = pending.get(group["student"].pk, len(group["entries"]))
    context = {
        "groups": groups,
        # Each student's running total against what the supervisor's placements require (two queries).
        "progress": selectors.progress_for_students(student_ids=[g["student"].pk for g in groups], user=request.user),
        "count": section.page.paginator.count,
        "section": section,
        "selected": selected or set(),
        "error": error,
    }
    return render(request, "practice/queue.html", context)


@method_decorator(kept_page, name="dispatch")
@method_decorator(prepared_page, name="get")
class QueueView(LoginRequiredMixin, View):
    """Pending entries of the placements the user supervises, a card per student: approve one, several or
    all of a student's at once, or reject one with a reason. Made to work on a phone."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return _render_queue(request)


def _ids(values: list[str]) -> list[int] | None:
    try:
        return [int(value) for value in values]
    except ValueError:
        return None


class ApproveManyView(LoginRequiredMixin, View):
    """POST: approve the checked entries ("Approve selected") or the entries of one student's card
    ("Approve all of ..."): one request, one transaction, all or none."""

    def post(self, request: HttpRequest) -> HttpResponse:
        student = request.POST.get("student")
        raw = request.POST.getlist(f"all-{student}") if student else request.POST.getlist("ids")
        ids = _ids(raw)
        if ids is None:
            return _render_queue(request, error=_("These entries are not yours to approve."))
        try:
            approved = services.practice_logs_approve(log_ids=ids, by=request_user(request))
        except ValidationError as error:
            # Nothing was approved: show why, with the same boxes still ticked.
            return _render_queue(request, selected=set(ids), error=" ".join(error.messages))
        count = len(approved)
        messages.success(
            request, ngettext("%(count)d entry approved.", "%(count)d entries approved.", count) % {"count": count}
        )
        return HttpResponseRedirect(reverse("practice:queue"))


class ApproveView(ScopedObjectMixin, View):
    """POST: approve one pending entry of a placement the user supervises."""

    model = PracticeLog
    access_action = "decide"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        log = self.get_object()
        try:
            services.practice_log_approve(log=log, by=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Entry approved."))
        return HttpResponseRedirect(reverse("practice:queue"))


class RejectView(ScopedObjectMixin, View):
    """Reject one pending entry with a reason the student sees."""

    template_name = "practice/reject.html"
    queryset = PracticeLog.objects.select_related("student__user", "category", "placement__partner")
    access_action = "decide"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        log = self.get_object()
        return render(request, self.template_name, {"form": RejectForm(), "entry": log})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        log = self.get_object()
        form = RejectForm(request.POST)
        if form.is_valid():
            try:
                services.practice_log_reject(log=log, by=request_user(request), reason=form.cleaned_data["reason"])
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Entry rejected; the student sees your reason."))
                return HttpResponseRedirect(reverse("practice:queue"))
        return render(request, self.template_name, {"form": form, "entry": log})


# --- Progress ------------------------------------------------------------------------------------------------


class ProgressView(LoginRequiredMixin, View):
    """A student's approved hours against the programme's requirement and each placement's, with the
    pro-rata expectation and the "behind" flag."""

    def get(self, request: HttpRequest, student_pk: int) -> HttpResponse:
        students = Student.objects.select_related("user", "programme")
        student: Student = scoped_object(request, students, "view", pk=student_pk)
        # Only what the reader may see: a partner's people read the hours at their partner.
        progress = selectors.student_progress(student=student, user=request.user)
        context = {
            "student": student,
            "progress": progress,
            "own": student.user_id == request.user.pk,
            "title": _("My practice hours")
            if student.user_id == request.user.pk
            else _("Practice hours of %(name)s") % {"name": student.user.display_name},
        }
        return render(request, "practice/progress.html", context)


# --- Months and rules (office, coordinators) ---------------------------------------------------------------


class ReopenView(LoginRequiredMixin, View):
    """The office reopens a closed month of a programme until a date, with a reason; the reopenings so far."""

    template_name = "practice/reopen.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            require_or_404(request, "reopen_month", Programme)
        return super().dispatch(request, *args, **kwargs)

    def _programmes(self, request: HttpRequest) -> QuerySet[Programme]:
        return selectors.reopen_programme_choices(user=request.user)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ReopenForm(programmes=self._programmes(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReopenForm(request.POST, programmes=self._programmes(request))
        if form.is_valid():
            data = form.cleaned_data
            try:
                reopening = services.month_reopen(
                    programme=data["programme"],
                    month=data["month"],
                    until=data["until"],
                    reason=data["reason"],
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(month)s of %(programme)s is open again until %(until)s.")
                    % {
                        "month": reopening.month.strftime("%Y-%m"),
                        "programme": reopening.programme.name,
                        "until": reopening.until.isoformat(),
                    },
                )
                return HttpResponseRedirect(reverse("practice:reopen"))
        return self._render(request, form)

    def _render(self, request: HttpRequest, form: ReopenForm) -> HttpResponse:
        reopenings = list(selectors.reopening_list(user=request.user)[:100])
        return render(request, self.template_name, {"form": form, "reopenings": reopenings})


class RulesView(LoginRequiredMixin, View):
    """The practice rules in force and their versions; the office sets the programmes' defaults, a
    coordinator tightens them for their own partner."""

    template_name = "practice/rules.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.sets_defaults = access.can(request.user, "set_practice_rules", Programme)
            self.partners = selectors.rules_partner_choices(user=request.user)
            if not self.sets_defaults and not self.partners.exists():
                raise not_found(request, "set_practice_rules", Programme)
        return super().dispatch(request, *args, **kwargs)

    def _form(self, request: HttpRequest, *args: Any, **kwargs: Any) -> RulesForm:
        programmes = selectors.rules_programme_choices(user=request.user)
        return RulesForm(
            *args, programmes=programmes, partners=self.partners, partner_required=not self.sets_defaults, **kwargs
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request)
        programmes = list(form.fields["programme"].queryset[:2])  # type: ignore[attr-defined]
        if len(programmes) == 1:
            form.initial["programme"] = programmes[0].pk
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rule_set = services.rules_set(
                    programme=data["programme"],
                    by=request_user(request),
                    partner=data["partner"],
                    daily_max_hours=data["daily_max_hours"],
                    entry_window_days=data["entry_window_days"],
                    lock_day=data["lock_day"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                version = f"L{rule_set.pk}" if rule_set.partner_id else f"P{rule_set.pk}"
                messages.success(request, _("Rules saved as version %(version)s.") % {"version": version})
                return HttpResponseRedirect(reverse("practice:rules"))
        return self._render(request, form)

    def _render(self, request: HttpRequest, form: RulesForm) -> HttpResponse:
        in_force, versions = selectors.rules_overview(user=request.user)
        context = {"form": form, "in_force": in_force, "versions": versions, "sets_defaults": self.sets_defaults}
        return render(request, self.template_name, context)
