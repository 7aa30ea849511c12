"""Pages of the psychological service. Calm and plain; every row fetched through the scoped base
(``core.views``): a record out of the reader's scope is a 404, like a record that does not exist. Pages
that show a person's record keep the read in that person's access log (``selectors.log_read``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import User
from core.views import apply_validation_error, not_found, request_user, require_or_404, scoped_object, scoped_queryset
from wellbeing import selectors
from wellbeing.access import can_see_statistics, is_counsellor
from wellbeing.forms import (
    BookForm,
    BreakGlassForm,
    CheckInForm,
    CloseForm,
    ConsentForm,
    HotlineForm,
    NoteForm,
    ReferForm,
    RequestForm,
    ShareForm,
    SlotForm,
)
from wellbeing.models import Appointment, Case, Consent, ConsentKind, Hotline, Sharing, Slot
from wellbeing.services import appointments, cases, checkins, hotlines
from wellbeing.services.cases import has_first_contact_consent
from wellbeing.services.records import default_service


def _run(form: BaseForm, call: Callable[[], Any]) -> Any:
    """Call a service; a refusal lands on the form (what was typed is kept) and None is returned."""
    try:
        return call()
    except ValidationError as error:
        apply_validation_error(form, error)
        return None


# --- For everyone ------------------------------------------------------------------------------------


class HomeView(LoginRequiredMixin, View):
    """My wellbeing: what to do, upcoming appointments, my requests, what was shared with me."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        context = {
            "upcoming": list(selectors.appointments_upcoming(user=user)),
            "requests": list(selectors.case_list_own(user=user)[:10]),
            "received": list(selectors.sharing_list_received(user=user)[:10]),
            "is_counsellor": is_counsellor(user),
        }
        return render(request, "wellbeing/home.html", context)


class CheckInView(LoginRequiredMixin, View):
    """A private check-in; a crisis answer goes straight to the help page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "wellbeing/check_in.html", {"form": CheckInForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CheckInForm(request.POST)
        if form.is_valid():
            user = request_user(request)
            result = _run(
                form,
                lambda: checkins.check_in_create(
                    by=user,
                    mood=form.cleaned_data["mood"],
                    stress=form.cleaned_data["stress"],
                    phq9=form.phq9(),
                    gad7=form.gad7(),
                ),
            )
            if result is not None:
                if result.check_in.crisis:
                    return redirect(f"{reverse('wellbeing:help')}?crisis=1")
                messages.success(request, _("Thank you. Your check-in is saved; only you can see it."))
                return redirect("wellbeing:history")
        return render(request, "wellbeing/check_in.html", {"form": form}, status=200)


class HelpView(LoginRequiredMixin, View):
    """Help now: the hotlines the office keeps, and what happens next."""

    def get(self, request: HttpRequest) -> HttpResponse:
        context = {"hotlines": list(selectors.hotlines()), "crisis": request.GET.get("crisis") == "1"}
        return render(request, "wellbeing/help.html", context)


class HistoryView(LoginRequiredMixin, View):
    """My check-ins over time (the chart), my requests and appointments."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        selectors.log_read(user=user, subject_id=user.pk, what="my history")
        check_ins = list(selectors.check_in_list(user=user)[:100])
        context = {
            "check_ins": check_ins,
            "chart": selectors.outcome_chart(check_ins),
            "requests": list(selectors.case_list_own(user=user)),
            "appointments": list(selectors.appointment_list(user=user).filter(person_id=user.pk)),
        }
        return render(request, "wellbeing/history.html", context)


