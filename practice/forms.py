"""Forms for the practice-hour pages. They parse input only: every rule (future dates, the placement's
dates, the daily maximum, overlaps, the entry window, the monthly lock) is the service's, so that pages,
the API and imports refuse the same entries with the same words."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import BootstrapFormMixin
from partners.models import Partner
from practice.models import EntryStatus
from programmes.models import ActivityCategory, Programme
from students.models import Placement


class DateInput(forms.DateInput):
    """The browser's own date picker; values go out as ISO dates, which it requires."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class MonthInput(forms.DateInput):
    """The browser's month picker (``YYYY-MM``)."""

    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class HoursField(forms.DecimalField):
    """Hours with at most two decimals. No bounds here: the service's "hours" rule names them."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}))
        super().__init__(**kwargs)


class PlacementChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A placement, named for who logs: the partner and dates for the student; the student first for a
    supervisor choosing among supervisees."""

    def __init__(self, *args: Any, name_student: bool = False, **kwargs: Any) -> None:
        self.name_student = name_student
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Placement) -> str:
        dates = f"{obj.start_date:%Y-%m-%d} \u2013 {obj.end_date:%Y-%m-%d}"
        if self.name_student:
            return f"{obj.student.user.display_name} · {obj.partner.short_name} ({dates})"
        return f"{obj.partner.name} · {obj.site.name} ({dates})"


class CategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """An activity category; with the programme's code when the choices span several programmes."""

    def __init__(self, *args: Any, with_programme: bool = False, **kwargs: Any) -> None:
        self.with_programme = with_programme
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: ActivityCategory) -> str:
        return f"{obj.name} ({obj.programme.code})" if self.with_programme else obj.name


class EntryForm(BootstrapFormMixin, forms.Form):
    """Log hours: made for a phone (few fields, the placement and the day filled in)."""

    placement = PlacementChoiceField(label=_("Placement"), queryset=Placement.objects.none(), empty_label=None)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    hours = HoursField(label=_("Hours"), required=False, help_text=_("Or give a start and an end time below."))
    start_time = forms.TimeField(label=pgettext_lazy("start time", "Start"), required=False, widget=TimeInput())
    end_time = forms.TimeField(label=pgettext_lazy("end time", "End"), required=False, widget=TimeInput())
    category = CategoryChoiceField(
        label=_("Activity"), queryset=ActivityCategory.objects.none(), empty_label=_("Choose an activity…")
    )
    cases = forms.IntegerField(
        label=_("Cases or procedures"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=_("What you did"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    #: One key per form shown: a double tap on a slow phone connection saves one entry, not two.
    token = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)

    def __init__(
        self,
        *args: Any,
        placements: Iterable[Placement],
        categories: Iterable[ActivityCategory],
        for_supervisor: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        placements = list(placements)
        categories = list(categories)
        placement_field: PlacementChoiceField = self.fields["placement"]  # type: ignore[assignment]
        placement_field.queryset = Placement.objects.filter(pk__in=[p.pk for p in placements]).select_related(
            "student__user", "partner", "site"
        )
        placement_field.name_student = for_supervisor
        # The choices are the placements already read: no second query to render them.
        placement_field.choices = [(p.pk, placement_field.label_from_instance(p)) for p in placements]
        #: The one placement there is to choose from: shown as text, sent as a hidden field.
        self.single_placement = placements[0] if len(placements) == 1 else None
        if self.single_placement is not None:
            placement_field.widget = forms.HiddenInput()
        category_field: CategoryChoiceField = self.fields["category"]  # type: ignore[assignment]
        category_field.queryset = ActivityCategory.objects.filter(pk__in=[c.pk for c in categories]).select_related(
            "programme"
        )
        category_field.with_programme = len({c.programme_id for c in categories}) > 1
        category_field.choices = [("", _("Choose an activity"))] + [
            (c.pk, category_field.label_from_instance(c)) for c in categories
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hours") is not None and (data.get("start_time") or data.get("end_time")):
            self.add_error("hours", _("Give either the hours or a start and an end time, not both."))
        return data


class EntryFilterForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *EntryStatus.choices]
    )
    month = forms.DateField(label=_("Month"), required=False, input_formats=["%Y-%m"], widget=MonthInput())

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v} if self.is_valid() else {}


class CorrectionForm(BootstrapFormMixin, forms.Form):
    """Correct an approved entry: the change in hours (negative takes hours back) and why."""

    hours = HoursField(
        label=_("Change in hours"),
        help_text=_("Negative to take hours back (the entry's hours with a minus sign reverse it)."),
    )
    correction_reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The student sees it and can answer with a corrected entry."),
    )


class ReopenForm(BootstrapFormMixin, forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), empty_label=_("Choose a programme…")
    )
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], widget=MonthInput())
    until = forms.DateField(label=_("Open until"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        if not self.is_bound:
            today = timezone.localdate()
            last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
            self.initial.setdefault("month", last_month)
            self.initial.setdefault("until", today + datetime.timedelta(days=7))


class RulesForm(BootstrapFormMixin, forms.Form):
    """A new version of the rules: the programme's defaults (no partner; the office) or a partner's
    tightening of them (its coordinator, or the office)."""

    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), empty_label=_("Choose a programme…")
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("None: the programme's defaults"),
    )
    daily_max_hours = forms.DecimalField(
        label=_("Daily maximum (hours)"), max_digits=4, decimal_places=2, initial=Decimal("12")
    )
    entry_window_days = forms.IntegerField(label=_("Entry window (days back)"), min_value=0, initial=14)
    lock_day = forms.IntegerField(
        label=_("Month closes after day"),
        min_value=1,
        max_value=28,
        initial=5,
        help_text=_("After this day of the next month, a month's entries are closed."),
    )

    def __init__(self, *args: Any, programmes: Any, partners: Any, partner_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
        if partner_required:
            self.fields["partner"].required = True
            self.fields["partner"].empty_label = None  # type: ignore[attr-defined]
