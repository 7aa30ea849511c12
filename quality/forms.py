"""Forms of the office's quality-report pages: the list's filters and the request for a new build.

Forms parse and check what was typed against the choices offered; the rules of a build (a programme that
ran that year, a build already waiting) are the service's (``quality.services.report_request``), whose
refusal lands on the same form, naming the field, with what was typed kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from programmes.models import Cohort, Programme
from quality.models import QualityReportStatus

#: The years a report can be about (the cohorts' own bounds, ``programmes.Cohort``).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def last_year() -> int:
    """The default year of a new report: the last full calendar year."""
    return timezone.localdate().year - 1


class ProgrammeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A programme named by its code and name (two programmes may share a name, never a code)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


class CohortChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A cohort named with its programme's code, so the choice reads right before a programme is picked."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.programme.code} · {obj}"


class ReportFilterForm(BootstrapFormMixin, forms.Form):
    """The list's filters; a value that is not one of the choices is ignored, the list shown unfiltered."""

    programme = ProgrammeChoiceField(
        label=_("Programme"), queryset=Programme.objects.order_by("code"), required=False, empty_label=_("All")
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *QualityReportStatus.choices]
    )

    def filters(self) -> dict[str, Any]:
        """The filters for ``quality.selectors.report_list``: those given and valid (Django keeps the valid
        fields' values in ``cleaned_data`` even when another field is refused), a programme by its id."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        if "programme" in data:
            data["programme"] = data["programme"].pk
        return data


class ReportRequestForm(BootstrapFormMixin, forms.Form):
    """A new build of a programme's report (a cohort's, or every cohort's) for a calendar year."""

    programme = ProgrammeChoiceField(label=_("Programme"), queryset=Programme.objects.order_by("code"))
    cohort = CohortChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects.select_related("programme").order_by("programme__code", "-intake_year"),
        required=False,
        empty_label=_("Every cohort"),
        help_text=_("Leave empty for the whole programme. Only the chosen programme's cohorts are accepted."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=_("The calendar year the report is about; by default the last full year."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = last_year()
        # A programme already chosen (a refused form, or ?programme= from the list) narrows the cohorts offered.
        chosen = self.data.get("programme") if self.is_bound else self.initial.get("programme")
        if chosen and str(chosen).isdigit():
            field = self.fields["cohort"]
            field.queryset = field.queryset.filter(programme_id=int(chosen))  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        programme, cohort = data.get("programme"), data.get("cohort")
        if programme is not None and cohort is not None and cohort.programme_id != programme.pk:
            message = _("This cohort belongs to another programme: choose one of %(code)s's cohorts.")
            self.add_error("cohort", message % {"code": programme.code})
        return data
