"""Forms of the psychological service: short, plain, and keeping what was typed on a refusal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from core.forms import BootstrapFormMixin
from wellbeing import questionnaires
from wellbeing.models import ConsentKind, Mode, Service, Slot, Urgency


class _Scale(forms.TypedChoiceField):
    def __init__(self, label: Any, choices: Any, required: bool = True) -> None:
        super().__init__(label=label, choices=choices, coerce=int, widget=forms.RadioSelect, required=required)


class CheckInForm(BootstrapFormMixin, forms.Form):
    """Mood and stress, and optionally PHQ-9 and GAD-7 (each all or nothing)."""

    mood = _Scale(_("How is your mood today?"), questionnaires.MOOD_CHOICES)
    stress = _Scale(_("How stressed do you feel?"), questionnaires.STRESS_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", _("(no answer)")), *questionnaires.ANSWER_CHOICES]
        for i, text in enumerate(questionnaires.PHQ9_ITEMS, start=1):
            self.fields[f"phq9_{i}"] = forms.TypedChoiceField(
                label=text, choices=blank, coerce=int, required=False, empty_value=None
            )
        for i, text in enumerate(questionnaires.GAD7_ITEMS, start=1):
            self.fields[f"gad7_{i}"] = forms.TypedChoiceField(
                label=text, choices=blank, coerce=int, required=False, empty_value=None
            )
        for name in ("mood", "stress"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def _answers(self, prefix: str, count: int) -> list[int] | None:
        values = [self.cleaned_data.get(f"{prefix}_{i}") for i in range(1, count + 1)]
        if all(v is None for v in values):
            return None
        return [int(v) if v is not None else -1 for v in values]

    def phq9(self) -> list[int] | None:
        return self._answers("phq9", 9)

    def gad7(self) -> list[int] | None:
        return self._answers("gad7", 7)

    def phq9_fields(self) -> list[forms.BoundField]:
        return [self[f"phq9_{i}"] for i in range(1, 10)]

    def gad7_fields(self) -> list[forms.BoundField]:
        return [self[f"gad7_{i}"] for i in range(1, 8)]


class RequestForm(BootstrapFormMixin, forms.Form):
    """Asking for counselling."""

    topic = forms.CharField(
        label=_("What would you like to talk about?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("A few words are enough. Only the counsellor who takes your request reads it."),
    )
    urgency = forms.ChoiceField(label=_("How soon?"), choices=Urgency.choices, initial=Urgency.ROUTINE)
    service = forms.ModelChoiceField(
        label=_("Counsellor at"),
        queryset=Service.objects.none(),
        help_text=_("Your own organisation's service, or one outside it."),
    )
    language = forms.CharField(label=_("Preferred language"), max_length=40, required=False)
    preferred_times = forms.CharField(label=_("Times that suit you"), max_length=300, required=False)
    mode = forms.ChoiceField(label=_("In person or online"), choices=Mode.choices)
    consent = forms.BooleanField(
        label=_("I have read what the service keeps, who sees it and for how long, and I agree."), required=False
    )

    def __init__(self, *args: Any, services: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["service"].queryset = services  # type: ignore[attr-defined]


class BookForm(BootstrapFormMixin, forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("I have read what the service keeps, who sees it and for how long, and I agree."), required=False
    )


class NoteForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=pgettext_lazy("case note", "Note"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )


class ReferForm(BootstrapFormMixin, forms.Form):
    to = forms.CharField(label=_("Referred to"), max_length=300)
    note = forms.CharField(
        label=pgettext_lazy("case note", "Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CloseForm(BootstrapFormMixin, forms.Form):
    summary = forms.CharField(label=_("Closing summary"), widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Consent"), choices=ConsentKind.choices)
    recipient = forms.ModelChoiceField(label=_("Who may be told"), queryset=User.objects.none(), required=False)
    purpose = forms.CharField(label=_("What may be shared, and why"), max_length=500, required=False)

    def __init__(self, *args: Any, recipients: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if recipients is not None:
            self.fields["recipient"].queryset = recipients  # type: ignore[attr-defined]


class ShareForm(BootstrapFormMixin, forms.Form):
    consent = forms.IntegerField(widget=forms.HiddenInput)
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class BreakGlassForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this case?"),
        max_length=300,
        help_text=_("The person will see your name, the time and this reason in their access log."),
    )


class SlotForm(BootstrapFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Slot
        fields = ["starts_at", "minutes", "mode", "place"]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}


class HotlineForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    number = forms.CharField(label=_("Phone number"), max_length=60)
    hours = forms.CharField(label=_("Opening hours"), max_length=100, required=False)
