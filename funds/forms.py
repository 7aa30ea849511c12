"""Forms of the funds pages: shape only; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from funds.models import Category, Resolution
from partners.models import Partner
from programmes.forms import ProgrammeFilterForm
from programmes.models import Programme
from students.models import Student


class ExpenditureForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0)
    payee = forms.CharField(label=_("Payee"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    student = forms.ModelChoiceField(
        label=_("Student (for a stipend)"), queryset=Student.objects.none(), required=False
    )
    receipt = forms.FileField(
        label=_("Receipt"), required=False, help_text=_("A PDF or a photo (JPEG or PNG), at most 10 MB.")
    )

    def __init__(self, *args: Any, students: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if students is not None:
            self.fields["student"].queryset = students  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


class ReceiptForm(forms.Form):
    receipt = forms.FileField(label=_("Receipt"), widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Resolution"), choices=Resolution.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8) or XLSX with the columns reference, date, category, amount, payee, and optionally "
            "description and student_number."
        ),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class FundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.ModelChoiceField(label=_("Source"), queryset=Partner.objects.none())
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)
    total = forms.DecimalField(label=_("Total"), max_digits=14, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    conditions = forms.CharField(label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    allowed_categories = forms.MultipleChoiceField(
        label=_("Allowed categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every category."),
    )
    document = forms.FileField(label=_("Agreement or grant document (PDF)"), required=False)

    def __init__(self, *args: Any, sources: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources  # type: ignore[attr-defined]
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        _styled(self)


class AllocationForm(forms.Form):
    """A partner (when allocating), the period, a budget per category, and the reason (when revising)."""

    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none(), required=False)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, partners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
            self.fields["partner"].required = True
        for code, label in Category.choices:
            self.fields[f"budget_{code}"] = forms.DecimalField(
                label=label, max_digits=14, decimal_places=2, min_value=0, required=False
            )
        _styled(self)

    def budget(self) -> dict[str, Any]:
        return {
            code: self.cleaned_data[f"budget_{code}"]
            for code in Category.values
            if self.cleaned_data.get(f"budget_{code}")
        }


class LimitForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("coordinator", _("Coordinator")), ("finance", _("Finance officer"))]
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("Every partner"),  # type: ignore[arg-type]
    )
    limit = forms.DecimalField(label=_("Limit"), max_digits=14, decimal_places=2, min_value=0)

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
        _styled(self)


class FlagFilterForm(ProgrammeFilterForm):
    """The flags queue's filter: the programme whose fund the flag is on (the quality dashboard's "Flags
    open" links here). Open or resolved stays the page's own switch (``?status=``)."""
