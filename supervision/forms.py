"""Forms for the inspection pages. They parse input and limit choices to what the user may pick (the
choices are ``supervision.selectors``' reads, through ``access.scope``); every rule (conflicts of interest,
a site or placement at the partner inspected, the checklist's target kind, a note for each gap, what a
finding may name) is the service's, so pages and the API refuse the same input with the same words, on
the field it is about.

Free-text fields the service requires are ``required=False`` here, so that the refusal is the service's
own message rather than Django's generic "This field is required."
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from accounts.roles import AnyUser
from core.forms import BootstrapFormMixin
from partners.models import Partner, Site
from practice.models import PracticeLog
from students.models import Placement
from supervision import selectors
from supervision.models import (
    ActionStatus,
    ChecklistTemplate,
    Inspection,
    InspectionKind,
    InspectionLead,
    InspectionStatus,
    Rating,
    Severity,
    TargetKind,
)
from supervision.selectors import ActionFilters, InspectionFilters

#: What an evidence input offers on a tablet: the camera or the photo library, or a PDF.
EVIDENCE_ACCEPT = "application/pdf,image/jpeg,image/png"

#: How far back a finding may name practice-hour entries from the form (the API can name any).
FINDING_LOG_DAYS = 180


class DateInput(forms.DateInput):
    """The browser's own date picker; values go out as ISO dates, which it requires."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _evidence_field() -> forms.FileField:
    return forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("A PDF or a photo (JPEG or PNG), at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )


def _as_checkboxes(field: forms.Field) -> None:
    """Checkbox lists get Bootstrap's check class (the mixin gave them the text-input one)."""
    field.widget.attrs["class"] = "form-check-input"


def _id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Planning ----------------------------------------------------------------------------------------


class PartnerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Partner) -> str:
        return f"{obj.name} ({obj.short_name})"


class PlacementChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Placement) -> str:
        dates = f"{obj.start_date:%Y-%m-%d} \u2013 {obj.end_date:%Y-%m-%d}"
        return f"{obj.student.user.display_name} · {obj.site.name} ({dates})"


class InspectorChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def _site_with_partner(site: Site) -> str:
    """A site named with its partner, when the choices span every partner."""
    return f"{site.partner.short_name} · {site.name}"


def _target_kind(site: Any, placement: Any) -> str:
    if placement:
        return TargetKind.PLACEMENT
    if site:
        return TargetKind.SITE
    return TargetKind.PARTNER


