"""Forms for partner pages. They validate input only; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import BootstrapFormMixin
from partners import selectors
from partners.models import MembershipRole, Partner, PartnerKind, PartnerStatus, Site


class PartnerFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *PartnerKind.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *PartnerStatus.choices]
    )


class PartnerForm(BootstrapFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Partner
        fields = [
            "name",
            "short_name",
            "kind",
            "contact_name",
            "contact_email",
            "contact_phone",
            "address",
            "website",
            "responsibilities",
        ]
        widgets = {"responsibilities": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsibilities"].required = False


class PartnerStatusForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=PartnerStatus.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class SiteForm(BootstrapFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Site
        fields = ["name", "description", "address", "capacity", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class MembershipForm(BootstrapFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.membership_person_choices()  # type: ignore[attr-defined]


class MembershipEndForm(BootstrapFormMixin, forms.Form):
    end_date = forms.DateField(
        label=_("Last day"),
        help_text=_("Today ends the membership at once: the person loses access as soon as you confirm."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
