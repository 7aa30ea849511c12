"""API shapes for partners, sites and memberships. Validation of shape only; services hold the rules."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import User
from core.api.fields import ScopedPrimaryKeyRelatedField
from partners.models import Membership, Partner, PartnerStatus, Site


class PartnerSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "status",
            "contact_name",
            "contact_email",
            "contact_phone",
            "address",
            "website",
            "responsibilities",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]


class PartnerStatusChangeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=PartnerStatus.choices)
    reason = serializers.CharField()


class SiteSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    partner = ScopedPrimaryKeyRelatedField(action="manage_sites", queryset=Partner.objects.all())

    class Meta:
        model = Site
        fields = ["id", "partner", "name", "description", "address", "capacity", "is_active"]
        validators: list[object] = []  # uniqueness is checked by the service and the database

    def get_fields(self):  # type: ignore[no-untyped-def]
        fields = super().get_fields()
        if self.instance is not None:
            fields["partner"].read_only = True  # a site never moves to another partner
        return fields


class MembershipSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    partner = ScopedPrimaryKeyRelatedField(action="manage_members", queryset=Partner.objects.all())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    user_name = serializers.CharField(source="user.display_name", read_only=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user", "user_name", "partner", "role", "start_date", "end_date", "ended_reason", "is_active"]
        read_only_fields = ["end_date", "ended_reason"]

    def get_is_active(self, membership: Membership) -> bool:
        return membership.is_active_on()


class MembershipEndSerializer(serializers.Serializer):  # type: ignore[type-arg]
    end_date = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
