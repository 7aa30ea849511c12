"""Forms of the programme and agreement pages. They validate input only; ``programmes.services`` writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from programmes.models import AgreementStatus, Participation
from programmes.services import MAX_TERMINATION_REASON, PartyTerms


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
        help_text=_("A PDF of at most 10 MB. If the form shows an error, choose the file again."),
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
