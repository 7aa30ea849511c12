"""API for partners, sites and memberships: scoped reads, writes through the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import ERROR_RESPONSE
from core.api.filters import IdFilter
from core.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from partners import access, services
from partners.api.serializers import (
    MembershipEndSerializer,
    MembershipSerializer,
    PartnerSerializer,
    PartnerStatusChangeSerializer,
    SiteSerializer,
)
from partners.models import Membership, Partner, Site

_ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}
_READ_ERRORS = {404: ERROR_RESPONSE}


@extend_schema_view(
    list=extend_schema(responses={200: PartnerSerializer(many=True)}),
    retrieve=extend_schema(responses={200: PartnerSerializer, **_READ_ERRORS}),
    create=extend_schema(responses={201: PartnerSerializer, **_ERRORS}),
    update=extend_schema(responses={200: PartnerSerializer, **_ERRORS}),
    partial_update=extend_schema(responses={200: PartnerSerializer, **_ERRORS}),
)
class PartnerViewSet(ScopedModelViewSet):
    """Partners: the directory for everyone signed in; office creates; office and coordinators edit."""

    queryset = Partner.objects.all()
    serializer_class = PartnerSerializer
    filterset_fields = ["kind", "status"]
    search_fields = ["name", "short_name"]
    ordering_fields = ["name", "short_name", "kind", "status"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not access.can(request.user, "create", Partner):
            access.record_denial(request.user, "create", Partner)
            raise exceptions.PermissionDenied(_("Only the graduate office adds partners."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        partner = services.partner_create(by=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(self.get_serializer(partner).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partner = self.get_object()
        serializer = self.get_serializer(partner, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        partner = services.partner_update(partner=partner, by=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(self.get_serializer(partner).data)

    @extend_schema(request=PartnerStatusChangeSerializer, responses={200: PartnerSerializer, **_ERRORS})
    @action(detail=True, methods=["post"], url_path="change-status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        """Put the partner on probation, suspend or reactivate it, with a reason (office only)."""
        partner = self.get_object()
        serializer = PartnerStatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.partner_change_status(partner=partner, by=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        partner.refresh_from_db()
        return Response(self.get_serializer(partner).data)

    write_actions = {"update": "change", "partial_update": "change", "change_status": "change_status"}


class SiteFilter(filters.FilterSet):
    partner = IdFilter(field_name="partner_id", label=gettext_lazy("Partner id"))

    class Meta:
        model = Site
        fields = ["partner", "is_active"]


@extend_schema_view(
    list=extend_schema(responses={200: SiteSerializer(many=True)}),
    retrieve=extend_schema(responses={200: SiteSerializer, **_READ_ERRORS}),
    create=extend_schema(responses={201: SiteSerializer, **_ERRORS}),
    update=extend_schema(responses={200: SiteSerializer, **_ERRORS}),
    partial_update=extend_schema(responses={200: SiteSerializer, **_ERRORS}),
)
class SiteViewSet(ScopedModelViewSet):
    """Sites of the partners the user may see; the partner's coordinator and the office write."""

    queryset = Site.objects.select_related("partner")
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    search_fields = ["name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        partner = data.pop("partner")
        site = services.site_create(partner=partner, by=request.user, **data)  # type: ignore[arg-type]
        return Response(self.get_serializer(site).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        site = self.get_object()
        serializer = self.get_serializer(site, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        site = services.site_update(site=site, by=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(self.get_serializer(site).data)


class MembershipFilter(filters.FilterSet):
    partner = IdFilter(field_name="partner_id", label=gettext_lazy("Partner id"))
    user = IdFilter(field_name="user_id", label=gettext_lazy("Person (user id)"))
    active = filters.BooleanFilter(method="filter_active", label="In force today")

    class Meta:
        model = Membership
        fields = ["partner", "user", "role"]

    def filter_active(self, queryset: QuerySet[Membership], name: str, value: bool | None) -> QuerySet[Membership]:
        if value is None:
            return queryset
        active = Membership.objects.active().values("pk")
        return queryset.filter(pk__in=active) if value else queryset.exclude(pk__in=active)


@extend_schema_view(
    list=extend_schema(responses={200: MembershipSerializer(many=True)}),
    retrieve=extend_schema(responses={200: MembershipSerializer, **_READ_ERRORS}),
    create=extend_schema(responses={201: MembershipSerializer, **_ERRORS}),
)
class MembershipViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Memberships: added and ended, never edited or deleted, so the history of who held what stays."""

    queryset = Membership.objects.select_related("user", "partner")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    write_actions = {"end": "change"}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_create(by=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MembershipEndSerializer, responses={200: MembershipSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the membership on ``end_date`` (today by default); it grants nothing afterwards."""
        membership = self.get_object()
        serializer = MembershipEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_end(membership=membership, by=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(self.get_serializer(membership).data)
