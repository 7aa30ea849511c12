"""Integrity forms: they parse input only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import PlatformRole
from core.forms import BootstrapFormMixin
from integrity.extract import MAX_BYTES
from integrity.models import (
    CaseDecision,
    CaseKind,
    CaseSource,
    CaseStatus,
    CaseStep,
    DecisionOutcome,
    Remedy,
    Sanction,
    SubjectKind,
    SubmissionKind,
)
from integrity.selectors import CASE_AWAITING
from partners.access import users_with_platform_role
from partners.models import Partner
from programmes.forms import ProgrammeFilterForm
from students.models import Student

_FILE_HELP = _("PDF with a text layer, or Word (DOCX); at most %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}


class SubmissionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What you submit"), choices=SubmissionKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(label=_("File"), help_text=_FILE_HELP)


class ReferenceForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    author = forms.CharField(label=_("Author"), max_length=200, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1950, max_value=2100, required=False)
    file = forms.FileField(label=_("File"), help_text=_FILE_HELP)


class DecisionForm(BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=DecisionOutcome.choices)
    reason = forms.CharField(label=_("Written decision"), widget=forms.Textarea(attrs={"rows": 5}))


def _people() -> Any:
    return User.objects.filter(is_active=True).order_by("username")


class CaseOpenForm(BootstrapFormMixin, forms.Form):
    subject_kind = forms.ChoiceField(label=_("Subject"), choices=SubjectKind.choices)
    student = forms.ModelChoiceField(label=_("Student"), queryset=Student.objects.none(), required=False)
    person = forms.ModelChoiceField(label=_("Supervisor or teacher"), queryset=User.objects.none(), required=False)
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    source = forms.ChoiceField(label=_("Source"), choices=CaseSource.choices)
    source_reference = forms.CharField(
        label=_("Source reference"),
        max_length=300,
        required=False,
        help_text=_("The finding, fund flag, review concern or report the case comes from."),
    )
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = Student.objects.select_related("user").order_by("student_number")  # type: ignore[attr-defined]
        self.fields["person"].queryset = _people().filter(memberships__isnull=False).distinct()  # type: ignore[attr-defined]
        self.fields["partner"].queryset = Partner.objects.order_by("name")  # type: ignore[attr-defined]


class CaseStepForm(BootstrapFormMixin, forms.Form):
    ASSIGN = "assign"
    step = forms.ChoiceField(
        label=_("Step"),
        choices=[
            (ASSIGN, _("Assign investigators")),
            (CaseStep.INVESTIGATING, _("Start the investigation")),
            (CaseStep.HEARING, _("Open the hearing")),
            (CaseStep.CLOSED, _("Close the case")),
        ],
    )
    investigators = forms.ModelMultipleChoiceField(
        label=_("Investigators"), queryset=User.objects.none(), required=False
    )
    statement_due = forms.DateField(
        label=_("Statement due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = users_with_platform_role(PlatformRole.OFFICE) | users_with_platform_role(PlatformRole.INSPECTOR)
        self.fields["investigators"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=staff.values("pk"))
        ).order_by("username")


class CaseDecideForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=CaseDecision.choices)
    remedy = forms.ChoiceField(label=_("Remedy"), choices=[("", "—"), *Remedy.choices], required=False)
    sanction = forms.ChoiceField(label=_("Sanction"), choices=[("", "—"), *Sanction.choices], required=False)
    sanction_until = forms.DateField(
        label=_("Sanction until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "For a delayed defence: the earliest date of the defence. For a suspension: leave empty for no end."
        ),
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 5}))


class CaseAnswerForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("Your statement"), widget=forms.Textarea(attrs={"rows": 8}))


class CaseFromConcernForm(BootstrapFormMixin, forms.Form):
    """A violation opened from a review concern: whom it is about (the person addressed or the partner), its
    kind, its evidence (drafted from the thread, without the reviewer's name), and the office's reason,
    which goes into the concern's thread."""

    subject = forms.ChoiceField(label=_("Subject"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The case's subject reads the evidence: name the student who raised the concern only if you must."),
    )
    note = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the concern becomes a violation case; kept in the concern's thread."),
    )

    def __init__(self, *args: Any, subjects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subjects  # type: ignore[attr-defined]


class CaseFilterForm(ProgrammeFilterForm):
    """The register's filters: the programme (its students' cases and, for the whole programme, those about
    its partners' staff), the cohort, and the status or "awaiting a decision" (the quality dashboard's
    "Cases awaiting a decision" links here)."""

    with_cohort = True
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), (CASE_AWAITING, _("Awaiting a decision")), *CaseStatus.choices],
    )
