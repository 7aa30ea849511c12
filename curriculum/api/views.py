"""The curriculum API: ``/api/v1/courses/``, ``course-offerings/``, ``enrolments/``, ``grades/`` and
``teachers/``. Reads are scoped by the base viewset (out of scope: 404). Writes go through
``curriculum.services``: a refusal answers Tandem's error format with the rule as its ``code``.

Grades in bulk (``POST /api/v1/grades/bulk/``), as practice hours do: each row carries an
``idempotency_key`` (unique per person who enters it); a row sent again answers ``duplicate`` with the
grade made the first time, and changes nothing. Rows are independent.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import Count, Q
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.errors import ERROR_RESPONSE, api_field
from core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from core.validation import refuse
from curriculum.api.serializers import (
    BulkGradeSerializer,
    CourseSerializer,
    EnrolmentCreateSerializer,
    EnrolmentSerializer,
    EnrolmentWithdrawSerializer,
    GradeBulkRequestSerializer,
    GradeBulkResultSerializer,
    GradeBulkSerializer,
    GradeSerializer,
    OfferingSerializer,
    TeacherSerializer,
)
from curriculum.filters import CourseFilter, EnrolmentFilter, GradeFilter, OfferingFilter, TeacherFilter
from curriculum.models import Course, Enrolment, EnrolmentStatus, Grade, Offering, TeacherProfile
from curriculum.services import grades, offerings
from partners import access
from students.models import Student


class CourseViewSet(ScopedReadOnlyViewSet):
    """The course catalogue, with each course's links. Everyone signed in reads it."""

    queryset = Course.objects.select_related("teaching_partner").prefetch_related("links").order_by("code")
    serializer_class = CourseSerializer
    filterset_class = CourseFilter
    search_fields = ["code", "title_en", "title_zh"]
    ordering_fields = ["code", "credits"]


class OfferingViewSet(ScopedReadOnlyViewSet):
    """Offerings the user may see: the office all; coordinators those at their partner; teachers theirs;
    students their programme's; tutors those their tutees are in."""

    queryset = (
        Offering.objects.select_related("course")
        .prefetch_related("teachers")
        .annotate(enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)))
        .order_by("-term", "course__code")
    )
    serializer_class = OfferingSerializer
    filterset_class = OfferingFilter
    ordering_fields = ["term"]


class EnrolmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):  # type: ignore[type-arg]
    """Enrolments the user may see, each with its withdrawals (who, when, why). ``POST`` enrols: a student
    themself, the office anyone; refused with the rule (``prerequisites_not_passed``, ``offering_full``,
    ``outside_window``, ``already_passed``, ``timetable_clash``...). ``withdraw`` withdraws, with a reason."""

    queryset = Enrolment.objects.select_related("offering", "student").prefetch_related("withdrawals").order_by("pk")
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter
    write_actions = {"withdraw": "withdraw"}

    @extend_schema(
        request=EnrolmentCreateSerializer,
        responses={201: EnrolmentSerializer, 400: ERROR_RESPONSE, 404: ERROR_RESPONSE},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = EnrolmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        offering = (
            access.scope(Offering.objects.all(), user, "view").filter(pk=serializer.validated_data["offering"]).first()
        )
        if offering is None:
            raise refuse("offering", "not_found", "No such offering.")
        student_id = serializer.validated_data.get("student")
        if student_id is None:
            student = Student.objects.filter(user=user).first()
        else:
            student = access.scope(Student.objects.all(), user, "view").filter(pk=student_id).first()
        if student is None:
            raise refuse("student", "not_found", "No such student.")
        enrolment = offerings.enrolment_create(offering=offering, student=student, by=user)
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=EnrolmentWithdrawSerializer,
        responses={200: EnrolmentSerializer, 400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw from the offering, with a reason: a student themself, the office anyone. Refused with
        ``already_graded`` once a grade is entered, ``not_enrolled`` when withdrawn already. Teachers, tutors
        and coordinators who see the enrolment get 403."""
        enrolment = self.get_object()
        serializer = EnrolmentWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        reason = serializer.validated_data["reason"]
        enrolment = offerings.enrolment_withdraw(enrolment=enrolment, by=user, reason=reason)
        enrolment = self.get_queryset().get(pk=enrolment.pk)
        return Response(EnrolmentSerializer(enrolment).data)


def _raw_key(row: Any) -> str | None:
    key = row.get("idempotency_key") if isinstance(row, dict) else None
    return key if isinstance(key, str) else None


class GradeViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Grades the user may see: the office all; the student theirs; their tutor; the offering's teachers;
    the coordinators of the offering's partner. The offering's teachers enter them in ``bulk``."""

    queryset = Grade.objects.select_related("enrolment").order_by("pk")
    serializer_class = GradeSerializer
    filterset_class = GradeFilter

    @extend_schema(
        request=GradeBulkRequestSerializer,
        responses={
            200: OpenApiResponse(
                GradeBulkResultSerializer,
                description="One result per row, in order: `created`, `duplicate` (the key was used before; "
                "`id` is that grade) or `refused` (`rule` names the rule).",
            ),
            400: ERROR_RESPONSE,
        },
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def bulk(self, request: Request) -> Response:
        """Enter (and by default submit) up to 500 grades, each with an ``idempotency_key``."""
        serializer = GradeBulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        results: dict[int, dict[str, Any]] = {}
        rows = []
        for index, raw in enumerate(serializer.validated_data["grades"]):
            row = BulkGradeSerializer(data=raw)
            if not row.is_valid():
                field, detail = next(iter(row.errors.items()))
                first = detail[0] if isinstance(detail, list) else detail
                results[index] = {
                    "index": index,
                    "idempotency_key": _raw_key(raw),
                    "status": grades.BulkRowStatus.REFUSED,
                    "id": None,
                    "rule": str(getattr(first, "code", "invalid")),
                    "field": str(field),
                    "message": str(first),
                }
                continue
            data = row.validated_data
            rows.append(
                grades.BulkGrade(
                    index=index,
                    enrolment_id=data["enrolment"],
                    idempotency_key=data["idempotency_key"],
                    percentage=data.get("percentage"),
                    passed=data.get("passed"),
                    submit=data["submit"],
                )
            )
        for outcome in grades.grades_bulk_record(rows=rows, by=user):
            result = asdict(outcome)
            if outcome.field is not None:
                result["field"] = api_field(outcome.field)
            results[outcome.index] = result
        return Response({"results": [results[i] for i in sorted(results)]})


class TeacherViewSet(ScopedReadOnlyViewSet):
    """Teachers the user may see (the office; coordinators their partner's; a teacher themself), with their
    I&E training and industry or entrepreneurship experience."""

    queryset = TeacherProfile.objects.select_related("user").prefetch_related("trainings", "experience").order_by("pk")
    serializer_class = TeacherSerializer
    filterset_class = TeacherFilter
