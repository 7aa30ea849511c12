"""Forms for the student pages. They validate input only; services write and apply the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import BootstrapFormMixin
from partners.models import Partner, PartnerStatus, Site
from programmes.models import ActivityCategory, Objective
from students.models import CareerIntention, Placement, Student

# --- Plan ---------------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    """The browser's own date picker; values go out as ISO dates, which it requires."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class PlanGoalsForm(BootstrapFormMixin, forms.Form):
    research_direction = forms.CharField(label=_("Research direction"), max_length=200, required=False)
    career_intention = forms.ChoiceField(label=_("Career intention"), choices=CareerIntention.choices)
    development_goals = forms.CharField(
        label=_("Personal development goals"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you want to be able to do by the end of the programme."),
    )

    @classmethod
    def initial_for(cls, student: Student) -> dict[str, Any]:
        return {
            "research_direction": student.research_direction,
            "career_intention": student.career_intention,
            "development_goals": student.development_goals,
        }


class PartnerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Partners labelled with their status when it restricts placements (suspended, on probation)."""

    def label_from_instance(self, obj: Partner) -> str:
        if obj.status == PartnerStatus.SUSPENDED:
            return str(_("%(partner)s — suspended: takes no new placements") % {"partner": obj.name})
        if obj.status == PartnerStatus.PROBATION:
            return str(_("%(partner)s — on probation: needs the office's confirmation") % {"partner": obj.name})
        return obj.name


class SiteChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Site) -> str:
        return str(
            _("%(site)s — %(partner)s (takes %(capacity)s at once)")
            % {"site": obj.name, "partner": obj.partner.name, "capacity": obj.capacity}
        )


class SupervisorChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """People with a supervisor membership in force, labelled "name — partner"."""

    def label_from_instance(self, obj: User) -> str:
        partners = ", ".join(m.partner.name for m in getattr(obj, "supervisor_memberships", []))
        return f"{obj.display_name} — {partners}" if partners else obj.display_name


class ObjectiveChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Objective) -> str:
        return f"{obj.code} · {obj.get_kind_display()}: {obj.description}"


HOURS_PREFIX = "hours_"


class PlacementForm(BootstrapFormMixin, forms.Form):
    """A placement of a training plan. The querysets come from the view (scoped selectors); the cross-row
    rules (site of the partner, supervisor of the partner, dates, agreement) are the service's."""

    partner = PartnerChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    site = SiteChoiceField(label=_("Site"), queryset=Site.objects.none())
    supervisor = SupervisorChoiceField(label=_("Supervisor"), queryset=User.objects.none())
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    objectives = ObjectiveChoiceField(
        label=_("Objectives addressed"),
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    probation_reason = forms.CharField(
        label=_("Confirm a partner on probation: reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only for a partner on probation: why the office confirms this placement. Kept on record."),
    )
    capacity_reason = forms.CharField(
        label=_("Allow beyond the site's capacity: reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the site is full over these dates: why the office allows it. Kept on record."),
    )

    def __init__(
        self,
        *args: Any,
        partners: Any,
        sites: Any,
        supervisors: Any,
        objectives: Any,
        categories: list[ActivityCategory],
        fixed_partner: Partner | None = None,
        office: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not office:
            # Only the office confirms a partner on probation or allows a full site.
            del self.fields["probation_reason"]
            del self.fields["capacity_reason"]
        self.office = office
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        self.fields["supervisor"].queryset = supervisors  # type: ignore[attr-defined]
        self.fields["objectives"].queryset = objectives  # type: ignore[attr-defined]
        self.fields["objectives"].widget.attrs["class"] = "form-check-input"
        if fixed_partner is not None:
            # A placement keeps its partner: to move, cancel it and add another.
            self.fields["partner"].disabled = True
            self.fields["partner"].initial = fixed_partner.pk
            self.fields["partner"].help_text = _("A placement keeps its partner: cancel it and add another to move.")
        self.categories = categories
        for category in categories:
            self.fields[f"{HOURS_PREFIX}{category.pk}"] = forms.IntegerField(
                label=category.name,
                required=False,
                min_value=1,
                max_value=5000,
                help_text=_("The programme requires %(hours)s h in all.") % {"hours": category.required_hours},
            )
            self.fields[f"{HOURS_PREFIX}{category.pk}"].widget.attrs["class"] = "form-control"

    @property
    def override_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("probation_reason", "capacity_reason") if name in self.fields]

    def override_reasons(self) -> dict[str, str]:
        """The office's reasons to let the placement through a partner rule (after ``is_valid``)."""
        return {name: self.cleaned_data.get(name, "") for name in ("probation_reason", "capacity_reason")}

    @property
    def hours_fields(self) -> list[forms.BoundField]:
        return [self[f"{HOURS_PREFIX}{c.pk}"] for c in self.categories]

    def required_hours(self) -> dict[ActivityCategory, int]:
        """The hours typed per category (blank means the placement requires none there)."""
        return {
            c: self.cleaned_data[f"{HOURS_PREFIX}{c.pk}"]
            for c in self.categories
            if self.cleaned_data.get(f"{HOURS_PREFIX}{c.pk}")
        }

    @staticmethod
    def initial_for(placement: Placement) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "partner": placement.partner_id,
            "site": placement.site_id,
            "supervisor": placement.supervisor_id,
            "start_date": placement.start_date,
            "end_date": placement.end_date,
            "objectives": [o.pk for o in placement.objectives.all()],
            "notes": placement.notes,
        }
        for hours in placement.required_hours.all():
            initial[f"{HOURS_PREFIX}{hours.category_id}"] = hours.hours
        return initial


class ReasonForm(BootstrapFormMixin, forms.Form):
    """A reason, required: returning a plan, starting an amendment, cancelling, waiving."""

    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, label: str | None = None, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text


class MilestoneDoneForm(BootstrapFormMixin, forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput())

    @staticmethod
    def initial_today() -> dict[str, datetime.date]:
        return {"completed_on": timezone.localdate()}


class MilestoneEvidenceForm(BootstrapFormMixin, forms.Form):
    evidence = forms.FileField(
        label=_("Evidence (PDF)"),
        help_text=_("A PDF file of at most 10 MB: the signed form, minutes or certificate."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
