"""Forms of internal supervision's pages. They parse input only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import BootstrapFormMixin
from programmes.forms import ProgrammeFilterForm
from reviews import hooks
from reviews.models import STUDENT_WRITTEN, ConcernCategory, ConcernStatus, Review, ReviewSchedule, ReviewTerm
from reviews.selectors import CONCERN_OPEN
from reviews.services.schedules import SCHEDULE_FIELDS

SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class ReviewSubmitForm(BootstrapFormMixin, forms.Form):
    """One field per criterion (1 to 5), free text, "may be shared" for a student's review, an optional
    concern."""

    comment = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    may_share = forms.BooleanField(
        label=_("My comments may be shared with the person reviewed, without my name"), required=False
    )
    concern_category = forms.ChoiceField(
        label=_("Raise a concern that needs an answer (optional)"),
        choices=[("", _("No concern")), *ConcernCategory.choices],
        required=False,
    )
    concern_text = forms.CharField(
        label=_("What is the concern about?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(review.form.criteria.all())
        for criterion in self.criteria:
            self.fields[f"score_{criterion.code}"] = forms.ChoiceField(
                label=criterion.label,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                help_text=f"1 = {criterion.anchor_low} · 5 = {criterion.anchor_high}",
            )
        if review.direction not in STUDENT_WRITTEN:
            del self.fields["may_share"]

    def scores(self) -> dict[str, int]:
        return {c.code: int(self.cleaned_data[f"score_{c.code}"]) for c in self.criteria}

    def score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{c.code}"] for c in self.criteria]


class ReplyForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 4}))


class EscalateForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Why the office should look at it"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(BootstrapFormMixin, forms.Form):
    """How the office closes a concern. An outcome an app above takes on its own page (a violation: the
    integrity register's form; a referral: supervision's, which chooses the inspection) is not offered here;
    the concern page links to that page instead."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=[], widget=forms.RadioSelect)
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    reference = forms.CharField(label=_("Reference (e.g. the inspection planned)"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (ConcernStatus.RESOLVED, _("Resolved")),
            (ConcernStatus.REFERRED, _("Refer to an inspection (a finding to look at)")),
            (ConcernStatus.VIOLATION, _("Open a violation")),
        ]
        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in choices if not self._elsewhere(value)
        ]
        if self._elsewhere(ConcernStatus.REFERRED):  # the reference says which inspection: asked on that page
            del self.fields["reference"]

    @staticmethod
    def _elsewhere(outcome: str) -> bool:
        """Taken on another page (a handler with its own ``page``), or not available at all (a violation
        while no handler is registered)."""
        handler = hooks.outcome_handler(outcome)
        if handler is None:
            return outcome == ConcernStatus.VIOLATION
        return handler.page is not None


class MeetingForm(BootstrapFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}))
    action_1 = forms.CharField(label=_("Agreed action"), required=False, max_length=300)
    owner_1 = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_1 = forms.DateField(label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    action_2 = forms.CharField(label=_("Agreed action"), required=False, max_length=300)
    owner_2 = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_2 = forms.DateField(label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("attendees", "owner_1", "owner_2"):
            self.fields[name].queryset = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in (1, 2):
            text, owner, due = data.get(f"action_{n}"), data.get(f"owner_{n}"), data.get(f"due_{n}")
            if text and not (owner and due):
                self.add_error(f"owner_{n}", _("An action needs an owner and a due date."))
        return data


class MinutesAnswerForm(BootstrapFormMixin, forms.Form):
    answer = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("dispute", _("Dispute"))])
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class _ParseOnly:
    """Model forms that only parse: the model's own validation is left to ``reviews.services.schedules``,
    so a refusal reads the same from every caller and lands on the field it names."""

    def _post_clean(self) -> None:
        return None


class ScheduleForm(_ParseOnly, BootstrapFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    """A programme's review schedule; ``programmes`` (a new schedule only) are those without one."""

    class Meta:
        model = ReviewSchedule
        fields = ["programme", *SCHEDULE_FIELDS]

    def __init__(self, *args: Any, programmes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if programmes is None:
            del self.fields["programme"]
        else:
            self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]


class TermForm(_ParseOnly, BootstrapFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ReviewTerm
        fields = ["name", "start_date", "end_date"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


# --- The lists' filters (the quality dashboard's drill links land on them) --------------------------------


class RoundFilterForm(ProgrammeFilterForm):
    """The rounds list's filters: the programme and the year the rounds are due in (a round is for a whole
    programme, so no cohort)."""

    with_year = True


class ConcernFilterForm(ProgrammeFilterForm):
    """The concerns list's filters: the programme, the cohort of the student the review was by or about,
    the year the concern was raised in, and its status (or "still open")."""

    with_cohort = True
    with_year = True
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), (CONCERN_OPEN, _("Still open")), *ConcernStatus.choices],
    )


class MeetingFilterForm(ProgrammeFilterForm):
    """The meetings list's filters: the student's programme and cohort, and the year the meeting was held."""

    with_cohort = True
    with_year = True
