"""API shapes of internal supervision. Shape only: the rules are in ``reviews.services`` and ``reviews.access``.

Anonymity: a concern's ``raised_by`` and the author of its raising message are given only to the office and to
the person who raised it; to anyone else the author is ``null`` and ``author_label`` says "the reviewer". A
review row is given only to those its "view" rule reaches (its reviewer, the office, the student it is about
after the round closed), so its reviewer field never reaches a person a student reviewed.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners import access
from reviews.models import (
    Concern,
    ConcernCategory,
    ConcernMessage,
    ConcernStatus,
    Direction,
    Meeting,
    MeetingAction,
    MessageKind,
    MinutesStatus,
    Review,
    ReviewAnswer,
    ReviewRound,
    ReviewStatus,
    RoundKind,
    RoundStatus,
)


def _enum_field(choices: type[models.TextChoices], component: str) -> Any:
    """A ChoiceField class whose enum is the schema component ``component`` (names kept apart per model)."""
    schema = {"type": "string", "enum": list(choices.values), "description": ", ".join(choices.values)}
    field_class = type(f"{component}Field", (serializers.ChoiceField,), {"__doc__": f"A {component} value."})
    return extend_schema_field(schema, component_name=component)(field_class)


DirectionField = _enum_field(Direction, "ReviewDirectionEnum")
RoundKindField = _enum_field(RoundKind, "ReviewRoundKindEnum")
RoundStatusField = _enum_field(RoundStatus, "ReviewRoundStatusEnum")
ReviewStatusField = _enum_field(ReviewStatus, "ReviewStatusEnum")
CategoryField = _enum_field(ConcernCategory, "ConcernCategoryEnum")
ConcernStatusField = _enum_field(ConcernStatus, "ConcernStatusEnum")
MessageKindField = _enum_field(MessageKind, "ConcernMessageKindEnum")
MinutesStatusField = _enum_field(MinutesStatus, "MinutesStatusEnum")


class ReviewRoundSerializer(serializers.ModelSerializer[ReviewRound]):
    kind = RoundKindField(choices=RoundKind.choices, read_only=True)
    status = RoundStatusField(choices=RoundStatus.choices, read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True)
    term = serializers.CharField(source="term.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ReviewRound
        fields = ["id", "title", "kind", "status", "programme", "term", "opens_on", "due_on", "closes_on"]
        read_only_fields = fields


class AnswerSerializer(serializers.ModelSerializer[ReviewAnswer]):
    criterion = serializers.CharField(source="criterion.code", read_only=True)
    label = serializers.CharField(source="criterion.label", read_only=True)  # type: ignore[assignment]

    class Meta:
        model = ReviewAnswer
        fields = ["criterion", "label", "score"]
        read_only_fields = fields


class CriterionShapeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    anchor_low = serializers.CharField()
    anchor_high = serializers.CharField()


class ReviewSerializer(serializers.ModelSerializer[Review]):
    """A review in the reader's scope. ``reviewer`` is the name of who wrote it (or will)."""

    direction = DirectionField(choices=Direction.choices, read_only=True)
    status = ReviewStatusField(choices=ReviewStatus.choices, read_only=True)
    subject = serializers.CharField(source="subject_label", read_only=True)
    reviewer = serializers.SerializerMethodField()
    answers = AnswerSerializer(many=True, read_only=True)
    criteria = CriterionShapeSerializer(source="form.criteria", many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "round",
            "direction",
            "subject",
            "reviewer",
            "due_on",
            "status",
            "submitted_at",
            "comment",
            "may_share",
            "answers",
            "criteria",
        ]
        read_only_fields = fields

    def get_reviewer(self, review: Review) -> str | None:
        return review.reviewer.display_name if review.reviewer else None


class ReviewSubmitSerializer(serializers.Serializer[Any]):
    scores = serializers.DictField(child=serializers.IntegerField(), help_text="Score 1-5 by criterion code.")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    may_share = serializers.BooleanField(required=False, default=False)
    concern_category = CategoryField(choices=ConcernCategory.choices, required=False, allow_blank=True, default="")
    concern_text = serializers.CharField(required=False, allow_blank=True, default="")


