"""The internal supervision API: ``/api/v1/review-rounds/``, ``reviews/`` (submit, results),
``concerns/`` (reply, escalate, decide) and ``meetings/`` (record, confirm, dispute).

Reads are scoped by the base viewset (``access.scope``): out of scope is a 404. Writes go through
``reviews.services``; a row the caller sees but may not act on answers 403. The person reviewed by students
reads ``reviews/results/``: anonymous aggregates of groups of 3 or more, never rows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.errors import ERROR_RESPONSE
from core.api.viewsets import ScopedViewSetMixin
from core.views import request_user
from partners import access
from reviews import selectors
from reviews.api.serializers import (
    ConcernSerializer,
    DecideSerializer,
    MeetingCreateSerializer,
    MeetingSerializer,
    MinutesAnswerSerializer,
    ReviewRoundSerializer,
    ReviewSerializer,
    ReviewSubmitSerializer,
    SubjectResultsSerializer,
    TextSerializer,
)
from reviews.models import Concern, ConcernMessage, Meeting, Review, ReviewAnswer, ReviewRound
from reviews.services import concerns, meetings, review_submit, rounds
from reviews.services.meetings import AgreedAction
from students.models import Student

_ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}
_READ_ERRORS = {404: ERROR_RESPONSE}


def _check(request: Request, action_name: str, obj: Any) -> None:
    """403 (recorded) unless the caller may do this to a row they see."""
    if not access.can(request.user, action_name, obj):
        access.record_denial(request.user, action_name, obj)
        raise exceptions.PermissionDenied()


class _ReadViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    filter_backends = [filters.DjangoFilterBackend]


@extend_schema_view(
    list=extend_schema(responses={200: ReviewRoundSerializer(many=True)}),
    retrieve=extend_schema(responses={200: ReviewRoundSerializer, **_READ_ERRORS}),
)
class ReviewRoundViewSet(_ReadViewSet):
    """Review rounds: the office all; anyone else those they have a review to write in."""

    queryset = ReviewRound.objects.select_related("programme", "term").order_by("-opens_on", "-pk")
    serializer_class = ReviewRoundSerializer
    filterset_fields = ["status", "kind"]

    @extend_schema(request=None, responses={200: ReviewRoundSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the round now (the office)."""
        round_ = self.get_object()
        _check(request, "manage", round_)
        round_ = rounds.review_round_close(round=round_, by=request_user(request))
        return Response(ReviewRoundSerializer(round_).data)


