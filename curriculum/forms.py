"""Forms for the curriculum pages. They parse input only: the rules (cycles of prerequisites, enrolment
refusals, qualification, locked grades) are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import BootstrapFormMixin
from curriculum.models import (
    Course,
    CourseLanguage,
    CourseStatus,
    CoverageLevel,
    EntryKind,
    ExperienceKind,
    LinkKind,
    Offering,
    TeacherProfile,
)
from partners.models import Partner
from programmes.forms import ProgrammeFilterForm
from programmes.models import CourseCategory, Objective
from students.models import Placement


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class CatalogueFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Code or title"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    partner = forms.ModelChoiceField(label=_("Teaching partner"), queryset=Partner.objects.none(), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, partners: QuerySet[Partner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["category"].choices = everything + list(CourseCategory.choices)  # type: ignore[attr-defined]
        self.fields["language"].choices = everything + list(CourseLanguage.choices)  # type: ignore[attr-defined]
        self.fields["status"].choices = everything + list(CourseStatus.choices)  # type: ignore[attr-defined]
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data["partner"] = data["partner"].pk if data.get("partner") else None
        return data


class FacultyFilterForm(ProgrammeFilterForm):
    """The faculty page's filters: a programme's offerings, in the terms of a year (the quality report's
    teacher figures link here with both)."""

    with_year = True


class CourseForm(BootstrapFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Course
        fields = [
            "code",
            "title_en",
            "title_zh",
            "category",
            "credits",
            "ie_credits",
            "hours",
            "teaching_partner",
            "language",
            "grading",
            "assessment",
            "description",
            "status",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, partners: QuerySet[Partner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teaching_partner"].queryset = partners  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        """The service validates the row (and says which rule it broke); the form only parses."""


class CourseLinkForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Link"), choices=LinkKind.choices)
    other = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, courses: QuerySet[Course], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = courses  # type: ignore[attr-defined]


class CourseObjectiveForm(BootstrapFormMixin, forms.Form):
    """At which level a course addresses a programme objective; "not addressed" takes the mapping away."""

    objective = forms.ModelChoiceField(label=_("Objective"), queryset=Objective.objects.none())
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=[("", _("Not addressed")), *CoverageLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, objectives: QuerySet[Objective], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = objectives  # type: ignore[attr-defined]
        field: Any = self.fields["objective"]
        field.label_from_instance = lambda o: f"{o.programme.code} {o.code}: {o.description[:60]}"


class CurriculumEntryForm(BootstrapFormMixin, forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    kind = forms.ChoiceField(label=_("Compulsory or elective"), choices=EntryKind.choices)
    term = forms.IntegerField(label=_("Term"), min_value=1, max_value=12)

    def __init__(self, *args: Any, courses: QuerySet[Course], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses  # type: ignore[attr-defined]


class OfferingForm(BootstrapFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Offering
        fields = [
            "course",
            "programme",
            "term",
            "site",
            "capacity",
            "weekday",
            "starts_at",
            "ends_at",
            "enrol_opens",
            "enrol_closes",
        ]
        widgets = {
            "starts_at": TimeInput(),
            "ends_at": TimeInput(),
            "enrol_opens": DateInput(),
            "enrol_closes": DateInput(),
        }

    def __init__(
        self, *args: Any, courses: QuerySet[Any], programmes: QuerySet[Any], sites: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses  # type: ignore[attr-defined]
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        """The service validates the row."""


class EnrolForm(BootstrapFormMixin, forms.Form):
    """The office enrols a student (a student enrols themself with the button alone)."""

    student_number = forms.CharField(label=_("Student number"), required=False, max_length=32)


class TeacherAssignForm(BootstrapFormMixin, forms.Form):
    teacher = forms.ModelChoiceField(label=_("Teacher"), queryset=TeacherProfile.objects.none())
    hours = forms.IntegerField(label=_("Teaching hours"), min_value=1, max_value=999, required=False)
    override_reason = forms.CharField(
        label=_("Reason for the override"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only for an unqualified teacher of an I&E or integrated course; the office only."),
    )

    def __init__(self, *args: Any, teachers: QuerySet[TeacherProfile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers  # type: ignore[attr-defined]


class TeacherProfileForm(BootstrapFormMixin, forms.Form):
    """A teacher's profile. ``users`` is given only when making a profile (the person is fixed after);
    ``partners`` are those the reader may put the teacher at (one, for all but the office)."""

    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        help_text=_("An active account without a teacher profile (university staff, an engineer, hospital staff)."),
    )
    partner = forms.ModelChoiceField(label=_("Works at"), queryset=Partner.objects.none())
    position = forms.CharField(label=_("Position"), max_length=120, required=False)
    research_fields = forms.CharField(label=_("Research fields"), max_length=300, required=False)

    def __init__(
        self, *args: Any, partners: QuerySet[Partner], users: QuerySet[User] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
        if users is None:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = users  # type: ignore[attr-defined]
            self.fields["user"].label_from_instance = lambda u: (  # type: ignore[attr-defined]
                f"{u.display_name} ({u.username})" if u.display_name != u.username else u.username
            )


class WithdrawForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the withdrawal: who, when and why."),
    )


class GradeUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"), help_text=_("Columns: student_number, grade (a percentage, or pass/fail).")
    )


class GradeCorrectionForm(BootstrapFormMixin, forms.Form):
    grade = forms.CharField(label=_("New grade"), max_length=10, help_text=_("A percentage, or pass/fail."))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class TrainingForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    provider = forms.CharField(label=_("Provider"), max_length=200)
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=2000)
    taken_on = forms.DateField(label=_("Date"), widget=DateInput())
    certificate = forms.FileField(label=_("Certificate (PDF)"), required=False)


class ExperienceForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ExperienceKind.choices)
    organisation = forms.CharField(label=_("Employer or venture"), max_length=200)
    role = forms.CharField(label=_("Role"), max_length=120)
    years = forms.DecimalField(label=_("Years"), min_value=0, max_digits=4, decimal_places=1)


class QualificationRuleForm(BootstrapFormMixin, forms.Form):
    training_years = forms.IntegerField(label=_("I&E training within (years)"), min_value=1, max_value=20)
    experience_years = forms.DecimalField(
        label=_("or industry/entrepreneurship experience of at least (years)"),
        min_value=0,
        max_digits=4,
        decimal_places=1,
    )


class PlacementObjectiveForm(BootstrapFormMixin, forms.Form):
    placement = forms.ModelChoiceField(label=_("Placement"), queryset=Placement.objects.none())
    objective = forms.ModelChoiceField(label=_("Objective"), queryset=Objective.objects.none())
    level = forms.TypedChoiceField(label=_("Level"), choices=CoverageLevel.choices, coerce=int)

    def __init__(
        self, *args: Any, placements: QuerySet[Placement], objectives: QuerySet[Objective], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["placement"].queryset = placements  # type: ignore[attr-defined]
        self.fields["objective"].queryset = objectives  # type: ignore[attr-defined]
        self.fields["placement"].label_from_instance = lambda p: (  # type: ignore[attr-defined]
            f"{p.student.student_number} @ {p.partner.short_name} {p.start_date:%Y-%m-%d}"
        )