class PlanForm(BootstrapFormMixin, forms.Form):
    """Plan an inspection (the office). Sites and placements are those of the chosen partner, the
    checklists those for the kind of target chosen, the inspectors those holding the inspector role.
    Without a partner yet, every partner's sites are offered (labelled with their partner) and no
    placement: "Update choices" (or, with JavaScript, any change of partner) narrows them."""

    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices, initial=InspectionKind.SCHEDULED)
    partner = PartnerChoiceField(
        label=_("Partner inspected"), queryset=Partner.objects.none(), empty_label=_("Choose a partner…")
    )
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("The whole partner"),
        help_text=_("Optional: inspect one site only."),
    )
    placement = PlacementChoiceField(
        label=_("Placement"),
        queryset=Placement.objects.none(),
        required=False,
        empty_label=_("No single placement"),
        help_text=_("Optional: inspect one student's placement (not together with a site)."),
    )
    template = forms.ModelChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.none(), empty_label=_("Choose a checklist…")
    )
    planned_date = forms.DateField(label=_("Planned date"), widget=DateInput())
    scope = forms.CharField(
        label=_("Scope"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the inspection covers (visible to the partner once it has started)."),
    )
    inspectors = InspectorChoiceField(
        label=_("Inspectors"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least one; nobody who belongs to the partner inspected."),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = selectors.inspection_partner_choices(user=user)  # type: ignore[attr-defined]
        partner_id = _id(self._value("partner"))
        site_field: forms.ModelChoiceField = self.fields["site"]  # type: ignore[type-arg, assignment]
        placement_field: PlacementChoiceField = self.fields["placement"]  # type: ignore[assignment]
        site_field.queryset = selectors.inspection_site_choices(user=user, partner_id=partner_id)
        placement_field.queryset = selectors.inspection_placement_choices(user=user, partner_id=partner_id)
        if partner_id is None:
            site_field.label_from_instance = _site_with_partner  # type: ignore[method-assign, assignment]
            placement_field.help_text = _("Choose the partner first, then update the choices.")
        templates = selectors.inspection_template_choices(user=user)
        template_field: forms.ModelChoiceField = self.fields["template"]  # type: ignore[type-arg, assignment]
        template_field.queryset = templates
        # Validation accepts any active checklist (a mismatch gets the service's clear refusal); the
        # choices shown are those for the kind of target chosen so far.
        kind = _target_kind(self._value("site"), self._value("placement"))
        fitting = [(t.pk, t.name) for t in templates if t.target_kind == kind]
        template_field.choices = [("", template_field.empty_label or ""), *fitting]
        self.target_kind_label = TargetKind(kind).label
        self.fields["inspectors"].queryset = selectors.inspection_inspector_choices()  # type: ignore[attr-defined]
        _as_checkboxes(self.fields["inspectors"])
        if not self.is_bound:
            self.initial.setdefault("planned_date", timezone.localdate() + datetime.timedelta(days=7))

    def _value(self, name: str) -> Any:
        """What the form holds for ``name``: the posted value when bound, else the initial one."""
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        return self.initial.get(name)


# --- The checklist -------------------------------------------------------------------------------------


class ChecklistItemForm(BootstrapFormMixin, forms.Form):
    """The rating of one item: one form per item card on the checklist page (prefix ``i<item id>``), so
    a save of one item keeps what was typed in the others."""

    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices, required=False, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a gap: say what is missing."),
    )
    evidence = _evidence_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].widget.attrs["class"] = "btn-check"

    def changed_from(self, rating: str, note: str) -> bool:
        """Whether what was posted for this item differs from what is saved (typed, not yet saved)."""
        if not self.is_bound:
            return False
        posted_rating = self.data.get(self.add_prefix("rating"), "") or ""
        posted_note = self.data.get(self.add_prefix("note"), "") or ""
        return (posted_rating, posted_note.strip()) != (rating, note.strip())


# --- Findings ------------------------------------------------------------------------------------------


class SupervisorChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class PracticeLogChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: PracticeLog) -> str:
        return f"{obj.date:%Y-%m-%d} · {obj.student.user.display_name} · {obj.hours:g} h · {obj.category.name}"


class LeadChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.created_at:%Y-%m-%d} · {obj.summary[:80]}"


class FindingForm(BootstrapFormMixin, forms.Form):
    """A finding: how severe, what, and optionally the placement, supervisor and practice-hour entries
    it concerns, chosen among the inspected partner's that the inspector may see (its grant while the
    inspection is in progress)."""

    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[("", _("Choose a severity")), *Severity.choices],
        required=False,
        help_text=_(
            "A minor, major or critical finding opens a corrective action for the partner's coordinator, "
            "due in 90, 30 or 7 days; an observation needs none."
        ),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 4})
    )
    placement = PlacementChoiceField(
        label=_("Placement concerned"), queryset=Placement.objects.none(), required=False, empty_label=_("None")
    )
    supervisor = SupervisorChoiceField(
        label=_("Supervisor concerned"), queryset=User.objects.none(), required=False, empty_label=_("None")
    )
    practice_logs = PracticeLogChoiceField(
        label=_("Practice-hour entries concerned"),
        queryset=PracticeLog.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Entries at the partner inspected from the last 180 days: tick those concerned."),
    )
    evidence = _evidence_field()
    lead = LeadChoiceField(
        label=_("Point referred from student reviews"),
        queryset=InspectionLead.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("The finding is kept with the point it was recorded from."),
    )

    def __init__(self, *args: Any, user: AnyUser, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        leads = selectors.open_leads(user=user, inspection=inspection)
        if leads.exists():
            fields["lead"].queryset = leads
        else:
            del fields["lead"]
        fields["placement"].queryset = selectors.finding_placement_choices(user=user, inspection=inspection)
        fields["supervisor"].queryset = selectors.finding_supervisor_choices(user=user, inspection=inspection)
        since = timezone.localdate() - datetime.timedelta(days=FINDING_LOG_DAYS)
        fields["practice_logs"].queryset = selectors.finding_log_choices(user=user, inspection=inspection, since=since)
        _as_checkboxes(fields["practice_logs"])

    def log_cards(self) -> list[dict[str, Any]]:
        """The entries to tick, as the page's cards (date, hours, student, activity, the description's
        start) with whether each is ticked: a touch-friendly list in place of a multiple-select box (issue
        18). The choices are read in one query; the ticked ones are checked again when the form is cleaned."""
        field = self["practice_logs"]
        ticked = {str(value) for value in (field.value() or [])}
        return [
            {"log": log, "id": f"{field.auto_id}_{index}", "checked": str(log.pk) in ticked}
            for index, log in enumerate(self.fields["practice_logs"].queryset)  # type: ignore[attr-defined]
        ]


# --- Corrective actions --------------------------------------------------------------------------------


class AnswerForm(BootstrapFormMixin, forms.Form):
    answer = forms.CharField(
        label=pgettext_lazy("corrective action answer", "What was done"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The inspectors read it and verify the action, or reopen it with a reason."),
    )
    evidence = _evidence_field()


class ReopenForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the answer is not enough"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The partner's coordinator sees it and answers again."),
    )


