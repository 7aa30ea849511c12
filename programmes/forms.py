"""Forms of the programme and agreement pages. They validate input only; ``programmes.services`` writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.roles import AnyUser
from core.forms import BootstrapFormMixin
from partners import access
from partners.models import Partner
from programmes.models import (
    ActivityCategory,
    AgreementStatus,
    Cohort,
    CourseCategory,
    DegreeType,
    MilestoneKind,
    ObjectiveKind,
    Participation,
    ParticipationRole,
    Programme,
    ProgrammeStatus,
)
from programmes.services import MAX_TERMINATION_REASON, PartyTerms, Requirements
from programmes.services.setup import PROGRAMME_FIELDS


class AgreementForm(BootstrapFormMixin, forms.Form):
    """A new agreement: its terms, a checkbox per partner taking part in the programme with what that
    party takes on, and the signed PDF."""

    title = forms.CharField(label=_("Title"), max_length=200)
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (AgreementStatus.DRAFT, AgreementStatus.DRAFT.label),
            (AgreementStatus.SIGNED, AgreementStatus.SIGNED.label),
        ],
        help_text=_("Only a signed agreement allows placements at its partners."),
    )
    document = forms.FileField(
        label=_("Signed document (PDF)"),
        required=False,
        help_text=_("A PDF of at most 10 MB. After an error elsewhere on the form, the chosen file is kept."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args: Any, participations: list[Participation], lead_id: int, **kwargs: Any) -> None:
        self.participations = participations
        super().__init__(*args, **kwargs)
        for participation in participations:
            key = participation.partner_id
            # Only the lead university starts ticked: an agreement usually binds it and one partner.
            self.fields[f"party_{key}"] = forms.BooleanField(
                label=participation.partner.name, required=False, initial=key == lead_id
            )
            self.fields[f"responsibilities_{key}"] = forms.CharField(
                label=_("Responsibilities"),
                required=False,
                initial=participation.responsibilities,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"obligations_{key}"] = forms.CharField(
                label=_("Obligations"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        # The mixin styled the fields it found; style the ones added here the same way.
        for name, field in self.fields.items():
            if name.startswith(("party_", "responsibilities_", "obligations_")):
                css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
                field.widget.attrs["class"] = css

    def base_fields_bound(self) -> Iterator[forms.BoundField]:
        """The agreement's own fields (the template lays the parties out separately)."""
        for name in ("title", "reference", "start_date", "end_date", "status", "document"):
            yield self[name]

    def party_rows(self) -> Iterator[dict[str, Any]]:
        """Per partner taking part: its participation and the bound checkbox and text fields."""
        for participation in self.participations:
            key = participation.partner_id
            yield {
                "participation": participation,
                "include": self[f"party_{key}"],
                "responsibilities": self[f"responsibilities_{key}"],
                "obligations": self[f"obligations_{key}"],
            }

    def parties(self) -> list[PartyTerms]:
        """The ticked parties with their terms (after ``is_valid``)."""
        data = self.cleaned_data
        return [
            PartyTerms(
                partner=p.partner,
                responsibilities=data.get(f"responsibilities_{p.partner_id}", ""),
                obligations=data.get(f"obligations_{p.partner_id}", ""),
            )
            for p in self.participations
            if data.get(f"party_{p.partner_id}")
        ]


class AgreementTerminateForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_TERMINATION_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the agreement's history (at most 100 characters)."),
    )


class AgreementFilterForm(BootstrapFormMixin, forms.Form):
    ending = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("All agreements")), ("soon", _("Ending within 60 days"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *AgreementStatus.choices]
    )


class CohortChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.programme.code} {obj.intake_year}"


