"""The filters of the curriculum API's lists. Ids are plain integers (not choices checked against the
database, ``core.api.filters``): naming a row outside the reader's scope lists nothing, exactly as an id
that does not exist."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from core.api.filters import IdFilter
from curriculum.models import (
    Course,
    CourseLanguage,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Grade,
    GradeStatus,
    Offering,
    TeacherProfile,
)
from programmes.models import CourseCategory


class CourseFilter(filters.FilterSet):
    category = filters.ChoiceFilter(choices=CourseCategory.choices, label=_("Category"))
    status = filters.ChoiceFilter(choices=CourseStatus.choices, label=_("Status"))
    language = filters.ChoiceFilter(choices=CourseLanguage.choices, label=_("Language"))
    teaching_partner = IdFilter(field_name="teaching_partner", label=_("Teaching partner id"))

    class Meta:
        model = Course
        fields = ["category", "status", "language", "teaching_partner"]


class OfferingFilter(filters.FilterSet):
    term = filters.CharFilter(label=_("Term"))
    course = IdFilter(field_name="course", label=_("Course id"))
    programme = IdFilter(field_name="programme", label=_("Programme id"))

    class Meta:
        model = Offering
        fields = ["term", "course", "programme"]


class EnrolmentFilter(filters.FilterSet):
    offering = IdFilter(field_name="offering", label=_("Offering id"))
    student = IdFilter(field_name="student", label=_("Student id"))
    status = filters.ChoiceFilter(choices=EnrolmentStatus.choices, label=_("Status"))

    class Meta:
        model = Enrolment
        fields = ["offering", "student", "status"]


class GradeFilter(filters.FilterSet):
    offering = IdFilter(field_name="enrolment__offering", label=_("Offering id"))
    student = IdFilter(field_name="enrolment__student", label=_("Student id"))
    status = filters.ChoiceFilter(choices=GradeStatus.choices, label=_("Status"))

    class Meta:
        model = Grade
        fields = ["offering", "student", "status"]


class TeacherFilter(filters.FilterSet):
    partner = IdFilter(field_name="partner", label=_("Partner id"))

    class Meta:
        model = TeacherProfile
        fields = ["partner"]
