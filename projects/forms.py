"""Forms for the projects pages. They parse input only: the rules (scale, status, places, evidence, who may
do what) are the services', so pages and the API refuse the same things with the same words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import BootstrapFormMixin
from funds.models import Allocation, Expenditure
from partners.models import Partner, PartnerKind
from programmes.forms import ProgrammeFilterForm
from programmes.models import Programme
from projects.models import MemberRole, OutputType, ProjectKind, Scale


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ProjectForm(BootstrapFormMixin, forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), empty_label=_("Choose a programme…")
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=250)
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=250, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    lead_partner = forms.ModelChoiceField(
        label=_("Lead partner"), queryset=Partner.objects.none(), empty_label=_("Choose a partner…")
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Other partners involved"), queryset=Partner.objects.none(), required=False
    )
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=User.objects.none(), empty_label=_("Choose a person…"))
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    budget = forms.DecimalField(label=_("Budget (CNY)"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    funding_reference = forms.CharField(
        label=_("Funding"), max_length=200, required=False, help_text=_("Grant number, contract or fund allocation.")
    )
    fund_allocation = forms.ModelChoiceField(
        label=_("Fund allocation"),
        queryset=Allocation.objects.none(),
        required=False,
        help_text=_("The training-fund allocation that pays for the project: the lead partner's or the university's."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(
        self, *args: Any, programmes: Any, hosts: Any, partners: Any, people: Any, allocations: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund_allocation"].queryset = allocations  # type: ignore[attr-defined]
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["lead_partner"].queryset = hosts  # type: ignore[attr-defined]
        self.fields["partners"].queryset = partners  # type: ignore[attr-defined]
        self.fields["leader"].queryset = people  # type: ignore[attr-defined]
        self.fields["leader"].label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]


class AllocationForm(BootstrapFormMixin, forms.Form):
    """Name (or clear) the allocation that pays for a project."""

    fund_allocation = forms.ModelChoiceField(
        label=_("Fund allocation"),
        queryset=Allocation.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("The lead partner's or the university's."),
    )

    def __init__(self, *args: Any, allocations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund_allocation"].queryset = allocations  # type: ignore[attr-defined]


class ExpenditureLinkForm(BootstrapFormMixin, forms.Form):
    """Record that an expenditure of the project's allocation serves the project."""

    expenditure = forms.ModelChoiceField(
        label=_("Expenditure"), queryset=Expenditure.objects.none(), empty_label=_("Choose an expenditure…")
    )

    def __init__(self, *args: Any, expenditures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["expenditure"]
        field.queryset = expenditures  # type: ignore[attr-defined]
        field.label_from_instance = lambda e: f"{e.date:%Y-%m-%d} · {e.payee} · {e.amount}"  # type: ignore[attr-defined]


class MemberForm(BootstrapFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), empty_label=_("Choose a person…"))
    role = forms.ChoiceField(label=_("Role"), choices=[c for c in MemberRole.choices if c[0] != MemberRole.LEADER])

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people  # type: ignore[attr-defined]
        self.fields["user"].label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]


class OutputForm(BootstrapFormMixin, forms.Form):
    output_type = forms.ChoiceField(label=_("Type"), choices=OutputType.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    achieved_on = forms.DateField(label=_("Achieved on"), widget=DateInput())
    reference = forms.CharField(
        label=_("Reference"),
        max_length=200,
        required=False,
        help_text=_("DOI, patent or registration number, contract."),
    )
    evidence_url = forms.URLField(label=_("Evidence link"), required=False, assume_scheme="https")
    evidence = forms.FileField(label=_("Evidence file"), required=False)


class DecisionForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("verify", _("Evidence checked: verify")), ("reject", _("Reject"))]
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class StatusForm(BootstrapFormMixin, forms.Form):
    action = forms.ChoiceField(
        choices=[("approve", "approve"), ("start", "start"), ("conclude", "conclude"), ("abandon", "abandon")]
    )
    reason = forms.CharField(label=_("Reason"), required=False)


class PostForm(BootstrapFormMixin, forms.Form):
    places = forms.IntegerField(label=_("Places for students"), min_value=1, max_value=50, initial=1)
    skills_wanted = forms.CharField(label=_("Skills wanted"), max_length=300, required=False)
    pitch = forms.CharField(label=_("What students will do"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class JoinForm(BootstrapFormMixin, forms.Form):
    message = forms.CharField(
        label=_("Why you, in a few words"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class AnswerForm(BootstrapFormMixin, forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("yes", _("Accept")), ("no", _("Decline"))],
        coerce=lambda value: value == "yes",
    )
    answer = forms.CharField(label=_("Message to the student"), required=False, max_length=2000)


class SchemeForm(BootstrapFormMixin, forms.Form):
    """A new scheme version: thresholds, then one field per scale and role, per output type, per partner
    kind (weights, blank for 1)."""

    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), empty_label=_("Choose a programme…")
    )
    valid_from = forms.DateField(label=_("Applies from"), widget=DateInput())
    medium_budget_from = forms.DecimalField(label=_("Medium from budget (CNY)"), initial=100000, min_value=0)
    large_budget_from = forms.DecimalField(label=_("Large from budget (CNY)"), initial=1000000, min_value=0)
    medium_months_from = forms.IntegerField(label=_("Medium from duration (months)"), initial=12, min_value=1)
    large_months_from = forms.IntegerField(label=_("Large from duration (months)"), initial=24, min_value=1)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        for scale, scale_label in Scale.choices:
            for role, role_label in MemberRole.choices:
                self.fields[f"p_{scale}_{role}"] = forms.DecimalField(
                    label=f"{scale_label} · {role_label}", min_value=0, max_value=1000, initial=0
                )
        for kind, kind_label in OutputType.choices:
            self.fields[f"o_{kind}"] = forms.DecimalField(label=kind_label, min_value=0, max_value=1000, initial=0)
        for kind, kind_label in PartnerKind.choices:
            self.fields[f"w_{kind}"] = forms.DecimalField(
                label=_("Weight: %(kind)s") % {"kind": kind_label}, min_value=0, max_value=10, required=False
            )
        # the BootstrapFormMixin styled the fields present at its __init__; style the added ones too
        for name, field in self.fields.items():
            if name[:2] in ("p_", "o_", "w_"):
                field.widget.attrs["class"] = "form-control"

    def rates(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "project_points": {
                scale: {role: data[f"p_{scale}_{role}"] for role in MemberRole.values} for scale in Scale.values
            },
            "output_points": {kind: data[f"o_{kind}"] for kind in OutputType.values},
            "partner_weights": {
                kind: data[f"w_{kind}"] for kind in PartnerKind.values if data.get(f"w_{kind}") is not None
            },
        }


class OutputFilterForm(ProgrammeFilterForm):
    """The verification queue's filters: the project's programme and a cohort whose student contributed (the
    quality dashboard's "Outputs awaiting verification" links here)."""

    with_cohort = True
