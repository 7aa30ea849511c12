"""Internal supervision's pages: parse input, call one selector or service, render (docs/decisions/0009).

Everything is fetched through the scoped base (``core.views``): out of scope is a 404. The reviewed person's
results page reads aggregates only (``reviews.selectors``); the round dashboard, which names reviewers, is the
office's alone.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import User
from core.views import (
    FilteredListMixin,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    apply_validation_error,
    request_user,
    require_or_404,
    scoped_object,
    scoped_queryset,
)
from partners import access
from partners.models import Site
from programmes.models import Programme
from reviews import dashboard, exports, hooks, selectors
from reviews.forms import (
    ConcernFilterForm,
    DecideForm,
    EscalateForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesAnswerForm,
    ReplyForm,
    ReviewSubmitForm,
    RoundFilterForm,
    ScheduleForm,
    TermForm,
)
from reviews.models import (
    OPEN_CONCERN,
    STUDENT_WRITTEN,
    Concern,
    Meeting,
    MeetingAction,
    Review,
    ReviewRound,
    ReviewSchedule,
    ReviewTerm,
)
from reviews.services import concerns, meetings, review_submit, rounds, schedules
from reviews.services.meetings import AgreedAction, meeting_people
from students.models import Student


class ToDoView(LoginRequiredMixin, TemplateView):
    """My reviews to do and written, minutes to confirm, concerns waiting for my reply."""

    template_name = "reviews/todo.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = request_user(self.request)
        context = super().get_context_data(**kwargs)
        context["to_do"] = list(selectors.reviews_to_do(user=user))
        context["written"] = list(selectors.reviews_written(user=user)[:20])
        context["minutes"] = list(selectors.minutes_to_confirm(user=user).select_related("recorded_by"))
        context["concerns"] = list(selectors.open_concerns_for(user=user).select_related("partner"))
        context["is_office"] = access.is_office(user)
        return context


class ReviewSubmitView(ScopedFormView):
    """Write and submit one review (its reviewer; the office its yearly partner reviews)."""

    model = Review
    access_action = "submit"
    template_name = "reviews/review_form.html"
    form_class = ReviewSubmitForm

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("round", "form", "subject_student__user", "subject_user")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "review": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["review"] = self.object
        context["student_written"] = self.object.direction in STUDENT_WRITTEN
        return context

    def form_valid(self, form: ReviewSubmitForm) -> HttpResponse:
        data = form.cleaned_data
        saved = self.run_service(
            form,
            lambda: review_submit(
                review=self.object,
                scores=form.scores(),
                comment=data.get("comment", ""),
                may_share=bool(data.get("may_share")),
                concern_category=data.get("concern_category", ""),
                concern_text=data.get("concern_text", ""),
                by=request_user(self.request),
            ),
        )
        if saved is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you: your review has been submitted."))
        return redirect("reviews:todo")


class ResultsView(LoginRequiredMixin, TemplateView):
    """The results about me: students' reviews of me as anonymous aggregates (groups of 3 or more), reviews
    about me as a student (after the round closed, with names), and my partners' site histories."""

    template_name = "reviews/results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = request_user(self.request)
        context = super().get_context_data(**kwargs)
        context["tutor"] = selectors.tutor_results(user=user)
        context["supervised"] = selectors.supervisor_results(user=user)
        context["feedback"] = list(selectors.feedback_about_student(user=user))
        context["sites"] = list(selectors.partner_sites_reviewed(user=user)) if not access.is_office(user) else []
        context["threshold"] = 3
        return context


class SiteHistoryView(ScopedDetailView):
    """A placement site's review history: aggregates by term of 3 or more, no names."""

    model = Site
    access_action = "view_reviews"
    template_name = "reviews/site.html"
    context_object_name = "site"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("partner")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["results"] = selectors.site_results(site=self.object, threshold=dashboard.DEFAULT_LOW)
        return context


