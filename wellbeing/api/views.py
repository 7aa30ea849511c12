"""The wellbeing API: ``/api/v1/wellbeing/check-ins/``, ``requests/`` and ``appointments/``.

Each answers a person's own records, and a counsellor's assigned cases; for anyone else the lists are
empty and every object is a 404 (the scoped base). Every read of a record is kept in the access log of the
person it is about. Writes go through ``wellbeing.services``; nothing is ever deleted through the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import ERROR_RESPONSE
from core.api.viewsets import ScopedViewSetMixin
from core.views import request_user
from partners import access
from wellbeing import selectors
from wellbeing.api.serializers import (
    AppointmentCreateSerializer,
    AppointmentSerializer,
    CheckInCreateSerializer,
    CheckInSerializer,
    RequestCreateSerializer,
    RequestSerializer,
)
from wellbeing.models import Appointment, Case, CheckIn, Slot
from wellbeing.services import appointments, cases, checkins

_ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}
_READ = {404: ERROR_RESPONSE}


class _LoggedReads(ScopedViewSetMixin):
    """Lists and details keep each read in the access log of the people they show."""

    what = "record (API)"

    def _subjects(self, rows: Iterable[Any]) -> set[int]:
        return {row.person_id for row in rows}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        page = self.paginate_queryset(queryset)  # type: ignore[attr-defined]
        rows = list(page if page is not None else queryset)
        selectors.log_reads(user=request.user, subject_ids=self._subjects(rows), what=f"{self.what} list")
        data = self.get_serializer(rows, many=True).data  # type: ignore[attr-defined]
        return self.get_paginated_response(data) if page is not None else Response(data)  # type: ignore[attr-defined]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        selectors.log_read(user=request.user, subject_id=obj.person_id, what=f"{self.what} #{obj.pk}")
        return Response(self.get_serializer(obj).data)  # type: ignore[attr-defined]


@extend_schema_view(
    list=extend_schema(responses={200: CheckInSerializer(many=True)}),
    retrieve=extend_schema(responses={200: CheckInSerializer, **_READ}),
)
class CheckInViewSet(_LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Check-ins: one's own (scores and bands, never the answers), and, for a counsellor, those of the
    people of their active cases."""

    queryset = CheckIn.objects.order_by("-created_at", "-pk")
    serializer_class = CheckInSerializer
    what = "check-in (API)"

    @extend_schema(request=CheckInCreateSerializer, responses={201: CheckInSerializer, **_ERRORS})
    def create(self, request: Request) -> Response:
        """Check in (for oneself). A crisis answer opens an urgent request and tells the counsellor on duty."""
        serializer = CheckInCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = checkins.check_in_create(
            by=request_user(request),
            mood=data["mood"],
            stress=data["stress"],
            phq9=data.get("phq9"),
            gad7=data.get("gad7"),
        )
        return Response(CheckInSerializer(result.check_in).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: RequestSerializer(many=True)}),
    retrieve=extend_schema(responses={200: RequestSerializer, **_READ}),
)
class RequestViewSet(_LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Requests for counselling: one's own, and a counsellor's assigned cases."""

    queryset = Case.objects.order_by("-created_at", "-pk")
    serializer_class = RequestSerializer
    write_actions = {"withdraw": "withdraw"}
    what = "request (API)"

    @extend_schema(request=RequestCreateSerializer, responses={201: RequestSerializer, **_ERRORS})
    def create(self, request: Request) -> Response:
        """Ask for counselling. The first request needs ``consent``; an urgent one tells the counsellor on duty."""
        serializer = RequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = cases.case_request(
            by=request_user(request),
            service=data["service"],
            topic=data["topic"],
            urgency=data["urgency"],
            language=data["language"],
            preferred_times=data["preferred_times"],
            mode=data["mode"],
            consent_given=data["consent"],
        )
        return Response(RequestSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RequestSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw one's own request while nobody has taken it."""
        case = cases.case_withdraw(case=self.get_object(), by=request_user(request))
        return Response(RequestSerializer(case).data)


@extend_schema_view(
    list=extend_schema(responses={200: AppointmentSerializer(many=True)}),
    retrieve=extend_schema(responses={200: AppointmentSerializer, **_READ}),
)
class AppointmentViewSet(_LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Appointments: one's own, and those of a counsellor's assigned cases."""

    queryset = Appointment.objects.select_related("slot", "slot__counsellor").order_by("slot__starts_at", "pk")
    serializer_class = AppointmentSerializer
    write_actions = {"cancel": "cancel"}
    what = "appointment (API)"

    @extend_schema(request=AppointmentCreateSerializer, responses={201: AppointmentSerializer, **_ERRORS})
    def create(self, request: Request) -> Response:
        """Book a free slot for oneself (``consent`` at first contact)."""
        serializer = AppointmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slot = (
            access.scope(Slot.objects.all(), request.user, "view").filter(pk=serializer.validated_data["slot"]).first()
        )
        if slot is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"slot": ["This time is no longer free: choose another."]})
        appointment = appointments.appointment_book(
            by=request_user(request), slot=slot, consent_given=serializer.validated_data["consent"]
        )
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: AppointmentSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a booked appointment (the person, or the counsellor of the case)."""
        appointment = appointments.appointment_cancel(appointment=self.get_object(), by=request_user(request))
        return Response(AppointmentSerializer(appointment).data)
