"""Forms of the student lists, the import and the export. They validate input only; selectors read and
services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import AnyUser
from core.forms import BootstrapFormMixin
from partners import access
from partners.models import Partner
from programmes.models import Cohort, Programme
from students.models import DestinationKind, PlanStatus, Student, StudentStatus
from students.selectors import filter_choices


class _CohortChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.programme.code} {obj.intake_year}"


#: The filters whose choices are searched as one types (``students.selectors.filter_choices``), with the
#: label of their text field and what its placeholder suggests.
SEARCHED = {
    "tutor": (_("Tutor"), _("Type a tutor's name")),
    "partner": (_("Placed at"), _("Type a partner's name")),
    "supervisor": (_("Supervisor"), _("Type a supervisor's name")),
}


class StudentFilterForm(BootstrapFormMixin, forms.Form):
    """The students list's filters (a GET form: the page keeps the chosen values in the address).

    The filters fit the reader (issue 18): a filter with fewer than two choices is not shown, and none is
    when the reader sees fewer than two students. Tutor, partner and supervisor may hold tens of thousands
    of names, so they are never listed: each is a text field (``<name>_name``, matched by name, which works
    without JavaScript) that suggests the matching names as one types; picking one sets ``<name>``, the id,
    checked against the reader's choices like any other value.
    """

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none(), required=False)
    cohort = _CohortChoiceField(label=_("Cohort"), queryset=Cohort.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *StudentStatus.choices]
    )
    tutor = forms.ModelChoiceField(queryset=User.objects.none(), required=False, widget=forms.HiddenInput)
    tutor_name = forms.CharField(label=_("Tutor"), required=False, max_length=150)
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), required=False, widget=forms.HiddenInput)
    partner_name = forms.CharField(label=_("Placed at"), required=False, max_length=200)
    supervisor = forms.ModelChoiceField(queryset=User.objects.none(), required=False, widget=forms.HiddenInput)
    supervisor_name = forms.CharField(label=_("Supervisor"), required=False, max_length=150)
    plan_status = forms.ChoiceField(
        label=_("Plan"), required=False, choices=[("", _("All plan statuses")), *PlanStatus.choices]
    )
    at_risk = forms.ChoiceField(label=_("At risk"), required=False, choices=[("", _("Any")), ("yes", _("At risk"))])

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programmes = access.scope(Programme.objects.all(), user, "view").order_by("name")
        fields = self.fields
        fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        fields["programme"].empty_label = _("All programmes")  # type: ignore[attr-defined]
        fields["cohort"].queryset = (  # type: ignore[attr-defined]
            Cohort.objects.filter(programme__in=programmes)
            .select_related("programme")
            .order_by("programme__code", "-intake_year")
        )
        fields["cohort"].empty_label = _("All cohorts")  # type: ignore[attr-defined]
        # The tutors, supervisors and partners of the students the reader may see, other than the reader's
        # own student record: the list shows them anyway. Nobody else's are named (nor their ids), and a
        # reader with none (a counsellor, a student) is offered no such filter at all.
        self.many: set[str] = set()  # the filters with two choices or more
        searched = {name: filter_choices.CHOICES[name](user) for name in SEARCHED}
        # "None, one or more" of every set in one query (unordered: it stops at the second row).
        found = filter_choices.up_to_two(
            {
                **searched,
                "programme": fields["programme"].queryset,  # type: ignore[attr-defined]
                "cohort": fields["cohort"].queryset,  # type: ignore[attr-defined]
                "students": access.scope(Student.objects.all(), user, "view"),
            }
        )
        for name, (_label, placeholder) in SEARCHED.items():
            if found[name] == 0:
                del fields[name], fields[f"{name}_name"]
                continue
            fields[name].queryset = searched[name]  # type: ignore[attr-defined]
            fields[f"{name}_name"].widget.attrs.update({"placeholder": placeholder, "autocomplete": "off"})
            if found[name] > 1:
                self.many.add(name)
        for name in ("programme", "cohort"):
            if found[name] > 1:
                self.many.add(name)
        self.students_seen = found["students"]

    def shown(self) -> list[str]:
        """The filters worth showing this reader, in order (see the class docstring); a hidden filter that
        is set (from a link) is kept as a hidden field, so filtering again does not drop it."""
        if self.students_seen < 2:
            return []
        always = {"status", "plan_status", "at_risk"}
        many = self.many
        return [name for name in self.fields if name in always or name in many or name.removesuffix("_name") in many]

    def plain(self) -> list[Any]:
        """The shown filters that are plain fields (drop-downs), as bound fields."""
        searched = {*SEARCHED, *(f"{name}_name" for name in SEARCHED)}
        return [self[name] for name in self.shown() if name not in searched]

    def kept(self) -> list[tuple[str, Any]]:
        """``(name, value)`` of the filters set (from a link) but not shown: kept as hidden fields."""
        if not self.is_bound:
            return []
        shown = set(self.shown())
        return [(name, self.data[name]) for name in self.fields if name not in shown and self.data.get(name)]

    def searched(self) -> list[dict[str, Any]]:
        """The shown search-as-you-type filters, each with its fields and the chosen name (for the page)."""
        shown = set(self.shown())
        out = []
        for name in SEARCHED:
            if name not in shown:
                continue
            chosen = self.cleaned_data.get(name) if self.is_bound and self.is_valid() else None
            out.append(
                {
                    "kind": name,
                    "id_field": self[name],
                    "text_field": self[f"{name}_name"],
                    "chosen": filter_choices.label(chosen) if chosen is not None else "",
                }
            )
        return out

    def filters(self) -> dict[str, Any] | None:
        """The chosen filters for ``students.selectors.student_list``; None when a value is not one the
        user may choose (an unknown or out-of-scope programme, say): such a filter matches nobody, rather
        than being dropped and widening the list or the export. A name typed without picking a suggestion
        filters by name among the reader's choices (``<name>_in``)."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return None
        for name in SEARCHED:
            if name not in self.fields and (self.data.get(name) or self.data.get(f"{name}_name")):
                return None  # a filter this reader is not offered: as an unknown value, it matches nobody
        data = dict(self.cleaned_data)
        for name in SEARCHED:
            text = data.pop(f"{name}_name", "") or ""
            if name in self.fields and data.get(name) is None and text.strip():
                data[f"{name}_in"] = filter_choices.matching(self.fields[name].queryset, text)  # type: ignore[attr-defined]
        data["at_risk"] = data.get("at_risk") == "yes"
        return data


class StudentImportForm(BootstrapFormMixin, forms.Form):
    """Step 1 of the import: the file. Its content is checked by ``students.services.imports``, not by its name."""

    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("At most 2 MB and 2,000 rows. The first row names the columns."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class StudentImportConfirmForm(forms.Form):
    """Step 2: the signed token naming the stored upload that the preview showed."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=500)


class DestinationForm(BootstrapFormMixin, forms.Form):
    """A graduate's destination: where, the employer when known (a partner, or a name), notes."""

    kind = forms.ChoiceField(label=_("Destination"), choices=DestinationKind.choices)
    employer_partner = forms.ModelChoiceField(
        label=_("Employer among the partners"), queryset=Partner.objects.none(), required=False
    )
    employer = forms.CharField(
        label=_("Employer"), max_length=200, required=False, help_text=_("When it is not one of the partners.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer_partner"].queryset = partners  # type: ignore[attr-defined]