@extend_schema_view(
    list=extend_schema(responses={200: ReviewSerializer(many=True)}),
    retrieve=extend_schema(responses={200: ReviewSerializer, **_READ_ERRORS}),
)
class ReviewViewSet(_ReadViewSet):
    """Reviews with their reviewer's name: the office all; a reviewer their own (to do and written); a
    student those about them once the round closed. Never a student's review to the person it is about."""

    queryset = (
        Review.objects.select_related(
            "reviewer",
            "subject_student__user",
            "subject_user",
            "subject_placement__partner",
            "subject_placement__site",
            "subject_partner",
        )
        .prefetch_related(
            Prefetch("answers", queryset=ReviewAnswer.objects.select_related("criterion")), "form__criteria"
        )
        .order_by("due_on", "pk")
    )
    serializer_class = ReviewSerializer
    filterset_fields = ["status", "round", "direction"]

    @extend_schema(request=ReviewSubmitSerializer, responses={200: ReviewSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit the review: a score 1-5 for every criterion (by code), comments, whether they may be
        shared (students' reviews), and optionally a concern. Refused rules: ``already_submitted``,
        ``round_closed``, ``scores_incomplete``, ``score_out_of_range``, ``concern_incomplete``."""
        review = self.get_object()
        _check(request, "submit", review)
        body = ReviewSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        review_submit(
            review=review,
            scores=data["scores"],
            comment=data["comment"],
            may_share=data["may_share"],
            concern_category=data["concern_category"],
            concern_text=data["concern_text"],
            by=request_user(request),
        )
        return Response(ReviewSerializer(self.get_queryset().get(pk=review.pk)).data)

    @extend_schema(responses={200: SubjectResultsSerializer(many=True)}, filters=False)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def results(self, request: Request) -> Response:
        """Students' reviews of the caller (as tutor, as placement supervisor): anonymous aggregates of
        groups of 3 or more responses, by period; nothing else."""
        user = request_user(request)
        found = [r for r in [selectors.tutor_results(user=user), *selectors.supervisor_results(user=user)] if r]
        data = [
            {
                "label": r.label,
                "held_back": r.held_back,
                "groups": [
                    {
                        "periods": g.periods,
                        "count": g.count,
                        "average": g.average,
                        "criteria": [{"code": c.code, "label": c.label, "average": str(c.average)} for c in g.criteria],
                        "comments": g.comments,
                    }
                    for g in r.groups
                ],
            }
            for r in found
        ]
        return Response(SubjectResultsSerializer(data, many=True).data)


@extend_schema_view(
    list=extend_schema(responses={200: ConcernSerializer(many=True)}),
    retrieve=extend_schema(responses={200: ConcernSerializer, **_READ_ERRORS}),
)
class ConcernViewSet(_ReadViewSet):
    """Concerns and their threads: the office; who raised one; the person addressed; the partner's
    coordinators. Who raised it is given to the office and that person only."""

    queryset = (
        Concern.objects.select_related("partner", "addressed_to", "raised_by")
        .prefetch_related(Prefetch("messages", queryset=ConcernMessage.objects.select_related("author", "concern")))
        .order_by("-created_at", "-pk")
    )
    serializer_class = ConcernSerializer
    filterset_fields = ["status", "category"]

    def _read(self, concern: Concern) -> Response:
        fresh = self.get_queryset().get(pk=concern.pk)
        return Response(ConcernSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=TextSerializer, responses={200: ConcernSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        """Reply (the person concerned or the partner's coordinators)."""
        concern = self.get_object()
        _check(request, "reply", concern)
        body = TextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        concerns.concern_reply(concern=concern, text=body.validated_data["text"], by=request_user(request))
        return self._read(concern)

    @extend_schema(request=TextSerializer, responses={200: ConcernSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        """Take the concern to the office (who raised it, or the office)."""
        concern = self.get_object()
        _check(request, "escalate", concern)
        body = TextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        concerns.concern_escalate(concern=concern, text=body.validated_data["text"], by=request_user(request))
        return self._read(concern)

    @extend_schema(request=DecideSerializer, responses={200: ConcernSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Close the concern (the office): resolved, referred to an inspection (its ``inspection`` and
        ``summary`` in ``details``), or a violation (its case's fields in ``details``; refused with
        ``outcome_unavailable`` while no violations register is installed)."""
        concern = self.get_object()
        _check(request, "decide", concern)
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        concerns.concern_decide(
            concern=concern,
            outcome=data["outcome"],
            note=data["note"],
            reference=data["reference"],
            details=data["details"],
            by=request_user(request),
        )
        return self._read(concern)


@extend_schema_view(
    list=extend_schema(responses={200: MeetingSerializer(many=True)}),
    retrieve=extend_schema(responses={200: MeetingSerializer, **_READ_ERRORS}),
)
class MeetingViewSet(mixins.CreateModelMixin, _ReadViewSet):
    """Supervision meetings: the office; the student; their tutor, co-supervisor and placement supervisors;
    the attendees."""

    queryset = Meeting.objects.prefetch_related("actions", "attendees").order_by("-held_on", "-pk")
    serializer_class = MeetingSerializer
    filterset_fields = ["student", "minutes_status"]

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer, **_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record a meeting with a student (their tutor, co-supervisor, placement supervisors, the office).
        A student the caller may not record a meeting with is a 400 on ``student``, as if it did not exist."""
        user = request_user(request)
        body = MeetingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        student = access.scope(Student.objects.all(), user, "record_meeting").filter(pk=data["student"]).first()
        if student is None:
            raise exceptions.ValidationError({"student": ["No such student."]})
        people = {
            u.pk: u for u in User.objects.filter(pk__in=[*data["attendees"], *(a["owner"] for a in data["actions"])])
        }
        missing = [pk for pk in [*data["attendees"], *(a["owner"] for a in data["actions"])] if pk not in people]
        if missing:
            raise exceptions.ValidationError({"attendees": ["No such person."]})
        meeting = meetings.meeting_record(
            student=student,
            held_on=data["held_on"],
            minutes=data["minutes"],
            attendees=[people[pk] for pk in data["attendees"]],
            actions=[AgreedAction(a["text"], people[a["owner"]], a["due_on"]) for a in data["actions"]],
            by=user,
        )
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MinutesAnswerSerializer, responses={200: MeetingSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """The student confirms the minutes."""
        meeting = self.get_object()
        _check(request, "confirm", meeting)
        body = MinutesAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        meetings.meeting_confirm(meeting=meeting, comment=body.validated_data["comment"], by=request_user(request))
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(request=MinutesAnswerSerializer, responses={200: MeetingSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def dispute(self, request: Request, pk: str | None = None) -> Response:
        """The student disputes the minutes, with a comment (required)."""
        meeting = self.get_object()
        _check(request, "confirm", meeting)
        body = MinutesAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        meetings.meeting_dispute(meeting=meeting, comment=body.validated_data["comment"], by=request_user(request))
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)
