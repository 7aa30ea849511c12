"""Serializers of the wellbeing API: a person's own check-ins, requests and appointments, and a counsellor's
cases. No serializer exposes notes, questionnaire answers or who booked a slot."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from wellbeing import questionnaires
from wellbeing.models import Appointment, Case, CheckIn, Mode, Service, Slot, Urgency


class CheckInSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    phq9_band = serializers.SerializerMethodField()
    gad7_band = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = ["id", "created_at", "mood", "stress", "phq9_score", "phq9_band", "gad7_score", "gad7_band", "crisis"]
        read_only_fields = fields

    def get_phq9_band(self, obj: CheckIn) -> str:
        return questionnaires.phq9_band(obj.phq9_score)

    def get_gad7_band(self, obj: CheckIn) -> str:
        return questionnaires.gad7_band(obj.gad7_score)


class CheckInCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    mood = serializers.IntegerField(min_value=1, max_value=5)
    stress = serializers.IntegerField(min_value=1, max_value=5)
    phq9 = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=3), required=False, min_length=9, max_length=9
    )
    gad7 = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=3), required=False, min_length=7, max_length=7
    )


class RequestSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Case
        fields = [
            "id",
            "service",
            "topic",
            "urgency",
            "language",
            "preferred_times",
            "mode",
            "status",
            "created_at",
            "taken_at",
            "first_appointment_at",
            "closed_at",
        ]
        read_only_fields = fields


class RequestCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all())
    topic = serializers.CharField(max_length=2000)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    language = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    preferred_times = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    mode = serializers.ChoiceField(choices=Mode.choices, default=Mode.IN_PERSON)
    consent = serializers.BooleanField(
        default=False, help_text="Agreement to what the service keeps, who sees it and for how long (first contact)."
    )


class SlotSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    counsellor = serializers.SerializerMethodField()

    class Meta:
        model = Slot
        fields = ["id", "service", "counsellor", "starts_at", "minutes", "mode", "place"]
        read_only_fields = fields

    def get_counsellor(self, obj: Slot) -> str:
        return str(obj.counsellor.display_name)


class AppointmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    slot = SlotSerializer(read_only=True)

    class Meta:
        model = Appointment
        fields = ["id", "case", "slot", "status", "booked_at", "cancelled_at", "moved_from"]
        read_only_fields = fields


class AppointmentCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    slot = serializers.IntegerField()
    consent = serializers.BooleanField(default=False)

    def validate_slot(self, value: Any) -> int:
        return int(value)