class CloseForm(BootstrapFormMixin, forms.Form):
    confirm_unrated = forms.BooleanField(
        label=_("Close it with items left unrated"),
        required=False,
    )


# --- Filters -------------------------------------------------------------------------------------------


class ListedSelect(forms.Select):
    """A drop-down whose options are written in Python rather than one template each: the inspection
    list's filters offer every partner (a hundred at a university's scale), and Django's per-option
    templates cost more than the rest of the page (issue #19). Same markup; option groups fall back to
    Django's rendering."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        chosen = set(self.format_value(value))
        options: list[str] = []
        selected = False
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an option group
                return super().render(name, value, attrs, renderer)  # type: ignore[return-value]
            text = "" if option_value is None else str(option_value)
            mark = not selected and text in chosen
            selected = selected or mark
            options.append(format_html('<option value="{}"{}>{}</option>', text, " selected" if mark else "", label))
        listed = mark_safe("\n".join(options))  # noqa: S308 (each option built by format_html)
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(final), listed)


class InspectionFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Partner or scope")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *InspectionStatus.choices],
        widget=ListedSelect,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *InspectionKind.choices], widget=ListedSelect
    )
    partner = PartnerChoiceField(
        label=_("Partner"),
        required=False,
        queryset=Partner.objects.none(),
        empty_label=_("All partners"),
        widget=ListedSelect,
    )
    overdue = forms.BooleanField(label=_("With overdue actions"), required=False)

    def __init__(self, *args: Any, partners: QuerySet[Partner] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners if partners is not None else Partner.objects.none()  # type: ignore[attr-defined]

    def filters(self) -> InspectionFilters:
        if not self.is_valid():
            return InspectionFilters()
        data = self.cleaned_data
        partner = data.get("partner")
        return InspectionFilters(
            q=data.get("q") or "",
            status=data.get("status") or "",
            kind=data.get("kind") or "",
            partner=partner.pk if partner is not None else None,
            overdue=bool(data.get("overdue")),
        )


class ActionFilterForm(BootstrapFormMixin, forms.Form):
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *ActionStatus.choices]
    )
    partner = PartnerChoiceField(
        label=_("Partner"), required=False, queryset=Partner.objects.none(), empty_label=_("All partners")
    )

    def __init__(self, *args: Any, partners: QuerySet[Partner] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners if partners is not None else Partner.objects.none()  # type: ignore[attr-defined]

    def filters(self) -> ActionFilters:
        if not self.is_valid():
            return ActionFilters()
        data = self.cleaned_data
        partner = data.get("partner")
        return ActionFilters(
            overdue=bool(data.get("overdue")),
            status=data.get("status") or "",
            partner=partner.pk if partner is not None else None,
        )


# --- Points referred from student reviews -------------------------------------------------------------


class InspectionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        parts = (selectors.describe_target(obj), obj.get_kind_display(), obj.get_status_display())
        return " · ".join([*map(str, parts), f"{obj.planned_date:%Y-%m-%d}"])


class LeadFromConcernForm(BootstrapFormMixin, forms.Form):
    """The office refers a review concern to an inspection-to-be: which one (planned or in progress, of the
    partner concerned), the summary its inspectors read (drafted without the reviewer's name), and the reason,
    which goes into the concern's thread."""

    inspection = InspectionChoiceField(label=_("Inspection"), queryset=Inspection.objects.none(), empty_label=None)
    summary = forms.CharField(
        label=_("Summary for the inspectors"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The inspectors read it: leave out anything that names the student who wrote the review."),
    )
    note = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept in the concern's thread, which the reviewer and those concerned read: do not name the "
            "inspection or its date."
        ),
    )

    def __init__(self, *args: Any, inspections: QuerySet[Inspection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = inspections  # type: ignore[attr-defined]