class RequestView(LoginRequiredMixin, View):
    """Asking for counselling."""

    def _form(self, request: HttpRequest, data: Any = None) -> RequestForm:
        user = request_user(request)
        service = default_service(user)
        form = RequestForm(data, services=selectors.services(), initial={"service": service})
        if has_first_contact_consent(user):
            del form.fields["consent"]
        return form

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "wellbeing/request.html", {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            case = _run(
                form,
                lambda: cases.case_request(
                    by=request_user(request),
                    service=data["service"],
                    topic=data["topic"],
                    urgency=data["urgency"],
                    language=data["language"],
                    preferred_times=data["preferred_times"],
                    mode=data["mode"],
                    consent_given=data.get("consent", True),
                ),
            )
            if case is not None:
                if case.urgency == "urgent":
                    return redirect(f"{reverse('wellbeing:help')}?crisis=1")
                messages.success(request, _("Your request is sent. A counsellor will take it and contact you."))
                return redirect("wellbeing:home")
        return render(request, "wellbeing/request.html", {"form": form})


class RequestWithdrawView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = scoped_object(request, Case, "withdraw", pk=pk)
        try:
            cases.case_withdraw(case=case, by=request_user(request))
            messages.success(request, _("Your request is withdrawn."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("wellbeing:home")


class BookView(LoginRequiredMixin, View):
    """The free times, and booking one (or, with ``?move=<appointment>``, moving to one)."""

    def _moving(self, request: HttpRequest) -> Appointment | None:
        pk = request.GET.get("move") or request.POST.get("move")
        if not pk:
            return None
        return scoped_object(
            request, Appointment.objects.select_related("slot"), "cancel", pk=pk, person_id=request.user.pk
        )

    def _render(self, request: HttpRequest, form: BookForm, moving: Appointment | None) -> HttpResponse:
        user = request_user(request)
        service = moving.slot.service if moving else None
        if has_first_contact_consent(user) or moving:
            form.fields.pop("consent", None)
        slots = list(selectors.free_slots(user=user, service=service)[:60])
        return render(request, "wellbeing/book.html", {"form": form, "slots": slots, "moving": moving})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, BookForm(), self._moving(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        moving = self._moving(request)
        form = BookForm(request.POST)
        if form.is_valid():
            slot = scoped_object(request, Slot, "view", pk=form.cleaned_data["slot"])
            user = request_user(request)
            if moving is not None:
                done = _run(form, lambda: appointments.appointment_move(appointment=moving, by=user, slot=slot))
            else:
                consent = bool(form.cleaned_data.get("consent"))
                done = _run(form, lambda: appointments.appointment_book(by=user, slot=slot, consent_given=consent))
            if done is not None:
                messages.success(request, _("Your appointment is booked."))
                return redirect("wellbeing:home")
        return self._render(request, form, moving)


class AppointmentCancelView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        appointment = scoped_object(request, Appointment, "cancel", pk=pk)
        try:
            appointments.appointment_cancel(appointment=appointment, by=request_user(request))
            messages.success(request, _("The appointment is cancelled."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if appointment.person_id == request.user.pk:
            return redirect("wellbeing:home")
        return redirect("wellbeing:calendar")


class AccessLogView(LoginRequiredMixin, View):
    """Who read my records, when, and why (for a break-glass read)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        entries = list(selectors.access_log(user=request_user(request))[:200])
        return render(request, "wellbeing/access_log.html", {"entries": entries})


class SharedView(LoginRequiredMixin, View):
    """A message the service shared with me, with the person's consent; my read is in their log."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        sharing = scoped_object(request, Sharing.objects.select_related("case__person", "shared_by"), "view", pk=pk)
        selectors.log_read(user=request.user, subject_id=sharing.case.person_id, what="shared message")
        return render(request, "wellbeing/shared.html", {"sharing": sharing})


class ConsentWithdrawView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        consent = scoped_object(request, Consent, "view", pk=pk, person_id=request.user.pk)
        cases.consent_withdraw(consent=consent, by=request_user(request))
        messages.success(request, _("Your consent is withdrawn: nothing more is shared under it."))
        return redirect("wellbeing:history")


# --- For counsellors ---------------------------------------------------------------------------------


class DashboardView(LoginRequiredMixin, View):
    """The counsellor's caseload, requests to take, and the next appointments."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "create", Slot)
        user = request_user(request)
        context = {
            "caseload": list(selectors.caseload(user=user)),
            "waiting": list(selectors.requests_waiting(user=user)),
            "calendar": selectors.calendar(user=user, days=7),
            "on_duty": selectors.on_duty(user=user),
        }
        return render(request, "wellbeing/dashboard.html", context)


class RequestTakeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = scoped_object(request, Case, "take", pk=pk)
        cases.case_take(case=case, by=request_user(request))
        messages.success(request, _("The request is yours: it is now in your caseload."))
        return redirect("wellbeing:case", case.pk)


def _recipients(case: Case) -> QuerySet[User]:
    """Whom a sharing consent may name: the person's tutor and supervisors, if they are a student; any
    active person otherwise (the counsellor picks; the consent names them)."""
    from students.models import Student

    student = Student.objects.filter(user_id=case.person_id).first()
    if student is not None:
        ids = [i for i in (student.tutor_id, student.practice_supervisor_id) if i]
        return User.objects.filter(pk__in=ids)
    return User.objects.filter(is_active=True).exclude(pk=case.person_id).order_by("username")[:200]  # type: ignore[return-value]


class CaseView(LoginRequiredMixin, View):
    """The case page: request, consent, notes, appointments, outcome measures, sharing, referral, closing.

    Each POST action has its own route (``action``); a refusal shows the page again with the form's errors."""

    action = ""
    forms: dict[str, type[BaseForm]] = {
        "note": NoteForm,
        "consent": ConsentForm,
        "share": ShareForm,
        "refer": ReferForm,
        "close": CloseForm,
    }

    def _case(self, request: HttpRequest, pk: int) -> Case:
        return scoped_object(request, Case.objects.select_related("person", "service"), "manage", pk=pk)

    def _forms(self, case: Case, bound: BaseForm | None = None) -> dict[str, BaseForm]:
        built: dict[str, BaseForm] = {}
        for name, form_class in self.forms.items():
            if bound is not None and name == self.action:
                built[name] = bound
            elif form_class is ConsentForm:
                built[name] = ConsentForm(recipients=_recipients(case), auto_id=f"{name}_%s")
            else:
                built[name] = form_class(auto_id=f"{name}_%s")
        return built

    def _render(self, request: HttpRequest, case: Case, bound: BaseForm | None = None) -> HttpResponse:
        record = selectors.case_record(case=case, user=request.user)
        forms = self._forms(case, bound)
        sharing_consents = [c for c in record.consents if c.kind == ConsentKind.SHARING and c.withdrawn_at is None]
        return render(
            request,
            "wellbeing/case.html",
            {"record": record, "case": case, "forms": forms, "sharing_consents": sharing_consents},
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._case(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self._case(request, pk)
        by = request_user(request)
        form_class = self.forms[self.action]
        auto_id = f"{self.action}_%s"
        form = (
            ConsentForm(request.POST, recipients=_recipients(case), auto_id=auto_id)
            if form_class is ConsentForm
            else form_class(request.POST, auto_id=auto_id)
        )
        if form.is_valid():
            data = form.cleaned_data
            calls: dict[str, Callable[[], Any]] = {
                "note": lambda: cases.case_note_add(case=case, by=by, body=data["body"]),
                "consent": lambda: cases.consent_record(
                    case=case,
                    by=by,
                    kind=data["kind"],
                    recipient=data.get("recipient"),
                    purpose=data.get("purpose", ""),
                ),
                "share": lambda: cases.sharing_create(
                    case=case,
                    consent=scoped_object(request, Consent, "view", pk=data["consent"], case_id=case.pk),
                    by=by,
                    message=data["message"],
                ),
                "refer": lambda: cases.case_refer(case=case, by=by, to=data["to"], note=data.get("note", "")),
                "close": lambda: cases.case_close(case=case, by=by, summary=data["summary"]),
            }
            if _run(form, calls[self.action]) is not None:
                messages.success(request, _("Saved."))
                return redirect("wellbeing:case", case.pk)
        return self._render(request, case, form)


class BreakGlassView(LoginRequiredMixin, View):
    """Opening a case of one's service that is not assigned to one, in an emergency, with a reason."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = scoped_object(request, Case, "break_glass", pk=pk)
        return render(request, "wellbeing/break_glass.html", {"case": case, "form": BreakGlassForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = scoped_object(request, Case, "break_glass", pk=pk)
        form = BreakGlassForm(request.POST)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            if _run(form, lambda: cases.case_break_glass(case=case, by=request_user(request), reason=reason)):
                return redirect("wellbeing:case", case.pk)
        return render(request, "wellbeing/break_glass.html", {"case": case, "form": form})


class CalendarView(LoginRequiredMixin, View):
    """The counsellor's slots and appointments for four weeks; offering a new slot."""

    def _render(self, request: HttpRequest, form: SlotForm) -> HttpResponse:
        days = selectors.calendar(user=request.user, days=28)
        return render(request, "wellbeing/calendar.html", {"days": days, "form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "create", Slot)
        return self._render(request, SlotForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "create", Slot)
        form = SlotForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            slot = _run(
                form,
                lambda: appointments.slot_create(
                    by=request_user(request),
                    starts_at=data["starts_at"],
                    minutes=data["minutes"],
                    mode=data["mode"],
                    place=data["place"],
                ),
            )
            if slot is not None:
                messages.success(request, _("The time is offered."))
                return redirect("wellbeing:calendar")
        return self._render(request, form)


class DutyView(LoginRequiredMixin, View):
    """POST: the counsellor goes on duty (``on_duty=1``) or off it."""

    def post(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "create", Slot)
        on_duty = request.POST.get("on_duty") == "1"
        appointments.counsellor_duty_set(by=request_user(request), on_duty=on_duty)
        if on_duty:
            messages.success(request, _("You are on duty: you are told at once of urgent requests."))
        else:
            messages.success(request, _("You are off duty."))
        return redirect("wellbeing:dashboard")


class SlotWithdrawView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        slot = scoped_object(request, Slot, "manage", pk=pk)
        try:
            appointments.slot_withdraw(slot=slot, by=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("wellbeing:calendar")


# --- Statistics and hotlines -------------------------------------------------------------------------


class StatisticsView(LoginRequiredMixin, View):
    """Anonymous statistics: small cells suppressed (with complementary suppression)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not can_see_statistics(request.user):
            raise not_found(request, "view", "WellbeingEvent")
        stats = selectors.statistics(user=request.user)
        return render(request, "wellbeing/statistics.html", {"stats": stats})


class HotlinesView(LoginRequiredMixin, View):
    """The office keeps the crisis lines."""

    def _render(self, request: HttpRequest, form: HotlineForm) -> HttpResponse:
        rows = list(scoped_queryset(request, Hotline, "manage").filter(active=True))
        return render(request, "wellbeing/hotlines.html", {"hotlines": rows, "form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "manage", Hotline)
        return self._render(request, HotlineForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "manage", Hotline)
        form = HotlineForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            by = request_user(request)
            if _run(
                form, lambda: hotlines.hotline_add(by=by, name=data["name"], number=data["number"], hours=data["hours"])
            ):
                return redirect("wellbeing:hotlines")
        return self._render(request, form)


class HotlineRemoveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        hotline = scoped_object(request, Hotline, "manage", pk=pk)
        hotlines.hotline_remove(hotline=hotline, by=request_user(request))
        return redirect("wellbeing:hotlines")
