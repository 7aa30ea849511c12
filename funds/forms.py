"""Forms of the funds pages: shape only; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from funds.models import Category, Resolution
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
