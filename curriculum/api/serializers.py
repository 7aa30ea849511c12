"""Serializers of the curriculum API: read shapes, and the inputs of enrolment and (bulk) grade entry."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from curriculum.models import (
    Course,
    CourseLink,
    Enrolment,
    EnrolmentWithdrawal,
    Grade,
    Offering,
    OfferingTeacher,
    TeacherProfile,
)

BULK_MAX = 500


class CourseLinkSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = CourseLink
        fields = ["kind", "other", "note"]


class CourseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    links = CourseLinkSerializer(many=True, read_only=True, help_text="Prerequisites and integrated courses.")

    class Meta:
        model = Course
        fields = [
            "id",
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
            "links",
        ]


class OfferingTeacherSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = OfferingTeacher
        fields = ["teacher", "hours", "qualified", "override_reason"]


class OfferingSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    teachers = OfferingTeacherSerializer(many=True, read_only=True)
    enrolled = serializers.IntegerField(read_only=True, help_text="Students enrolled now.")

    class Meta:
        model = Offering
        fields = [
            "id",
            "course",
            "programme",
            "term",
            "site",
            "capacity",
            "enrolled",
            "weekday",
            "starts_at",
            "ends_at",
            "enrol_opens",
            "enrol_closes",
            "teachers",
        ]


class EnrolmentWithdrawalSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = EnrolmentWithdrawal
        fields = ["reason", "by", "at"]


class EnrolmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    withdrawals = EnrolmentWithdrawalSerializer(
        many=True, read_only=True, help_text="Every withdrawal from the offering: who, when and why (newest first)."
    )

    class Meta:
        model = Enrolment
        fields = ["id", "offering", "student", "status", "enrolled_at", "withdrawals"]


class EnrolmentWithdrawSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=1000, help_text="Why the student withdraws; kept with the withdrawal.")


class EnrolmentCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    offering = serializers.IntegerField(min_value=1)
    student = serializers.IntegerField(
        min_value=1, required=False, help_text="The office names the student; a student enrols themself."
    )


class GradeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    student = serializers.IntegerField(source="enrolment.student_id", read_only=True)
    offering = serializers.IntegerField(source="enrolment.offering_id", read_only=True)

    class Meta:
        model = Grade
        fields = [
            "id",
            "enrolment",
            "student",
            "offering",
            "percentage",
            "passed",
            "status",
            "entered_at",
            "submitted_at",
            "idempotency_key",
        ]


class BulkGradeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One grade: the enrolment, a percentage (percentage courses) or ``passed`` (pass/fail courses)."""

    enrolment = serializers.IntegerField(min_value=1)
    percentage = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    submit = serializers.BooleanField(default=True, help_text="Submit (and lock) the grade; false keeps a draft.")
    idempotency_key = serializers.CharField(max_length=80)


class GradeBulkSerializer(serializers.Serializer):  # type: ignore[type-arg]
    grades = serializers.ListField(child=serializers.JSONField(), min_length=1, max_length=BULK_MAX)


class GradeBulkRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    # Documented as rows of any shape, because that is what the request takes (as practice hours' bulk
    # does): a row that is not a grade is refused on its own in ``results``, not the request.
    grades = serializers.ListField(
        child=serializers.JSONField(),
        min_length=1,
        max_length=BULK_MAX,
        help_text="1 to 500 grades, each an object with the fields of `BulkGrade` (`enrolment`, `percentage` or "
        "`passed`, `submit`, `idempotency_key`); each row is checked on its own and answered in `results`.",
    )


class GradeBulkResultRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    index = serializers.IntegerField()
    idempotency_key = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "duplicate", "refused"])
    id = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_null=True)


class GradeBulkResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    results = GradeBulkResultRowSerializer(many=True)


class TeacherSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    name = serializers.CharField(source="user.display_name", read_only=True)
    trainings = serializers.SerializerMethodField()
    experience = serializers.SerializerMethodField()

    class Meta:
        model = TeacherProfile
        fields = ["id", "user", "name", "partner", "position", "research_fields", "trainings", "experience"]

    def get_trainings(self, obj: TeacherProfile) -> list[dict[str, Any]]:
        return [
            {"title": t.title, "provider": t.provider, "hours": t.hours, "taken_on": t.taken_on.isoformat()}
            for t in obj.trainings.all()
        ]

    def get_experience(self, obj: TeacherProfile) -> list[dict[str, Any]]:
        return [
            {"kind": e.kind, "organisation": e.organisation, "role": e.role, "years": str(e.years)}
            for e in obj.experience.all()
        ]
