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


class _TutorChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class _CohortChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.programme.code} {obj.intake_year}"


class StudentFilterForm(BootstrapFormMixin, forms.Form):
    """The students list's filters (a GET form: the page keeps the chosen values in the address)."""

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none(), required=False)
    cohort = _CohortChoiceField(label=_("Cohort"), queryset=Cohort.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *StudentStatus.choices]
    )
    tutor = _TutorChoiceField(label=_("Tutor"), queryset=User.objects.none(), required=False)
    partner = forms.ModelChoiceField(label=_("Placed at"), queryset=Partner.objects.none(), required=False)
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
        # The tutors of the students the reader may see, other than the reader's own student record: the
        # list shows them anyway. Nobody else's tutors are named (nor their user ids, in the options), and
        # a reader with none (a counsellor, a student) is offered no tutor filter at all.
        tutored = access.scope(Student.objects.all(), user, "view").exclude(user__pk=user.pk or 0)
        tutors = User.objects.filter(pk__in=tutored.values("tutor_id")).order_by("full_name", "username")
        if tutors.exists():
            fields["tutor"].queryset = tutors  # type: ignore[attr-defined]
            fields["tutor"].empty_label = _("All tutors")  # type: ignore[attr-defined]
        else:
            del fields["tutor"]
        fields["partner"].queryset = access.scope(  # type: ignore[attr-defined]
            Partner.objects.filter(participations__isnull=False).distinct(), user, "view"
        ).order_by("name")
        fields["partner"].empty_label = _("Any partner")  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any] | None:
        """The chosen filters for ``students.selectors.student_list``; None when a value is not one the
        user may choose (an unknown or out-of-scope programme, say): such a filter matches nobody, rather
        than being dropped and widening the list or the export."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return None
        if "tutor" not in self.fields and self.data.get("tutor"):
            return None  # a tutor filter this reader is not offered: as an unknown tutor, it matches nobody
        data = dict(self.cleaned_data)
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
