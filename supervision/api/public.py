"""The public API of published inspection results: ``/api/v1/public/inspections/``, no login needed.

Read-only, and only what the public pages show: published inspections, their redacted summary (redacted
when published), checklist results counted per aspect, and the frozen public PDFs with their SHA-256;
the detail also names the inspectors, by full name, as the public report does. No finding text, no other
person, no placement (a placement-level inspection is shown as one of its site): those reach the public
only through the redacted report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import ERROR_RESPONSE
from supervision.models import Inspection
from supervision.reports import (
    RATING_ORDER,
    AspectSummary,
    inspectors_of,
    public_inspector_names,
    public_target_kind,
    public_target_site,
)
from supervision.services import publication
from supervision.views.reports import pdf_response


class PublicPartnerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.CharField(help_text="hospital, enterprise, research institute or university")


class AspectResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """How many checklist items of one aspect got each rating."""

    aspect = serializers.CharField(help_text="feasibility, quality or results")
    label = serializers.CharField()  # type: ignore[assignment]
    conforming = serializers.IntegerField()
    minor_gap = serializers.IntegerField()
    major_gap = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
    total = serializers.IntegerField()


class PublicReportSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One frozen public PDF: check a download against ``sha256``."""

    language = serializers.CharField()
    version = serializers.IntegerField()
    sha256 = serializers.CharField()
    pdf = serializers.CharField(help_text="Path of the PDF download.")


class PublicInspectionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A published inspection as the public sees it."""

    partner = serializers.SerializerMethodField()
    kind = serializers.CharField(help_text="scheduled or spot")
    target_kind = serializers.SerializerMethodField()
    site = serializers.SerializerMethodField()
    closed_on = serializers.SerializerMethodField()
    published_on = serializers.SerializerMethodField()
    days_to_publication = serializers.IntegerField(read_only=True, allow_null=True)
    summary = serializers.CharField(source="public_summary", read_only=True)
    results_by_aspect = serializers.SerializerMethodField()
    reports = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "partner",
            "kind",
            "target_kind",
            "site",
            "closed_on",
            "published_on",
            "days_to_publication",
            "summary",
            "results_by_aspect",
            "reports",
        ]
        read_only_fields = fields

    @extend_schema_field(PublicPartnerSerializer)
    def get_partner(self, obj: Inspection) -> dict[str, str]:
        partner = obj.target_partner
        return {"name": partner.name, "short_name": partner.short_name, "kind": partner.kind}

    @extend_schema_field({"type": "string", "enum": ["partner", "site"], "description": "partner or site"})
    def get_target_kind(self, obj: Inspection) -> str:
        """partner or site: a placement-level inspection is shown as one of its site."""
        return public_target_kind(obj)

    @extend_schema_field(OpenApiTypes.STR)
    def get_site(self, obj: Inspection) -> str:
        """The narrower target, by its site's name only (never a student)."""
        return public_target_site(obj)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_closed_on(self, obj: Inspection) -> str | None:
        return timezone.localdate(obj.closed_at).isoformat() if obj.closed_at else None

    @extend_schema_field(OpenApiTypes.DATE)
    def get_published_on(self, obj: Inspection) -> str | None:
        return timezone.localdate(obj.published_at).isoformat() if obj.published_at else None

    @extend_schema_field(AspectResultSerializer(many=True))
    def get_results_by_aspect(self, obj: Inspection) -> list[dict[str, Any]]:
        counts: dict[int, list[AspectSummary]] = self.context.get("aspects") or publication.aspect_counts([obj.pk])
        return [
            {
                "aspect": a.aspect,
                "label": a.label,
                **{rating: a.counts.get(rating, 0) for rating in RATING_ORDER},
                "total": a.total,
            }
            for a in counts.get(obj.pk, [])
        ]

    @extend_schema_field(PublicReportSerializer(many=True))
    def get_reports(self, obj: Inspection) -> list[dict[str, Any]]:
        """The newest ready public PDF per language."""
        seen: set[str] = set()
        out = []
        for report in getattr(obj, "public_reports", []):
            if report.language in seen:
                continue
            seen.add(report.language)
            url = reverse("api:public-inspection-pdf", args=[obj.pk])
            out.append(
                {
                    "language": report.language,
                    "version": report.version,
                    "sha256": report.sha256,
                    "pdf": f"{url}?lang={report.language}",
                }
            )
        return out


class PublicInspectionDetailSerializer(PublicInspectionSerializer):
    """One published inspection: the list's fields and the inspectors, named as in the public report."""

    inspectors = serializers.SerializerMethodField()

    class Meta(PublicInspectionSerializer.Meta):
        fields = [*PublicInspectionSerializer.Meta.fields, "inspectors"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_inspectors(self, obj: Inspection) -> list[str]:
        """The inspectors' full names (they act in an official capacity); never a username or contact."""
        return public_inspector_names(inspectors_of(obj))


class JsonErrorsNegotiation(DefaultContentNegotiation):
    """The PDF download answers the file itself, whatever the client accepts; an error is JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


@extend_schema_view(
    list=extend_schema(auth=[], responses={200: PublicInspectionSerializer(many=True)}),
    retrieve=extend_schema(auth=[], responses={200: PublicInspectionDetailSerializer, 404: ERROR_RESPONSE}),
)
class PublicInspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Published inspection results, newest first; no login. Anything not published is a 404."""

    serializer_class = PublicInspectionSerializer
    queryset = Inspection.objects.none()  # for the schema (an integer id); rows come from get_queryset
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return publication.published_inspections()

    def get_serializer_class(self) -> Any:
        return PublicInspectionDetailSerializer if self.action == "retrieve" else PublicInspectionSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page) if page is not None else list(self.get_queryset())
        context = {**self.get_serializer_context(), "aspects": publication.aspect_counts(i.pk for i in rows)}
        data = PublicInspectionSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(
        auth=[],
        parameters=[
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                enum=[*publication.PUBLIC_LANGUAGES],
                description="The report's language; by default the request's (Accept-Language), else English.",
            )
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ERROR_RESPONSE},
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer],
        content_negotiation_class=JsonErrorsNegotiation,
    )
    def pdf(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        """The frozen public PDF (redacted); its SHA-256 is in the ETag."""
        inspection = self.get_object()
        language = request.query_params.get("lang") or translation.get_language()
        report = publication.public_report(inspection, language)
        if report is None:
            from django.http import Http404

            raise Http404
        return pdf_response(report, request._request)