class RoundListView(FilteredListMixin, ScopedListView):
    """The office's rounds, with completion, and the trend of scores by term; filtered by programme and the
    year they are due in (the quality dashboard's "Reviews due" links here)."""

    model = ReviewRound
    access_action = "manage"
    template_name = "reviews/rounds.html"
    context_object_name = "rounds"
    paginate_by = 30
    filter_form_class = RoundFilterForm

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_or_404(request, "manage", ReviewRound)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.round_list(user=request_user(self.request), filters=self.list_filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["trend"] = dashboard.trend_by_term()
        context["escalated"] = selectors.concern_list(user=request_user(self.request)).filter(status="escalated")
        return context


class RoundDetailView(ScopedDetailView):
    """One round: completion by partner, scores by criterion (low ones marked), and who wrote what."""

    model = ReviewRound
    access_action = "manage"
    template_name = "reviews/round.html"
    context_object_name = "round"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        threshold = dashboard.low_threshold(self.object)
        context["threshold"] = threshold
        context["completion"] = dashboard.completion_by_partner(self.object)
        context["scores"] = dashboard.scores_by_criterion(self.object, threshold)
        context["reviews"] = dashboard.round_reviews(self.object)
        return context


def _csv_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class RoundExportView(LoginRequiredMixin, View):
    """GET: the round's reviews with their reviewers, as CSV (the office)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        round_ = scoped_object(request, ReviewRound, "manage", pk=pk)
        return _csv_response(exports.round_csv(round_), f"review-round-{round_.pk}.csv")


class SiteExportView(LoginRequiredMixin, View):
    """GET: a site's review history as CSV: aggregates of 3 or more, no names."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        site = scoped_object(request, Site.objects.select_related("partner"), "view_reviews", pk=pk)
        return _csv_response(exports.site_csv(site), f"site-{site.pk}-reviews.csv")


class RoundCloseView(LoginRequiredMixin, View):
    """POST: close a round now (the office)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        round_ = scoped_object(request, ReviewRound, "manage", pk=pk)
        try:
            rounds.review_round_close(round=round_, by=request_user(request))
            messages.success(request, _("The round is closed."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("reviews:round", pk)


class ConcernListView(FilteredListMixin, ScopedListView):
    """The concerns the reader may see, filtered by programme, cohort, year raised and status (the quality
    dashboard's concern figures link here)."""

    model = Concern
    template_name = "reviews/concerns.html"
    context_object_name = "concerns"
    paginate_by = 30
    filter_form_class = ConcernFilterForm

    def get_queryset(self) -> Any:
        return selectors.concern_list(user=request_user(self.request), filters=self.list_filters())


def _outcome_pages(concern: Concern, user: User) -> list[tuple[str, str]]:
    """The outcomes an app above takes on its own page (``reviews.hooks``), for those it allows: (label, url)."""
    return [
        (str(h.label), h.page(concern))
        for h in hooks.CONCERN_OUTCOMES
        if h.page is not None and (h.allowed is None or h.allowed(user))
    ]


def _outcome_links(concern: Concern, user: User) -> list[tuple[str, str]]:
    """What the office's decision opened (a violation case), as this reader may see it: (label, url)."""
    handler = hooks.outcome_handler(concern.status)
    if handler is None or handler.link is None:
        return []
    found = handler.link(concern, user)
    return [found] if found else []


class ConcernDetailView(ScopedDetailView):
    """A concern and its thread. Who raised it is shown to the office and to that person only."""

    model = Concern
    template_name = "reviews/concern.html"
    context_object_name = "concern"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("partner", "addressed_to", "raised_by", "review__round")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = request_user(self.request)
        concern = self.object
        context = super().get_context_data(**kwargs)
        context["thread"] = concern.messages.select_related("author")
        context["is_office"] = access.is_office(user)
        context["is_raiser"] = concern.raised_by_id == user.pk
        context["shows_identity"] = context["is_office"] or context["is_raiser"]
        context["may_reply"] = concern.status in OPEN_CONCERN and access.can(user, "reply", concern)
        context["may_escalate"] = (
            concern.status in OPEN_CONCERN and concern.status != "escalated" and access.can(user, "escalate", concern)
        )
        context["may_decide"] = concern.status in OPEN_CONCERN and context["is_office"]
        context["outcome_pages"] = _outcome_pages(concern, user) if context["may_decide"] else []
        context["outcome_links"] = _outcome_links(concern, user)
        context["reply_form"] = kwargs.get("reply_form") or ReplyForm()
        context["escalate_form"] = EscalateForm()
        return context


class ConcernReplyView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        concern = scoped_object(request, Concern, "reply", pk=pk)
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                concerns.concern_reply(concern=concern, text=form.cleaned_data["text"], by=request_user(request))
                messages.success(request, _("Your reply has been sent."))
                return redirect("reviews:concern", pk)
            except ValidationError as error:
                apply_validation_error(form, error)
        view = ConcernDetailView(request=request, kwargs={"pk": pk}, object=concern)
        return render(request, "reviews/concern.html", view.get_context_data(object=concern, reply_form=form))


class ConcernEscalateView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        concern = scoped_object(request, Concern, "escalate", pk=pk)
        form = EscalateForm(request.POST)
        text = form.cleaned_data.get("text", "") if form.is_valid() else ""
        try:
            concerns.concern_escalate(concern=concern, text=text, by=request_user(request))
            messages.success(request, _("The concern is with the graduate office now."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("reviews:concern", pk)


class ConcernDecideView(ScopedFormView):
    model = Concern
    access_action = "decide"
    form_class = DecideForm
    template_name = "reviews/concern_decide.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "concern": self.object}

    def form_valid(self, form: DecideForm) -> HttpResponse:
        data = form.cleaned_data
        saved = self.run_service(
            form,
            lambda: concerns.concern_decide(
                concern=self.object,
                outcome=data["outcome"],
                note=data["note"],
                reference=data.get("reference", ""),
                by=request_user(self.request),
            ),
        )
        if saved is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The concern is closed."))
        return redirect("reviews:concern", self.object.pk)


class MeetingListView(FilteredListMixin, ScopedListView):
    """The meetings the reader may see, filtered by the student's programme and cohort and the year held
    (the quality dashboard's "Supervision meetings held" links here)."""

    model = Meeting
    template_name = "reviews/meetings.html"
    context_object_name = "meetings"
    paginate_by = 30
    filter_form_class = MeetingFilterForm

    def get_queryset(self) -> Any:
        return selectors.meeting_list(user=request_user(self.request), filters=self.list_filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = request_user(self.request)
        context = super().get_context_data(**kwargs)
        context["actions"] = list(selectors.actions_open_for(user=user))
        context["students"] = list(
            access.scope(Student.objects.select_related("user"), user, "record_meeting").order_by("student_number")[:50]
        )
        return context


class MeetingCreateView(ScopedFormView):
    """Record a meeting with a student (tutor, co-supervisor, placement supervisors, office)."""

    model = Student
    access_action = "record_meeting"
    form_class = MeetingForm
    template_name = "reviews/meeting_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        people = User.objects.filter(pk__in=meeting_people(self.object)).order_by("full_name", "username")
        return {**super().get_form_kwargs(), "people": people}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "student": self.object}

    def form_valid(self, form: MeetingForm) -> HttpResponse:
        data = form.cleaned_data
        agreed = [
            AgreedAction(text=data[f"action_{n}"], owner=data[f"owner_{n}"], due_on=data[f"due_{n}"])
            for n in (1, 2)
            if data.get(f"action_{n}")
        ]
        meeting = self.run_service(
            form,
            lambda: meetings.meeting_record(
                student=self.object,
                held_on=data["held_on"],
                minutes=data["minutes"],
                attendees=list(data.get("attendees") or []),
                actions=agreed,
                by=request_user(self.request),
            ),
        )
        if meeting is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The meeting is recorded; the student is asked to confirm the minutes."))
        return redirect("reviews:meeting", meeting.pk)


class MeetingDetailView(ScopedDetailView):
    model = Meeting
    template_name = "reviews/meeting.html"
    context_object_name = "meeting"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("student__user", "recorded_by").prefetch_related("attendees")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = request_user(self.request)
        context = super().get_context_data(**kwargs)
        context["actions"] = self.object.actions.select_related("owner")
        context["may_answer"] = self.object.minutes_status == "awaiting" and access.can(user, "confirm", self.object)
        context["answer_form"] = kwargs.get("answer_form") or MinutesAnswerForm()
        return context


class MeetingAnswerView(LoginRequiredMixin, View):
    """POST: the student confirms or disputes the minutes."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = scoped_object(request, Meeting, "confirm", pk=pk)
        form = MinutesAnswerForm(request.POST)
        if form.is_valid():
            by, comment = request_user(request), form.cleaned_data.get("comment", "")
            try:
                if form.cleaned_data["answer"] == "confirm":
                    meetings.meeting_confirm(meeting=meeting, comment=comment, by=by)
                else:
                    meetings.meeting_dispute(meeting=meeting, comment=comment, by=by)
                messages.success(request, _("Thank you: your answer is recorded."))
                return redirect("reviews:meeting", pk)
            except ValidationError as error:
                apply_validation_error(form, error)
        view = MeetingDetailView(request=request, kwargs={"pk": pk}, object=meeting)
        return render(request, "reviews/meeting.html", view.get_context_data(object=meeting, answer_form=form))


class ActionDoneView(LoginRequiredMixin, View):
    """POST: the owner marks an agreed action done."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = scoped_object(request, MeetingAction, "complete", pk=pk)
        meetings.meeting_action_complete(action=action, by=request_user(request))
        messages.success(request, _("Marked as done."))
        return redirect("reviews:meetings")


# --- Schedules and terms: the office's set-up pages --------------------------------------------------------


class ScheduleListView(ScopedListView):
    """The programmes' review schedules and terms (the office), in a fixed number of queries."""

    model = ReviewSchedule
    access_action = "change"
    template_name = "reviews/schedules.html"
    context_object_name = "programmes"
    paginate_by = 30

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_or_404(request, "change", ReviewSchedule)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.schedule_list(user=request_user(self.request))


class _SetupFormView(ScopedFormView):
    """An office page with one schedule or term form: valid input goes to one service; a refusal lands on
    the form, with what was typed kept."""

    template_name = "reviews/schedule_form.html"

    def title(self) -> str:
        raise NotImplementedError

    def schedule(self) -> ReviewSchedule | None:
        return self.object if isinstance(self.object, ReviewSchedule) else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": self.title(), "schedule": self.schedule()}

    def saved(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect("reviews:schedules")


class ScheduleCreateView(_SetupFormView):
    """A review schedule for a programme that has none (the office)."""

    model = ReviewSchedule
    access_action = "change"
    form_class = ScheduleForm

    def title(self) -> str:
        return _("New review schedule")

    def get_form_kwargs(self) -> dict[str, Any]:
        programmes = scoped_queryset(self.request, Programme).filter(review_schedule__isnull=True).order_by("code")
        return {**super().get_form_kwargs(), "programmes": programmes}

    def form_valid(self, form: ScheduleForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        programme = data.pop("programme")
        by = request_user(self.request)
        saved = self.run_service(form, lambda: schedules.review_schedule_create(programme=programme, by=by, **data))
        if saved is None:
            return self.form_invalid(form)
        return self.saved(_("Review schedule of %(code)s set up.") % {"code": programme.code})


class ScheduleUpdateView(_SetupFormView):
    """Edit a programme's review schedule (the office), with its terms and the latest changes of both."""

    model = ReviewSchedule
    access_action = "change"
    form_class = ScheduleForm

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("programme")

    def title(self) -> str:
        return _("Review schedule of %(code)s") % {"code": self.object.programme.code}

    def get_initial(self) -> dict[str, Any]:
        return {name: getattr(self.object, name) for name in schedules.SCHEDULE_FIELDS}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        terms = scoped_queryset(self.request, ReviewTerm).filter(programme_id=self.object.programme_id)
        context["terms"] = terms.order_by("start_date")
        context["changes"] = selectors.schedule_changes(schedule=self.object)
        return context

    def form_valid(self, form: ScheduleForm) -> HttpResponse:
        by, schedule = request_user(self.request), self.object
        saved = self.run_service(
            form, lambda: schedules.review_schedule_update(schedule=schedule, by=by, **form.cleaned_data)
        )
        if saved is None:
            return self.form_invalid(form)
        return self.saved(_("Changes saved."))


class TermCreateView(_SetupFormView):
    """A new term of the schedule's programme (the office)."""

    model = ReviewSchedule
    access_action = "change"
    form_class = TermForm

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("programme")

    def title(self) -> str:
        return _("New term of %(code)s") % {"code": self.object.programme.code}

    def form_valid(self, form: TermForm) -> HttpResponse:
        by, programme = request_user(self.request), self.object.programme
        term = self.run_service(
            form, lambda: schedules.review_term_create(programme=programme, by=by, **form.cleaned_data)
        )
        if term is None:
            return self.form_invalid(form)
        return self.saved(_("Term %(name)s added.") % {"name": term.name})


class TermUpdateView(_SetupFormView):
    """Rename a term or move its dates (the office); a term whose rounds have opened keeps its dates."""

    model = ReviewTerm
    access_action = "change"
    form_class = TermForm

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("programme")

    def title(self) -> str:
        return _("Edit term %(name)s of %(code)s") % {"name": self.object.name, "code": self.object.programme.code}

    def get_initial(self) -> dict[str, Any]:
        return {"name": self.object.name, "start_date": self.object.start_date, "end_date": self.object.end_date}

    def form_valid(self, form: TermForm) -> HttpResponse:
        by, term = request_user(self.request), self.object
        saved = self.run_service(form, lambda: schedules.review_term_update(term=term, by=by, **form.cleaned_data))
        if saved is None:
            return self.form_invalid(form)
        return self.saved(_("Changes saved."))