class GroupSerializer(serializers.Serializer[Any]):
    """An anonymous group of 3 or more responses."""

    periods = serializers.ListField(child=serializers.CharField())
    count = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=4, decimal_places=2)
    criteria = serializers.ListField(child=serializers.DictField())
    comments = serializers.ListField(child=serializers.CharField())


class SubjectResultsSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    held_back = serializers.BooleanField()
    groups = GroupSerializer(many=True)


class _Viewer:
    context: dict[str, Any]

    def shows_identity(self, concern: Concern) -> bool:
        user = self.context["request"].user
        return bool(access.is_office(user) or concern.raised_by_id == user.pk)


class ConcernMessageSerializer(_Viewer, serializers.ModelSerializer[ConcernMessage]):
    kind = MessageKindField(choices=MessageKind.choices, read_only=True)
    author = serializers.SerializerMethodField()

    class Meta:
        model = ConcernMessage
        fields = ["kind", "author", "text", "at"]
        read_only_fields = fields

    def get_author(self, message: ConcernMessage) -> str | None:
        concern = message.concern
        if message.author_id is None:
            return None
        if message.author_id == concern.raised_by_id and not self.shows_identity(concern):
            return _("the reviewer")
        return message.author.display_name  # type: ignore[union-attr]


class ConcernSerializer(_Viewer, serializers.ModelSerializer[Concern]):
    category = CategoryField(choices=ConcernCategory.choices, read_only=True)
    status = ConcernStatusField(choices=ConcernStatus.choices, read_only=True)
    partner = serializers.CharField(source="partner.name", read_only=True)
    addressed_to = serializers.SerializerMethodField()
    raised_by = serializers.SerializerMethodField()
    messages = ConcernMessageSerializer(many=True, read_only=True)

    class Meta:
        model = Concern
        fields = [
            "id",
            "category",
            "status",
            "partner",
            "addressed_to",
            "raised_by",
            "reply_due_on",
            "created_at",
            "outcome_reference",
            "messages",
        ]
        read_only_fields = fields

    def get_addressed_to(self, concern: Concern) -> str | None:
        return concern.addressed_to.display_name if concern.addressed_to else None

    def get_raised_by(self, concern: Concern) -> str | None:
        """Who raised it: the office and the person themselves only."""
        return concern.raised_by.display_name if self.shows_identity(concern) else None


class TextSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True, required=False, default="")


class DecideSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(
        choices=[s.value for s in (ConcernStatus.RESOLVED, ConcernStatus.REFERRED, ConcernStatus.VIOLATION)]
    )
    note = serializers.CharField()
    reference = serializers.CharField(required=False, allow_blank=True, default="")
    details = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="The outcome's own fields, read by the app that takes it. For a violation (the integrity "
        "register): kind (plagiarism, fabrication, funds, authority, breach, unqualified), evidence, and "
        "optionally subject (person, student or partner; by default the person addressed, else the partner). "
        "For a referral to an inspection (supervision): inspection (the id of a planned or in-progress "
        "inspection of the partner concerned) and summary (what its inspectors read; name no reviewer).",
    )


class MeetingActionSerializer(serializers.ModelSerializer[MeetingAction]):
    owner: Any = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = MeetingAction
        fields = ["id", "text", "owner", "due_on", "done_at"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    minutes_status = MinutesStatusField(choices=MinutesStatus.choices, read_only=True)
    actions = MeetingActionSerializer(many=True, read_only=True)
    attendees: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "student",
            "held_on",
            "attendees",
            "minutes",
            "recorded_by",
            "minutes_status",
            "student_comment",
            "answered_at",
            "actions",
        ]
        read_only_fields = fields


class ActionInSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=300)
    owner = serializers.IntegerField()
    due_on = serializers.DateField()


class MeetingCreateSerializer(serializers.Serializer[Any]):
    student = serializers.IntegerField()
    held_on = serializers.DateField()
    minutes = serializers.CharField()
    attendees = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    actions = ActionInSerializer(many=True, required=False, default=list)


class MinutesAnswerSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