class ProgrammeFilterForm(BootstrapFormMixin, forms.Form):
    """The filters a list shares with the quality dashboard's drill links (``quality.indicators._drill``):
    the programme and, where the list has them (``with_cohort``, ``with_year``), the cohort and the year.

    A GET form that keeps what was typed. The programmes offered are those the reader may see, the cohorts
    theirs; a value the reader may not choose (an unknown or unseen programme, a year that is not a number)
    is shown as that field's error and that filter alone is dropped: a filter only narrows the list the
    reader's scope already gives, so a bad value can never show more. Subclasses add a list's own filters
    (a status) and say which of these it has."""

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none(), required=False)
    cohort = CohortChoiceField(label=_("Cohort"), queryset=Cohort.objects.none(), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    #: Whether the list can be narrowed to a cohort, and to a calendar year.
    with_cohort = False
    with_year = False

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        programmes = access.scope(Programme.objects.all(), user, "view").order_by("name")
        fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        fields["programme"].empty_label = _("All programmes")  # type: ignore[attr-defined]
        if self.with_cohort:
            fields["cohort"].queryset = (  # type: ignore[attr-defined]
                Cohort.objects.filter(programme__in=programmes)
                .select_related("programme")
                .order_by("programme__code", "-intake_year")
            )
            fields["cohort"].empty_label = _("All cohorts")  # type: ignore[attr-defined]
        else:
            del fields["cohort"]
        if not self.with_year:
            del fields["year"]

    def filters(self) -> dict[str, Any]:
        """The valid filters that are set, by name (``programme`` and ``cohort`` as rows, ``year`` an int):
        what the list's selector narrows by. Invalid ones are left out (and shown as errors)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}


# --- Programme set-up (office) ---------------------------------------------------------------------------


class LeadUniversityField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Partner) -> str:
        return obj.name


class ProgrammeForm(BootstrapFormMixin, forms.Form):
    """A programme's own fields. The lead universities come from the view (a selector)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Short, unique: letters, digits, hyphens."))
    degree_type = forms.ChoiceField(label=_("Degree type"), choices=DegreeType.choices)
    duration_months = forms.IntegerField(label=_("Duration (months)"), min_value=6, max_value=120)
    lead_university = LeadUniversityField(label=_("Lead university"), queryset=Partner.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=ProgrammeStatus.choices)
    first_intake_year = forms.IntegerField(label=_("First intake year"), min_value=2000, max_value=2100, required=False)
    last_intake_year = forms.IntegerField(
        label=_("Last intake year"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("Leave empty while the programme keeps taking students."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, universities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_university"].queryset = universities  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(programme: Programme) -> dict[str, Any]:
        return {name: getattr(programme, name) for name in PROGRAMME_FIELDS if name != "lead_university"} | {
            "lead_university": programme.lead_university_id
        }


class ProgrammeCopyForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the new programme"), max_length=200)
    code = forms.SlugField(label=_("Code of the new programme"), max_length=40)
    first_intake_year = forms.IntegerField(label=_("First intake year"), min_value=2000, max_value=2100, required=False)
    last_intake_year = forms.IntegerField(label=_("Last intake year"), min_value=2000, max_value=2100, required=False)


CREDIT_PREFIX, HOURS_PREFIX, MILESTONE_PREFIX = "credits_", "hours_", "milestone_"


class RequirementsForm(BootstrapFormMixin, forms.Form):
    """Credits per course category, hours per activity category of the programme, milestones with their
    months after enrolment (blank: not required), project points, and what changed."""

    project_points = forms.IntegerField(label=_("Minimum project points"), min_value=0, max_value=1000)
    summary = forms.CharField(
        label=_("What changed and why"),
        max_length=300,
        required=False,
        help_text=_("Kept with this version of the requirements."),
    )

    def __init__(self, *args: Any, categories: list[ActivityCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = categories
        for value, label in CourseCategory.choices:
            self.fields[f"{CREDIT_PREFIX}{value}"] = forms.DecimalField(
                label=label, required=False, min_value=0, max_digits=5, decimal_places=1
            )
        for category in categories:
            self.fields[f"{HOURS_PREFIX}{category.code}"] = forms.IntegerField(
                label=category.name, required=False, min_value=0, max_value=10000
            )
        for value, label in MilestoneKind.choices:
            self.fields[f"{MILESTONE_PREFIX}{value}"] = forms.IntegerField(
                label=label, required=False, min_value=1, max_value=120, help_text=_("Months after enrolment.")
            )
        for name, field in self.fields.items():
            if name.startswith((CREDIT_PREFIX, HOURS_PREFIX, MILESTONE_PREFIX)):
                field.widget.attrs["class"] = "form-control"

    def _group(self, prefix: str) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(prefix)]

    @property
    def credit_fields(self) -> list[forms.BoundField]:
        return self._group(CREDIT_PREFIX)

    @property
    def hours_fields(self) -> list[forms.BoundField]:
        return self._group(HOURS_PREFIX)

    @property
    def milestone_fields(self) -> list[forms.BoundField]:
        return self._group(MILESTONE_PREFIX)

    @staticmethod
    def initial_for(requirements: Requirements) -> dict[str, Any]:
        initial: dict[str, Any] = {"project_points": requirements.project_points}
        initial.update({f"{CREDIT_PREFIX}{k}": v for k, v in requirements.credits.items()})
        initial.update({f"{HOURS_PREFIX}{k}": v for k, v in requirements.hours.items()})
        initial.update({f"{MILESTONE_PREFIX}{k}": v for k, v in requirements.milestones.items()})
        return initial

    def requirements(self) -> Requirements:
        data = self.cleaned_data

        def group(prefix: str) -> dict[str, Any]:
            return {
                name.removeprefix(prefix): data[name]
                for name in self.fields
                if name.startswith(prefix) and data.get(name) not in (None, "")
            }

        return Requirements(
            credits=group(CREDIT_PREFIX),
            hours=group(HOURS_PREFIX),
            milestones=group(MILESTONE_PREFIX),
            project_points=data["project_points"],
        )


class ObjectiveForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ObjectiveKind.choices)
    code = forms.CharField(label=_("Code"), max_length=20)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))


class ActivityCategoryForm(BootstrapFormMixin, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)


class CohortForm(BootstrapFormMixin, forms.Form):
    intake_year = forms.IntegerField(label=_("Intake year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Name"), max_length=80, required=False)


class CohortNameForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, required=False)


class ParticipationForm(BootstrapFormMixin, forms.Form):
    """A partner taking part: the partners come from the view (a selector); the role and what it does."""

    partner = LeadUniversityField(label=_("Partner"), queryset=Partner.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=ParticipationRole.choices)
    responsibilities = forms.CharField(
        label=_("Responsibilities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Left empty: the partner's own responsibilities."),
    )

    def __init__(self, *args: Any, partners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partner"]  # a participation keeps its partner
        else:
            self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
