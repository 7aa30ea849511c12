"""The filters of a list of practice-hour entries, shared by the API list and the exports.

Filters narrow a queryset that is already the user's scope; they never widen it. Ids are plain integers
(not choices checked against the database), so naming another partner's student or placement gives an
empty list, exactly as an id that does not exist, and costs no query.

Every filter is served by an index of ``practice_practicelog`` (see ``tests/practice/test_api.py``):
``student`` and ``placement`` by their foreign-key indexes and ``log_student_date_id_idx`` /
``log_placement_status_idx``, ``category`` by its foreign-key index, ``status`` by
``log_status_entered_idx``, the date range by ``log_date_id_idx``, and ``partner`` through the placement
(``placement_partner_idx`` on the placements, then the entries' placement index).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from core.api.filters import IdFilter
from practice.models import EntryStatus, PracticeLog


class PracticeLogFilter(filters.FilterSet):
    student = IdFilter(field_name="student", label=_("Student id"))
    partner = IdFilter(field_name="placement__partner", label=_("Partner id (of the placement)"))
    placement = IdFilter(field_name="placement", label=_("Placement id"))
    category = IdFilter(field_name="category", label=_("Activity category id"))
    status = filters.ChoiceFilter(choices=EntryStatus.choices, label=_("Status"))
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("On or after this day"))
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("On or before this day"))

    class Meta:
        model = PracticeLog
        fields = ["student", "partner", "placement", "category", "status", "date_from", "date_to"]
